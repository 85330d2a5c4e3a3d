import { throttleAddress, throttleNetwork48 } from '../client-address.js';
import type { Connection } from '../connection.js';
import { AuthenticationError, ConfigurationError } from '../errors.js';
import { sha256 } from '../sha256.js';
import { throttleWait, type ThrottleRule } from './backoff.js';
import { assertThrottleStore, type ThrottleAnswer, type ThrottleRecord, type ThrottleStore } from './store.js';

/** Options of {@link loginThrottle}. */
export interface LoginThrottleOptions {
  /** Where attempts are counted: `new MemoryThrottleStore()` (one process) or `RedisThrottleStore` (`@portcullis/redis`). */
  readonly store: ThrottleStore;
  /**
   * Failed logins an account may have before its bucket backs off, from any address
   * that is not known for it (see `knownFor`). Default 5. Case, accent and Unicode
   * variants of a username (`Alice`, `ＡＬＩＣＥ`, `alíce`, `al\u200Bice`) share one
   * bucket unless `accountKey` says otherwise.
   */
  readonly accountAllowance?: number;
  /**
   * Failed logins a client address may have before its bucket backs off, over any
   * accounts. Default 20. An IPv6 client counts as its /64, and also (except on a known
   * pair) as its /48 with 4× this allowance; an IPv6 address carrying an IPv4 client
   * (NAT64, IPv4-compatible, Teredo) as that IPv4 address. `0`: no address bucket at all
   * (nor `unknownAddressAllowance`).
   */
  readonly addressAllowance?: number;
  /**
   * The allowance of the one bucket that every login without a client address shares
   * (a Worker without a peer, contradictory forwarded headers behind a proxy). Default
   * 10× `addressAllowance`. The first such login warns once (`console.warn`): configure
   * `trustedProxies` or give the adapter the peer address.
   */
  readonly unknownAddressAllowance?: number;
  /** The first delay after the allowance, in ms; it doubles with every further failure. Default 1000. */
  readonly baseDelayMs?: number;
  /** The longest delay, in ms: no lock lasts longer after the last failure. Default 900,000 (15 minutes). */
  readonly maxDelayMs?: number;
  /** A bucket without a failure for this long is forgotten, in ms; at least `maxDelayMs`. Default 3,600,000 (an hour). */
  readonly forgetAfterMs?: number;
  /**
   * After a successful login, the (account, client address) pair is known for this long,
   * in ms (refreshed by every success from it); the account is the username's canonical
   * form (`accountKey`), so all its spellings make one marker. An attempt from a known
   * pair is throttled on that pair's own bucket (the account's allowance and backoff)
   * instead of the account bucket, and on the address's bucket but not its /48, so a
   * flood against the account from elsewhere does not lock its owner out of a place they
   * logged in from. Logins without a client address are never known. Default
   * 2,592,000,000 (30 days); `0` turns it off.
   */
  readonly knownFor?: number;
  /**
   * The account's canonical form, when the app has its own (e.g. `(u) => u` for
   * case-sensitive usernames). It must be the form the user lookup matches on, or
   * variants escape the account bucket. Its result is hashed before it reaches the
   * store; a result that is not a string fails the login closed (503). Default:
   * default-ignorable characters removed, NFKC, case fold, accents removed, trimmed,
   * repeated until stable. A username longer than 1024 code units is not given to it
   * whole: only its first 1024 code units are (so padding a name past 1024 never makes a
   * new account bucket).
   */
  readonly accountKey?: (username: string) => string;
  /**
   * What a store outage does to a login: `'closed'` (the default) answers 503 without
   * checking the password; `'open'` lets logins through unthrottled while the store is
   * away. A malformed store answer always fails closed.
   */
  readonly onStoreError?: 'closed' | 'open';
  /** The clock, in ms since the epoch. Default `Date.now`; tests freeze it. */
  readonly clock?: () => number;
}

/**
 * One login attempt, admitted or refused by {@link LoginThrottle.attempt}. An admitted
 * attempt is already counted as a failure, pending its outcome: report a success with
 * `succeeded()`; a failure needs nothing more (`failed()` says so explicitly).
 */
export interface LoginAttempt {
  /** Seconds the client must wait (429 with `Retry-After`); `0` when the attempt is admitted. */
  readonly retryAfter: number;
  /** The password was wrong: the failure counted up front stands. A no-op, for symmetry and readability. */
  failed(): Promise<void>;
  /**
   * The password was right: gives back the attempt's pending counts and marks the
   * (account, client address) pair known (`knownFor`). Never rejects (a store outage
   * leaves the counts, which expire after `forgetAfterMs`). Only the first call acts.
   */
  succeeded(): Promise<void>;
  /**
   * The password was never checked (the hashing queue was full, the user lookup threw):
   * gives back the attempt's pending counts, like `succeeded()`, but marks nothing known.
   * Never rejects. Only the first call of `failed`, `succeeded` or `abandoned` acts.
   * Optional for a custom throttle (`passwordBackend` calls it when present).
   */
  abandoned?(): Promise<void>;
}

