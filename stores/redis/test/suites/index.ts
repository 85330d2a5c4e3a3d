// Every Redis store's suite, by the name the package exports the store under.
// cluster.test.ts runs each of them on a Redis Cluster, and fails when an exported
// `Redis…Store` has no entry here. A store's suite that takes a client factory
// plugs in as `RedisXStore: (redis) => xStoreSuite(() => redis.client()),`.
import type { RedisTarget } from '../targets.js';
import { revocationStoreSuite } from './revocation.js';
import { sessionStoreSuite } from './session-store.js';

/** The suite of each exported store, a function of the Redis it runs on. */
export const STORE_SUITES: Readonly<Record<string, (redis: RedisTarget) => void>> = {
  RedisSessionStore: sessionStoreSuite,
  RedisRevocationStore: revocationStoreSuite,
};
