import { base64url, randomBytes } from './encoding.js';

/** 1 for each base64url character (`A-Z`, `a-z`, `0-9`, `-`, `_`), by char code. */
const BASE64URL = new Uint8Array(128);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') BASE64URL[c.charCodeAt(0)] = 1;

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
  // `/^[A-Za-z0-9_-]{43}$/` as a loop: every session request asks, and the regular
  // expression's entry cost more than the 43 characters (issue #17).
  if (typeof value !== 'string' || value.length !== 43) return false;
  for (let i = 0; i < 43; i++) {
    const c = value.charCodeAt(i);
    if (c >= 128 || BASE64URL[c] !== 1) return false;
  }
  return true;
}
