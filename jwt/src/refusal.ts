import { AuthenticationError } from '@portcullis/core';
import type { BearerScheme } from '@portcullis/core/adapter';
import { isJwtError, type JwtError } from './errors.js';
import { AccessTokenProfileRefusal } from './verify-token.js';

/**
 * Maps a `JwtError` to the core error the status table answers: 401 `invalid_token`
 * (with an `error_description` for expired, not yet valid and revoked tokens), 400
 * `invalid_request` for a token sent twice, 403 for a cross-site request, 503 when a
 * key set, the revocation store or `retrieveUser` failed. The `JwtError` is the cause.
 */
export function refusal(scheme: BearerScheme, error: JwtError, subject?: string): AuthenticationError {
  const options = { cause: error, ...(subject === undefined ? {} : { subject }) };
  switch (error.code) {
    case 'token_expired':
      return new AuthenticationError('invalid_credentials', { ...options, challenge: scheme.invalidToken('expired') });
    case 'token_not_yet_valid':
      return new AuthenticationError('invalid_credentials', { ...options, challenge: scheme.invalidToken('not yet valid') });
    case 'token_revoked':
      return new AuthenticationError('invalid_credentials', { ...options, challenge: scheme.invalidToken('revoked') });
    case 'multiple_transports':
      return new AuthenticationError('malformed_credentials', { ...options, challenge: scheme.invalidRequest });
    case 'cross_site_request':
      return new AuthenticationError('cross_site_request', options);
    case 'jwks_unavailable':
    case 'revocation_unavailable':
    case 'user_lookup_failed':
      return new AuthenticationError('backend_unavailable', options);
    default: {
      // The failure log tells an RFC 9068 profile refusal apart (a stable reason, no claim value).
      const reason = error.cause instanceof AccessTokenProfileRefusal ? ({ reason: 'access_token_profile_refused' } as const) : {};
      return new AuthenticationError('invalid_credentials', { ...options, ...reason, challenge: scheme.invalidToken() });
    }
  }
}

/** A thrown `JwtError` as its {@link refusal}; anything else (an `AuthenticationError` already) unchanged. */
export function asRefusal(scheme: BearerScheme, error: unknown): unknown {
  return isJwtError(error) ? refusal(scheme, error) : error;
}
