import type { ThrottleRecord } from './store.js';

/**
 * How one bucket backs off, as {@link loginThrottle} passes it to
 * `ThrottleStore.attempt`: the same numbers for every attempt on the bucket.
 */
export interface ThrottleRule {
  /** Failures the bucket may hold before it backs off (at least 0). */
  readonly allowance: number;
  /** The wait after the first failure beyond the allowance, in ms; doubled per further failure. */
  readonly baseDelayMs: number;
  /** The longest wait, in ms, counted from the bucket's `last` failure. */
  readonly maxDelayMs: number;
  /** A record whose `last` is this old (or older) is forgotten, in ms; the record may be dropped this long after `last`. */
  readonly ttlMs: number;
}

/**
 * The backoff formula, in one place: the milliseconds a bucket still waits at `now`
 * (0: it may be attempted). Nothing waits while `failures <= allowance`, nor once
 * `now - last >= ttlMs` (the record is forgotten); otherwise the wait is
 * `delay = min(maxDelayMs, baseDelayMs × 2^(failures − allowance − 1))` after `last`,
 * and never more than `delay` from `now`: a `last` in the future (written by a server
 * whose clock runs ahead) cannot stretch a wait beyond `maxDelayMs`.
 * `MemoryThrottleStore` and `loginThrottle` call it; a store in another language
 * (`RedisThrottleStore`'s Lua script) re-implements it and is tested against it.
 *
 * @example
 * ```ts
 * import { throttleWait } from '@portcullis/core';
 *
 * const rule = { allowance: 5, baseDelayMs: 1000, maxDelayMs: 900_000, ttlMs: 3_600_000 };
 * throttleWait({ failures: 5, last: 0 }, 10, rule);   // 0: still within the allowance
 * throttleWait({ failures: 7, last: 0 }, 10, rule);   // 1990: 2 s after the last failure
 * ```
 */
export function throttleWait(record: ThrottleRecord | undefined, now: number, rule: ThrottleRule): number {
  if (record === undefined || now - record.last >= rule.ttlMs || record.failures <= rule.allowance) return 0;
  const delay = Math.min(rule.maxDelayMs, rule.baseDelayMs * 2 ** Math.min(40, record.failures - rule.allowance - 1));
  return Math.max(0, Math.min(delay, record.last + delay - now));
}
