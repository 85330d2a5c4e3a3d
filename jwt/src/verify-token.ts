import type { BaseUser } from '@portcullis/core';
import type { MaybePromise } from '@portcullis/core/adapter';
import { jwtVerify, type JWTHeaderParameters } from 'jose';
import { checkRevocation } from './check-revocation.js';
import { JwtError, isJwtError, type JwtErrorCode } from './errors.js';
import type { JwtConfig } from './jwt-options.js';
import type { KeySource } from './keys.js';
import { hasValidDates, tokenFromClaims, type Token } from './token.js';
import { verifyHmac } from './verify-hmac.js';

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/**
 * Verifies a compact JWS against the configuration and returns its claims, or throws
 * (rejects) with a `JwtError`; it never throws anything else for a bad token.
 *
 * In order:
 * - size first (DOS-04): a token longer than `maxTokenLength` is refused before
 *   anything else;
 * - the verified-token cache: a hit is the very token verified before (the SHA-256 of
 *   its signature and its signing input match, see `VerifiedTokenCache.get`) and skips
 *   the shape check and the signature only. The clock checks run again (an entry that
 *   fails them is dropped) and so does the revocation store;
 * - the shape (DOS-07): a token that is not three base64url segments is refused before
 *   any base64, JSON or signature work; JWE (five segments) is never decrypted;
 * - on a miss, the signature is checked with a key of the configured ring (the
 *   algorithm comes from the allowlist, never from the header) and so are the claims
 *   (`iss`, `aud`, `typ`, required claims, dates): synchronously for HS256 with a
 *   secret given as bytes ({@link verifyHmac}, checked against jose), by jose for
 *   everything else; the payload is then read into a `Token` and cached under the
 *   SHA-256 of its signature, with the key set that verified it;
 * - with a revocation store, `(iss, jti)` and the subject's cut-off are checked.
 *
 * **Synchronous without a revocation store** on a cache hit and, for HS256 secrets
 * given as bytes, on a miss too: neither costs a promise (docs/benchmarks.md). Other
 * algorithms' misses are promises (Web Crypto is asynchronous).
 *
 * @param now The time to check the claims against, in ms since the epoch.
 */
export function verifyToken<U extends BaseUser>(config: JwtConfig<U>, token: string, now: number): MaybePromise<Token> {
  return verifyScreened(config, token, screenToken(config, token), now);
}

/**
 * What {@link screenToken} found: the claims of a verified-token cache hit (an object),
 * else the cache key of a miss (`undefined`: no cache, or no key).
 */
export type Screened = Token | string | undefined;

/**
 * The checks of {@link verifyToken} before any verification work, in order: the size
 * (`token_too_large`, DOS-04), the verified-token cache, and on a miss the shape
 * (`token_malformed`, DOS-07). Decodes nothing, reads no clock; throws `JwtError`s only,
 * but for an `unchecked` token that is no token68 (the core's `malformed_credentials`, see `refused`).
 * A hit is the very token verified before (`VerifiedTokenCache.get`), which passed the
 * shape check then: it is not scanned again.
 */
export function screenToken<U extends BaseUser>(config: JwtConfig<U>, token: string, unchecked = false): Screened {
  if (token.length > config.maxTokenLength) throw refused(config, token, unchecked, 'token_too_large');
  const { cache } = config;
  let key: string | undefined;
  if (cache !== undefined) {
    // Finding the key decodes nothing.
    key = cache.key(token);
    const hit = key === undefined ? undefined : cache.get(token, key, config.ring.keySetCurrent);
    if (hit !== undefined) return hit;
  }
  if (!COMPACT_JWS.test(token)) throw refused(config, token, unchecked, 'token_malformed');
  return key;
}

/**
 * The error of a token the screen refuses. An `unchecked` token (read without the token68
 * test, `BearerScheme.readUnchecked`) that is not even a token68 throws the core's
 * `malformed_credentials` here, as `BearerScheme.read` did, without a `JwtError` built first.
 */
function refused<U extends BaseUser>(config: JwtConfig<U>, token: string, unchecked: boolean, code: 'token_too_large' | 'token_malformed'): JwtError {
  if (unchecked) config.scheme.requireToken68(token);
  return new JwtError(code);
}

/** The rest of {@link verifyToken} for a token that passed {@link screenToken}: the hit's clock checks, or the miss's verification. */
export function verifyScreened<U extends BaseUser>(config: JwtConfig<U>, token: string, screened: Screened, now: number): MaybePromise<Token> {
  if (typeof screened === 'object') return cached(config, token, screened, now);
  return verifySignature(config, token, now, screened);
}

/** A cache hit: the clock checks (an entry that fails them is dropped), then the revocation store. */
function cached<U extends BaseUser>(config: JwtConfig<U>, token: string, hit: Token, now: number): MaybePromise<Token> {
  try {
    checkTimes(config, hit, now);
  } catch (error) {
    // The hit's key, found again (the refused path only): the token had one.
    const key = config.cache?.key(token);
    if (key !== undefined) config.cache?.delete(key);
    throw error;
  }
  if (config.revocation === undefined) return hit;
  return checkRevocation(config.revocation, hit).then(() => hit);
}

/** The cache miss: the signature and the claims are checked; the result is cached under `key`. */
function verifySignature<U extends BaseUser>(config: JwtConfig<U>, token: string, now: number, key: string | undefined): MaybePromise<Token> {
  const verified = config.ring.hasMac ? verifyHmac(config.ring, config.jwtVerifyOptions, token, now) : undefined;
  if (verified === undefined) return verifyWithJose(config, token, now, key);
  return accept(config, token, verified.header, verified.payload, now, key, undefined);
}

