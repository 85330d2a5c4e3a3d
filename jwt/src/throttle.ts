import { ConfigurationError, MemoryThrottleStore, loginThrottle, type LoginThrottle as CoreLoginThrottle } from '@portcullis/core';

/**
 * Brute-force protection for a login endpoint (RFC 6749 §4.3.2: the password grant
 * "MUST protect the endpoint against brute force attacks"): core's `LoginThrottle`,
 * which `loginThrottle({ store })` implements (per account and per client address).
 * The token endpoint calls its atomic `attempt(username, connection)`; a throttle
 * without it is refused at construction.
 *
 * @example
 * ```ts
 * import { MemoryThrottleStore, loginThrottle } from '@portcullis/core';
 * import type { LoginThrottle } from '@portcullis/jwt';
 *
 * const throttle: LoginThrottle = loginThrottle({ store: new MemoryThrottleStore() });
 * ```
 */
export type LoginThrottle = CoreLoginThrottle;

/** Options of {@link memoryThrottle}. */
export interface MemoryThrottleOptions {
  /** Failures allowed per username before it waits. Default 20 (OAU-07). */
  maxFailures?: number;
  /** How long a username waits after its last failure, in ms; failures older than this are forgotten. Default 60 000. */
  windowMs?: number;
  /** At most this many usernames are tracked (least recently failed go first). Default 10 000. */
  maxTracked?: number;
  /** The clock. Default `Date.now`. */
  clock?: () => number;
}

/**
 * A per-username {@link LoginThrottle} in memory: core's `loginThrottle` with a
 * `MemoryThrottleStore` and no address bucket. After `maxFailures` failures, the
 * username waits `windowMs` after its last failure (429 with `Retry-After`). A success
 * gives back its own attempt only, and makes its (username, client address) pair known
 * for 30 days: later logins from there count on the pair's own bucket.
 *
 * @deprecated Use core's `loginThrottle({ store })`: it throttles per account and per
 * client address, with exponential backoff, on a memory or Redis store.
 * @example
 * ```ts
 * const oauth2 = oauth2PasswordBearer({ ..., throttle: memoryThrottle({ maxFailures: 20, windowMs: 60_000 }) });
 * ```
 */
export function memoryThrottle(options: MemoryThrottleOptions = {}): LoginThrottle {
  const maxFailures = options.maxFailures ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const maxTracked = options.maxTracked ?? 10_000;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new ConfigurationError('memoryThrottle: maxFailures must be a positive integer');
  if (!Number.isInteger(windowMs) || windowMs < 1000) throw new ConfigurationError('memoryThrottle: windowMs must be an integer of at least 1000');
  if (!Number.isInteger(maxTracked) || maxTracked < 1) throw new ConfigurationError('memoryThrottle: maxTracked must be a positive integer');
  if (options.clock !== undefined && typeof options.clock !== 'function') throw new ConfigurationError('memoryThrottle: clock must be a function');
  return loginThrottle({
    store: new MemoryThrottleStore({ max: maxTracked }),
    accountAllowance: maxFailures - 1,
    addressAllowance: 0,
    baseDelayMs: windowMs,
    maxDelayMs: windowMs,
    forgetAfterMs: windowMs,
    ...(options.clock === undefined ? {} : { clock: options.clock }),
  });
}
