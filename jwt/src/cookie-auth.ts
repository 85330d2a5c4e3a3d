import {
  ConfigurationError,
  isAuthenticationError,
  type AuthenticationError,
  type BaseUser,
  type Connection,
  type ErrorHook,
  type Principal,
  type ResponseDescription,
} from '@portcullis/core';
import { fixedResponse, hasScheme, responseFor, type MaybePromise } from '@portcullis/core/adapter';
import { createEngine } from './engine.js';
import { crossSiteCheck, type CsrfOptions } from './cross-site.js';
import { JwtError, isJwtError } from './errors.js';
import { loginStatus, schemeName, sharedMethods, tokenResponse, type JwtBackend, type LoginOptions } from './jwt-auth.js';
import type { JwtOptions } from './jwt-options.js';

/** The cookie the token travels in. */
export interface JwtCookieOptions {
  /**
   * The cookie name. Default `__Host-access_token` (`access_token` when `secure` is
   * false). Generic on purpose (LEAK-14); a `__Host-` name needs `secure` and path `/`.
   */
  name?: string;
  /** Send the cookie over HTTPS only. Default `true`; set `false` only for plain-HTTP development and tests. */
  secure?: boolean;
  /** `Lax` (default), `Strict`, or `None` (needs `secure`). */
  sameSite?: 'Lax' | 'Strict' | 'None';
  /** The cookie path. Default `/`. */
  path?: string;
}

/** Options of {@link jwtCookieAuth}. */
export interface JwtCookieAuthOptions<U extends BaseUser, N extends string = 'jwtCookie'> extends JwtOptions<U> {
  /** The backend's name (`auth.via`; unique in `multi`/`all`). Default `'jwtCookie'`. */
  name?: N;
  /** The cookie's name and attributes. */
  cookie?: JwtCookieOptions;
  /** The CSRF check for unsafe requests that carry the cookie. */
  csrf?: CsrfOptions;
  /** The name of the OpenAPI security scheme. Default `CookieToken`. */
  schemeName?: string;
}

/** The backend {@link jwtCookieAuth} returns. */
export interface JwtCookieAuth<U extends BaseUser, N extends string = 'jwtCookie'> extends JwtBackend<U, N> {
  /** The cookie name in use. */
  readonly cookieName: string;
  /**
   * `authentication({ onError })` for this backend: a refused cookie (expired, revoked,
   * tampered) is answered as usual and also deleted, so the browser can sign in again.
   * Other errors keep the default answer (a cross-site request: 403).
   */
  readonly onError: ErrorHook;
  /**
   * The 403 answer for an unsafe request from another site, or `null`. Call it first
   * in routes that set the cookie without being authenticated (login: CSRF-08, OAU-09).
   */
  crossSiteRefusal(connection: Connection): ResponseDescription | null;
  /** The `Set-Cookie` value that deletes the cookie (same name, path and attributes; CK-08). */
  readonly clearCookie: string;
}

const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;
const COOKIE_PATH = /^\/[\u0021-\u003a\u003c-\u007e]{0,255}$/;

/** Errors raised for a token read from the cookie: the hook deletes the cookie when answering them. */
const fromCookie = new WeakSet<AuthenticationError>();

function fail(detail: string): never {
  throw new ConfigurationError(`jwtCookieAuth: ${detail}`);
}

/**
 * JWT in an HttpOnly cookie (Litestar's `JWTCookieAuth`), also accepted in the
 * `Authorization: Bearer` header. The cookie holds the bare JWT (no `Bearer `
 * prefix: JWT-28), is `HttpOnly; Secure; SameSite=Lax` under a `__Host-` name by
 * default, and lives no longer than the token (CK-02). Unsafe requests
 * authenticated by the cookie must come from the app's own origin (`Origin` /
 * `Sec-Fetch-Site`), else 403 (CSRF-01/05/06); a request with a token in both the
 * header and the cookie is 400 `invalid_request` (BEA-06).
 *
 * @example
 * ```ts
 * const jwt = jwtCookieAuth<User>({
 *   algorithms: ['HS256'], secret, issuer: 'https://app.example', audience: 'https://app.example',
 *   retrieveUser: (token) => users.get(token.sub),
 * });
 * app.use(authentication({ backend: jwt, onError: jwt.onError, mode: 'required', exclude: ['/login'] }));
 * app.post('/login', async (c) => {
 *   const refused = jwt.crossSiteRefusal(toConnection(c, Date.now));
 *   if (refused) return toResponse(c, refused);
 *   const user = await checkPassword(c);
 *   return toResponse(c, await jwt.login(user.id, { responseBody: { user: user.name } }));
 * });
 * ```
 */
