import { ConfigurationError, isAuthenticationError, isPortcullisError, type AuthCredentials, type AuthenticationFailure, type BaseUser, type Connection, type LoginAttempt, type Principal, type ResponseDescription } from '@portcullis/core';
import { escapeForLog, fixedResponse, formValues, isUrlencoded, loginFlights, type MaybePromise, type OAuth2ErrorCode } from '@portcullis/core/adapter';
import { createEngine } from './engine.js';
import type { JwtOptions } from './jwt-options.js';
import { headerTransport, loggedOut, schemeName, sharedMethods, tokenResponse, type JwtBackend, type LoginOptions } from './jwt-auth.js';
import type { LoginThrottle } from './throttle.js';
import { JwtError } from './errors.js';
import { createRefreshTokens, PASSWORD_AMR, type RefreshTokenOptions } from './refresh-tokens.js';
import { revocationEndpoint } from './revocation-endpoint.js';
import type { Token } from './token.js';

/** Checks a username and password; returns the user or `null`. `passwordBackend(...).verifyCredentials` fits. */
export type VerifyCredentials<U extends BaseUser> = (
  username: string,
  password: string,
  connection: Connection,
) => MaybePromise<U | null | undefined>;

/** Options of {@link oauth2PasswordBearer}. */
export interface OAuth2PasswordBearerOptions<U extends BaseUser, N extends string = 'jwt'> extends JwtOptions<U> {
  /** The backend's name (`auth.via`; unique in `multi`/`all`). Default `'jwt'`. */
  name?: N;
  /** The token endpoint's path, for OpenAPI (`flows.password.tokenUrl`), e.g. `/token`. */
  tokenUrl: string;
  /**
   * Checks the `username` and `password` of a token request. Unknown users must cost
   * what a wrong password costs (core's `passwordBackend` runs a dummy hash).
   */
  verifyCredentials: VerifyCredentials<U>;
  /**
   * The scopes a user is entitled to (OAU-08). A token gets the requested scopes the
   * user is entitled to; with no `scope` parameter, or none of the requested ones
   * allowed, it gets all of them (RFC 6749 §3.3). Default: none.
   */
  grantableScopes?: (user: U) => Iterable<string>;
  /** The token's `sub` for a user. Default `user.identity`. */
  subjectOf?: (user: U) => string;
  /**
   * Brute-force protection: 429 `too_many_requests` with `Retry-After` (OAU-07); core's
   * `loginThrottle({ store })` fits. Not needed when `verifyCredentials` is a
   * `passwordBackend({ throttle })`'s: its refusals get the same 429. Each request is
   * counted up front; the count is given back on success, and when `verifyCredentials`
   * rejects with an error the library makes before any password check (`backend_busy`,
   * `hasher_busy`: the hashing queue was full; `too_many_requests`). Any other rejection,
   * `backend_unavailable` included (an app may wrap an audit insert failing after the
   * hash in it), keeps the count: it may have been a guess.
   */
  throttle?: LoginThrottle;
  /**
   * Runs concurrent token requests with the same username, password and client address
   * once: the first is counted and checked with ITS connection, the others share its
   * outcome (each gets its own token). Turn it on only when `verifyCredentials` does not
   * depend on the connection (no tenant by Host, no header): otherwise one request would
   * get the user found for another. Default `false`: each request is its own attempt.
   * A `passwordBackend({ coalesce: true })`'s `verifyCredentials` coalesces by itself;
   * this option matters for the endpoint's own `throttle` count.
   */
  coalesce?: boolean;
  /**
   * Receives the endpoint's security events: an `authentication_failed` event with
   * `code: 'too_many_requests'` and `reason: 'login_throttled'` when `throttle` refuses
   * a request, `backend_unavailable`/`throttle_unavailable` when its store failed.
   * Give it the function of `authentication({ log })`. Never a password.
   */
  log?: (event: AuthenticationFailure) => void;
  /** Descriptions of the scopes, for OpenAPI (`flows.password.scopes`). */
  scopeDescriptions?: Readonly<Record<string, string>>;
  /** The name of the OpenAPI security scheme. Default `OAuth2PasswordBearer`. */
  schemeName?: string;
  /**
   * Rotating refresh tokens (RFC 6749 §6, RFC 9700 §4.14): the password grant also
   * returns a `refresh_token`, and `grant_type=refresh_token` trades it for a new
   * access token and a new refresh token. A rotated token that comes back revokes its
   * whole family. Off by default.
   */
  refreshTokens?: RefreshTokenOptions;
}

