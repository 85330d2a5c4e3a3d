/**
 * Every error Portcullis raises carries a stable `code`. Tests, logs and custom
 * error hooks switch on the code; messages are fixed text per code and never
 * contain a credential, a header value or anything else the client sent.
 *
 * One family, as jose has: every error class (`AuthenticationError`,
 * `ConfigurationError`, `SessionError`, `HashingError` of `@portcullis/core/hashing`,
 * `JwtError` of `@portcullis/jwt`) extends {@link PortcullisError}, one union
 * ({@link PortcullisErrorCode}) covers every code and one guard
 * ({@link isPortcullisError}) recognises them all. The catalogue of codes lives here,
 * the JWT package's included, because the core cannot import the packages built on it.
 */

/** Codes of errors raised while authenticating a request (see [docs/errors.md](https://github.com/portcullis-js/portcullis/blob/main/docs/errors.md#authenticationerror-raised-while-authenticating-a-request)). */
export type AuthenticationErrorCode =
  /** The `Authorization` value is not in the scheme's syntax (bad base64, not UTF-8, no colon…). */
  | 'malformed_credentials'
  /** More than one `Authorization` value was sent. */
  | 'duplicate_authorization'
  /** The `Authorization` value is longer than the configured cap. */
  | 'oversized_authorization'
  /** Well-formed credentials that the backend rejected (wrong password, unknown token, control characters…). */
  | 'invalid_credentials'
  /**
   * An `all([...])` got some of the credentials it needs but not every one (a client
   * key without a user session…): 401 with the challenges of the missing ones.
   */
  | 'incomplete_credentials'
  /** The backend could not decide (its user store threw or timed out): the request fails closed. */
  | 'backend_unavailable'
  /**
   * The backend is at capacity: its password hasher's wait queue is full (`boundedHasher`),
   * so the request is refused without hashing: 503 with `Retry-After`.
   */
  | 'backend_busy'
  /** An unsafe request carrying an ambient credential (a cookie) came from another site (403). */
  | 'cross_site_request'
  /** Too many failed logins for the account or from the client address (`loginThrottle`): 429 with `Retry-After`. */
  | 'too_many_requests';

/** Codes of errors thrown at configuration time, before any request (see [docs/errors.md](https://github.com/portcullis-js/portcullis/blob/main/docs/errors.md#configurationerror-thrown-at-startup-never-per-request)). */
export type ConfigurationErrorCode = 'invalid_configuration';

/** Codes of errors raised by server-side sessions (see [docs/sessions.md](https://github.com/portcullis-js/portcullis/blob/main/docs/sessions.md) and [docs/errors.md](https://github.com/portcullis-js/portcullis/blob/main/docs/errors.md#sessionerror-raised-by-server-side-sessions)). */
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

/** Codes of `HashingError` (`@portcullis/core/hashing`, see [docs/hashing.md](https://github.com/portcullis-js/portcullis/blob/main/docs/hashing.md) and [docs/errors.md](https://github.com/portcullis-js/portcullis/blob/main/docs/errors.md#hashingerror)). */
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
  | 'hash_failed'
  /** Every hashing slot of a `boundedHasher` is taken and its wait queue is full: refused at once, nothing hashed. */
  | 'hasher_busy';

/**
 * Codes of `JwtError` (`@portcullis/jwt`, see [docs/jwt.md](https://github.com/portcullis-js/portcullis/blob/main/docs/jwt.md) and [docs/errors.md](https://github.com/portcullis-js/portcullis/blob/main/docs/errors.md#jwterror)): why a JWT was refused, or
 * why an operation could not run. The JWT backends raise `AuthenticationError`s whose
 * `cause` is a `JwtError`.
 */
