/**
 * Why a JWT was refused, or why an operation could not run. The JWT backends raise
 * core `AuthenticationError`s (what the status table answers); their `cause` is a
 * `JwtError` whose `code` says why. Messages are fixed per code and never hold a
 * token, a claim value, a key or a secret. The codes and messages are in the core's
 * one catalogue, so `PortcullisErrorCode` covers them and `isPortcullisError`
 * recognises a `JwtError`.
 */
import { PortcullisError, isPortcullisError, type JwtErrorCode } from '@portcullis/core';
import { messageOf } from '@portcullis/core/adapter';

export type { JwtErrorCode } from '@portcullis/core';

/**
 * A JWT failure with a stable `code`; the underlying jose error (if any) in `cause`.
 * A `PortcullisError` (the core's class), like every Portcullis error.
 *
 * @example
 * ```ts
 * import { isJwtError } from '@portcullis/jwt';
 * authentication({
 *   backend,
 *   log: (event) => metrics.count(event.code),
 *   onError: (connection, error) => {
 *     if (isJwtError(error.cause) && error.cause.code === 'jwks_unavailable') pager.alert();
 *     throw error; // keep the default answer
 *   },
 * });
 * ```
 */
export class JwtError extends PortcullisError {
  /** The class name, also across duplicated module copies. */
  override readonly name = 'JwtError';
  /** Why the token was refused or the operation could not run. */
  readonly code: JwtErrorCode;

  constructor(code: JwtErrorCode, options?: { cause?: unknown }) {
    super(messageOf(code), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True for a {@link JwtError}, also across duplicated module copies: the core's
 * `isPortcullisError` guard narrowed to this class.
 *
 * @example
 * ```ts
 * if (isJwtError(error.cause) && error.cause.code === 'token_expired') metrics.count('jwt.expired');
 * ```
 */
export function isJwtError(value: unknown): value is JwtError {
  // instanceof first: an app's subclass may carry a name of its own.
  return value instanceof JwtError || (isPortcullisError(value) && value.name === 'JwtError');
}