export function jwtCookieAuth<U extends BaseUser, const N extends string = 'jwtCookie'>(
  options: JwtCookieAuthOptions<U, N>,
): JwtCookieAuth<U, NoInfer<N>> {
  const engine = createEngine<U, N>(options, 'jwtCookieAuth', 'jwtCookie' as N);
  const { scheme } = engine;
  const cookieOptions = options.cookie ?? {};
  if (cookieOptions === null || typeof cookieOptions !== 'object') fail('`cookie` must be an object');
  const secure = cookieOptions.secure ?? true;
  if (typeof secure !== 'boolean') fail('`cookie.secure` must be a boolean');
  const name = cookieOptions.name ?? (secure ? '__Host-access_token' : 'access_token');
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) fail('`cookie.name` must be a cookie-name token (RFC 6265)');
  const path = cookieOptions.path ?? '/';
  if (typeof path !== 'string' || !COOKIE_PATH.test(path)) fail('`cookie.path` must start with "/" and hold no ";", spaces or control characters');
  const sameSite = cookieOptions.sameSite ?? 'Lax';
  if (sameSite !== 'Lax' && sameSite !== 'Strict' && sameSite !== 'None') fail('`cookie.sameSite` must be "Lax", "Strict" or "None"');
  if (sameSite === 'None' && !secure) fail('`cookie.sameSite: "None"` needs `secure: true` (CK-03)');
  if (/^__Host-/i.test(name) && (!secure || path !== '/')) fail('a `__Host-` cookie needs `secure: true` and path "/"');
  if (/^__Secure-/i.test(name) && !secure) fail('a `__Secure-` cookie needs `secure: true`');
  const attributes = `Path=${path}; HttpOnly${secure ? '; Secure' : ''}; SameSite=${sameSite}`;
  const clearCookie = `${name}=; Max-Age=0; ${attributes}`;

  const { needsCheck, sameOrigin, crossSiteRefusal } = crossSiteCheck(options.csrf, 'jwtCookieAuth');

  const onError: ErrorHook = (connection, error) => {
    const cause: unknown = error.cause;
    if (isJwtError(cause) && cause.code === 'cross_site_request') return responseFor({ kind: 'forbidden' }, connection, []);
    if (fromCookie.has(error) && error.code === 'invalid_credentials') {
      const answer = responseFor({ kind: 'error', code: error.code, challenge: error.challenge }, connection, [scheme.challenge]);
      return { ...answer, headers: { ...answer.headers, 'set-cookie': clearCookie } };
    }
    // Anything else: the default answer (a hook that throws falls back to it).
    throw error;
  };

  /** Marks the refusals of a cookie token, so `onError` deletes the cookie; a cache hit stays synchronous. */
  function fromCookieToken(token: string, connection: Connection): MaybePromise<Principal<U, N>> {
    const result = engine.authenticateToken(token, connection); // refusals are rejections, never throws
    if (!(result instanceof Promise)) return result;
    return result.catch((error: unknown) => {
      if (isAuthenticationError(error)) fromCookie.add(error);
      throw error;
    });
  }

  return Object.freeze({
    name: engine.name,
    challenges: Object.freeze([scheme.challenge]),
    // The Bearer header is read too: a token in both is `multiple_transports`.
    reads: Object.freeze(['authorization', `cookie:${name}`]),
    cookieName: name,
    present: (connection: Connection): boolean => hasScheme(connection, 'bearer') || (connection.cookies.get(name) ?? '') !== '',
    clearCookie,
    onError,
    crossSiteRefusal,
    authenticate(connection: Connection): MaybePromise<Principal<U, N>> | null {
      // The header's token without the token68 test (one scan, by the engine): a header
      // token that is not one still gets `read`'s 400 before any other answer.
      const header = scheme.readUnchecked(connection);
      const raw = connection.cookies.get(name);
      const cookie = raw === undefined || raw === '' ? undefined : raw;
      if (header !== null && cookie !== undefined) {
        scheme.requireToken68(header);
        throw engine.reject(new JwtError('multiple_transports'));
      }
      if (header !== null) return engine.authenticateToken(header, connection, true);
      if (cookie === undefined) return null;
      if (needsCheck(connection) && !sameOrigin(connection)) throw engine.reject(new JwtError('cross_site_request'));
      return fromCookieToken(cookie, connection);
    },
    async login(identifier: string, loginOptions: LoginOptions = {}): Promise<ResponseDescription> {
      const status = loginStatus(loginOptions.status);
      const issued = await engine.issue(identifier, loginOptions);
      const body = loginOptions.responseBody === undefined ? tokenResponse(issued, false) : loginOptions.responseBody;
      // Max-Age is the token's lifetime (CK-02): the browser forgets the cookie when the token expires.
      const pair = `${name}=${issued.token}`;
      // Browsers drop cookies over 4096 bytes silently: refuse at write time instead (CK-09).
      if (pair.length > 4096) throw new JwtError('invalid_issue_options');
      const tokenCookie = `${pair}; Max-Age=${issued.expiresIn}; ${attributes}`;
      const setCookie = issued.fingerprintCookie === undefined ? tokenCookie : [tokenCookie, issued.fingerprintCookie];
      return fixedResponse({ kind: 'login', status, body, headers: { 'set-cookie': setCookie } });
    },
    ...sharedMethods(engine, clearCookie),
    securityScheme: Object.freeze({
      name: schemeName(options.schemeName, 'CookieToken', 'jwtCookieAuth'),
      scheme: Object.freeze({ type: 'apiKey', in: 'cookie', name, description: 'JWT in an HttpOnly cookie' } as const),
    }),
    ready: engine.ready,
  });
}