/**
 * Brute-force protection for logins, as `passwordBackend({ throttle })` and
 * `oauth2PasswordBearer({ throttle })` use it. Every method may reject with an
 * `AuthenticationError` `backend_unavailable` (reason `throttle_unavailable`) when its
 * store failed or answered nonsense and the throttle fails closed.
 */
export interface LoginThrottle {
  /**
   * Required. Admits or refuses one login, atomically per bucket: an admitted attempt
   * is counted as a failure before the password is checked, so concurrent guesses
   * cannot all pass before the first failure lands. Check the password only when
   * `retryAfter` is 0, then call `succeeded()` or `failed()`.
   */
  attempt(username: string, connection?: Connection): Promise<LoginAttempt>;
  /** A read-only peek (for a UI): seconds before `username` may try from this connection; 0 when it may try now. Never use it to guard a login: it races. */
  retryAfter(username: string, connection?: Connection): Promise<number>;
  /** Counts a failure outside a login: an attempt that is never given back. To guard a check (a second factor), use `attempt` and report its outcome instead: this only counts. */
  failed(username: string, connection?: Connection): Promise<void>;
}

interface Bucket {
  readonly key: string;
  readonly rule: ThrottleRule;
}

interface Plan {
  readonly buckets: readonly Bucket[];
  /** The known-pair marker's key, when the connection has an address and `knownFor` is on. */
  readonly marker: string | undefined;
}

/** A store answer the throttle cannot trust: always fails closed. */
class Malformed extends Error {}

