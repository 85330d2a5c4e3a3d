import { AuthenticationError, ConfigurationError, type AuthenticationFailure, type BaseUser, type Connection, type ResponseDescription } from '@portcullis/core';
import { fixedResponse, logFailure, type OAuth2ErrorCode } from '@portcullis/core/adapter';
import { crossSiteCheck, type CrossSiteCheck, type CsrfOptions } from './cross-site.js';
import type { Engine } from './engine.js';
import { base64url, sha256Base64url } from './fingerprint.js';
import { tokenResponse } from './jwt-auth.js';
import { checkRefreshTokenStore, type RefreshFamily, type RefreshTokenStore } from './refresh-store.js';

/** The refresh-token cookie of browser apps: `HttpOnly; Secure; SameSite=Strict`, scoped to the token endpoint's path. */
export interface RefreshCookieOptions {
  /** The cookie name. Default `__Secure-refresh_token` (`refresh_token` when `secure` is false). */
  name?: string;
  /** Send the cookie over HTTPS only. Default `true`; `false` only for plain-HTTP development and tests. */
  secure?: boolean;
  /**
   * The cookie's `Path`. Default: the token URL, so the cookie goes nowhere else. Use a
   * prefix of it (`/auth` for `/auth/token`) to reach the revocation endpoint too.
   */
  path?: string;
  /** The cross-site check every token and revocation request must pass (the cookie transport's CSRF rules). */
  csrf?: CsrfOptions;
}

/** The `refreshTokens` option of `oauth2PasswordBearer`: rotating refresh tokens (RFC 6749 §6, RFC 9700 §4.14). */
export interface RefreshTokenOptions {
  /** Where the families live: `MemoryRefreshTokenStore` (one process) or `RedisRefreshTokenStore` (`@portcullis/redis`). */
  store: RefreshTokenStore;
  /** Seconds a refresh token may go unused before its family expires (60 .. `absoluteTtl`). Each rotation restarts it. */
  idleTtl: number;
  /** Seconds a family lives from its login, whatever the rotations (60 .. 31 536 000, one year). */
  absoluteTtl: number;
  /** Carry the refresh token in a cookie instead of the JSON body (browser apps). Default: the body. */
  cookie?: RefreshCookieOptions;
  /**
   * The failure log (the function given to `authentication({ log })`): a replayed
   * rotated token is reported as an `authentication_failed` event with `reason:
   * 'refresh_token_reused'` and the family's subject, a token refused by the subject's
   * `revokeSubject` cut-off with `reason: 'refresh_token_subject_revoked'`. Never the token.
   */
  log?: (event: AuthenticationFailure) => void;
}

/** What the refresh grant needs from its backend. @internal */
export interface RefreshContext<U extends BaseUser> {
  readonly engine: Engine<U>;
  /** The scopes `user` is entitled to now (the backend's `grantableScopes`, checked). */
  readonly entitled: (user: U) => string[];
}

/** A form field: the value, `null` when absent, `undefined` when repeated. @internal */
export type FieldReader = (name: string) => string | null | undefined;

/** A token a request sent (in a form field or the cookie), or the answer that refuses the request. @internal */
export type SentToken = { readonly token: string; readonly fromCookie: boolean } | { readonly answer: ResponseDescription };

