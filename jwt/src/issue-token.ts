import type { BaseUser } from '@portcullis/core';
import { SignJWT } from 'jose';
import { JwtError } from './errors.js';
import { FP, newFingerprint } from './fingerprint.js';
import { isAudience, isLifetime, issueNow, type JwtConfig } from './jwt-options.js';
import { MAX_NUMERIC_DATE, tokenFromClaims, type Token } from './token.js';

/** Options of `login()` and `issue()`. */
export interface IssueOptions {
  /** Lifetime in seconds (1..86 400). Default: the backend's `expiresIn`. */
  expiresIn?: number;
  /** The `scope` claim: scope tokens (RFC 6749 §3.3). Default none. */
  scopes?: Iterable<string>;
  /** Extra claims; each name must be listed in the backend's `claims` option. */
  claims?: Readonly<Record<string, unknown>>;
  /** The `aud` claim. Default: the backend's `audience`. */
  audience?: string | readonly string[];
  /**
   * The `auth_time` claim: when the user actively authenticated, in **seconds** since
   * the epoch (as in the token). Give it at login (`Math.floor(Date.now() / 1000)`)
   * and carry the original one when re-issuing, so step-up guards (`maxAge`) see the
   * real age. Default: none (the age is unknown).
   */
  authTime?: number;
  /** The `acr` claim: the authentication context class reached (step-up guards' `acr`). */
  acr?: string;
  /** The `amr` claim: the methods used (RFC 8176: `pwd`, `otp`, `hwk`…). */
  amr?: readonly string[];
  /** The `client_id` claim (RFC 9068 §2.2). Default: the backend's `clientId`; required with `profile: 'rfc9068'`. */
  clientId?: string;
}

/** A freshly signed token. */
export interface IssuedToken {
  /** The compact JWS. Send it to the client once; never log it. */
  readonly token: string;
  /** Its claims, as verification will see them. */
  readonly claims: Token;
  /** Its lifetime in seconds (`exp - iat`). */
  readonly expiresIn: number;
  /** With `fingerprint` configured: the `Set-Cookie` value carrying the fingerprint (send it with the token). */
  readonly fingerprintCookie?: string;
}

const SCOPE_TOKEN = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;

/**
 * Signs a token for `identifier` (its `sub`) with the ring's signing key: `iss` the
 * configured issuer, `aud` the configured audience unless `options.audience` says
 * otherwise, `iat` now, `exp` after `options.expiresIn` (default: the configured
 * `expiresIn`), a random `jti`, the `scope` claim from `options.scopes`, the extra
 * claims the configuration allows, `auth_time`/`acr`/`amr`/`client_id` when given
 * (with `profile: 'rfc9068'` a `client_id` is required), and the header `typ`
 * (`at+jwt` by default) and `kid`. With a fingerprint binding, the `fp` claim is the SHA-256 of a fresh random
 * value that goes back in `fingerprintCookie`.
 *
 * Throws a `JwtError`: `no_signing_key` without an HS secret or a private key,
 * `invalid_issue_options` for an empty identifier, a lifetime out of 1..86 400 s, a
 * scope that is not a scope token (RFC 6749 §3.3), an empty audience, a claim not
 * listed in the configured `claims`, or a signing failure.
 */
export async function issueToken<U extends BaseUser>(config: JwtConfig<U>, identifier: string, options: IssueOptions = {}): Promise<IssuedToken> {
  const signing = config.ring.signing;
  if (signing === undefined) throw new JwtError('no_signing_key');
  if (typeof identifier !== 'string' || identifier === '' || identifier.length > 1024) throw new JwtError('invalid_issue_options');
  const { lifetime, scopes, audience, extraClaims, authentication } = checkIssueOptions(config, options);
  const iat = Math.floor(issueNow(config) / 1000);
  const fingerprint = config.fingerprint === undefined ? undefined : newFingerprint(config.fingerprint, lifetime);
  if (fingerprint !== undefined) extraClaims[FP] = fingerprint.claim;
  const payload: Record<string, unknown> = {
    sub: identifier,
    iss: config.issuer,
    ...(audience === null ? {} : { aud: typeof audience === 'string' ? audience : [...audience] }),
    exp: iat + lifetime,
    iat,
    jti: crypto.randomUUID(),
    ...(scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
    ...authentication,
    ...extraClaims,
  };
  let token: string;
  try {
    token = await new SignJWT(payload)
      .setProtectedHeader({ alg: signing.alg, typ: config.typ ?? 'JWT', ...(signing.kid === undefined ? {} : { kid: signing.kid }) })
      .sign(await signing.key);
  } catch (cause) {
    throw new JwtError('invalid_issue_options', { cause });
  }
  return Object.freeze({
    token,
    claims: tokenFromClaims(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>, config.policy),
    expiresIn: lifetime,
    ...(fingerprint === undefined ? {} : { fingerprintCookie: fingerprint.cookie }),
  });
}

/** `login()`/`issue()` options checked against the configuration; throws `invalid_issue_options`. */
function checkIssueOptions<U extends BaseUser>(config: JwtConfig<U>, options: IssueOptions) {
  const lifetime = options.expiresIn ?? config.expiresIn;
  if (!isLifetime(lifetime)) throw new JwtError('invalid_issue_options');
  const scopes = [...new Set(options.scopes ?? [])];
  if (scopes.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) throw new JwtError('invalid_issue_options');
  const audience = options.audience ?? config.audience;
  if (!isAudience(audience)) throw new JwtError('invalid_issue_options');
  const extraClaims: Record<string, unknown> = {};
  if (options.claims !== undefined) {
    if (options.claims === null || typeof options.claims !== 'object') throw new JwtError('invalid_issue_options');
    for (const name of Object.keys(options.claims)) {
      if (!config.policy.extras.includes(name)) throw new JwtError('invalid_issue_options');
      extraClaims[name] = options.claims[name];
    }
  }
  return { lifetime, scopes, audience, extraClaims, authentication: authenticationOptions(config, options) };
}

const CLAIM_STRING = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= 256;

/** `auth_time`, `acr`, `amr` and `client_id` of an issued token, checked as verification will check them. */
function authenticationOptions<U extends BaseUser>(config: JwtConfig<U>, options: IssueOptions): Record<string, unknown> {
  const { authTime, acr, amr } = options;
  const clientId = options.clientId ?? config.clientId;
  if (authTime !== undefined && (!Number.isInteger(authTime) || authTime < 0 || authTime > MAX_NUMERIC_DATE)) throw new JwtError('invalid_issue_options');
  if (acr !== undefined && !CLAIM_STRING(acr)) throw new JwtError('invalid_issue_options');
  if (amr !== undefined && (!Array.isArray(amr) || amr.length > 16 || !amr.every(CLAIM_STRING))) throw new JwtError('invalid_issue_options');
  if (clientId !== undefined && !CLAIM_STRING(clientId)) throw new JwtError('invalid_issue_options');
  // RFC 9068 §2.2: every access token names its client.
  if (config.accessTokenProfile && clientId === undefined) throw new JwtError('invalid_issue_options');
  return {
    ...(authTime === undefined ? {} : { auth_time: authTime }),
    ...(acr === undefined ? {} : { acr }),
    ...(amr === undefined ? {} : { amr: [...amr] }),
    ...(clientId === undefined ? {} : { client_id: clientId }),
  };
}
