import { base64url, randomBytes } from './encoding.js';

const ID = /^[A-Za-z0-9_-]{43}$/;

/**
 * A new session id: 32 bytes (256 bits) from the CSPRNG, base64url (43
 * characters). It carries no user data (SES-10). Express and Koa sessions use it
 * as their `genid` too.
 *
 * @example
 * ```ts
 * generateSessionId(); // 'q3Vb2mF0…' (43 characters)
 * ```
 */
export function generateSessionId(): string {
  return base64url(randomBytes(32));
}

/**
 * True for a string shaped like a {@link generateSessionId} id. Other values
 * (made up by a client, truncated, padded) are refused before any store lookup.
 *
 * @example
 * ```ts
 * isSessionId(generateSessionId()); // true
 * isSessionId('attacker-chosen');  // false
 * ```
 */
export function isSessionId(value: unknown): value is string {
  // A regular expression, not a loop over the characters: the id usually arrives as a slice
  // of the Cookie header, which the expression flattens once and a charCodeAt loop reads
  // through the slice 43 times (measured: 2.2k instructions against 1.2k, issue #17).
  return typeof value === 'string' && ID.test(value);
}
