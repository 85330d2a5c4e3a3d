/**
 * Errors of the password hashers. Like every Portcullis error they carry a stable
 * `code` and a fixed message per code; a message never contains the password, the
 * stored hash or any part of them.
 */

/** Codes of {@link HashingError} (see `docs/hashing.md`). */
export type HashingErrorCode =
  /** The password is not a string, or not encodable as UTF-8 (a lone surrogate such as `"\ud800"`). */
  | 'invalid_password'
  /** The password is longer than the hasher's cap (`maxPasswordBytes`, default 1024 UTF-8 bytes). Checked before any hashing. */
  | 'password_too_long'
  /** The algorithm would silently ignore part of the password: bcrypt and more than 72 UTF-8 bytes. */
  | 'password_too_long_for_algorithm'
  /** The algorithm cannot hash a NUL byte exactly (bcrypt). */
  | 'password_contains_nul'
  /** The key-derivation function itself failed (out of memory, a broken native module…); the error is in `cause`. */
  | 'hash_failed';

const MESSAGES: Readonly<Record<HashingErrorCode, string>> = Object.freeze({
  invalid_password: 'Password is not a well-formed string',
  password_too_long: 'Password is too long',
  password_too_long_for_algorithm: 'Password is too long for this algorithm',
  password_contains_nul: 'Password contains a NUL byte, which this algorithm cannot hash',
  hash_failed: 'Password hashing failed',
});

/**
 * Thrown by `hash()` when a password cannot be hashed, and by `verify()` only when the
 * key-derivation function itself fails (`hash_failed`). Wrong passwords and malformed,
 * unknown or over-expensive stored hashes are not errors: `verify()` answers
 * `{ ok: false }`.
 *
 * @example
 * ```ts
 * import { HashingError, hashPassword } from '@portcullis/core/hashing';
 * try {
 *   user.passwordHash = await hashPassword(body.password);
 * } catch (error) {
 *   if (error instanceof HashingError && error.code === 'password_too_long') return reply(422, 'password too long');
 *   throw error;
 * }
 * ```
 */
export class HashingError extends Error {
  override readonly name = 'HashingError';
  readonly code: HashingErrorCode;

  constructor(code: HashingErrorCode, options?: { cause?: unknown }) {
    super(MESSAGES[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True for a {@link HashingError}, also across duplicated module copies (checked by
 * name and code).
 *
 * @example
 * ```ts
 * if (isHashingError(error) && error.code === 'password_too_long_for_algorithm') return reply(422);
 * ```
 */
export function isHashingError(value: unknown): value is HashingError {
  if (value instanceof HashingError) return true;
  if (!(value instanceof Error) || value.name !== 'HashingError') return false;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(MESSAGES, code);
}
