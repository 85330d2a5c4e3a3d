import {
  AuthenticationError,
  ConfigurationError,
  bearerScheme,
  isAuthenticationError,
  sha256,
  type BaseUser,
  type BearerScheme,
  type Connection,
  type Principal,
  type MaybePromise,
} from '@portcullis/core';
import { SignJWT, jwtVerify, type JWTHeaderParameters, type JWTVerifyOptions } from 'jose';
import { VerifiedTokenCache } from './cache.js';
import { JwtError, isJwtError, type JwtErrorCode } from './errors.js';
import { createKeyRing, type JwtKeyOptions, type KeyRing, type KeySource } from './keys.js';
import { checkRevocationStore, type RevocationStore } from './revocation.js';
import { JwtCredentials, RESERVED_CLAIMS, UNSAFE_NAMES, hasValidDates, tokenFromClaims, type ClaimsPolicy, type Token } from './token.js';

/** Looks up the user a verified token stands for (Litestar's `retrieve_user_handler`); sync or async. `null` → 401. */
export type RetrieveUser<U extends BaseUser> = (
  token: Token,
  connection: Connection,
) => MaybePromise<U | null | undefined>;

/** Scopes granted to a JWT-authenticated request: a fixed list, or a function of the user and the token. */
export type JwtScopes<U extends BaseUser> = readonly string[] | ((user: U, token: Token) => Iterable<string>);

/** Options shared by `jwtAuth`, `jwtCookieAuth` and `oauth2PasswordBearer`. */
export interface JwtOptions<U extends BaseUser> extends JwtKeyOptions {
  /** The `iss` of issued tokens, and the only `iss` accepted (exact match, JWT-14). */
  issuer: string;
  /**
   * The accepted audience(s), and the `aud` of issued tokens. A token is accepted when
   * its `aud` (string or array) contains one of them, compared exactly. Required:
   * pass `null` to accept tokens for any audience (not recommended, JWT-15).
   */
  audience: string | readonly string[] | null;
  /** Returns the user of a verified token, or `null`/`undefined` (401 `invalid_token`). Throwing fails closed (503). */
  retrieveUser: RetrieveUser<U>;
  /** The realm of the Bearer challenges. Default `api`. */
  realm?: string;
  /**
   * The JWT header `typ` issued and required (RFC 8725 §3.11, RFC 9068). Default
   * `at+jwt`, so ID tokens and other JWTs of the same issuer are not accepted as
   * access tokens (JWT-18). `null`: not checked, and `JWT` is issued.
   */
  typ?: string | null;
  /** Clock-skew leeway in seconds for `exp`, `nbf` and `iat` (0..300). Default 0. */
  clockTolerance?: number;
  /** When set, tokens whose `iat` is older than this many seconds are expired (and `iat` is required). */
  maxTokenAge?: number;
  /** Claims that must be present besides `exp`, `sub`, `iss` and `aud` (which always are). */
  requiredClaims?: readonly string[];
  /** Lifetime of issued tokens in seconds (1..86 400). Default 900 (15 min). */
  expiresIn?: number;
  /** Extra claim names copied into `Token.extras` and allowed in `login({ claims })`. Default none (LEAK-11). */
  claims?: readonly string[];
  /** Scopes of authenticated requests. Default `['authenticated', ...token.scopes]`. */
  scopes?: JwtScopes<U>;
  /** Revoked tokens and subject cut-offs; checked on every request. Makes `jti` required. */
  revocation?: RevocationStore;
  /** The verified-token cache: `{ max }` entries (default 10 000), or `false` to verify every signature. */
  cache?: false | { max?: number };
  /** The clock in ms since the epoch. Default: the connection's clock when verifying, `Date.now` when issuing. */
  clock?: () => number;
  /** Tokens longer than this many characters are refused before any decoding (256..8192). Default 8192. */
  maxTokenLength?: number;
  /**
   * Binds tokens to a hardened cookie (OWASP's token sidejacking defence, JWT-34):
   * `login()` also sets a random fingerprint in an HttpOnly, `SameSite=Strict` cookie
   * and puts its SHA-256 in the token's `fp` claim; a request whose cookie is missing
   * or different is refused (401 `invalid_token`). Off by default.
   */
  fingerprint?: FingerprintOptions;
}