/** The raw body of a request, as the adapter read it. */
export interface RequestBody {
  /** The request's `Content-Type` (only `application/x-www-form-urlencoded` is accepted). */
  readonly contentType: string | undefined;
  /** The raw request body. */
  readonly text: string;
}

/** The framework-neutral token endpoint (RFC 6749 §4.3, §5). */
export interface TokenEndpoint {
  /**
   * Answers one token request: `POST`, `application/x-www-form-urlencoded`,
   * `grant_type=password&username=…&password=…[&scope=…]`. Never throws.
   *
   * @example
   * ```ts
   * // Express (with express.text({ type: () => true, limit: '16kb' }) on the route)
   * app.all('/token', async (req, res, next) =>
   *   sendDescription(req, res, next, await oauth2.tokenEndpoint.handle(toConnection(req, Date.now), { contentType: req.get('content-type'), text: req.body })),
   * );
   * ```
   */
  handle(connection: Connection, body: RequestBody): Promise<ResponseDescription>;
}

/** The backend {@link oauth2PasswordBearer} returns. */
export interface OAuth2PasswordBearer<U extends BaseUser, N extends string = 'jwt'> extends JwtBackend<U, N> {
  /** The token endpoint: mount its `handle` on the token URL. */
  readonly tokenEndpoint: TokenEndpoint;
  /**
   * The token revocation endpoint (RFC 7009): `POST`, form-encoded `token=…`
   * (`token_type_hint` is read and not needed). A refresh token revokes its whole
   * family; an access token is denylisted when a revocation store is configured
   * (`unsupported_token_type` otherwise). Answers 200 for unknown and invalid tokens
   * too (RFC 7009 §2.2). With the refresh cookie, a request without `token` revokes
   * the cookie's family and deletes the cookie. Mount its `handle` on a path of your choice.
   */
  readonly revocationEndpoint: TokenEndpoint;
  /**
   * Logout (RT-12): revokes the refresh token's whole family when `refreshToken` is
   * given, and the request's access token when a revocation store is configured;
   * answers 204 (deleting the refresh cookie). Without `refreshToken` it needs a revocation store.
   *
   * @example
   * ```ts
   * app.post('/logout', async (c) =>
   *   toResponse(c, await oauth2.logout(c.var.auth, { refreshToken: (await c.req.parseBody()).refresh_token as string })),
   * );
   * ```
   */
  logout(credentials: AuthCredentials | Token, options?: { refreshToken?: string }): Promise<ResponseDescription>;
  /**
   * Revokes the whole family of a refresh token (RT-12); an unknown token is not an
   * error. Needs `refreshTokens`.
   *
   * @example
   * ```ts
   * await oauth2.revokeRefreshToken(body.refresh_token);
   * ```
   */
  revokeRefreshToken(refreshToken: string): Promise<void>;
  /**
   * "Log out everywhere" (JWT-30): refuses every access token of `subject` issued
   * before `at` (default now; needs a revocation store) and, with `refreshTokens`,
   * kills every refresh-token family of `subject` created before `at` (the refresh
   * store keeps the cut-off for `absoluteTtl`). Call it on a password change.
   *
   * @example
   * ```ts
   * await users.setPassword(user.id, hash);
   * await oauth2.revokeSubject(user.id);
   * ```
   */
  revokeSubject(subject: string, at?: number): Promise<void>;
}

const MAX_BODY = 8 * 1024;
const MAX_FIELD_BYTES = 1024;
const SCOPE_TOKEN = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;
const encoder = new TextEncoder();

/** The outcome of one login at the token endpoint, shared by concurrent identical requests. */
type Checked<U> =
  | { readonly kind: 'checked'; readonly user: U | null }
  | { readonly kind: 'throttled'; readonly retryAfter: number }
  | { readonly kind: 'throttle_malformed' }
  | { readonly kind: 'throttle_threw'; readonly error: unknown };

const error = (code: OAuth2ErrorCode): ResponseDescription => fixedResponse({ kind: 'oauth2_error', error: code });

/** The codes of a `verifyCredentials` rejection that comes before any password check: its throttle count is given back. */
const PRECEDES_CHECK = ['backend_busy', 'hasher_busy', 'too_many_requests'] as const;

