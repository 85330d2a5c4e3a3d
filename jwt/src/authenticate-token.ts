import { isAuthenticationError, type BaseUser, type Connection, type Principal } from '@portcullis/core';
import type { MaybePromise } from '@portcullis/core/adapter';
import { JwtError } from './errors.js';
import { checkFingerprintCookie } from './fingerprint.js';
import type { JwtConfig } from './jwt-options.js';
import { asRefusal, refusal } from './refusal.js';
import { JwtCredentials, type Token } from './token.js';
import { screenToken, verifyScreened, type Screened } from './verify-token.js';

/**
 * Authenticates one request's token: verifies it (`verifyToken`'s checks) on the
 * configured clock (else the connection's), checks the fingerprint cookie when the
 * binding is on, looks the user up with `retrieveUser`, and grants the configured
 * scopes.
 *
 * **Synchronous on the hot path**: a verified-token cache hit, no revocation store
 * and a `retrieveUser` that answers synchronously return the principal itself,
 * without a promise or a closure (docs/benchmarks.md).
 * Otherwise a promise.
 *
 * Never throws: a refusal is always a promise rejected with an `AuthenticationError`
 * (401 `invalid_token` for a bad token or an unknown user, 503 when a key set, the
 * revocation store or `retrieveUser` failed). What `retrieveUser` throws is passed
 * on when it is an `AuthenticationError` already.
 *
 * `unchecked`: the token is the header's, read by `BearerScheme.readUnchecked` (no
 * token68 test). A token that the size or shape check refuses is tested then, before
 * anything else (the clock included): one that is not even a token68 throws the core's
 * `malformed_credentials` (400 `invalid_request`) synchronously, as `BearerScheme.read`
 * did. Every token that passes them (a compact JWS, or a cache hit: a token that was
 * one) is a token68, so the answers are `read`'s, with one scan on a miss and none on a
 * hit.
 */
export function authenticateToken<U extends BaseUser>(config: JwtConfig<U>, token: string, connection: Connection, unchecked = false): MaybePromise<Principal<U>> {
  // The size, the cache and the shape read no clock and decode nothing: they run first,
  // so the token68 test of a refused unchecked token precedes the clock, as it did in `read`.
  let screened: Screened = undefined;
  let refused = false;
  let refusedWith: unknown;
  try {
    // Throws the core's `malformed_credentials` itself for an unchecked token that is no token68.
    screened = screenToken(config, token, unchecked);
  } catch (error) {
    if (isAuthenticationError(error)) throw error;
    refused = true;
    refusedWith = error;
  }
  // A refusal on the synchronous path is a rejection too: callers never see a throw
  // where the asynchronous path would have rejected.
  try {
    const now = config.clock === undefined ? connection.now() : config.clock();
    let verified: MaybePromise<Token>;
    try {
      if (refused) throw refusedWith;
      verified = verifyScreened(config, token, screened, now);
    } catch (error) {
      throw asRefusal(config.scheme, error);
    }
    if (verified instanceof Promise) {
      return verified.then(
        (claims) => principalOf(config, claims, connection),
        (error: unknown) => {
          throw asRefusal(config.scheme, error);
        },
      );
    }
    return principalOf(config, verified, connection);
  } catch (error) {
    return Promise.reject(error);
  }
}

/** The fingerprint check and the user lookup of verified claims; synchronous when `retrieveUser` is. */
function principalOf<U extends BaseUser>(config: JwtConfig<U>, claims: Token, connection: Connection): MaybePromise<Principal<U>> {
  if (config.fingerprint !== undefined) {
    try {
      checkFingerprintCookie(claims, connection.cookies.get(config.fingerprint.name));
    } catch (error) {
      throw asRefusal(config.scheme, error);
    }
  }
  let user: MaybePromise<U | null | undefined>;
  try {
    user = config.retrieveUser(claims, connection);
  } catch (cause) {
    throw lookupFailed(config, cause, claims.sub);
  }
  // Any thenable is awaited, as `await` would (an ORM query object is one).
  if (isThenable(user)) {
    return Promise.resolve(user).then(
      (resolved) => principal(config, resolved, claims),
      (cause: unknown) => {
        throw lookupFailed(config, cause, claims.sub);
      },
    );
  }
  return principal(config, user, claims);
}

function principal<U extends BaseUser>(config: JwtConfig<U>, user: U | null | undefined, claims: Token): Principal<U> {
  if (user === null || user === undefined) throw refusal(config.scheme, new JwtError('unknown_user'), claims.sub);
  const auth = new JwtCredentials(config.scopesOf(user, claims), claims, config.credentials);
  return { user, auth };
}

/** What `retrieveUser` threw or rejected with, as the error to answer. */
function lookupFailed<U extends BaseUser>(config: JwtConfig<U>, cause: unknown, subject: string): unknown {
  if (isAuthenticationError(cause)) return cause;
  return refusal(config.scheme, new JwtError('user_lookup_failed', { cause }), subject);
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
