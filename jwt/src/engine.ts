import type { AuthenticationError, BaseUser, Connection, Principal } from '@portcullis/core';
import type { BearerScheme, MaybePromise } from '@portcullis/core/adapter';
import { authenticateToken } from './authenticate-token.js';
import { JwtError } from './errors.js';
import { clearFingerprint } from './fingerprint.js';
import { issueToken, type IssueOptions, type IssuedToken } from './issue-token.js';
import { issueNow, parseJwtOptions, type JwtConfig, type JwtOptions } from './jwt-options.js';
import { asRefusal, refusal } from './refusal.js';
import { revokeSubject, revokeToken } from './revoke-token.js';
import { tokenFromClaims, type Token } from './token.js';
import { verifyToken } from './verify-token.js';

/** The shared machinery of the JWT backends. */
export interface Engine<U extends BaseUser, N extends string = string> {
  readonly scheme: BearerScheme;
  /** The backend's name (`auth.via`). */
  readonly name: N;
  readonly ready: Promise<void>;
  /** True when a signing key (an HS secret or a private key) is configured. */
  readonly canSign: boolean;
  /** With `fingerprint` configured: the `Set-Cookie` value that deletes the fingerprint cookie. */
  readonly clearFingerprint: string | undefined;
  /**
   * Verifies a token string and builds the principal. Synchronous on a verified-token
   * cache hit when nothing asynchronous applies (no revocation store, `retrieveUser`
   * answered synchronously); otherwise a promise. Never throws: a refusal is always a
   * promise rejected with an `AuthenticationError`, except one: with `unchecked` (a
   * token of `scheme.readUnchecked`), a refused token that is not a token68 throws the
   * core's `malformed_credentials` synchronously, as `scheme.read` did.
   */
  authenticateToken(token: string, connection: Connection, unchecked?: boolean): MaybePromise<Principal<U, N>>;
  /** Verifies a token string; throws `AuthenticationError`s with a `JwtError` cause. */
  verify(token: string, now?: number): Promise<Token>;
  issue(identifier: string, options?: IssueOptions): Promise<IssuedToken>;
  revoke(token: Token): Promise<void>;
  revokeSubject(subject: string, at?: number): Promise<void>;
  /** Maps a JwtError to the core error the status table answers. */
  reject(error: JwtError, subject?: string): AuthenticationError;
  /** Now, in ms since the epoch: the configured clock, else `Date.now()` (issuing, refresh lifetimes). */
  now(): number;
  /** True when a revocation store is configured (`revoke()` works). */
  readonly revocable: boolean;
  /**
   * Re-loads the user of `subject` through `retrieveUser`, handing it the claims an
   * access token issued now would carry (no `jti`): the refresh grant's user check.
   */
  userOf(subject: string, scopes: readonly string[], connection: Connection): MaybePromise<U | null | undefined>;
}

/**
 * Checks and freezes the options ({@link parseJwtOptions}: every `ConfigurationError`
 * is thrown here), imports the keys, and returns the machinery, each method bound to
 * the one frozen configuration.
 */
export function createEngine<U extends BaseUser, N extends string = string>(options: JwtOptions<U>, who: string, defaultName?: N): Engine<U, N> {
  const config = parseJwtOptions(options, who, defaultName);
  return Object.freeze({
    // The credentials of `authenticateToken` carry `via: config.name`: the `name` option (`N`) or the default.
    name: config.name as N,
    scheme: config.scheme,
    ready: config.ring.ready,
    canSign: config.ring.signing !== undefined,
    clearFingerprint: config.fingerprint === undefined ? undefined : clearFingerprint(config.fingerprint),
    authenticateToken: (token: string, connection: Connection, unchecked?: boolean) =>
      authenticateToken(config, token, connection, unchecked) as MaybePromise<Principal<U, N>>,
    verify: (token: string, now?: number) => verify(config, token, now),
    issue: (identifier: string, issueOptions?: IssueOptions) => issueToken(config, identifier, issueOptions),
    revoke: (token: Token) => revokeToken(config, token),
    revokeSubject: (subject: string, at?: number) => revokeSubject(config, subject, at),
    reject: (error: JwtError, subject?: string) => refusal(config.scheme, error, subject),
    now: () => issueNow(config),
    revocable: config.revocation !== undefined,
    userOf: (subject: string, scopes: readonly string[], connection: Connection) => userOf(config, subject, scopes, connection),
  });
}

/** `verify()` of the backends: {@link verifyToken} on `now` (default: the issuing clock), refusals as `AuthenticationError`s. */
async function verify<U extends BaseUser>(config: JwtConfig<U>, token: string, now: number | undefined): Promise<Token> {
  if (typeof token !== 'string') throw refusal(config.scheme, new JwtError('token_malformed'));
  try {
    return await verifyToken(config, token, now ?? issueNow(config));
  } catch (error) {
    throw asRefusal(config.scheme, error);
  }
}

/** {@link Engine.userOf}: `retrieveUser` on the claims a token issued now for `subject` would carry. */
function userOf<U extends BaseUser>(config: JwtConfig<U>, subject: string, scopes: readonly string[], connection: Connection): MaybePromise<U | null | undefined> {
  const iat = Math.floor(issueNow(config) / 1000);
  const claims = {
    sub: subject,
    iss: config.issuer,
    ...(config.audience === null ? {} : { aud: config.audience }),
    iat,
    exp: iat + config.expiresIn,
    ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
  };
  return config.retrieveUser(tokenFromClaims(claims, { ...config.policy, requireJti: false }), connection);
}
