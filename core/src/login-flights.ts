import { throttleAddress } from './client-address.js';
import type { Connection } from './connection.js';
import { digestKey, hmacSha256 } from './sha256.js';

/** Runs concurrent checks of one login once; see {@link loginFlights}. */
export interface LoginFlights {
  /**
   * Runs `check` for this (username, password, client address), or, while an identical
   * check is in flight, returns that check's promise: the same value, or the same
   * rejection. `check` is the whole login: the throttle attempt, the lookup, the hash.
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
 * the logins in progress. The check runs with the first caller's connection.
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
export function loginFlights(): LoginFlights {
  const flights = new Map<string, Promise<unknown>>();
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
      const id = key(username, password, connection);
      const running = flights.get(id);
      if (running !== undefined) return running as Promise<T>;
      // `check` starts a microtask later, so the entry is in the map before it can settle
      // (a check that throws at once leaves no stale entry behind).
      const flight = Promise.resolve()
        .then(check)
        .finally(() => flights.delete(id));
      flights.set(id, flight);
      return flight;
    },
    get size(): number {
      return flights.size;
    },
  });
}
