export type { RedisCommandClient, RedisClusterCommandClient, RedisStoreClient } from './client.js';
export type { RedisSessionStoreOptions, ConnectRedisSessionStoreOptions, OwnedRedisSessionStore } from './session-store.js';
export { RedisSessionStore, connectRedisSessionStore } from './session-store.js';
export type { RedisRevocationClient, RedisRevocationStoreOptions, RedisRevocationStatus } from './revocation.js';
export { RedisRevocationStore } from './revocation.js';
export type { RedisRefreshClient, RedisRefreshTokenStoreOptions, RedisRefreshFamily, RedisRotateResult } from './refresh-tokens.js';
export { RedisRefreshTokenStore } from './refresh-tokens.js';
export type { RedisThrottleStoreOptions } from './throttle.js';
export { RedisThrottleStore } from './throttle.js';
