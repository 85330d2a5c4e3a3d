import { ConfigurationError } from '../errors.js';
import type { ThrottleRule } from './backoff.js';

/** What a {@link ThrottleStore} keeps for one bucket (an account, an address, a known pair). */
export interface ThrottleRecord {
  /** Failed logins counted in the bucket (attempts pending their outcome included) since it was last forgotten; an integer ≥ 0. */
  readonly failures: number;
  /** When the latest of them happened, in ms since the epoch (the throttle's clock). */
  readonly last: number;
}

/** What {@link ThrottleStore.attempt} answers: the bucket's record, and whether the attempt had to wait. */
export interface ThrottleAnswer extends ThrottleRecord {
  /**
   * 0: the attempt was admitted and counted (the record includes it). Otherwise the
   * milliseconds the bucket still waits (`throttleWait`), and nothing was counted.
   */
  readonly waitMs: number;
}

/**
 * Where {@link loginThrottle} counts failed logins: one record per bucket key. Every
 * method is required and promise-based; the throttle checks them at construction and
 * checks every answer (a malformed one fails the login closed). Keys are short ASCII
 * strings the throttle builds (never a username or a password in clear). A store is
 * never called for a login that a verification cache answers.
 *
 * - `get(key)` — **required**. The bucket's record, or `undefined` when the key was
 *   never counted, was released to nothing, or has expired (a record older than its
 *   `ttlMs` may still be returned: the throttle ignores it). Read-only: for
 *   `LoginThrottle.retryAfter` (a peek for UIs) and the known-pair markers.
 * - `attempt(key, now, rule)` — **required**, **atomic per key** (no other call on the
 *   key between its read and its write). A record whose `last` is `rule.ttlMs` or more
 *   before `now` counts as none. If the bucket waits at `now`
 *   (`throttleWait(record, now, rule) > 0`), answers that wait with the record and
 *   changes nothing: a refused attempt is not counted. Otherwise counts one failure
 *   pending the login's outcome — `failures + 1`, `last` = max(`last`, `now`), the record
 *   dropped `ttlMs` after `now` at the earliest — and answers the new record with
 *   `waitMs: 0`. Of 200 concurrent attempts on a bucket with allowance 5, exactly 6
 *   are admitted.
 * - `release(key, now, ttlMs)` — **required**, **atomic per key**. Gives one pending
 *   failure back after a successful login: `failures − 1`, never below 0 (a record at 0
 *   may be deleted); `last` stays. A record older than `ttlMs`, or none, is left alone.
 *
 * A method that rejects or throws is a store outage: logins fail closed (503) unless
 * the throttle says `onStoreError: 'open'`. A store that finds a record it cannot read
 * (corrupt data) rejects with an `Error` whose `name` is `'ThrottleRecordCorrupt'`:
 * like a malformed answer, that fails closed even with `'open'`.
 *
 * @example
 * ```ts
 * import type { ThrottleStore } from '@portcullis/core';
 *
 * // A store that counts its calls, around another one (a test's probe).
 * function counting(inner: ThrottleStore, calls: { n: number }): ThrottleStore {
 *   return {
 *     get: (key) => (calls.n++, inner.get(key)),
 *     attempt: (key, now, rule) => (calls.n++, inner.attempt(key, now, rule)),
 *     release: (key, now, ttlMs) => (calls.n++, inner.release(key, now, ttlMs)),
 *   };
 * }
 * ```
 */
export interface ThrottleStore {
  /** Required. The record of `key`; `undefined` when there is none. */
  get(key: string): Promise<ThrottleRecord | undefined>;
  /** Required, atomic per key. Refuses (`waitMs > 0`, nothing counted) or counts one pending failure (see the interface). */
  attempt(key: string, now: number, rule: ThrottleRule): Promise<ThrottleAnswer>;
  /** Required, atomic per key. Gives one pending failure back (never below 0). */
  release(key: string, now: number, ttlMs: number): Promise<void>;
}

/**
 * Checks that a value implements {@link ThrottleStore}; throws a `ConfigurationError`
 * naming the missing method. For store and throttle authors.
 *
 * @example
 * ```ts
 * assertThrottleStore(new MemoryThrottleStore(), 'myThrottle');   // ok
 * assertThrottleStore({ get() {}, hit() {} }, 'myThrottle');      // throws: attempt is missing
 * ```
 */
export function assertThrottleStore(store: unknown, who: string): asserts store is ThrottleStore {
  if (store === null || typeof store !== 'object') {
    throw new ConfigurationError(`${who}: store must be a ThrottleStore (new MemoryThrottleStore(), or RedisThrottleStore of @portcullis/redis)`);
  }
  const s = store as Record<string, unknown>;
  for (const method of ['get', 'attempt', 'release'] as const) {
    if (typeof s[method] !== 'function') {
      const hint = method !== 'get' && typeof s['hit'] === 'function' ? ': hit(key, now, ttlMs) was replaced by the atomic attempt(key, now, rule) and release(key, now, ttlMs)' : '';
      throw new ConfigurationError(`${who}: store.${method}(…) is required (see ThrottleStore)${hint}`);
    }
  }
}
