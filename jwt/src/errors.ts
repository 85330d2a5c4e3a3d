/**
 * Why a JWT was refused, or why an operation could not run. The JWT backends raise
 * core `AuthenticationError`s (what the status table answers); their `cause` is a
 * `JwtError` whose `code` says why. Messages are fixed per code and never hold a
 * token, a claim value, a key or a secret.
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

const MESSAGES: Readonly<Record<JwtErrorCode, string>> = Object.freeze({
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
  cross_site_request: 'Cross-site request refused',
  jwks_unavailable: 'JWKS unavailable',
  revocation_unavailable: 'Revocation store unavailable',
  user_lookup_failed: 'User lookup failed',
  no_signing_key: 'No signing key configured',
  revocation_not_configured: 'No revocation store configured',
  invalid_issue_options: 'Invalid token issue options',
});

/**
 * A JWT failure with a stable `code`; the underlying jose error (if any) in `cause`.
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
export class JwtError extends Error {
  override readonly name = 'JwtError';
  readonly code: JwtErrorCode;

  constructor(code: JwtErrorCode, options?: { cause?: unknown }) {
    super(MESSAGES[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True for a {@link JwtError}, also across duplicated module copies.
 *
 * @example
 * ```ts
 * if (isJwtError(error.cause) && error.cause.code === 'token_expired') metrics.count('jwt.expired');
 * ```
 */
export function isJwtError(value: unknown): value is JwtError {
  if (value instanceof JwtError) return true;
  if (!(value instanceof Error) || value.name !== 'JwtError') return false;
  const code: unknown = (value as { code?: unknown }).code;
  return typeof code === 'string' && Object.hasOwn(MESSAGES, code);
}