/** The refresh-token machinery of one backend, built once from its options. @internal */
export interface RefreshTokens {
  /** Starts a family at a password grant: the token-response fields and headers to add. */
  start(subject: string, scopes: readonly string[]): Promise<{ body: Record<string, unknown>; headers: Record<string, string[]> }>;
  /** Answers `grant_type=refresh_token` (never throws). `requested`: the checked `scope` parameter. */
  grant(connection: Connection, field: FieldReader, requested: readonly string[] | undefined): Promise<ResponseDescription>;
  /** Revokes the family of a raw refresh token when the store holds that token (current or rotated); false otherwise. */
  revoke(token: string): Promise<boolean>;
  /** "Log out everywhere": every family of `subject` created before `notBefore` (ms) dies. */
  revokeSubject(subject: string, notBefore: number): Promise<void>;
  /** The raw token a request sends: the `name` field, else the cookie. `invalid_request` / a 403 as answers. */
  read(connection: Connection, field: FieldReader, name: string): SentToken | null;
  /** True when `token` has the shape of a refresh token (checks nothing else). */
  isRefreshToken(token: string): boolean;
  /** The cross-site refusal of a cookie-transport endpoint, or `null`. */
  crossSiteRefusal(connection: Connection): ResponseDescription | null;
  /** With the cookie transport: the `Set-Cookie` value that deletes the cookie. */
  readonly clearCookie: string | undefined;
}

/** `<family id: 16 random bytes>.<secret: 32 random bytes>`, base64url. */
const TOKEN = /^([A-Za-z0-9_-]{22})\.[A-Za-z0-9_-]{43}$/;
/** A longer parameter is refused as `invalid_request` before any lookup (RT-13). */
const MAX_TOKEN_LENGTH = 1024;
/** The `amr` of tokens from the password grant and of their refreshes (RFC 8176: a password). */
export const PASSWORD_AMR: readonly string[] = Object.freeze(['pwd']);
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
const COOKIE_PATH = /^\/[\u0021-\u003a\u003c-\u007e]{0,255}$/;
const MAX_TTL = 31_536_000;

const error = (code: OAuth2ErrorCode, headers?: Record<string, string>): ResponseDescription =>
  headers === undefined ? fixedResponse({ kind: 'oauth2_error', error: code }) : withHeaders(fixedResponse({ kind: 'oauth2_error', error: code }), headers);

function withHeaders(answer: ResponseDescription, headers: Record<string, string>): ResponseDescription {
  return Object.freeze({ ...answer, headers: Object.freeze({ ...answer.headers, ...headers }) });
}

const random = (bytes: number): string => base64url(crypto.getRandomValues(new Uint8Array(bytes)));

/**
 * Checks the `refreshTokens` option (every `ConfigurationError` is thrown here) and
 * returns the machinery: opaque tokens of 256 random bits (plus a 128-bit family id
 * that keeps a family's store keys together), stored only as SHA-256, rotated on
 * every use; a rotated token that comes back revokes its whole family (RFC 9700
 * §4.14.2). @internal
 */