/**
 * Litestar's `OAuth2PasswordBearerAuth`: Bearer JWTs, plus a token endpoint for the
 * OAuth2 **resource owner password credentials** grant and an OAuth2 password-flow
 * security scheme for OpenAPI.
 *
 * **Legacy grant.** RFC 9700 §2.4 says the password grant "MUST NOT be used", and
 * ASVS 5.0 10.4.4 bans it: the client sees the user's password. It is here, opt-in,
 * for first-party clients and migrations only; prefer the authorization code flow.
 *
 * The endpoint answers `{ access_token, token_type: "Bearer", expires_in, scope }`
 * with `Cache-Control: no-store` and `Pragma: no-cache`; `invalid_request` (400)
 * for a missing or repeated parameter or a non-form body, `unsupported_grant_type`,
 * `invalid_scope`, `invalid_grant` (one byte-identical answer for an unknown user
 * and a wrong password), 405 for other methods, 429 when throttled, 503
 * `temporarily_unavailable` with `Retry-After` when the password hasher's queue is full
 * (`verifyCredentials` rejected with `backend_busy` or `hasher_busy`).
 *
 * @example
 * ```ts
 * const passwords = passwordBackend({ findUser, passwordHashOf: (u) => u.hash, hasher });
 * const oauth2 = oauth2PasswordBearer<User>({
 *   algorithms: ['HS256'], secret, issuer: 'https://api.example', audience: 'https://api.example',
 *   tokenUrl: '/token',
 *   verifyCredentials: passwords.verifyCredentials,
 *   grantableScopes: (user) => user.roles,
 *   retrieveUser: (token) => users.byName(token.sub),
 *   throttle: loginThrottle({ store: new MemoryThrottleStore() }),
 * });
 * app.use(authentication({ backend: oauth2, mode: 'required', exclude: ['/token', '/schema'] }));
 * app.post('/token', async (c) =>
 *   toResponse(c, await oauth2.tokenEndpoint.handle(toConnection(c, Date.now), { contentType: c.req.header('content-type'), text: await c.req.text() })),
 * );
 * ```
 */
