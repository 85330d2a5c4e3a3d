import { AuthCredentials, type AuthCredentialsOptions } from '@portcullis/core';
import { JwtError } from './errors.js';

/**
 * A verified JWT, as the app sees it (Litestar's `Token`): the registered claims,
 * the granted scopes, and the extra claims you allowlisted. Times are NumericDates
 * (seconds since the epoch). Frozen; `extras` has no prototype.
 */
export interface Token {
  /** The subject: the user's identifier (non-empty). The principal is `iss` + `sub`. */
  readonly sub: string;
  /** Expiry, seconds since the epoch. Always present. */
  readonly exp: number;
  /** Issued at, seconds since the epoch. */
  readonly iat: number | undefined;
  /** Not before, seconds since the epoch. */
  readonly nbf: number | undefined;
  /** The issuer, exactly as configured. */
  readonly iss: string;
  /** The audience(s) the token was issued for. */
  readonly aud: string | readonly string[] | undefined;
  /** The token's unique id (always set by `login()`; required when a revocation store is configured). */
  readonly jti: string | undefined;
  /** The `scope` claim, split on spaces (RFC 6749 §3.3, RFC 9068 §2.2.3). */
  readonly scopes: readonly string[];
  /** Only the extra claims named in the backend's `claims` option, deep-frozen. */
  readonly extras: Readonly<Record<string, unknown>>;
  /** `auth_time`: when the user last actively authenticated, seconds since the epoch (step-up, RFC 9470). */
  readonly authTime?: number | undefined;
  /** `acr`: the authentication context class reference (step-up, RFC 9470). */
  readonly acr?: string | undefined;
  /** `amr`: the authentication methods used (RFC 8176 values). */
  readonly amr?: readonly string[] | undefined;
  /** `client_id`: the OAuth client the token was issued to (RFC 9068 §2.2). */
  readonly clientId?: string | undefined;
}

/**
 * The credentials of a JWT-authenticated request: the granted scopes (what guards
 * check) and the verified {@link Token} (Litestar's `request.auth`).
 *
 * @example
 * ```ts
 * app.get('/me', (c) => {
 *   const token = tokenOf(c.var.auth);
 *   return c.json({ sub: token?.sub, expires: token?.exp });
 * });
 * ```
 */
export class JwtCredentials extends AuthCredentials {
  /** The verified token (its claims). */
  readonly token: Token;

  /**
   * `authTime`, `acr` and `amr` come from the token's `auth_time` (seconds, × 1000),
   * `acr` and `amr` claims unless `options` gives them.
   */
  constructor(scopes: Iterable<string>, token: Token, options?: AuthCredentialsOptions<string>) {
    // Built per request: without step-up claims (most tokens) `options` is used as it is, not copied.
    super(
      scopes,
      token.authTime === undefined && token.acr === undefined && token.amr === undefined
        ? options
        : {
            ...(token.authTime === undefined ? {} : { authTime: token.authTime * 1000 }),
            ...(token.acr === undefined ? {} : { acr: token.acr }),
            ...(token.amr === undefined ? {} : { amr: token.amr }),
            ...options,
          },
    );
    this.token = token;
  }
}

/**
 * The verified token of a request's credentials, or `undefined` when the request
 * was not authenticated by a JWT backend.
 *
 * @example
 * ```ts
 * const token = tokenOf(req.auth);
 * if (token) await jwt.revoke(token);
 * ```
 */
export function tokenOf(auth: AuthCredentials | null | undefined): Token | undefined {
  return auth instanceof JwtCredentials ? auth.token : undefined;
}

/** Registered claim names: never copied into `extras`, never accepted in `login({ claims })`. */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set(['sub', 'exp', 'iat', 'nbf', 'iss', 'aud', 'jti', 'scope']);
/** Names that collide with `Object.prototype` machinery (JWT-32). */
export const UNSAFE_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const SCOPE_TOKEN = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;
const MAX_SUB = 1024;
const MAX_JTI = 256;
const MAX_SCOPES = 256;

/** What {@link tokenFromClaims} needs to know. */
export interface ClaimsPolicy {
  /** Extra claim names copied into `extras`. */
  readonly extras: readonly string[];
  /** A `jti` is required (a revocation store is configured). */
  readonly requireJti: boolean;
}

function invalid(): JwtError {
  return new JwtError('claim_invalid');
}

/** The latest NumericDate accepted: 9999-12-31T23:59:59Z, in seconds since the epoch. */
export const MAX_NUMERIC_DATE = 253_402_300_799;

/**
 * A NumericDate as this library accepts it: a whole number of seconds from 0 to
 * {@link MAX_NUMERIC_DATE}. Fractions, negatives, `1e308`, `Infinity` (`1e400` in
 * JSON) and non-numbers are refused, so no date arithmetic ever sees them.
 */
function isNumericDate(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_NUMERIC_DATE;
}

/** The registered date claims checked everywhere (`auth_time` is checked where it is read, in {@link tokenFromClaims}). */
const DATE_CLAIMS = ['exp', 'nbf', 'iat'] as const;

