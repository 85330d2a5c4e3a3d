/**
 * Every error Portcullis raises carries a stable `code`. Tests, logs and custom
 * error hooks switch on the code; messages are fixed text per code and never
 * contain a credential, a header value or anything else the client sent.
 */

/** Codes of errors raised while authenticating a request (see `docs/errors.md`). */
export type AuthenticationErrorCode =
  /** The `Authorization` value is not in the scheme's syntax (bad base64, not UTF-8, no colon…). */
  | 'malformed_credentials'
  /** More than one `Authorization` value was sent. */
  | 'duplicate_authorization'
  /** The `Authorization` value is longer than the configured cap. */
  | 'oversized_authorization'
  /** Well-formed credentials that the backend rejected (wrong password, unknown token, control characters…). */
  | 'invalid_credentials'
  /** The backend could not decide (its user store threw or timed out): the request fails closed. */
  | 'backend_unavailable'
  /** An unsafe request carrying an ambient credential (a cookie) came from another site (403). */
  | 'cross_site_request';

/** Codes of errors thrown at configuration time, before any request. */
export type ConfigurationErrorCode = 'invalid_configuration';

/** Codes of errors raised by server-side sessions (see `docs/sessions.md`). */
export type SessionErrorCode =
  /** The session store failed or timed out: the request fails closed (503). */
  | 'session_store_unavailable'
  /** `login`/`logout` was called on a request without session middleware in front. */
  | 'session_not_configured'
  /** A `Secure` session cookie would be issued over plain HTTP (see `trustProxy`). */
  | 'session_insecure_transport'
  /** An unsafe request carrying ambient credentials failed the CSRF check (403). */
  | 'csrf_rejected'
  /** A state change through a safe method (`GET /logout`): 405. */
  | 'method_not_allowed';

/** Every code a Portcullis error can carry. */
export type PortcullisErrorCode = AuthenticationErrorCode | ConfigurationErrorCode | SessionErrorCode;

const MESSAGES: Readonly<Record<PortcullisErrorCode, string>> = Object.freeze({
  malformed_credentials: 'Invalid authorization credentials',
  duplicate_authorization: 'Multiple authorization credentials',
  oversized_authorization: 'Authorization credentials too large',
  invalid_credentials: 'Invalid authorization credentials',
  backend_unavailable: 'Authentication unavailable',
  cross_site_request: 'Cross-site request refused',
  invalid_configuration: 'Invalid Portcullis configuration',
  session_store_unavailable: 'Session store unavailable',
  session_not_configured: 'Sessions are not configured for this request',
  session_insecure_transport: 'Session cookie refused over an insecure connection',
  csrf_rejected: 'Cross-site request refused',
  method_not_allowed: 'Method not allowed',
});

const AUTHENTICATION_CODES: ReadonlySet<string> = new Set<AuthenticationErrorCode>([
  'malformed_credentials',
  'duplicate_authorization',
  'oversized_authorization',
  'invalid_credentials',
  'backend_unavailable',
  'cross_site_request',
]);

/** The fixed message of a code. */
export function messageOf(code: PortcullisErrorCode): string {
  return MESSAGES[code];
}

/** Base class: a stable `code`, a fixed message, the underlying error in `cause`. */
export abstract class PortcullisError extends Error {
  abstract readonly code: PortcullisErrorCode;
}

/**
 * Raised by a backend when credentials are present but cannot be accepted.
 * A present-but-invalid credential never falls back to anonymous.
 *
 * @example
 * ```ts
 * import { AuthenticationError } from '@portcullis/core';
 * throw new AuthenticationError('invalid_credentials');
 * ```
 */
export class AuthenticationError extends PortcullisError {
  override readonly name = 'AuthenticationError';
  readonly code: AuthenticationErrorCode;
  /**
   * The `WWW-Authenticate` value to answer this error with, when the scheme has
   * error-specific challenges (Bearer's `error="invalid_token"`). Otherwise a 401
   * carries every configured challenge.
   */
  readonly challenge: string | undefined;
  /**
   * Who the client claimed to be (a username), for logs only: it is never sent back
   * and is escaped before it is logged. Never a password or a token.
   */
  readonly subject: string | undefined;
  /**
   * A security event behind the error, for the failure log only (the answer is the
   * code's): `hash_parameters_refused` when the user's stored hash has parameters
   * beyond the hasher's safe maxima.
   */
  readonly reason: SecurityEventReason | undefined;

  constructor(code: AuthenticationErrorCode = 'invalid_credentials', options?: AuthenticationErrorOptions) {
    super(messageOf(code), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.challenge = options?.challenge;
    this.subject = options?.subject;
    this.reason = options?.reason;
  }
}

/** Options of an {@link AuthenticationError}. */
export interface AuthenticationErrorOptions {
  cause?: unknown;
  challenge?: string;
  subject?: string;
  reason?: SecurityEventReason;
}

/** Security events that an {@link AuthenticationError} can carry to the failure log. */
export type SecurityEventReason = 'hash_parameters_refused';

/**
 * Thrown at construction when options are unusable (a CR/LF in a realm, a
 * redirect target that is not a relative path…). Never thrown per request.
 * `detail` names the option; it never holds a secret.
 */
export class ConfigurationError extends PortcullisError {
  override readonly name = 'ConfigurationError';
  readonly code = 'invalid_configuration' as const;
  readonly detail: string;

  constructor(detail: string) {
    super(`${messageOf('invalid_configuration')}: ${detail}`);
    this.detail = detail;
  }
}

/** True for an `AuthenticationError`, also across duplicated module copies. */
export function isAuthenticationError(value: unknown): value is AuthenticationError {
  if (value instanceof AuthenticationError) return true;
  if (!(value instanceof Error) || value.name !== 'AuthenticationError') return false;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' && AUTHENTICATION_CODES.has(code);
}