export function oauth2PasswordBearer<U extends BaseUser, const N extends string = 'jwt'>(
  options: OAuth2PasswordBearerOptions<U, N>,
): OAuth2PasswordBearer<U, NoInfer<N>> {
  const who = 'oauth2PasswordBearer';
  const engine = createEngine<U, N>(options, who);
  const tokenUrl = options.tokenUrl;
  if (typeof tokenUrl !== 'string' || !/^\/[\u0021-\u007e]*$/.test(tokenUrl)) throw new ConfigurationError(`${who}: tokenUrl must be a path such as "/token"`);
  if (!engine.canSign) throw new ConfigurationError(`${who}: the token endpoint needs a signing key (an HS secret or a privateKey)`);
  const verifyCredentials = options.verifyCredentials;
  if (typeof verifyCredentials !== 'function') throw new ConfigurationError(`${who}: verifyCredentials(username, password) must be a function`);
  const grantable = options.grantableScopes ?? (() => []);
  if (typeof grantable !== 'function') throw new ConfigurationError(`${who}: grantableScopes must be a function of the user`);
  const subjectOf = options.subjectOf ?? ((user: U) => user.identity);
  if (typeof subjectOf !== 'function') throw new ConfigurationError(`${who}: subjectOf must be a function of the user`);
  const throttle = options.throttle;
  if (throttle !== undefined && typeof throttle?.attempt !== 'function') {
    throw new ConfigurationError(
      `${who}: throttle must implement attempt(username, connection) (core's loginThrottle does); a throttle with only retryAfter() and failed() lets parallel guesses through`,
    );
  }
  const entitled = (user: U) => [...new Set(grantable(user))].filter((s) => typeof s === 'string' && SCOPE_TOKEN.test(s));
  const refresh = createRefreshTokens(options.refreshTokens, { engine, entitled }, tokenUrl, who);
  const log = options.log;
  if (log !== undefined && typeof log !== 'function') throw new ConfigurationError(`${who}: log must be a function`);
  const report = (connection: Connection, username: string, code: 'too_many_requests' | 'backend_unavailable', reason: 'login_throttled' | 'throttle_unavailable'): void => {
    try {
      const logged: unknown = log?.({ event: 'authentication_failed', code, method: escapeForLog(connection.method), path: escapeForLog(connection.path), subject: escapeForLog(username), reason });
      if (logged instanceof Promise) logged.catch(() => {});
    } catch {
      // A failing logger changes nothing.
    }
  };
  // Opt-in only: the flight runs verifyCredentials with the first request's connection.
  const coalesce = options.coalesce ?? false;
  if (typeof coalesce !== 'boolean') throw new ConfigurationError(`${who}: coalesce must be true or false (true only when verifyCredentials ignores the connection)`);
  const flights = coalesce ? loginFlights() : undefined;
  const descriptions: Record<string, string> = {};
  for (const [scope, text] of Object.entries(options.scopeDescriptions ?? {})) {
    if (!SCOPE_TOKEN.test(scope) || typeof text !== 'string') throw new ConfigurationError(`${who}: scopeDescriptions maps scope tokens to strings`);
    descriptions[scope] = text;
  }

  async function handle(connection: Connection, body: RequestBody): Promise<ResponseDescription> {
    const one = formOf(connection, body);
    if (typeof one !== 'function') return one;
    const grantType = one('grant_type');
    const username = one('username');
    const password = one('password');
    const scope = one('scope');
    if (grantType === undefined || username === undefined || password === undefined || scope === undefined) return error('invalid_request');
    if (grantType === null || grantType === '') return error('invalid_request');
    let requested: string[] | undefined;
    if (scope !== null) {
      requested = scope.split(' ').filter((s) => s !== '');
      if (requested.some((s) => !SCOPE_TOKEN.test(s))) return error('invalid_scope');
    }
    if (grantType === 'refresh_token' && refresh !== undefined) return refresh.grant(connection, one, requested?.length === 0 ? undefined : requested);
    if (grantType !== 'password') return error('unsupported_grant_type');
    if (username === null || username === '' || password === null || password === '') return error('invalid_request');

    try {
      // With `coalesce`, concurrent identical requests (same username, password, client
      // address) are one guess: one throttle count, one check, the same outcome. Over-long
      // fields skip it.
      const short = encoder.encode(username).length <= MAX_FIELD_BYTES && encoder.encode(password).length <= MAX_FIELD_BYTES;
      const checked = await (flights === undefined || !short
        ? check(username, password, connection, short)
        : flights.run(username, password, connection, () => check(username, password, connection, short)));
      if (checked.kind === 'throttle_threw') {
        report(connection, username, 'backend_unavailable', 'throttle_unavailable');
        throw checked.error;
      }
      if (checked.kind === 'throttle_malformed') {
        report(connection, username, 'backend_unavailable', 'throttle_unavailable');
        return error('temporarily_unavailable');
      }
      if (checked.kind === 'throttled') {
        report(connection, username, 'too_many_requests', 'login_throttled');
        return fixedResponse({ kind: 'oauth2_error', error: 'too_many_requests', retryAfter: checked.retryAfter });
      }
      const user = checked.user;
      if (user === null) return error('invalid_grant'); // unknown user and wrong password: byte-identical (OAU-02)
      const entitledScopes = entitled(user);
      const wanted = requested === undefined ? [] : entitledScopes.filter((s) => requested.includes(s));
      const scopes = wanted.length > 0 ? wanted : entitledScopes;
      const subject = subjectOf(user);
      // The user just typed a password: step-up guards (`maxAge`, `amr`) see when and how.
      const issued = await engine.issue(subject, { scopes, authTime: Math.floor(engine.now() / 1000), amr: PASSWORD_AMR });
      const started = refresh === undefined ? undefined : await refresh.start(subject, issued.claims.scopes);
      const setCookie = [...(issued.fingerprintCookie === undefined ? [] : [issued.fingerprintCookie]), ...(started?.headers['set-cookie'] ?? [])];
      const headers: Record<string, string | string[]> = setCookie.length === 0 ? {} : { 'set-cookie': setCookie.length === 1 ? (setCookie[0] as string) : setCookie };
      return fixedResponse({ kind: 'token', body: { ...tokenResponse(issued, true), ...started?.body }, headers });
    } catch (thrown) {
      // The password hasher's queue is full (THR-16): nothing was hashed, try again shortly.
      if (isPortcullisError(thrown, 'backend_busy') || isPortcullisError(thrown, 'hasher_busy')) return fixedResponse({ kind: 'oauth2_busy' });
      // verifyCredentials of a passwordBackend({ throttle }) refused (it logged the event).
      if (isAuthenticationError(thrown) && thrown.code === 'too_many_requests') {
        return fixedResponse({ kind: 'oauth2_error', error: 'too_many_requests', retryAfter: thrown.retryAfter });
      }
      // The user store or the throttle failed: no token, nothing reflected.
      return error('temporarily_unavailable');
    }
  }

  /**
   * The throttle attempt and the password check of one login; over-long fields
   * (`short` false) are refused before any lookup or hashing (DOS-01/02), with the
   * invalid_grant bytes. A rejection of `verifyCredentials` propagates.
   */
  async function check(username: string, password: string, connection: Connection, short: boolean): Promise<Checked<U>> {
    // One atomic step admits and counts the attempt before any lookup or hashing.
    let attempt: LoginAttempt | undefined;
    if (throttle !== undefined) {
      try {
        attempt = await throttle.attempt(username, connection);
      } catch (error) {
        return { kind: 'throttle_threw', error };
      }
      const wait = attempt?.retryAfter;
      if (typeof wait !== 'number' || !(wait >= 0)) return { kind: 'throttle_malformed' };
      if (wait > 0) return { kind: 'throttled', retryAfter: wait };
    }
    let user: U | null | undefined = null;
    if (short) {
      try {
        user = await verifyCredentials(username, password, connection);
      } catch (error) {
        // A refusal known to come before the password check (the hashing queue full, the
        // user store or a throttle down, a throttle's own 429) says nothing of the password:
        // it was no guess, so the throttle gets its count back. Any other throw may come
        // after the hash (an audit row that fails to insert): the count stays.
        if (PRECEDES_CHECK.some((code) => isPortcullisError(error, code))) await attempt?.abandoned?.();
        throw error;
      }
    }
    if (user === null || user === undefined) {
      await attempt?.failed();
      return { kind: 'checked', user: null };
    }
    await attempt?.succeeded();
    return { kind: 'checked', user };
  }

  /** The common checks of both endpoints: the method, the body, the cookie transport's cross-site rule; a field reader or the answer. */
  function formOf(connection: Connection, body: RequestBody): ((name: string) => string | null | undefined) | ResponseDescription {
    // Credentials in the URL (GET /token?password=…) are never read (OAU-04).
    if (connection.method !== 'POST') return fixedResponse({ kind: 'oauth2_method_not_allowed' });
    const crossSite = refresh?.crossSiteRefusal(connection);
    if (crossSite !== undefined && crossSite !== null) return crossSite;
    if (!isUrlencoded(body?.contentType)) return error('invalid_request'); // JSON, multipart, none (OAU-05)
    const text = body.text;
    if (typeof text !== 'string' || text.length > MAX_BODY) return error('invalid_request');
    return (name: string): string | null | undefined => {
      const all = formValues(text, name);
      if (all.length > 1) return undefined; // repeated: RFC 6749 §3.1
      return all.length === 0 ? null : (all[0] as string);
    };
  }

  const shared = sharedMethods(engine, refresh?.clearCookie);
  const revocation = revocationEndpoint(engine, refresh, formOf);

  return Object.freeze({
    ...headerTransport<U, N>(engine),
    ...shared,
    async logout(credentials: AuthCredentials | Token, logoutOptions?: { refreshToken?: string }): Promise<ResponseDescription> {
      const refreshToken = logoutOptions?.refreshToken;
      if (refreshToken === undefined) return shared.logout(credentials);
      if (refresh === undefined) throw new JwtError('invalid_issue_options');
      await refresh.revoke(refreshToken);
      return engine.revocable ? shared.logout(credentials) : loggedOut(engine, refresh.clearCookie);
    },
    async revokeSubject(subject: string, at?: number): Promise<void> {
      if (refresh === undefined) return shared.revokeSubject(subject, at);
      if (typeof subject !== 'string' || subject === '') throw new JwtError('invalid_issue_options');
      const notBefore = at ?? engine.now();
      if (typeof notBefore !== 'number' || !Number.isFinite(notBefore)) throw new JwtError('invalid_issue_options');
      // The families first: they outlive any access token, and a missing revocation store throws after.
      await refresh.revokeSubject(subject, notBefore);
      await shared.revokeSubject(subject, notBefore);
    },
    async revokeRefreshToken(refreshToken: string): Promise<void> {
      if (refresh === undefined) throw new JwtError('invalid_issue_options');
      await refresh.revoke(refreshToken);
    },
    tokenEndpoint: Object.freeze({ handle }),
    revocationEndpoint: revocation,
    securityScheme: Object.freeze({
      name: schemeName(options.schemeName, 'OAuth2PasswordBearer', who),
      scheme: Object.freeze({
        type: 'oauth2',
        flows: Object.freeze({ password: Object.freeze({ tokenUrl, scopes: Object.freeze(descriptions) }) }),
        description: 'OAuth2 password grant (legacy, RFC 9700 §2.4); JWT access tokens in the Authorization: Bearer header',
      } as const),
    }),
    ready: engine.ready,
  });
}