export function createRefreshTokens<U extends BaseUser>(
  options: RefreshTokenOptions | undefined,
  context: RefreshContext<U>,
  tokenUrl: string,
  who: string,
): RefreshTokens | undefined {
  if (options === undefined) return undefined;
  const fail = (detail: string): never => {
    throw new ConfigurationError(`${who}: refreshTokens.${detail}`);
  };
  if (options === null || typeof options !== 'object') fail('must be an object { store, idleTtl, absoluteTtl }');
  const store = checkRefreshTokenStore(options.store, who);
  const { idleTtl, absoluteTtl } = options;
  if (!Number.isInteger(absoluteTtl) || absoluteTtl < 60 || absoluteTtl > MAX_TTL) fail('absoluteTtl must be a whole number of seconds from 60 to 31536000');
  if (!Number.isInteger(idleTtl) || idleTtl < 60 || idleTtl > absoluteTtl) fail('idleTtl must be a whole number of seconds from 60 to absoluteTtl');
  const log = options.log;
  if (log !== undefined && typeof log !== 'function') fail('log must be a function (the failure log of authentication({ log }))');
  const cookie = parseCookie(options.cookie, tokenUrl, fail, who);
  const { engine, entitled } = context;
  const idleMs = idleTtl * 1000;

  /** A fresh token: its family id, the raw value (sent once) and its hash (stored). */
  const mint = (familyId: string) => {
    const token = `${familyId}.${random(32)}`;
    return { token, hash: sha256Base64url(token) };
  };

  /** The token as the client gets it: a body field, or the cookie living until the family's absolute expiry. */
  function deliver(token: string, family: RefreshFamily, now: number) {
    if (cookie === undefined) return { body: { refresh_token: token }, headers: {} as Record<string, string[]> };
    const maxAge = Math.max(1, Math.ceil((family.expiresAt - now) / 1000));
    return { body: {}, headers: { 'set-cookie': [`${cookie.name}=${token}; Max-Age=${maxAge}; ${cookie.attributes}`] } };
  }

  async function start(subject: string, scopes: readonly string[]) {
    const now = engine.now();
    const family: RefreshFamily = { id: random(16), subject, scopes: [...scopes], createdAt: now, expiresAt: now + absoluteTtl * 1000 };
    const { token, hash } = mint(family.id);
    await store.create(family, hash, Math.min(now + idleMs, family.expiresAt));
    return deliver(token, family, now);
  }

  function read(connection: Connection, field: FieldReader, name: string): SentToken | null {
    const param = field(name);
    if (param === undefined) return { answer: error('invalid_request') }; // repeated: RFC 6749 §3.1
    const raw = cookie === undefined ? undefined : connection.cookies.get(cookie.name);
    const fromCookie = raw === undefined || raw === '' ? undefined : raw;
    if (param !== null && fromCookie !== undefined) return { answer: error('invalid_request') }; // two transports (as BEA-06)
    if (param !== null) return { token: param, fromCookie: false };
    if (fromCookie === undefined) return null;
    return { token: fromCookie, fromCookie: true };
  }

  async function grant(connection: Connection, field: FieldReader, requested: readonly string[] | undefined): Promise<ResponseDescription> {
    const sent = read(connection, field, 'refresh_token');
    if (sent === null) return error('invalid_request'); // RT-13: missing
    if ('answer' in sent) return sent.answer;
    const { token, fromCookie } = sent;
    // RT-13: empty or oversized → invalid_request, before any lookup.
    if (token === '' || token.length > MAX_TOKEN_LENGTH) return error('invalid_request');
    const refused = (code: OAuth2ErrorCode) => error(code, fromCookie && cookie !== undefined ? { 'set-cookie': cookie.clear } : undefined);
    const shape = TOKEN.exec(token);
    if (shape === null) return refused('invalid_grant'); // not one of ours: no lookup
    const familyId = shape[1] as string;
    try {
      const now = engine.now();
      const family = await store.family(familyId, now);
      if (family === undefined) return refused('invalid_grant');
      // JWT-30: a family from before the subject's "log out everywhere" is dead (a second, one-key command).
      const cutoff = await store.subjectNotBefore(family.subject, now);
      if (cutoff !== undefined && family.createdAt < cutoff) {
        await store.revoke(familyId);
        if (log !== undefined) {
          logFailure(log, new AuthenticationError('invalid_credentials', { subject: family.subject, reason: 'refresh_token_subject_revoked' }), connection);
        }
        return refused('invalid_grant');
      }
      // RFC 6749 §6: a refresh may narrow the scopes, never add one not originally granted.
      if (requested !== undefined && requested.some((s) => !family.scopes.includes(s))) return error('invalid_scope');
      // The user is re-loaded: a deleted or disabled user cannot refresh, and the family dies.
      const user = await engine.userOf(family.subject, family.scopes, connection);
      if (user === null || user === undefined) {
        await store.revoke(familyId);
        return refused('invalid_grant');
      }
      const allowed = entitled(user);
      const scopes = (requested ?? family.scopes).filter((s) => allowed.includes(s));
      const next = mint(familyId);
      const rotated = await store.rotate(familyId, sha256Base64url(token), next.hash, now, idleMs);
      if (rotated.outcome === 'reused') {
        if (log !== undefined) {
          logFailure(log, new AuthenticationError('invalid_credentials', { subject: rotated.family.subject, reason: 'refresh_token_reused' }), connection);
        }
        return refused('invalid_grant');
      }
      if (rotated.outcome !== 'rotated') return refused('invalid_grant');
      // A refresh is no new login: the token carries the family's (the password grant's) time and method.
      const issued = await engine.issue(family.subject, { scopes, authTime: Math.floor(family.createdAt / 1000), amr: PASSWORD_AMR });
      const delivered = deliver(next.token, rotated.family, now);
      const setCookie = [...(issued.fingerprintCookie === undefined ? [] : [issued.fingerprintCookie]), ...(delivered.headers['set-cookie'] ?? [])];
      return fixedResponse({
        kind: 'token',
        body: { ...tokenResponse(issued, true), ...delivered.body },
        headers: setCookie.length === 0 ? {} : { 'set-cookie': setCookie },
      });
    } catch {
      // The store or the user lookup failed: nothing issued, nothing reflected.
      return error('temporarily_unavailable');
    }
  }

  async function revoke(token: string): Promise<boolean> {
    const shape = typeof token === 'string' && token.length <= MAX_TOKEN_LENGTH ? TOKEN.exec(token) : null;
    if (shape === null) return false;
    // RFC 7009 §2.2: a token the family never held revokes nothing (knowing a family id is not enough).
    return store.revokeToken(shape[1] as string, sha256Base64url(token));
  }

  async function revokeSubject(subject: string, notBefore: number): Promise<void> {
    await store.revokeSubject(subject, notBefore, notBefore + absoluteTtl * 1000);
  }

  return Object.freeze({
    start,
    grant,
    revoke,
    revokeSubject,
    read,
    isRefreshToken: (token: string) => TOKEN.test(token),
    crossSiteRefusal: (connection: Connection) => cookie?.check.crossSiteRefusal(connection) ?? null,
    clearCookie: cookie?.clear,
  });
}

