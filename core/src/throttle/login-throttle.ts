import { throttleAddress } from '../client-address.js';
import type { Connection } from '../connection.js';
import { AuthenticationError, ConfigurationError } from '../errors.js';
import { sha256 } from '../sha256.js';
import { assertThrottleStore, type ThrottleRecord, type ThrottleStore } from './store.js';

/** Options of {@link loginThrottle}. */
export interface LoginThrottleOptions {
  /** Where failures are counted: `new MemoryThrottleStore()` (one process) or `RedisThrottleStore` (`@portcullis/redis`). */
  readonly store: ThrottleStore;
  /**
   * Failed logins an account may have before its bucket backs off, from any address.
   * Default 5. Case and Unicode variants of a username (`Alice`, `ＡＬＩＣＥ`) share one bucket.
   */
  readonly accountAllowance?: number;
  /**
   * Failed logins a client address may have before its bucket backs off, over any
   * accounts (an IPv6 address counts as its /64). Default 20. `0`: no address bucket.
   */
  readonly addressAllowance?: number;
  /** The first delay after the allowance, in ms; it doubles with every further failure. Default 1000. */
  readonly baseDelayMs?: number;
  /** The longest delay, in ms: no lock lasts longer after the last failure. Default 900,000 (15 minutes). */
  readonly maxDelayMs?: number;
  /** A bucket without a failure for this long is forgotten, in ms; at least `maxDelayMs`. Default 3,600,000 (an hour). */
  readonly forgetAfterMs?: number;
  /**
   * What a store outage does to a login: `'closed'` (the default) answers 503 without
   * checking the password; `'open'` lets logins through unthrottled while the store is away.
   */
  readonly onStoreError?: 'closed' | 'open';
  /** The clock, in ms since the epoch. Default `Date.now`; tests freeze it. */
  readonly clock?: () => number;
}

/**
 * Brute-force protection for logins, as `passwordBackend({ throttle })` and
 * `oauth2PasswordBearer({ throttle })` use it. Every method may reject with an
 * `AuthenticationError` `backend_unavailable` (reason `throttle_unavailable`) when its
 * store failed and the throttle fails closed.
 */
export interface LoginThrottle {
  /** Required. Seconds before `username` may try again from this connection; 0 when it may try now. */
  retryAfter(username: string, connection?: Connection): Promise<number>;
  /** Required. Counts a failed login of `username` from this connection. */
  failed(username: string, connection?: Connection): Promise<void>;
  /** Optional. A successful login: the account's failures are forgotten (never the address's). */
  succeeded?(username: string, connection?: Connection): Promise<void>;
}

interface Bucket {
  readonly key: string;
  readonly allowance: number;
}

/**
 * Throttles failed logins per account and per client address, separately (OWASP's
 * credential-stuffing advice): each bucket allows a few failures, then backs off
 * exponentially — `baseDelayMs`, doubled per further failure, capped at `maxDelayMs`
 * after the last failure — and forgets after `forgetAfterMs` without failure. No lock
 * is permanent, and a correct password never resets the address bucket. Only failures
 * write the store; a check reads at most two keys. Usernames are folded (NFKC, case
 * fold, trimmed) and hashed before they become keys; the address is
 * `connection.clientAddress`, resolved through `trustedProxies`; requests whose address
 * is unknown share one bucket, and without a connection only the account bucket counts.
 *
 * @example
 * ```ts
 * import { MemoryThrottleStore, loginThrottle, passwordBackend } from '@portcullis/core';
 *
 * const throttle = loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 5, addressAllowance: 20 });
 * const backend = passwordBackend({ findUser, passwordHashOf: (u) => u.hash, hasher, throttle });
 * ```
 */
