import { ConfigurationError, type AuthCredentialsOptions, type BaseUser, type Connection } from '@portcullis/core';
import { backendName, bearerScheme, type BearerScheme, type MaybePromise } from '@portcullis/core/adapter';
import type { JWTVerifyOptions } from 'jose';
import { VerifiedTokenCache } from './cache.js';
import { FP, parseFingerprint, type Fingerprint, type FingerprintOptions } from './fingerprint.js';
import { createKeyRing, type JwtKeyOptions, type KeyRing } from './keys.js';
import { checkRevocationStore, type RevocationStore } from './revocation.js';
import { RESERVED_CLAIMS, UNSAFE_NAMES, type ClaimsPolicy, type Token } from './token.js';

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
   * Also read the token from the websocket protocol carrier
   * (`Sec-WebSocket-Protocol: app.v1, portcullis.bearer.<jwt>`) on websocket
   * connections, for browsers, which cannot set `Authorization` on a websocket. Only
   * the `Authorization`-header backends (`jwtAuth`, `oauth2PasswordBearer`) read it.
   * Default `false`. Answer with the app protocol (`selectProtocol` of `@portcullis/core`).
   */
  webSocketProtocol?: boolean;
  /**
   * The absolute URL of this API's protected-resource metadata (RFC 9728), sent in
   * every Bearer challenge as `resource_metadata="…"` (§5.1), so a client that got a
   * 401 learns which authorization server to ask. From configuration, never from
   * `Host`: `https://` (`http://` only for `localhost`), checked at startup. Usually
   * `protectedResourceMetadata({...}).url` from `@portcullis/core`.
   */
  resourceMetadata?: string;
  /**
   * `'rfc9068'`: enforce the JWT profile for OAuth 2.0 access tokens (RFC 9068). A
   * token is accepted only with the header `typ` `at+jwt` (or `application/at+jwt`)
   * and the claims `iss`, `exp`, `aud`, `sub`, `client_id`, `iat` and `jti`; any other
   * is refused with 401 `invalid_token` and the failure log's reason
   * `access_token_profile_refused`. Issued tokens carry them (`client_id` from
   * `login(…, { clientId })` or the `clientId` option). Needs an `audience` (not `null`)
   * and `typ` left at `at+jwt`. Default: not enforced.
   */
  profile?: 'rfc9068';
  /** The `client_id` of issued tokens when `login()`/`issue()` does not give one (RFC 9068 §2.2). */
  clientId?: string;
  /**
   * The backend's name: `auth.via` of the requests it authenticates, and its name in
   * core's `multi([...])` and `all([...])`, where names are unique. Default `'jwt'`
   * (`jwtAuth`, `oauth2PasswordBearer`) or `'jwtCookie'` (`jwtCookieAuth`).
   */
  name?: string;
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
  cache?:
    | false
    | {
        /** The most verified tokens kept (default 10 000). */
        max?: number;
      };
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

/**
 * {@link JwtOptions} checked, defaulted and frozen: all that verifying, issuing and
 * revoking read. Built once per backend by {@link parseJwtOptions}; never mutated.
 * `ring` and `cache` are the only stateful members (imported keys, remembered tokens).
 */
export interface JwtConfig<U extends BaseUser> {
  readonly ring: KeyRing;
  readonly scheme: BearerScheme;
  readonly issuer: string;
  readonly audience: string | readonly string[] | null;
  readonly retrieveUser: RetrieveUser<U>;
  /** The `typ` issued and required; `null`: not checked, `JWT` issued. */
  readonly typ: string | null;
  /** Seconds. */
  readonly clockTolerance: number;
  /** Seconds, or `undefined` for no limit. */
  readonly maxTokenAge: number | undefined;
  /** Default lifetime of issued tokens, in seconds. */
  readonly expiresIn: number;
  readonly scopesOf: (user: U, token: Token) => Iterable<string>;
  /** The backend's name, the `via` of its credentials. */
  readonly name: string;
  /** The options of every request's credentials: the scheme's challenge builders and `via` ({@link name}), built once. */
  readonly credentials: Readonly<AuthCredentialsOptions<string>>;
  readonly revocation: RevocationStore | undefined;
  /** `undefined`: the connection's clock when verifying, `Date.now` when issuing (see {@link issueNow}). */
  readonly clock: (() => number) | undefined;
  /** `undefined` when the cache is off (`cache: false`). */
  readonly cache: VerifiedTokenCache | undefined;
  readonly maxTokenLength: number;
  readonly fingerprint: Fingerprint | undefined;
  /** The extra claims (with `fp` when fingerprinting) and whether `jti` is required. */
  readonly policy: ClaimsPolicy;
  /** How long a subject cut-off must be remembered, in ms: the longest a token of the subject can live. */
  readonly subjectRetention: number;
  /** jose's options, all but `currentDate`. */
  readonly jwtVerifyOptions: Readonly<JWTVerifyOptions>;
  /** RFC 9068's access-token profile is enforced (typ and claims checked after jose, with their own log reason). */
  readonly accessTokenProfile: boolean;
  /** The default `client_id` of issued tokens. */
  readonly clientId: string | undefined;
}