/**
 * Throttles failed logins per account and per client address, separately (OWASP's
 * credential-stuffing advice): each bucket allows a few failures, then backs off
 * exponentially — `baseDelayMs`, doubled per further failure, capped at `maxDelayMs`
 * after the last failure — and forgets after `forgetAfterMs` without failure. No lock
 * is permanent. Each attempt is admitted and counted in one atomic store step per
 * bucket, so parallel guesses get no more than the allowance; a success gives its own
 * count back and makes the (account, address) pair known, whose later logins are
 * throttled on their own bucket instead of the account's; a check that throws before
 * answering (`abandoned()`) gives its count back too. Usernames are folded (or
 * mapped by `accountKey`) and hashed before they become keys; the address is
 * `connection.clientAddress`, resolved through `trustedProxies`; logins whose address
 * is unknown share one larger bucket, and without a connection only the account
 * bucket counts.
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
  const accountAllowance = allowance(options.accountAllowance ?? 5, 'accountAllowance', 0);
  const addressAllowance = allowance(options.addressAllowance ?? 20, 'addressAllowance', 0);
  const unknownAllowance = allowance(options.unknownAddressAllowance ?? Math.min(MAX_ALLOWANCE, Math.max(1, addressAllowance * 10)), 'unknownAddressAllowance', 1);
  const base = count(options.baseDelayMs ?? 1000, 'baseDelayMs', 1);
  const max = count(options.maxDelayMs ?? 900_000, 'maxDelayMs', base);
  const forget = count(options.forgetAfterMs ?? Math.max(3_600_000, max), 'forgetAfterMs', max);
  const knownFor = count(options.knownFor ?? 2_592_000_000, 'knownFor', 0);
  const canonical = options.accountKey ?? foldUsername;
  if (typeof canonical !== 'function') throw new ConfigurationError(`${who}: accountKey must be a function (username) => string`);
  const onStoreError = options.onStoreError ?? 'closed';
  if (onStoreError !== 'closed' && onStoreError !== 'open') throw new ConfigurationError(`${who}: onStoreError must be 'closed' or 'open'`);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new ConfigurationError(`${who}: clock must be a function`);

  const rule = (allowance: number, ttlMs = forget): ThrottleRule => Object.freeze({ allowance, baseDelayMs: base, maxDelayMs: max, ttlMs });
  const accountRule = rule(accountAllowance);
  const addressRule = rule(addressAllowance);
  const wideRule = rule(addressAllowance * 4);
  const unknownRule = rule(unknownAllowance);
  // A marker is a bucket that never waits: its `last` is the pair's latest success.
  const markerRule = knownFor === 0 ? undefined : rule(Number.MAX_SAFE_INTEGER, knownFor);
  let warned = false;

  function count(value: number, name: string, min: number): number {
    if (!Number.isSafeInteger(value) || value < min) throw new ConfigurationError(`${who}: ${name} must be an integer of at least ${min}`);
    return value;
  }

  /** An allowance: at most MAX_ALLOWANCE (the unbounded allowance is what marks a known-pair marker in a store). */
  function allowance(value: number, name: string, min: number): number {
    const n = count(value, name, min);
    if (n > MAX_ALLOWANCE) throw new ConfigurationError(`${who}: ${name} must be at most ${MAX_ALLOWANCE} (larger values are reserved; addressAllowance: 0 turns the address bucket off)`);
    return n;
  }

  /** The buckets of a login: the account's (or the known pair's) and the client address's. */
  async function plan(username: string, connection: Connection | undefined, now: number): Promise<Plan> {
    const account = hex(sha256(accountOf(username)).subarray(0, 20));
    const address = connection === undefined ? undefined : throttleAddress(connection.clientAddress);
    // The pair is the account (its canonical form, as the lookup matches it) and the
    // address: one marker per account and address, however many spellings succeed.
    // A username past FOLD_LIMIT keys on its head, which another account may share: it is
    // never known (no marker written or honoured), or one account's login would make the
    // address known for every account with that head.
    const pair =
      address === undefined || markerRule === undefined || String(username).length > FOLD_LIMIT ? undefined : hex(sha256(`${account}\n${address}`).subarray(0, 20));
    let first: Bucket = { key: `a:${account}`, rule: accountRule };
    if (pair !== undefined) {
      const marker = record(await store.get(`k:${pair}`));
      if (marker !== undefined && marker.failures > 0 && now - marker.last < knownFor) first = { key: `p:${pair}`, rule: accountRule };
    }
    const buckets = [first];
    if (addressAllowance > 0 && connection !== undefined) {
      if (address === undefined) {
        warnUnknown();
        buckets.push({ key: 'n:unknown', rule: unknownRule });
      } else {
        buckets.push({ key: `n:${address}`, rule: addressRule });
        // A known pair skips the /48: others in the owner's /48 cannot keep the owner out of a known /64.
        const wide = first.key.startsWith('p:') ? undefined : throttleNetwork48(connection.clientAddress);
        if (wide !== undefined) buckets.push({ key: `n:${wide}`, rule: wideRule });
      }
    }
    return { buckets, marker: pair === undefined ? undefined : `k:${pair}` };
  }

  /** The account's canonical form (`accountKey`, or the fold), checked; an over-long username keys on the canonical form of its head. */
  function accountOf(username: string): string {
    // No length, no unfolded prefix: 'alice' + 1100 spaces folds where 'alice' does.
    const raw = String(username).slice(0, FOLD_LIMIT);
    let folded: unknown;
    try {
      folded = canonical(raw);
    } catch (error) {
      throw new Malformed(`${who}: accountKey threw`, { cause: error });
    }
    if (typeof folded !== 'string') throw new Malformed(`${who}: accountKey answered a ${typeof folded}, not a string`);
    return folded;
  }

  function warnUnknown(): void {
    if (warned) return;
    warned = true;
    console.warn(
      `${who}: a login came without a client address; all such logins share one bucket (unknownAddressAllowance ${unknownAllowance}) and may lock each other out. ` +
        'Configure trustedProxies (behind a proxy), or give the adapter the peer address (peerAddress; Workers: CF-Connecting-IP). See docs/throttling.md.',
    );
  }

  async function guarded<T>(username: string, fallback: T, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (cause) {
      if (onStoreError === 'open' && !(cause instanceof Malformed) && !isCorruptRecord(cause)) return fallback;
      throw new AuthenticationError('backend_unavailable', { cause, subject: username, reason: 'throttle_unavailable' });
    }
  }

  /** Gives back the pending counts of `buckets`; an outage leaves them to expire. */
  async function release(buckets: readonly Bucket[], now: number): Promise<void> {
    await Promise.allSettled(buckets.map(async (b) => store.release(b.key, now, b.rule.ttlMs)));
  }

  /** Attempts every bucket at once; releases the admitted ones when another refused or failed. */
  async function attemptAll(buckets: readonly Bucket[], now: number): Promise<number> {
    const settled = await Promise.allSettled(buckets.map(async (b) => answer(await store.attempt(b.key, now, b.rule))));
    const admitted = buckets.filter((_, i) => settled[i]!.status === 'fulfilled' && (settled[i] as PromiseFulfilledResult<ThrottleAnswer>).value.waitMs === 0);
    const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    const wait = Math.max(0, ...settled.map((s) => (s.status === 'fulfilled' ? s.value.waitMs : 0)));
    if (failure !== undefined || wait > 0) await release(admitted, now);
    if (failure !== undefined) throw failure.reason;
    return wait;
  }

  const admittedOpen: LoginAttempt = Object.freeze({ retryAfter: 0, failed: async () => {}, succeeded: async () => {}, abandoned: async () => {} });

  return Object.freeze({
    attempt(username: string, connection?: Connection): Promise<LoginAttempt> {
      return guarded(username, admittedOpen, async () => {
        const now = clock();
        const { buckets, marker } = await plan(username, connection, now);
        const wait = await attemptAll(buckets, now);
        if (wait > 0) return Object.freeze({ retryAfter: seconds(wait), failed: async () => {}, succeeded: async () => {}, abandoned: async () => {} });
        let settled = false;
        return Object.freeze({
          retryAfter: 0,
          async failed(): Promise<void> {
            settled = true;
          },
          async succeeded(): Promise<void> {
            if (settled) return;
            settled = true;
            const at = clock();
            await Promise.allSettled([
              release(buckets, at),
              marker === undefined || markerRule === undefined ? undefined : store.attempt(marker, at, markerRule),
            ]);
          },
          async abandoned(): Promise<void> {
            if (settled) return;
            settled = true;
            await release(buckets, clock());
          },
        });
      });
    },
    retryAfter(username: string, connection?: Connection): Promise<number> {
      return guarded(username, 0, async () => {
        const now = clock();
        const { buckets } = await plan(username, connection, now);
        const records = await Promise.all(buckets.map(async (b) => record(await store.get(b.key))));
        const wait = Math.max(...buckets.map((b, i) => throttleWait(records[i], now, b.rule)));
        return wait === 0 ? 0 : seconds(wait);
      });
    },
    failed(username: string, connection?: Connection): Promise<void> {
      return guarded(username, undefined, async () => {
        const now = clock();
        await attemptAll((await plan(username, connection, now)).buckets, now);
      });
    },
  });
}