/** Options of the fingerprint binding. */
export interface FingerprintOptions {
  /** The cookie name. Default `__Host-fp` (`fp` when `secure` is false). */
  cookie?: string;
  /** Send the cookie over HTTPS only. Default `true`. */
  secure?: boolean;
}

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

/** The shared machinery of the JWT backends. */
export interface Engine<U extends BaseUser> {
  readonly scheme: BearerScheme;
  readonly ready: Promise<void>;
  /** True when a signing key (an HS secret or a private key) is configured. */
  readonly canSign: boolean;
  /** With `fingerprint` configured: the `Set-Cookie` value that deletes the fingerprint cookie. */
  readonly clearFingerprint: string | undefined;
  /**
   * Verifies a token string and builds the principal. Synchronous on a verified-token
   * cache hit when nothing asynchronous applies (no revocation store, `retrieveUser`
   * answered synchronously); otherwise a promise. Never throws: a refusal is always a
   * promise rejected with an `AuthenticationError`.
   */
  authenticateToken(token: string, connection: Connection): MaybePromise<Principal<U>>;
  /** Verifies a token string; throws `AuthenticationError`s with a `JwtError` cause. */
  verify(token: string, now?: number): Promise<Token>;
  issue(identifier: string, options?: IssueOptions): Promise<IssuedToken>;
  revoke(token: Token): Promise<void>;
  revokeSubject(subject: string, at?: number): Promise<void>;
  /** Maps a JwtError to the core error the status table answers. */
  reject(error: JwtError, subject?: string): AuthenticationError;
}

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const SCOPE_TOKEN = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;
const TYP = /^[\u0021-\u007e]{1,64}$/;
const MAX_LIFETIME = 86_400;

function fail(who: string, detail: string): never {
  throw new ConfigurationError(`${who}: ${detail}`);
}

function nonEmptyStrings(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' && s !== '');
}