interface RefreshCookie {
  readonly name: string;
  readonly attributes: string;
  readonly clear: string;
  readonly check: CrossSiteCheck;
}

function parseCookie(option: RefreshCookieOptions | undefined, tokenUrl: string, fail: (detail: string) => never, who: string): RefreshCookie | undefined {
  if (option === undefined) return undefined;
  if (option === null || typeof option !== 'object') fail('cookie must be an object { name?, secure?, path?, csrf? }');
  const secure = option.secure ?? true;
  if (typeof secure !== 'boolean') fail('cookie.secure must be a boolean');
  const name = option.name ?? (secure ? '__Secure-refresh_token' : 'refresh_token');
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) fail('cookie.name must be a cookie-name token (RFC 6265)');
  if (/^__(Host|Secure)-/i.test(name) && !secure) fail('a `__Host-`/`__Secure-` cookie needs `secure: true`');
  const path = option.path ?? tokenUrl.split('?')[0];
  if (typeof path !== 'string' || !COOKIE_PATH.test(path)) fail('cookie.path must start with "/" and hold no ";", spaces or control characters');
  if (/^__Host-/i.test(name) && path !== '/') fail('a `__Host-` cookie needs path "/"; the refresh cookie is scoped to the token path: use `__Secure-`');
  // RFC 6265 §5.1.4 path-match: else the browser never sends the cookie to the token endpoint.
  const matches = tokenUrl === path || (tokenUrl.startsWith(path) && (path.endsWith('/') || tokenUrl.charAt(path.length) === '/'));
  if (!matches) fail(`cookie.path must be the token URL or a prefix of it, else the browser never sends the cookie there`);
  const attributes = `Path=${path}; HttpOnly${secure ? '; Secure' : ''}; SameSite=Strict`;
  return Object.freeze({ name, attributes, clear: `${name}=; Max-Age=0; ${attributes}`, check: crossSiteCheck(option.csrf, `${who}: refreshTokens.cookie`) });
}