/**
 * True when every date claim the payload has (`exp`, `nbf`, `iat`) is a NumericDate.
 * Used on jose's refusals too, so a malformed date is `claim_invalid` whichever
 * check jose tripped first (a negative `exp` is not "expired").
 */
export function hasValidDates(payload: Readonly<Record<string, unknown>>): boolean {
  return DATE_CLAIMS.every((name) => !Object.hasOwn(payload, name) || isNumericDate(payload[name]));
}

/**
 * Builds the {@link Token} from a payload jose has verified. Claims are read by
 * name from the payload's own properties and copied by allowlist, so `__proto__`
 * or `constructor` keys in a payload never reach the app's objects (JWT-32).
 */
export function tokenFromClaims(payload: Readonly<Record<string, unknown>>, policy: ClaimsPolicy): Token {
  const sub = own(payload, 'sub');
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUB) throw invalid();
  const exp = own(payload, 'exp');
  if (!isNumericDate(exp)) throw invalid();
  const iat = own(payload, 'iat');
  if (iat !== undefined && !isNumericDate(iat)) throw invalid();
  const nbf = own(payload, 'nbf');
  if (nbf !== undefined && !isNumericDate(nbf)) throw invalid();
  const iss = own(payload, 'iss');
  if (typeof iss !== 'string') throw invalid();
  const aud = own(payload, 'aud');
  let audience: string | readonly string[] | undefined;
  if (aud === undefined || typeof aud === 'string') audience = aud;
  else if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) audience = Object.freeze([...(aud as string[])]);
  else throw invalid();
  const jti = own(payload, 'jti');
  if (jti !== undefined && (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI)) throw invalid();
  if (policy.requireJti && jti === undefined) throw invalid();
  const scope = own(payload, 'scope');
  let scopes: readonly string[] = NO_SCOPES;
  if (scope !== undefined) {
    if (typeof scope !== 'string') throw invalid();
    const list = scope.split(' ').filter((s) => s !== '');
    if (list.length > MAX_SCOPES || list.some((s) => !SCOPE_TOKEN.test(s))) throw invalid();
    scopes = Object.freeze([...new Set(list)]);
  }
  const extras: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const name of policy.extras) {
    if (Object.hasOwn(payload, name)) extras[name] = deepFreezeCopy(payload[name], 0);
  }
  // Built in one literal, the optional claims added only when present (the keys, their
  // order and the frozen result as before), without a closure or intermediate objects.
  const token: { -readonly [K in keyof Token]: Token[K] } = {
    sub,
    exp,
    iat: iat as number | undefined,
    nbf: nbf as number | undefined,
    iss,
    aud: audience,
    jti: jti as string | undefined,
    scopes,
    extras: Object.freeze(extras),
  };
  addAuthenticationClaims(payload, token);
  return Object.freeze(token);
}

/** A claim, read only from the payload's own properties (JWT-32). */
function own(payload: Readonly<Record<string, unknown>>, name: string): unknown {
  return Object.hasOwn(payload, name) ? payload[name] : undefined;
}

/** The `scopes` of a token without a `scope` claim (frozen, shared). */
const NO_SCOPES: readonly string[] = Object.freeze([]);

const MAX_AMR = 16;
const MAX_CLAIM_STRING = 256;
const isShortString = (value: unknown): value is string => typeof value === 'string' && value !== '' && value.length <= MAX_CLAIM_STRING;

/**
 * `auth_time`, `acr`, `amr` (OpenID Connect Core §2, RFC 9470) and `client_id` (RFC
 * 9068), type-checked: a NumericDate, a string, an array of at most 16 strings, a
 * string, each added to `token` when present, in that order. A claim of the wrong
 * type refuses the token (`claim_invalid`).
 */
function addAuthenticationClaims(payload: Readonly<Record<string, unknown>>, token: { -readonly [K in keyof Token]: Token[K] }): void {
  const authTime = own(payload, 'auth_time');
  if (authTime !== undefined && !isNumericDate(authTime)) throw invalid();
  const acr = own(payload, 'acr');
  if (acr !== undefined && !isShortString(acr)) throw invalid();
  const amr = own(payload, 'amr');
  if (amr !== undefined && (!Array.isArray(amr) || amr.length > MAX_AMR || !amr.every(isShortString))) throw invalid();
  const clientId = own(payload, 'client_id');
  if (clientId !== undefined && !isShortString(clientId)) throw invalid();
  if (authTime !== undefined) token.authTime = authTime;
  if (acr !== undefined) token.acr = acr;
  if (amr !== undefined) token.amr = Object.freeze([...(amr as string[])]);
  if (clientId !== undefined) token.clientId = clientId;
}

/** A frozen copy of a JSON value; objects get no prototype and lose unsafe keys. */
function deepFreezeCopy(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (depth > 32) throw invalid();
  if (Array.isArray(value)) return Object.freeze(value.map((v) => deepFreezeCopy(v, depth + 1)));
  const out: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (UNSAFE_NAMES.has(key)) continue;
    out[key] = deepFreezeCopy((value as Record<string, unknown>)[key], depth + 1);
  }
  return Object.freeze(out);
}