/** Checks and freezes the options, imports the keys, and returns the machinery. */
export function createEngine<U extends BaseUser>(options: JwtOptions<U>, who: string): Engine<U> {
  if (options === null || typeof options !== 'object') fail(who, 'options are required');
  const ring: KeyRing = createKeyRing(options);
  const scheme = bearerScheme(options.realm ?? 'api');

  const issuer = options.issuer;
  if (typeof issuer !== 'string' || issuer === '' || issuer.length > 1024) fail(who, '`issuer` must be a non-empty string (the exact `iss`)');
  const audienceOption: unknown = options.audience;
  if (audienceOption === undefined) {
    fail(who, '`audience` is required (JWT-15): the audience this API accepts, or null to accept any (not recommended)');
  }
  if (audienceOption !== null && !(typeof audienceOption === 'string' && audienceOption !== '') && !nonEmptyStrings(audienceOption)) {
    fail(who, '`audience` must be a non-empty string, a non-empty array of strings, or null');
  }
  const audience: string | readonly string[] | null =
    typeof audienceOption === 'string' || audienceOption === null ? audienceOption : Object.freeze([...(audienceOption as readonly string[])]);

  const retrieveUser = options.retrieveUser;
  if (typeof retrieveUser !== 'function') fail(who, '`retrieveUser(token, connection)` must be a function');

  const typ = options.typ === undefined ? 'at+jwt' : options.typ;
  if (typ !== null && (typeof typ !== 'string' || !TYP.test(typ))) fail(who, '`typ` must be a short media type such as "at+jwt", or null');

  const clockTolerance = options.clockTolerance ?? 0;
  if (typeof clockTolerance !== 'number' || !Number.isFinite(clockTolerance) || clockTolerance < 0 || clockTolerance > 300) {
    fail(who, '`clockTolerance` must be a number of seconds from 0 to 300 (JWT-10)');
  }
  const maxTokenAge = options.maxTokenAge;
  if (maxTokenAge !== undefined && (typeof maxTokenAge !== 'number' || !Number.isFinite(maxTokenAge) || maxTokenAge <= 0)) {
    fail(who, '`maxTokenAge` must be a positive number of seconds');
  }
  const extraRequired = options.requiredClaims ?? [];
  if (!Array.isArray(extraRequired) || extraRequired.some((c) => typeof c !== 'string' || c === '')) fail(who, '`requiredClaims` must be an array of claim names');
  const requiredClaims = Object.freeze([...new Set(['exp', 'sub', ...extraRequired])]);

  const expiresIn = options.expiresIn ?? 900;
  if (!isLifetime(expiresIn)) fail(who, '`expiresIn` must be an integer number of seconds from 1 to 86400');

  const extras = options.claims ?? [];
  if (!Array.isArray(extras) || extras.length > 64) fail(who, '`claims` must be an array of at most 64 claim names');
  for (const name of extras) {
    if (typeof name !== 'string' || name === '' || RESERVED_CLAIMS.has(name) || UNSAFE_NAMES.has(name)) {
      fail(who, '`claims` may only name extra claims (not sub/exp/iat/nbf/iss/aud/jti/scope, not __proto__/constructor/prototype)');
    }
  }

  const scopesOption = options.scopes;
  let scopesOf: (user: U, token: Token) => Iterable<string>;
  if (scopesOption === undefined) scopesOf = (_user, token) => ['authenticated', ...token.scopes];
  else if (typeof scopesOption === 'function') scopesOf = scopesOption;
  else if (Array.isArray(scopesOption) && scopesOption.every((s) => typeof s === 'string' && s !== '')) {
    const fixed = Object.freeze([...scopesOption]);
    scopesOf = () => fixed;
  } else return fail(who, '`scopes` must be an array of non-empty strings or a function (user, token) => scopes');

  const revocation = options.revocation === undefined ? undefined : checkRevocationStore(options.revocation);
  const clock = options.clock;
  if (clock !== undefined && typeof clock !== 'function') fail(who, '`clock` must be a function returning ms since the epoch');

  const cacheOption = options.cache;
  let cache: VerifiedTokenCache | undefined;
  if (cacheOption === false) cache = undefined;
  else if (cacheOption === undefined) cache = new VerifiedTokenCache();
  else if (typeof cacheOption === 'object' && cacheOption !== null) cache = new VerifiedTokenCache(cacheOption.max ?? 10_000);
  else fail(who, '`cache` must be false or { max }');

  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256 || maxTokenLength > 8192) fail(who, '`maxTokenLength` must be an integer from 256 to 8192');

  const fingerprint = checkFingerprint(options.fingerprint, who);
  if (fingerprint !== undefined && extras.includes(FP)) fail(who, '`claims` may not name `fp` when `fingerprint` is on');
  const policy: ClaimsPolicy = Object.freeze({
    extras: Object.freeze(fingerprint === undefined ? [...extras] : [...extras, FP]),
    requireJti: revocation !== undefined,
  });
  const subjectRetention = ((maxTokenAge ?? MAX_LIFETIME) + clockTolerance + 1) * 1000;

  const jwtVerifyBase: Readonly<JWTVerifyOptions> = Object.freeze({
    algorithms: [...ring.algorithms],
    issuer,
    ...(audience === null ? {} : { audience: typeof audience === 'string' ? audience : [...audience] }),
    ...(typ === null ? {} : { typ }),
    clockTolerance,
    ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
    requiredClaims: [...requiredClaims],
  });

  const issueNow = (): number => (clock === undefined ? Date.now() : clock());

  function reject(error: JwtError, subject?: string): AuthenticationError {
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
      default:
        return new AuthenticationError('invalid_credentials', { ...options, challenge: scheme.invalidToken() });
    }
  }

  async function checkRevocation(store: RevocationStore, token: Token): Promise<void> {
    let status: unknown;
    try {
      status = await store.status(token.iss, token.jti as string, token.sub);
    } catch (cause) {
      throw new JwtError('revocation_unavailable', { cause });
    }
    if (status === null || typeof status !== 'object') throw new JwtError('revocation_unavailable');
    const { revoked, notBefore } = status as { revoked?: unknown; notBefore?: unknown };
    if (revoked === true) throw new JwtError('token_revoked');
    if (revoked !== false) throw new JwtError('revocation_unavailable');
    if (notBefore !== undefined && notBefore !== null) {
      if (typeof notBefore !== 'number') throw new JwtError('revocation_unavailable');
      // NumericDates are whole seconds: a token issued in the second of the cut-off stays valid.
      if (token.iat === undefined || token.iat < Math.floor(notBefore / 1000)) throw new JwtError('token_revoked');
    }
  }

  /** JWT-34: the token's `fp` claim must be the SHA-256 of the fingerprint cookie. */
  function checkFingerprintCookie(token: Token, cookie: string | undefined): void {
    const expected = token.extras[FP];
    if (typeof expected !== 'string' || cookie === undefined || cookie === '' || cookie.length > 256) throw new JwtError('claim_invalid');
    const actual = sha256Base64url(cookie);
    // Both are digests of fixed length: compare without an early exit.
    let diff = actual.length ^ expected.length;
    for (let i = 0; i < actual.length; i++) diff |= actual.charCodeAt(i) ^ expected.charCodeAt(i);
    if (diff !== 0) throw new JwtError('claim_invalid');
  }

  /**
   * The clock checks, run after every verification and on every cache hit: jose's
   * rules (`exp <= now - leeway` is expired…), and an `iat` beyond the leeway in the
   * future is refused whether or not `maxTokenAge` is set (RFC 7519 §4.1.6).
   */
  function checkTimes(token: Token, now: number): void {
    const seconds = Math.floor(now / 1000);
    if (token.nbf !== undefined && token.nbf > seconds + clockTolerance) throw new JwtError('token_not_yet_valid');
    if (token.exp <= seconds - clockTolerance) throw new JwtError('token_expired');
    if (token.iat !== undefined && token.iat > seconds + clockTolerance) throw new JwtError('claim_invalid');
    if (maxTokenAge !== undefined && seconds - (token.iat as number) - clockTolerance > maxTokenAge) throw new JwtError('token_expired');
  }

  /**
   * Verifies a token: the claims, or a throw (a `JwtError`). A cache hit is answered
   * synchronously unless a revocation store must be asked; a miss verifies the
   * signature, which is asynchronous (Web Crypto).
   */
  function verifyToken(token: string, now: number): MaybePromise<Token> {
    // DOS-04, DOS-07: size and shape are checked before any base64, JSON or crypto work;
    // JWE (five segments) is never decrypted.
    if (token.length > maxTokenLength) throw new JwtError('token_too_large');
    if (!COMPACT_JWS.test(token)) throw new JwtError('token_malformed');
    if (cache === undefined) return verifySignature(token, now, undefined);
    const id = cache.id(token);
    const hit = cache.get(id, ring.keySetCurrent);
    if (hit === undefined) return verifySignature(token, now, id);
    try {
      checkTimes(hit, now);
    } catch (error) {
      cache.delete(id);
      throw error;
    }
    if (revocation === undefined) return hit;
    return checkRevocation(revocation, hit).then(() => hit);
  }

  /** The cache miss: jose verifies the signature and the claims; the result is cached under `id`. */
  async function verifySignature(token: string, now: number, id: string | undefined): Promise<Token> {
    const source: KeySource = { keySet: undefined };
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, (header: JWTHeaderParameters) => ring.resolve(header, source), {
        ...jwtVerifyBase,
        currentDate: new Date(now),
      }));
    } catch (error) {
      throw fromJose(error);
    }
    const claims = tokenFromClaims(payload, policy);
    checkTimes(claims, now);
    if (cache !== undefined && id !== undefined) {
      cache.set(id, claims, source.keySet);
    }
    if (revocation !== undefined) await checkRevocation(revocation, claims);
    return claims;
  }

  function toAuthenticationError(error: unknown): unknown {
    if (isJwtError(error)) return reject(error);
    return error;
  }

  /** What `retrieveUser` threw or rejected with, as the error to answer. */
  function lookupFailed(cause: unknown, subject: string): unknown {
    if (isAuthenticationError(cause)) return cause;
    return reject(new JwtError('user_lookup_failed', { cause }), subject);
  }

  async function verify(token: string, now?: number): Promise<Token> {
    if (typeof token !== 'string') throw reject(new JwtError('token_malformed'));
    try {
      return await verifyToken(token, now ?? issueNow());
    } catch (error) {
      throw toAuthenticationError(error);
    }
  }

  function authenticateToken(token: string, connection: Connection): MaybePromise<Principal<U>> {
    // A refusal on the synchronous path is a rejection too: callers never see a throw
    // where the asynchronous path would have rejected.
    try {
      const now = clock === undefined ? connection.now() : clock();
      let verified: MaybePromise<Token>;
      try {
        verified = verifyToken(token, now);
      } catch (error) {
        throw toAuthenticationError(error);
      }
      if (verified instanceof Promise) {
        return verified.then(
          (claims) => principalOf(claims, connection),
          (error: unknown) => {
            throw toAuthenticationError(error);
          },
        );
      }
      return principalOf(verified, connection);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The fingerprint check and the user lookup of verified claims; synchronous when `retrieveUser` is. */
  function principalOf(claims: Token, connection: Connection): MaybePromise<Principal<U>> {
    if (fingerprint !== undefined) {
      try {
        checkFingerprintCookie(claims, connection.cookies.get(fingerprint.name));
      } catch (error) {
        throw toAuthenticationError(error);
      }
    }
    let user: MaybePromise<U | null | undefined>;
    try {
      user = retrieveUser(claims, connection);
    } catch (cause) {
      throw lookupFailed(cause, claims.sub);
    }
    // Any thenable is awaited, as `await` would (an ORM query object is one).
    if (isThenable(user)) {
      return Promise.resolve(user).then(
        (resolved) => principal(resolved, claims),
        (cause: unknown) => {
          throw lookupFailed(cause, claims.sub);
        },
      );
    }
    return principal(user, claims);
  }

  function principal(user: U | null | undefined, claims: Token): Principal<U> {
    if (user === null || user === undefined) throw reject(new JwtError('unknown_user'), claims.sub);
    const auth = new JwtCredentials(scopesOf(user, claims), claims, { insufficientScope: scheme.insufficientScope });
    return { user, auth };
  }

  async function issue(identifier: string, issueOptions: IssueOptions = {}): Promise<IssuedToken> {
    const signing = ring.signing;
    if (signing === undefined) throw new JwtError('no_signing_key');
    if (typeof identifier !== 'string' || identifier === '' || identifier.length > 1024) throw new JwtError('invalid_issue_options');
    const lifetime = issueOptions.expiresIn ?? expiresIn;
    if (!isLifetime(lifetime)) throw new JwtError('invalid_issue_options');
    const scopeList = [...new Set(issueOptions.scopes ?? [])];
    if (scopeList.some((s) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) throw new JwtError('invalid_issue_options');
    const aud = issueOptions.audience ?? audience;
    if (aud !== null && !(typeof aud === 'string' && aud !== '') && !nonEmptyStrings(aud)) throw new JwtError('invalid_issue_options');
    const extraClaims: Record<string, unknown> = {};
    if (issueOptions.claims !== undefined) {
      if (issueOptions.claims === null || typeof issueOptions.claims !== 'object') throw new JwtError('invalid_issue_options');
      for (const name of Object.keys(issueOptions.claims)) {
        if (!policy.extras.includes(name)) throw new JwtError('invalid_issue_options');
        extraClaims[name] = issueOptions.claims[name];
      }
    }
    const iat = Math.floor(issueNow() / 1000);
    let fingerprintCookie: string | undefined;
    if (fingerprint !== undefined) {
      const value = randomBase64url(32);
      extraClaims[FP] = sha256Base64url(value);
      fingerprintCookie = `${fingerprint.name}=${value}; Max-Age=${lifetime}; ${fingerprint.attributes}`;
    }
    const payload: Record<string, unknown> = {
      sub: identifier,
      iss: issuer,
      ...(aud === null ? {} : { aud: typeof aud === 'string' ? aud : [...aud] }),
      exp: iat + lifetime,
      iat,
      jti: crypto.randomUUID(),
      ...(scopeList.length === 0 ? {} : { scope: scopeList.join(' ') }),
      ...extraClaims,
    };
    let token: string;
    try {
      token = await new SignJWT(payload)
        .setProtectedHeader({ alg: signing.alg, typ: typ ?? 'JWT', ...(signing.kid === undefined ? {} : { kid: signing.kid }) })
        .sign(await signing.key);
    } catch (cause) {
      throw new JwtError('invalid_issue_options', { cause });
    }
    return Object.freeze({
      token,
      claims: tokenFromClaims(JSON.parse(JSON.stringify(payload)) as Record<string, unknown>, policy),
      expiresIn: lifetime,
      ...(fingerprintCookie === undefined ? {} : { fingerprintCookie }),
    });
  }

  async function revoke(token: Token): Promise<void> {
    if (revocation === undefined) throw new JwtError('revocation_not_configured');
    if (token === null || typeof token !== 'object' || typeof token.jti !== 'string' || typeof token.iss !== 'string') {
      throw new JwtError('invalid_issue_options');
    }
    const ttl = (token.exp + clockTolerance + 1) * 1000 - issueNow();
    if (ttl <= 0) return; // already expired for good
    await revocation.revoke(token.iss, token.jti, ttl);
  }

  async function revokeSubject(subject: string, at?: number): Promise<void> {
    if (revocation === undefined) throw new JwtError('revocation_not_configured');
    if (typeof subject !== 'string' || subject === '') throw new JwtError('invalid_issue_options');
    const notBefore = at ?? issueNow();
    if (typeof notBefore !== 'number' || !Number.isFinite(notBefore)) throw new JwtError('invalid_issue_options');
    await revocation.revokeSubject(issuer, subject, notBefore, subjectRetention);
  }

  return Object.freeze({
    scheme,
    ready: ring.ready,
    canSign: ring.signing !== undefined,
    clearFingerprint: fingerprint === undefined ? undefined : `${fingerprint.name}=; Max-Age=0; ${fingerprint.attributes}`,
    authenticateToken, verify, issue, revoke, revokeSubject, reject });
}

const FP = 'fp';
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;

function checkFingerprint(option: FingerprintOptions | undefined, who: string): { name: string; attributes: string } | undefined {
  if (option === undefined) return undefined;
  if (option === null || typeof option !== 'object') fail(who, '`fingerprint` must be an object { cookie?, secure? }');
  const secure = option.secure ?? true;
  if (typeof secure !== 'boolean') fail(who, '`fingerprint.secure` must be a boolean');
  const name = option.cookie ?? (secure ? '__Host-fp' : 'fp');
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) fail(who, '`fingerprint.cookie` must be a cookie-name token');
  if (/^__(Host|Secure)-/i.test(name) && !secure) fail(who, 'a `__Host-`/`__Secure-` fingerprint cookie needs `secure: true`');
  return Object.freeze({ name, attributes: `Path=/; HttpOnly${secure ? '; Secure' : ''}; SameSite=Strict` });
}

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function randomBase64url(bytes: number): string {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

function sha256Base64url(text: string): string {
  return base64url(sha256(text));
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

function isLifetime(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_LIFETIME;
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
