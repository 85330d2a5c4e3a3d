/**
 * Errors of the password hashers. Like every Portcullis error they carry a stable
 * `code` and a fixed message per code; a message never contains the password, the
 * stored hash or any part of them. The codes and messages are in the core's one
 * catalogue (`../errors.ts`).
 */
import { PortcullisError, isPortcullisError, messageOf, type HashingErrorCode } from '../errors.js';

export type { HashingErrorCode } from '../errors.js';

/**
 * Thrown by `hash()` when a password cannot be hashed, and by `verify()` only when the
 * key-derivation function itself fails (`hash_failed`). Wrong passwords and malformed,
 * unknown or over-expensive stored hashes are not errors: `verify()` answers
 * `{ ok: false }`. A {@link PortcullisError}, like every Portcullis error.
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
export class HashingError extends PortcullisError {
  /** The class name, also across duplicated module copies. */
  override readonly name = 'HashingError';
  /** Why the password could not be hashed or verified. */
  readonly code: HashingErrorCode;

  constructor(code: HashingErrorCode, options?: { cause?: unknown }) {
    super(messageOf(code), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True for a {@link HashingError}, also across duplicated module copies (checked by
 * name and code): the core's `isPortcullisError` guard narrowed to this class.
 *
 * @example
 * ```ts
 * if (isHashingError(error) && error.code === 'password_too_long_for_algorithm') return reply(422);
 * ```
 */
export function isHashingError(value: unknown): value is HashingError {
  // instanceof first: an app's subclass may carry a name of its own.
  return value instanceof HashingError || (isPortcullisError(value) && value.name === 'HashingError');
}
