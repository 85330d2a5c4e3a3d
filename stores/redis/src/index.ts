export type {
  RedisCommandClient,
  RedisSessionStoreOptions,
  ConnectRedisSessionStoreOptions,
  OwnedRedisSessionStore,
} from './session-store.js';
export { RedisSessionStore, connectRedisSessionStore } from './session-store.js';
export type { RedisRevocationClient, RedisRevocationStoreOptions, RedisRevocationStatus } from './revocation.js';
export { RedisRevocationStore } from './revocation.js';
export type { RedisTicketStoreOptions } from './tickets.js';
export { RedisTicketStore } from './tickets.js';