export type JwtErrorCode =
  /** Longer than the configured cap (checked before any decoding). */
  | 'token_too_large'
  /** Not a compact JWS `header.payload.signature` (JWE, junk, a `Bearer ` prefix in a cookie…). */
  | 'token_malformed'
  /** The header's `alg` is not in the configured allowlist (`none`, HS512 when HS256 is pinned…). */
  | 'algorithm_not_allowed'
  /** No configured key matches the header's `alg`/`kid`, or more than one does. */
  | 'key_not_found'
  /** The signature does not verify. */
  | 'signature_invalid'
  /** `exp` has passed (beyond the leeway), or `iat` is older than `maxTokenAge`. */
  | 'token_expired'
  /** `nbf` is in the future (beyond the leeway). */
  | 'token_not_yet_valid'
  /**
   * A claim or header is missing or wrong: `iss`, `aud`, `sub`, `typ`, `scope`, `crit`, `cty`, an `iat`
   * in the future (beyond the leeway), an `exp`/`nbf`/`iat` that is not a whole number of seconds from
   * 0 to 253402300799…
   */
  | 'claim_invalid'
  /** `(iss, jti)` is on the denylist, or the token was issued before the subject's cut-off. */
  | 'token_revoked'
  /** `retrieveUser` returned nothing for the token's subject. */
  | 'unknown_user'
  /** A token in the `Authorization` header and in the cookie (RFC 6750 §3.1). */
  | 'multiple_transports'
  /** A cookie-authenticated unsafe request that is cross-site, or whose origin cannot be told. */
  | 'cross_site_request'
  /** The remote JWKS could not be fetched (timeout, not 200, not a JWK Set): fail closed, 503. */
  | 'jwks_unavailable'
  /** The revocation store failed: fail closed, 503. */
  | 'revocation_unavailable'
  /** `retrieveUser` threw: fail closed, 503. */
  | 'user_lookup_failed'
  /** `login()`/`issue()` without a signing key (an HS secret or a private key). */
  | 'no_signing_key'
  /** `logout()`/`revoke()` without a revocation store. */
  | 'revocation_not_configured'
  /** Options given to `login()`/`issue()` are unusable (a reserved claim in `claims`, a bad `expiresIn`…). */
  | 'invalid_issue_options';

/**
 * Every code a Portcullis error can carry, of every class of the family; `switch` on it.
 * `cross_site_request` is both an `AuthenticationError` code and a `JwtError` code, with
 * the same meaning.
 */
export type PortcullisErrorCode =
  | AuthenticationErrorCode
  | ConfigurationErrorCode
  | SessionErrorCode
  | HashingErrorCode
  | JwtErrorCode;

const MESSAGES: Readonly<Record<PortcullisErrorCode, string>> = Object.freeze({
  malformed_credentials: 'Invalid authorization credentials',
  duplicate_authorization: 'Multiple authorization credentials',
  oversized_authorization: 'Authorization credentials too large',
  invalid_credentials: 'Invalid authorization credentials',
  incomplete_credentials: 'Incomplete authorization credentials',
  backend_unavailable: 'Authentication unavailable',
  backend_busy: 'Authentication at capacity',
  cross_site_request: 'Cross-site request refused',
  too_many_requests: 'Too many failed logins',
  invalid_configuration: 'Invalid Portcullis configuration',
  session_store_unavailable: 'Session store unavailable',
  session_not_configured: 'Sessions are not configured for this request',
  session_insecure_transport: 'Session cookie refused over an insecure connection',
  csrf_rejected: 'Cross-site request refused',
  method_not_allowed: 'Method not allowed',
  invalid_password: 'Password is not a well-formed string',
  password_too_long: 'Password is too long',
  password_too_long_for_algorithm: 'Password is too long for this algorithm',
  password_contains_nul: 'Password contains a NUL byte, which this algorithm cannot hash',
  hash_failed: 'Password hashing failed',
  hasher_busy: 'Password hashing at capacity',
  token_too_large: 'JWT too large',
  token_malformed: 'JWT malformed',
  algorithm_not_allowed: 'JWT algorithm not allowed',
  key_not_found: 'No matching JWT key',
  signature_invalid: 'JWT signature invalid',
  token_expired: 'JWT expired',
  token_not_yet_valid: 'JWT not yet valid',
  claim_invalid: 'JWT claim invalid',
  token_revoked: 'JWT revoked',
  unknown_user: 'JWT subject unknown',
  multiple_transports: 'JWT sent in more than one way',
  jwks_unavailable: 'JWKS unavailable',
  revocation_unavailable: 'Revocation store unavailable',
  user_lookup_failed: 'User lookup failed',
  no_signing_key: 'No signing key configured',
  revocation_not_configured: 'No revocation store configured',
  invalid_issue_options: 'Invalid token issue options',
});