/** The longest lifetime of an issued token, in seconds (one day). */
const MAX_LIFETIME = 86_400;
const TYP = /^[\u0021-\u007e]{1,64}$/;

function fail(who: string, detail: string): never {
  throw new ConfigurationError(`${who}: ${detail}`);
}

function nonEmptyStrings(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.length > 0 && value.every((s) => typeof s === 'string' && s !== '');
}

/** A valid audience option: a non-empty string, a non-empty array of non-empty strings, or `null`. */
export function isAudience(value: unknown): value is string | readonly string[] | null {
  return value === null || (typeof value === 'string' && value !== '') || nonEmptyStrings(value);
}

/** A token lifetime: an integer number of seconds from 1 to 86 400. */
export function isLifetime(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_LIFETIME;
}

/** Now, in ms since the epoch, for issuing and revoking: the configured clock, else `Date.now()`. */
export function issueNow(config: Pick<JwtConfig<BaseUser>, 'clock'>): number {
  return config.clock === undefined ? Date.now() : config.clock();
}

/**
 * Checks every JWT option, fills in the defaults, imports the keys and returns the
 * frozen {@link JwtConfig}. Every mistake throws a `ConfigurationError` (code
 * `invalid_configuration`) here, at construction, naming the option and prefixed by
 * `who` (the factory's name); the keys are checked first, then the options in the
 * order of {@link JwtOptions}.
 */
export function parseJwtOptions<U extends BaseUser>(options: JwtOptions<U>, who: string, defaultName = 'jwt'): JwtConfig<U> {
  if (options === null || typeof options !== 'object') fail(who, 'options are required');
  const name = backendName(options.name, defaultName, who);
  const ring = createKeyRing(options);
  const scheme = bearerScheme(options.realm ?? 'api', { webSocketProtocol: options.webSocketProtocol, resourceMetadata: options.resourceMetadata });

  const issuer = options.issuer;
  if (typeof issuer !== 'string' || issuer === '' || issuer.length > 1024) fail(who, '`issuer` must be a non-empty string (the exact `iss`)');
  const audience = parseAudience(options.audience, who);

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

  const expiresIn = options.expiresIn ?? 900;
  if (!isLifetime(expiresIn)) fail(who, '`expiresIn` must be an integer number of seconds from 1 to 86400');

  const extras = parseExtraClaims(options.claims, who);
  const scopesOf = parseScopes(options.scopes, who);
  const revocation = options.revocation === undefined ? undefined : checkRevocationStore(options.revocation);
  const clock = options.clock;
  if (clock !== undefined && typeof clock !== 'function') fail(who, '`clock` must be a function returning ms since the epoch');
  const cache = parseCache(options.cache, who);

  const maxTokenLength = options.maxTokenLength ?? 8192;
  if (!Number.isInteger(maxTokenLength) || maxTokenLength < 256 || maxTokenLength > 8192) fail(who, '`maxTokenLength` must be an integer from 256 to 8192');

  const accessTokenProfile = parseProfile(options, typ, audience, who);
  const clientId = options.clientId;
  if (clientId !== undefined && (typeof clientId !== 'string' || clientId === '' || clientId.length > 256)) fail(who, '`clientId` must be a non-empty string of at most 256 characters');

  const fingerprint = parseFingerprint(options.fingerprint, who);
  if (fingerprint !== undefined && extras.includes(FP)) fail(who, '`claims` may not name `fp` when `fingerprint` is on');

  return Object.freeze({
    ring,
    scheme,
    issuer,
    audience,
    retrieveUser,
    typ,
    clockTolerance,
    maxTokenAge,
    expiresIn,
    scopesOf,
    name,
    credentials: Object.freeze({ ...scheme.credentials, via: name }),
    revocation,
    clock,
    cache,
    maxTokenLength,
    fingerprint,
    policy: Object.freeze({
      extras: Object.freeze(fingerprint === undefined ? [...extras] : [...extras, FP]),
      requireJti: revocation !== undefined,
    }),
    subjectRetention: ((maxTokenAge ?? MAX_LIFETIME) + clockTolerance + 1) * 1000,
    accessTokenProfile,
    clientId,
    jwtVerifyOptions: Object.freeze({
      algorithms: [...ring.algorithms],
      issuer,
      ...(audience === null ? {} : { audience: typeof audience === 'string' ? audience : [...audience] }),
      // The profile checks `typ` itself (both spellings, with its own log reason).
      ...(typ === null || accessTokenProfile ? {} : { typ }),
      clockTolerance,
      ...(maxTokenAge === undefined ? {} : { maxTokenAge }),
      requiredClaims: [...new Set(['exp', 'sub', ...extraRequired])],
    }),
  });
}