export function loginThrottle(options: LoginThrottleOptions): LoginThrottle {
  const who = 'loginThrottle';
  if (options === null || typeof options !== 'object') throw new ConfigurationError(`${who}: options are required ({ store })`);
  const store = options.store;
  assertThrottleStore(store, who);
  const accountAllowance = count(options.accountAllowance ?? 5, 'accountAllowance', 0);
  const addressAllowance = count(options.addressAllowance ?? 20, 'addressAllowance', 0);
  const base = count(options.baseDelayMs ?? 1000, 'baseDelayMs', 1);
  const max = count(options.maxDelayMs ?? 900_000, 'maxDelayMs', base);
  const forget = count(options.forgetAfterMs ?? Math.max(3_600_000, max), 'forgetAfterMs', max);
  const onStoreError = options.onStoreError ?? 'closed';
  if (onStoreError !== 'closed' && onStoreError !== 'open') throw new ConfigurationError(`${who}: onStoreError must be 'closed' or 'open'`);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new ConfigurationError(`${who}: clock must be a function`);
  // Connections whose check saw failures on the account: only their success resets it.
  const dirty = new WeakMap<Connection, true>();

  function count(value: number, name: string, min: number): number {
    if (!Number.isSafeInteger(value) || value < min) throw new ConfigurationError(`${who}: ${name} must be an integer of at least ${min}`);
    return value;
  }

  function buckets(username: string, connection: Connection | undefined): Bucket[] {
    const list: Bucket[] = [{ key: accountKey(username), allowance: accountAllowance }];
    if (addressAllowance === 0 || connection === undefined) return list;
    // An unknown address (no peer, or forwarded headers that contradict each other) is
    // one shared bucket: a client cannot leave the address bucket by hiding its address.
    list.push({ key: `n:${throttleAddress(connection.clientAddress) ?? 'unknown'}`, allowance: addressAllowance });
    return list;
  }

  /** Milliseconds the bucket still waits at `now`. */
  function waiting(record: ThrottleRecord | undefined, allowance: number, now: number): number {
    if (record === undefined || now - record.last >= forget || record.failures <= allowance) return 0;
    const delay = Math.min(max, base * 2 ** Math.min(40, record.failures - allowance - 1));
    return Math.max(0, record.last + delay - now);
  }

  async function guarded<T>(username: string, fallback: T, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      if (onStoreError === 'open') return fallback;
      throw new AuthenticationError('backend_unavailable', { cause, subject: username, reason: 'throttle_unavailable' });
    }
  }

  return Object.freeze({
    retryAfter(username: string, connection?: Connection): Promise<number> {
      return guarded(username, 0, async () => {
        const list = buckets(username, connection);
        const records = await Promise.all(list.map((b) => store.get(b.key)));
        const now = clock();
        const account = records[0];
        if (connection !== undefined && account !== undefined && now - account.last < forget) dirty.set(connection, true);
        const wait = Math.max(...list.map((b, i) => waiting(records[i], b.allowance, now)));
        return wait === 0 ? 0 : Math.max(1, Math.ceil(wait / 1000));
      });
    },
    failed(username: string, connection?: Connection): Promise<void> {
      return guarded(username, undefined, async () => {
        const now = clock();
        await Promise.all(buckets(username, connection).map((b) => store.hit(b.key, now, forget)));
      });
    },
    async succeeded(username: string, connection?: Connection): Promise<void> {
      if (connection !== undefined && !dirty.has(connection)) return;
      try {
        await store.reset(accountKey(username));
      } catch {
        // The login stands; the failures are forgotten after forgetAfterMs anyway.
      }
    },
  });
}

/**
 * The account bucket's key: the username folded so that its case and Unicode variants
 * meet (NFKC, full case fold through upper then lower case, NFKC again, trimmed), then
 * hashed (no username reaches the store).
 */
function accountKey(username: string): string {
  const folded = String(username).normalize('NFKC').toUpperCase().toLowerCase().normalize('NFKC').trim();
  let key = 'a:';
  for (const b of sha256(folded).subarray(0, 20)) key += b.toString(16).padStart(2, '0');
  return key;
}