type CodeSet<C extends string> = Readonly<Record<C, true>>;

/**
 * The codes of each class of the family, by the class's `name`: how the guards
 * recognise an error from a duplicated copy of a module (where `instanceof` fails).
 * Typed as exhaustive records, so a code added to a union must be added here.
 */
const FAMILIES: Readonly<Record<string, Partial<CodeSet<PortcullisErrorCode>>>> = Object.freeze({
  AuthenticationError: {
    malformed_credentials: true,
    duplicate_authorization: true,
    oversized_authorization: true,
    invalid_credentials: true,
    incomplete_credentials: true,
    backend_unavailable: true,
    backend_busy: true,
    cross_site_request: true,
    too_many_requests: true,
  } satisfies CodeSet<AuthenticationErrorCode>,
  ConfigurationError: { invalid_configuration: true } satisfies CodeSet<ConfigurationErrorCode>,
  SessionError: {
    session_store_unavailable: true,
    session_not_configured: true,
    session_insecure_transport: true,
    csrf_rejected: true,
    method_not_allowed: true,
  } satisfies CodeSet<SessionErrorCode>,
  HashingError: {
    invalid_password: true,
    password_too_long: true,
    password_too_long_for_algorithm: true,
    password_contains_nul: true,
    hash_failed: true,
    hasher_busy: true,
  } satisfies CodeSet<HashingErrorCode>,
  JwtError: {
    token_too_large: true,
    token_malformed: true,
    algorithm_not_allowed: true,
    key_not_found: true,
    signature_invalid: true,
    token_expired: true,
    token_not_yet_valid: true,
    claim_invalid: true,
    token_revoked: true,
    unknown_user: true,
    multiple_transports: true,
    cross_site_request: true,
    jwks_unavailable: true,
    revocation_unavailable: true,
    user_lookup_failed: true,
    no_signing_key: true,
    revocation_not_configured: true,
    invalid_issue_options: true,
  } satisfies CodeSet<JwtErrorCode>,
});

/** The fixed message of a code. */
export function messageOf(code: PortcullisErrorCode): string {
  return MESSAGES[code];
}

/**
 * Base class of every Portcullis error: a stable `code`, a fixed message, the underlying
 * error in `cause`. One class for every package (the hashing entry point and
 * `@portcullis/jwt` import it), so `instanceof PortcullisError` holds across them.
 *
 * @example
 * ```ts
 * import { PortcullisError } from '@portcullis/core';
 * app.use((error, req, res, next) => {
 *   if (error instanceof PortcullisError) log.warn({ code: error.code }); // never the message of a foreign error
 *   next(error);
 * });
 * ```
 */
export abstract class PortcullisError extends Error {
  /** The error's stable code: switch on it, never on the message. */
  abstract readonly code: PortcullisErrorCode;
}

/**
 * True for every Portcullis error (of any class: authentication, configuration, session,
 * hashing, JWT), and with `code` only for one carrying that code. Errors from a
 * duplicated copy of a module are recognised too, by their class `name` and a `code` of
 * that class; look-alikes (a plain object, an unknown code) are not.
 *
 * @example
 * ```ts
 * import { isPortcullisError } from '@portcullis/core';
 * try {
 *   user.passwordHash = await hashPassword(body.password);
 * } catch (error) {
 *   if (isPortcullisError(error, 'password_too_long')) return reply(422, 'password too long');
 *   throw error;
 * }
 * ```
 */
export function isPortcullisError<C extends PortcullisErrorCode = PortcullisErrorCode>(
  value: unknown,
  code?: C,
): value is PortcullisError & {
  /** The code asked for. */
  readonly code: C;
} {
  if (!(value instanceof PortcullisError) && !isCopy(value)) return false;
  return code === undefined || (value as PortcullisError).code === code;
}

