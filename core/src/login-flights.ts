import { throttleAddress } from './client-address.js';
import type { Connection } from './connection.js';
import { ConfigurationError } from './errors.js';
import { digestKey, hmacSha256 } from './sha256.js';

/** A surrogate code unit outside a pair (with the `u` flag, a pair is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Options of {@link loginFlights}. */
export interface LoginFlightsOptions {
  /**
   * A flight older than this many milliseconds is no longer joined: a later identical
   * call runs its own check (a stalled lookup or hasher then pins nothing: the owner's
   * retry starts afresh). Default 10,000.
   */
  readonly maxAgeMs?: number;
  /** The clock of `maxAgeMs`, in milliseconds. Default `Date.now`. */
  readonly clock?: () => number;
}

/** Runs concurrent checks of one login once; see {@link loginFlights}. */
export interface LoginFlights {
  /**
   * Runs `check` for this (username, password, client address), or, while an identical
   * check younger than `maxAgeMs` is in flight, returns that check's promise: the same
   * value, or the same rejection. `check` is the whole login: the throttle attempt, the
   * lookup, the hash. A username or password that is not well-formed UTF-16 (a lone
   * surrogate) never shares a flight: `check` runs for it alone.
   */
  run<T>(username: string, password: string, connection: Connection | undefined, check: () => Promise<T>): Promise<T>;
  /** The number of checks in flight (a test and a metric: bounded by the logins in progress). */
  readonly size: number;
}

/**
 * Single flight for logins: concurrent checks of the same username, password and
 * throttle address (the client address as the login throttle buckets it: an IPv4
 * address, an IPv6 /64, "unknown", or "no connection") run once, and every caller gets
 * the first one's outcome. They are one guess: the throttle counts it once and the
 * hasher hashes it once, so a client that opens six connections at once with the right
 * password is not refused for the surplus, and parallel copies of one wrong password
 * cost one failure. Different passwords, usernames (as typed) or addresses never share
 * a flight: one address's attempts never ride on another's.
 *
 * The map is keyed by an HMAC-SHA256 under a random per-instance key (made on first
 * use: Workers refuse random values in global scope), never the password nor a plain
 * hash of it; an entry is removed when its check settles, so the map holds at most
 * the logins in progress. A flight older than `maxAgeMs` (10 s) is not joined: a check
 * that never settles blocks nothing but itself. Strings with a lone surrogate, which
 * the key's UTF-8 encoding would confuse with U+FFFD, never share a flight.
 *
 * The check runs with the FIRST caller's connection: use it only where the check
 * does not depend on the connection beyond its client address (a user lookup that
 * reads the Host, a tenant, a path or a header must not be coalesced).
 *
 * @example
 * ```ts
 * import { loginFlights } from '@portcullis/core/adapter';
 *
 * const flights = loginFlights();
 * async function login(username: string, password: string, connection: Connection) {
 *   return flights.run(username, password, connection, async () => {
 *     const attempt = await throttle.attempt(username, connection);
 *     // … refuse when attempt.retryAfter > 0, check the password, then succeeded()/failed()
 *     return attempt.retryAfter;
 *   });
 * }
 * ```
 */
export function loginFlights(options: LoginFlightsOptions = {}): LoginFlights {
  const maxAgeMs = options?.maxAgeMs ?? 10_000;
  if (typeof maxAgeMs !== 'number' || !(maxAgeMs >= 0)) throw new ConfigurationError('loginFlights: maxAgeMs must be a number of milliseconds, 0 or more');
  const clock = options?.clock ?? (() => Date.now());
  if (typeof clock !== 'function') throw new ConfigurationError('loginFlights: clock must be a function returning milliseconds');
  const flights = new Map<string, { readonly flight: Promise<unknown>; readonly started: number }>();
  let mac: ((data: string) => Uint8Array) | undefined;

  function key(username: string, password: string, connection: Connection | undefined): string {
    mac ??= hmacSha256(crypto.getRandomValues(new Uint8Array(32)));
    // The address first (no line feed in it), then the length-prefixed username: no two
    // (address, username, password) triples share a message.
    const address = connection === undefined ? '-' : (throttleAddress(connection.clientAddress) ?? '?');
    return digestKey(mac(`${address}\n${username.length}:${username}:${password}`));
  }

  return Object.freeze({
    run<T>(username: string, password: string, connection: Connection | undefined, check: () => Promise<T>): Promise<T> {
      // A lone surrogate encodes as U+FFFD: such a string would share a key with another.
      if (LONE_SURROGATE.test(username) || LONE_SURROGATE.test(password)) return Promise.resolve().then(check);
      const id = key(username, password, connection);
      const now = clock();
      const running = flights.get(id);
      if (running !== undefined && now - running.started < maxAgeMs) return running.flight as Promise<T>;
      // `check` starts a microtask later, so the entry is in the map before it can settle
      // (a check that throws at once leaves no stale entry behind). A flight replaced for
      // its age removes only its own entry.
      const flight: Promise<T> = Promise.resolve()
        .then(check)
        .finally(() => {
          if (flights.get(id) === entry) flights.delete(id);
        });
      const entry = { flight, started: now };
      flights.set(id, entry);
      return flight;
    },
    get size(): number {
      return flights.size;
    },
  });
}