/** Every key but an HS256 secret given as bytes: jose verifies (Web Crypto, asynchronous). */
async function verifyWithJose<U extends BaseUser>(config: JwtConfig<U>, token: string, now: number, key: string | undefined): Promise<Token> {
  const { ring } = config;
  const source: KeySource = { keySet: undefined };
  let payload: Record<string, unknown>;
  let header: JWTHeaderParameters;
  try {
    ({ payload, protectedHeader: header } = await jwtVerify(token, (header: JWTHeaderParameters) => ring.resolve(header, source), {
      ...config.jwtVerifyOptions,
      currentDate: new Date(now),
    }));
  } catch (error) {
    throw fromJose(error);
  }
  return accept(config, token, header, payload, now, key, source);
}

/** A verified payload → the `Token`: clock checks, the cache, the revocation store. */
function accept<U extends BaseUser>(
  config: JwtConfig<U>,
  token: string,
  header: Readonly<Record<string, unknown>>,
  payload: Record<string, unknown>,
  now: number,
  key: string | undefined,
  source: KeySource | undefined,
): MaybePromise<Token> {
  const claims = tokenFromClaims(payload, config.policy);
  if (config.accessTokenProfile) checkAccessTokenProfile(header, payload);
  checkTimes(config, claims, now);
  if (config.cache !== undefined && key !== undefined) config.cache.set(token, key, claims, source?.keySet);
  if (config.revocation !== undefined) return checkRevocation(config.revocation, claims).then(() => claims);
  return claims;
}

/** The claims RFC 9068 §2.2 requires of every JWT access token. */
const PROFILE_CLAIMS = ['iss', 'exp', 'aud', 'sub', 'client_id', 'iat', 'jti'] as const;

/**
 * RFC 9068's access-token profile, after jose verified the signature and the
 * claims it knows: the header `typ` is `at+jwt` or `application/at+jwt` (§2.1,
 * case-insensitive as a media type) and every claim of §2.2 is present (their
 * types were checked building the Token). Throws `claim_invalid` whose cause is an
 * {@link AccessTokenProfileRefusal}, so the failure log says why.
 */
function checkAccessTokenProfile(header: Readonly<Record<string, unknown>>, payload: Readonly<Record<string, unknown>>): void {
  const typ = typeof header.typ === 'string' ? header.typ.toLowerCase() : '';
  if (typ !== 'at+jwt' && typ !== 'application/at+jwt') throw new JwtError('claim_invalid', { cause: new AccessTokenProfileRefusal('typ') });
  for (const claim of PROFILE_CLAIMS) {
    if (!Object.hasOwn(payload, claim)) throw new JwtError('claim_invalid', { cause: new AccessTokenProfileRefusal(claim) });
  }
}

/**
 * The cause of a `claim_invalid` refusal by RFC 9068's profile: which header field
 * or claim was missing or wrong (its name, never its value).
 */
export class AccessTokenProfileRefusal extends Error {
  /** The class name. */
  override readonly name = 'AccessTokenProfileRefusal';
  /** `typ`, or the missing claim's name. */
  readonly field: string;

  constructor(field: string) {
    super(`The token does not follow the RFC 9068 access-token profile (${field})`);
    this.field = field;
  }
}

/**
 * The clock checks, run after every verification and on every cache hit: jose's
 * rules (`exp <= now - leeway` is expired…), and an `iat` beyond the leeway in the
 * future is refused whether or not `maxTokenAge` is set (RFC 7519 §4.1.6).
 */
function checkTimes<U extends BaseUser>(config: JwtConfig<U>, token: Token, now: number): void {
  const { clockTolerance, maxTokenAge } = config;
  const seconds = Math.floor(now / 1000);
  if (token.nbf !== undefined && token.nbf > seconds + clockTolerance) throw new JwtError('token_not_yet_valid');
  if (token.exp <= seconds - clockTolerance) throw new JwtError('token_expired');
  if (token.iat !== undefined && token.iat > seconds + clockTolerance) throw new JwtError('claim_invalid');
  if (maxTokenAge !== undefined && seconds - (token.iat as number) - clockTolerance > maxTokenAge) throw new JwtError('token_expired');
}

const JOSE_CODES: Readonly<Record<string, JwtErrorCode>> = Object.freeze({
  ERR_JOSE_ALG_NOT_ALLOWED: 'algorithm_not_allowed',
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: 'signature_invalid',
  ERR_JWT_EXPIRED: 'token_expired',
  ERR_JWS_INVALID: 'token_malformed',
  ERR_JWT_INVALID: 'token_malformed',
  ERR_JOSE_NOT_SUPPORTED: 'claim_invalid',
});

/** jose's errors → a JwtError (codes, never messages). Anything unexpected refuses the token. */
function fromJose(error: unknown): JwtError {
  if (isJwtError(error)) return error;
  const code: unknown = (error as { code?: unknown } | null)?.code;
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED' || code === 'ERR_JWT_EXPIRED') {
    // A malformed date claim is claim_invalid, whichever of jose's checks refused first.
    const payload: unknown = (error as { payload?: unknown }).payload;
    if (payload !== null && typeof payload === 'object' && !hasValidDates(payload as Record<string, unknown>)) {
      return new JwtError('claim_invalid', { cause: error });
    }
  }
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED') {
    const { claim, reason } = error as { claim?: unknown; reason?: unknown };
    return new JwtError(claim === 'nbf' && reason === 'check_failed' ? 'token_not_yet_valid' : 'claim_invalid', { cause: error });
  }
  const mapped = typeof code === 'string' ? JOSE_CODES[code] : undefined;
  return new JwtError(mapped ?? 'token_malformed', { cause: error });
}