/** An error of the family from another copy of this module: a known class name with one of its codes. */
function isCopy(value: unknown): boolean {
  if (!(value instanceof Error) || !Object.hasOwn(FAMILIES, value.name)) return false;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(FAMILIES[value.name]!, code);
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
  /** The class name, also across duplicated module copies. */
  override readonly name = 'AuthenticationError';
  /** Why the credentials were refused; it decides the status (see `AuthenticationErrorCode`). */
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
  /** For `too_many_requests`: seconds until the client may try again (the `Retry-After` header). */
  readonly retryAfter: number | undefined;

  constructor(code: AuthenticationErrorCode = 'invalid_credentials', options?: AuthenticationErrorOptions) {
    super(messageOf(code), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.challenge = options?.challenge;
    this.subject = options?.subject;
    this.reason = options?.reason;
    this.retryAfter = options?.retryAfter;
  }
}

/** Options of an {@link AuthenticationError}. */
export interface AuthenticationErrorOptions {
  /** The underlying error (a store's failure…), kept in `cause`; never sent to the client. */
  cause?: unknown;
  /** The `WWW-Authenticate` value to answer this error with (see {@link AuthenticationError.challenge}). */
  challenge?: string;
  /** Who the client claimed to be, for logs only (see {@link AuthenticationError.subject}). */
  subject?: string;
  /** The security event behind the error, for the failure log only. */
  reason?: SecurityEventReason;
  /** For `too_many_requests`: seconds until the client may try again (see {@link AuthenticationError.retryAfter}). */
  retryAfter?: number;
}

/**
 * Security events that an {@link AuthenticationError} can carry to the failure log:
 * `hash_parameters_refused` (a stored hash beyond the hasher's safe maxima),
 * `refresh_token_reused` (a rotated refresh token came back: its family is revoked),
 * `refresh_token_subject_revoked` (a refresh token of a family from before its subject's
 * `revokeSubject` cut-off: refused, its family revoked),
 * `login_throttled` (a login refused by `loginThrottle`, 429), `throttle_unavailable`
 * (the throttle's store failed and the login failed closed, 503),
 * `websocket_ticket_refused` (a websocket ticket unknown, expired or already used),
 * `websocket_ticket_cross_site` (a websocket ticket asked for by a cross-site page),
 * `websocket_ticket_limit` (a websocket ticket refused: its user already has the
 * store's limit of pending tickets, or the store is full, 429),
 * `websocket_ticket_unreplayable` (a ticket asked for by a request whose backend is
 * not among `webSocketTickets({ backends })`: its credentials cannot be replayed, 403),
 * `access_token_profile_refused` (a JWT that does not follow RFC 9068's access-token
 * profile, with `profile: 'rfc9068'`).
 */
export type SecurityEventReason =
  | 'hash_parameters_refused'
  | 'refresh_token_reused'
  | 'refresh_token_subject_revoked'
  | 'login_throttled'
  | 'throttle_unavailable'
  | 'websocket_ticket_refused'
  | 'websocket_ticket_cross_site'
  | 'websocket_ticket_limit'
  | 'websocket_ticket_unreplayable'
  | 'access_token_profile_refused';

/**
 * Thrown at construction when options are unusable (a CR/LF in a realm, a
 * redirect target that is not a relative path…). Never thrown per request.
 * `detail` names the option; it never holds a secret.
 */
export class ConfigurationError extends PortcullisError {
  /** The class name, also across duplicated module copies. */
  override readonly name = 'ConfigurationError';
  /** Always `invalid_configuration`. */
  readonly code = 'invalid_configuration' as const;
  /** Which option is wrong and how to fix it; never a secret. */
  readonly detail: string;

  constructor(detail: string) {
    super(`${messageOf('invalid_configuration')}: ${detail}`);
    this.detail = detail;
  }
}

/**
 * True for an `AuthenticationError`, also across duplicated module copies: the
 * {@link isPortcullisError} guard narrowed to this class.
 *
 * @example
 * ```ts
 * if (isAuthenticationError(error) && error.challenge !== undefined) headers['www-authenticate'] = error.challenge;
 * ```
 */
export function isAuthenticationError(value: unknown): value is AuthenticationError {
  // instanceof first: an app's subclass may carry a name of its own.
  return value instanceof AuthenticationError || (isPortcullisError(value) && value.name === 'AuthenticationError');
}
