import { ConfigurationError } from '../errors.js';

/** What a {@link ThrottleStore} keeps for one bucket (an account or a client address). */
export interface ThrottleRecord {
  /** Failed logins counted in the bucket since it was last forgotten. */
  readonly failures: number;
  /** When the latest of them happened, in ms since the epoch (the throttle's clock). */
  readonly last: number;
}

/**
 * Where {@link loginThrottle} counts failed logins: one record per bucket key. Every
 * method is required and promise-based; the throttle checks them at construction.
 * Keys are short ASCII strings the throttle builds (never a username or a password in
 * clear). Only failed logins write: a store is never called for a login that a
 * verification cache answers.
 *
 * - `get(key)` — **required**. The bucket's record, or `undefined` when the key was
 *   never hit, was reset, or has expired (a record older than the `ttlMs` of its last
 *   `hit` may still be returned: the throttle ignores it).
 * - `hit(key, now, ttlMs)` — **required**, **atomic**. Counts one failure at `now`:
 *   when the key holds a record whose `last` is less than `ttlMs` before `now`, its
 *   `failures` grows by one, otherwise it starts again at 1; `last` becomes `now`, and
 *   the record may be dropped `ttlMs` after it. Answers the new record. Two concurrent
 *   hits must both count.
 * - `reset(key)` — **required**. Forgets the key (after a successful login); resetting
 *   a key that holds nothing is not an error.
 *
 * A method that rejects or throws is a store outage: logins fail closed (503) unless
 * the throttle says `onStoreError: 'open'`.
 *
 * @example
 * ```ts
 * import type { ThrottleRecord, ThrottleStore } from '@portcullis/core';
 *
 * // A store that counts its calls, around another one (a test's probe).
 * function counting(inner: ThrottleStore, calls: { n: number }): ThrottleStore {
 *   return {
 *     get: (key): Promise<ThrottleRecord | undefined> => (calls.n++, inner.get(key)),
 *     hit: (key, now, ttlMs) => (calls.n++, inner.hit(key, now, ttlMs)),
 *     reset: (key) => (calls.n++, inner.reset(key)),
 *   };
 * }
 * ```
 */
export interface ThrottleStore {
  /** Required. The record of `key`; `undefined` when there is none. */
  get(key: string): Promise<ThrottleRecord | undefined>;
  /** Required, atomic. Counts one failure on `key` at `now` (see the interface). */
  hit(key: string, now: number, ttlMs: number): Promise<ThrottleRecord>;
  /** Required. Forgets `key`. */
  reset(key: string): Promise<void>;
}

/**
 * Checks that a value implements {@link ThrottleStore}; throws a `ConfigurationError`
 * naming the missing method. For store and throttle authors.
 *
 * @example
 * ```ts
 * assertThrottleStore(new MemoryThrottleStore(), 'myThrottle');   // ok
 * assertThrottleStore({ get() {}, hit() {} }, 'myThrottle');      // throws: reset is missing
 * ```
 */
export function assertThrottleStore(store: unknown, who: string): asserts store is ThrottleStore {
  if (store === null || typeof store !== 'object') {
    throw new ConfigurationError(`${who}: store must be a ThrottleStore (new MemoryThrottleStore(), or RedisThrottleStore of @portcullis/redis)`);
  }
  const s = store as Record<string, unknown>;
  for (const method of ['get', 'hit', 'reset'] as const) {
    if (typeof s[method] !== 'function') throw new ConfigurationError(`${who}: store.${method}(…) is required (see ThrottleStore)`);
  }
}
