import { HashingError, type HashingErrorCode } from './errors.js';

/** The default cap on a password, in UTF-8 bytes, applied before any hashing (PWD-12). */
export const DEFAULT_MAX_PASSWORD_BYTES = 1024;

/** Stored hashes longer than this many characters are refused without parsing. */
export const MAX_STORED_LENGTH = 1024;

const encoder = new TextEncoder();
/**
 * Matches a lone surrogate: in a `u` regex, a well-formed surrogate pair is one code
 * point outside this range. A string it matches has no exact UTF-8 form.
 * @internal
 */
export const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/**
 * The UTF-8 bytes of a password, or the code of the reason it is refused. The length
 * test runs before encoding, so a 1 MiB password costs a comparison, not a copy.
 * @internal
 */
export function passwordBytesOrCode(password: unknown, maxBytes: number): Uint8Array<ArrayBuffer> | HashingErrorCode {
  if (typeof password !== 'string') return 'invalid_password';
  // Every UTF-16 code unit takes at least one UTF-8 byte.
  if (password.length > maxBytes) return 'password_too_long';
  if (LONE_SURROGATE.test(password)) return 'invalid_password';
  const bytes = encoder.encode(password);
  if (bytes.length > maxBytes) return 'password_too_long';
  return bytes;
}

/**
 * Encodes a password as UTF-8 exactly as received (no normalisation, no case folding,
 * no truncation), after checking the length cap. For custom hashers.
 *
 * @throws {HashingError} `invalid_password` (not a string, lone surrogate) or
 *   `password_too_long` (over `maxBytes` UTF-8 bytes).
 * @example
 * ```ts
 * const bytes = encodePassword(password, 1024);
 * const digest = await crypto.subtle.digest('SHA-256', bytes);
 * ```
 */
export function encodePassword(password: string, maxBytes: number = DEFAULT_MAX_PASSWORD_BYTES): Uint8Array<ArrayBuffer> {
  const result = passwordBytesOrCode(password, maxBytes);
  if (typeof result === 'string') throw new HashingError(result);
  return result;
}