/** The `profile` option: RFC 9068 needs `typ` `at+jwt` and an audience. */
function parseProfile(options: { profile?: unknown }, typ: string | null, audience: string | readonly string[] | null, who: string): boolean {
  const { profile } = options;
  if (profile === undefined) return false;
  if (profile !== 'rfc9068') fail(who, '`profile` must be "rfc9068" (the JWT access-token profile) or left out');
  if (typ === null || typ.toLowerCase().replace(/^application\//, '') !== 'at+jwt') fail(who, '`profile: "rfc9068"` needs `typ` "at+jwt" (leave `typ` out)');
  if (audience === null) fail(who, '`profile: "rfc9068"` needs an `audience`: RFC 9068 access tokens always name theirs');
  return true;
}

function parseAudience(option: unknown, who: string): string | readonly string[] | null {
  if (option === undefined) {
    fail(who, '`audience` is required (JWT-15): the audience this API accepts, or null to accept any (not recommended)');
  }
  if (!isAudience(option)) fail(who, '`audience` must be a non-empty string, a non-empty array of strings, or null');
  return typeof option === 'string' || option === null ? option : Object.freeze([...option]);
}

function parseExtraClaims(option: readonly string[] | undefined, who: string): readonly string[] {
  const extras = option ?? [];
  if (!Array.isArray(extras) || extras.length > 64) fail(who, '`claims` must be an array of at most 64 claim names');
  for (const name of extras) {
    if (typeof name !== 'string' || name === '' || RESERVED_CLAIMS.has(name) || UNSAFE_NAMES.has(name)) {
      fail(who, '`claims` may only name extra claims (not sub/exp/iat/nbf/iss/aud/jti/scope, not __proto__/constructor/prototype)');
    }
  }
  return extras;
}

const AUTHENTICATED: readonly string[] = Object.freeze(['authenticated']);

function parseScopes<U extends BaseUser>(option: JwtScopes<U> | undefined, who: string): (user: U, token: Token) => Iterable<string> {
  // A token without scopes (most) grants the one fixed list: no array spread per request
  // (AuthCredentials copies what it is given).
  if (option === undefined) return (_user, token) => (token.scopes.length === 0 ? AUTHENTICATED : ['authenticated', ...token.scopes]);
  if (typeof option === 'function') return option;
  if (Array.isArray(option) && option.every((s) => typeof s === 'string' && s !== '')) {
    const fixed = Object.freeze([...option]);
    return () => fixed;
  }
  return fail(who, '`scopes` must be an array of non-empty strings or a function (user, token) => scopes');
}

function parseCache(option: false | { max?: number } | undefined, who: string): VerifiedTokenCache | undefined {
  if (option === false) return undefined;
  if (option === undefined) return new VerifiedTokenCache();
  if (typeof option === 'object' && option !== null) return new VerifiedTokenCache(option.max ?? 10_000);
  return fail(who, '`cache` must be false or { max }');
}