/** A store's rejection for a record it holds but cannot read (see `ThrottleStore`): not an outage, it fails closed. */
function isCorruptRecord(error: unknown): boolean {
  return error instanceof Error && error.name === 'ThrottleRecordCorrupt';
}

function seconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}

/** A `get` answer, checked: `undefined` or a well-formed record. */
function record(value: unknown): ThrottleRecord | undefined {
  if (value === undefined || value === null) return undefined;
  const r = value as Partial<ThrottleRecord>;
  if (typeof value !== 'object' || !Number.isSafeInteger(r.failures) || (r.failures as number) < 0 || typeof r.last !== 'number' || !Number.isFinite(r.last) || r.last < 0) {
    throw new Malformed('ThrottleStore.get answered a malformed record');
  }
  return { failures: r.failures as number, last: r.last };
}

/** An `attempt` answer, checked: a record, a finite wait ≥ 0, and a counted failure when admitted. */
function answer(value: unknown): ThrottleAnswer {
  const checked = record(value);
  const waitMs = (value as Partial<ThrottleAnswer> | undefined)?.waitMs;
  if (checked === undefined || typeof waitMs !== 'number' || !Number.isFinite(waitMs) || waitMs < 0 || (waitMs === 0 && checked.failures < 1)) {
    throw new Malformed('ThrottleStore.attempt answered a malformed record');
  }
  return { ...checked, waitMs };
}

function hex(bytes: Uint8Array): string {
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}

/**
 * Usernames longer than this (UTF-16 code units) are neither folded nor hashed whole:
 * their account bucket keys on the canonical form of their first 1024 code units, so
 * a megabyte-long username costs what a short one does, and padding a name past the
 * limit (with `maxUsernameBytes` above 1024) still lands in its account's bucket.
 */
const FOLD_LIMIT = 1024;

/**
 * The largest allowance a throttle accepts: its ×10 and ×4 derived allowances stay exact,
 * and `Number.MAX_SAFE_INTEGER` stays what only a known-pair marker's rule carries (the
 * memory store keeps markers apart by it).
 */
const MAX_ALLOWANCE = 1_000_000_000;

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The default canonical form of a username, so that the variants an accent- and
 * case-insensitive user lookup would match share one account bucket: default-ignorable
 * characters (zero-width spaces, soft hyphens, variation selectors) removed first (so
 * they cannot change how a neighbouring letter is case-mapped, as `Σ` before one
 * becomes a final `ς`), NFKC, full case fold (upper then lower case), NFD, combining
 * marks removed, ignorables removed again, NFKC again, trimmed — repeated until the
 * result stops changing (`ẞ` → `ß` → `ss`), so that the fold is idempotent. Folding
 * more than the lookup does only throttles more.
 * @internal
 */
export function foldUsername(username: string): string {
  let current = String(username);
  for (let round = 0; round < 4; round++) {
    const next = foldOnce(current);
    if (next === current) return next;
    current = next;
  }
  return current;
}

function foldOnce(text: string): string {
  return text
    .replace(IGNORABLE, '')
    .normalize('NFKC')
    .toUpperCase()
    .toLowerCase()
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(IGNORABLE, '')
    .normalize('NFKC')
    .trim();
}
