import { ConfigurationError, type Connection } from '@portcullis/core';
import type { MaybePromise } from '@portcullis/core/adapter';

/**
 * Brute-force protection for a login endpoint (RFC 6749 §4.3.2: the password grant
 * "MUST protect the endpoint against brute force attacks"). Every method may be
 * sync or async.
 */
export interface LoginThrottle {
  /** Required. Seconds the client must wait before `username` may try again; 0 when it may try now. */
  retryAfter(username: string, connection: Connection): MaybePromise<number>;
  /** Required. Records a failed attempt. */
  failed(username: string, connection: Connection): MaybePromise<void>;
  /** Optional. Records a success (a throttle may reset its count). */
  succeeded?(username: string, connection: Connection): MaybePromise<void>;
}

/** Options of {@link memoryThrottle}. */
export interface MemoryThrottleOptions {
  /** Failures allowed per username within `windowMs`. Default 20 (OAU-07). */
  maxFailures?: number;
  /** The window, in ms. Default 60 000. The lockout ends with it: never permanent. */
  windowMs?: number;
  /** At most this many usernames are tracked (least recently failed go first). Default 10 000. */
  maxTracked?: number;
  /** The clock. Default `Date.now`. */
  clock?: () => number;
}

interface Window {
  start: number;
  failures: number;
}

/**
 * A per-username, fixed-window {@link LoginThrottle} in memory (one process). After
 * `maxFailures` failures within `windowMs`, further attempts get 429 with
 * `Retry-After` until the window ends. For several processes, implement the
 * interface on a shared store; to throttle per client address too, key on what
 * your proxy tells you.
 *
 * @example
 * ```ts
 * const oauth2 = oauth2PasswordBearer({ ..., throttle: memoryThrottle({ maxFailures: 20, windowMs: 60_000 }) });
 * ```
 */
export function memoryThrottle(options: MemoryThrottleOptions = {}): LoginThrottle {
  const maxFailures = options.maxFailures ?? 20;
  const windowMs = options.windowMs ?? 60_000;
  const maxTracked = options.maxTracked ?? 10_000;
  const clock = options.clock ?? Date.now;
  if (!Number.isInteger(maxFailures) || maxFailures < 1) throw new ConfigurationError('memoryThrottle: maxFailures must be a positive integer');
  if (!Number.isInteger(windowMs) || windowMs < 1000) throw new ConfigurationError('memoryThrottle: windowMs must be an integer of at least 1000');
  if (!Number.isInteger(maxTracked) || maxTracked < 1) throw new ConfigurationError('memoryThrottle: maxTracked must be a positive integer');
  if (typeof clock !== 'function') throw new ConfigurationError('memoryThrottle: clock must be a function');
  const windows = new Map<string, Window>();

  const current = (username: string, now: number): Window | undefined => {
    const w = windows.get(username);
    if (w !== undefined && now - w.start >= windowMs) {
      windows.delete(username);
      return undefined;
    }
    return w;
  };

  return Object.freeze({
    retryAfter(username: string): number {
      const now = clock();
      const w = current(username, now);
      if (w === undefined || w.failures < maxFailures) return 0;
      return Math.max(1, Math.ceil((w.start + windowMs - now) / 1000));
    },
    failed(username: string): void {
      const now = clock();
      const w = current(username, now) ?? { start: now, failures: 0 };
      w.failures++;
      windows.delete(username);
      windows.set(username, w);
      while (windows.size > maxTracked) windows.delete(windows.keys().next().value as string);
    },
    succeeded(username: string): void {
      windows.delete(username);
    },
  });
}
