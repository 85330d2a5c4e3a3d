import type { AuthCredentials, AuthenticationBackend, BaseUser, Connection, Principal, ResponseDescription } from '@portcullis/core';
import { fixedResponse, hasScheme, type MaybePromise } from '@portcullis/core/adapter';
import { ConfigurationError } from '@portcullis/core';
import { createEngine, type Engine } from './engine.js';
import type { IssueOptions, IssuedToken } from './issue-token.js';
import type { JwtOptions } from './jwt-options.js';
import { JwtError } from './errors.js';
import type { SecuritySchemeEntry } from './openapi.js';
import { tokenOf, type Token } from './token.js';

/** What the `Authorization`-header backends read (`reads`). */
const AUTHORIZATION: readonly string[] = Object.freeze(['authorization']);

/** Options of `login()`: what `issue()` takes, plus the response. */
export interface LoginOptions extends IssueOptions {
  /**
   * The JSON body of the answer (Litestar's `response_body`). Default: the OAuth2
   * token response `{ access_token, token_type, expires_in, scope? }` (for the cookie
   * backend, without `access_token`).
   */
  responseBody?: unknown;
  /** The status of the answer (2xx). Default 201, as Litestar's `login()`. */
  status?: number;
}

/** Options of {@link jwtAuth}. */
export interface JwtAuthOptions<U extends BaseUser, N extends string = 'jwt'> extends JwtOptions<U> {
  /** The backend's name (`auth.via`; unique in `multi`/`all`). Default `'jwt'`. */
  name?: N;
  /** The name of the OpenAPI security scheme. Default `BearerToken` (Litestar's). */
  schemeName?: string;
}

/** What every JWT backend offers besides `authenticate`. */
export interface JwtBackend<U extends BaseUser, N extends string = string> extends AuthenticationBackend<U, N> {
  /** The `WWW-Authenticate` challenge of a request without credentials: `Bearer realm="…"`. */
  readonly challenges: readonly string[];
  /** The backend's name (`auth.via`): `'jwt'`, `'jwtCookie'`, or the `name` option. */
  readonly name: N;
  /**
   * Signs a token for `identifier` (its `sub`) and answers with it: `Cache-Control:
   * no-store`, `Pragma: no-cache`. Send the description as the route's response.
   *
   * @example
   * ```ts
   * app.post('/login', async (req, res, next) => {
   *   const user = await passwords.verifyCredentials(req.body.username, req.body.password);
   *   if (!user) return res.status(401).json({ error: 'invalid_grant' });
   *   sendDescription(req, res, next, await jwt.login(user.identity, { responseBody: { name: user.displayName } }));
   * });
   * ```
   */
  login(identifier: string, options?: LoginOptions): Promise<ResponseDescription>;
  /**
   * Signs a token without building a response (for custom flows).
   *
   * @example
   * ```ts
   * const { token, claims, expiresIn } = await jwt.issue('alice', { scopes: ['orders:read'], expiresIn: 300 });
   * ```
   */
  issue(identifier: string, options?: IssueOptions): Promise<IssuedToken>;
  /**
   * Verifies a token string from any transport (a websocket message, a queue);
   * throws core `AuthenticationError`s whose `cause` is a `JwtError`.
   *
   * @example
   * ```ts
   * const token = await jwt.verify(message.token); // Token, or throws
   * ```
   */
  verify(token: string, options?: { now?: number }): Promise<Token>;
  /**
   * Revokes the request's token (from `req.auth` / `c.var.auth`, or a `Token`) and
   * answers 204 (the cookie backend also deletes its cookie). Needs a revocation
   * store. Credentials of another backend revoke nothing.
   *
   * @example
   * ```ts
   * app.post('/logout', async (c) => toResponse(c, await jwt.logout(c.var.auth)));
   * ```
   */
  logout(credentials: AuthCredentials | Token): Promise<ResponseDescription>;
  /**
   * Denylists one token's `(iss, jti)` until it expires. Needs a revocation store.
   *
   * @example
   * ```ts
   * const token = tokenOf(req.auth);
   * if (token) await jwt.revoke(token);
   * ```
   */
  revoke(token: Token): Promise<void>;
  /**
   * Refuses every token of `subject` issued before `at` (default now), for example
   * after a password change (JWT-30). Needs a revocation store.
   *
   * @example
   * ```ts
   * await users.setPassword(user.id, hash);
   * await jwt.revokeSubject(user.id);
   * ```
   */
  revokeSubject(subject: string, at?: number): Promise<void>;
  /** The OpenAPI security scheme (see `withSecurity`). */
  readonly securityScheme: SecuritySchemeEntry;
  /** Settles when every configured key is imported; rejects with a `ConfigurationError` otherwise. Await it at startup. */
  readonly ready: Promise<void>;
}

/** The backend {@link jwtAuth} returns. */
export type JwtAuth<U extends BaseUser, N extends string = 'jwt'> = JwtBackend<U, N>;

const SCHEME_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** @internal Checks a scheme name option. */
export function schemeName(value: unknown, fallback: string, who: string): string {
  const name = value ?? fallback;
  if (typeof name !== 'string' || !SCHEME_NAME.test(name)) throw new ConfigurationError(`${who}: schemeName must be 1-64 of A-Z a-z 0-9 . _ -`);
  return name;
}

/** @internal The status option of a login answer, checked (a 2xx); `undefined`: the table's default (201). */
export function loginStatus(status: unknown): number | undefined {
  if (status === undefined || status === null) return undefined;
  if (typeof status !== 'number' || !Number.isInteger(status) || status < 200 || status > 299) throw new JwtError('invalid_issue_options');
  return status;
}

/** @internal The token a `logout()` call is about, if any. */
export function logoutToken(credentials: AuthCredentials | Token): Token | undefined {
  const fromAuth = tokenOf(credentials as AuthCredentials);
  if (fromAuth !== undefined) return fromAuth;
  const t = credentials as Partial<Token> | null;
  return t !== null && typeof t === 'object' && typeof t.sub === 'string' && typeof t.exp === 'number' && typeof t.iss === 'string'
    ? (t as Token)
    : undefined;
}

/** @internal The OAuth2 token response body of an issued token. */
export function tokenResponse(issued: IssuedToken, withToken: boolean): Record<string, unknown> {
  return {
    ...(withToken ? { access_token: issued.token } : {}),
    token_type: 'Bearer',
    expires_in: issued.expiresIn,
    ...(issued.claims.scopes.length === 0 ? {} : { scope: issued.claims.scopes.join(' ') }),
  };
}

/** @internal The 204 of a logout: deletes the backend's cookies (`clearCookie`, the fingerprint). */
export function loggedOut<U extends BaseUser>(engine: Engine<U>, clearCookie?: string): ResponseDescription {
  const cleared = [clearCookie, engine.clearFingerprint].filter((c): c is string => c !== undefined);
  const afterLogout: Record<string, string | readonly string[]> =
    cleared.length === 0 ? {} : { 'set-cookie': cleared.length === 1 ? (cleared[0] as string) : cleared };
  return fixedResponse({ kind: 'logged_out', headers: afterLogout });
}

/** @internal The methods every JWT backend shares. */
export function sharedMethods<U extends BaseUser>(engine: Engine<U>, clearCookie?: string) {
  const answer = loggedOut(engine, clearCookie);
  return {
    issue: engine.issue,
    verify: (token: string, options?: { now?: number }) => engine.verify(token, options?.now),
    revoke: engine.revoke,
    revokeSubject: engine.revokeSubject,
    async logout(credentials: AuthCredentials | Token): Promise<ResponseDescription> {
      const token = logoutToken(credentials);
      if (token !== undefined) await engine.revoke(token);
      return answer;
    },
  };
}

/**
 * The Bearer-header transport shared by `jwtAuth` and `oauth2PasswordBearer`: reads
 * `Authorization: Bearer <jwt>`, and `login()` answers the token in the body and in
 * an `Authorization` header. @internal
 */
export function headerTransport<U extends BaseUser, N extends string>(engine: Engine<U, N>) {
  const { scheme } = engine;
  return {
    name: engine.name,
    challenges: Object.freeze([scheme.challenge]),
    reads: scheme.reads,
    present: scheme.present,
    /** Synchronous on a verified-token cache hit with nothing asynchronous to do (see `Engine.authenticateToken`). */
    authenticate(connection: Connection): MaybePromise<Principal<U, N>> | null {
      // Read without the token68 test: the engine's compact-JWS check is the one scan (none
      // on a cache hit), and a refused token is tested then (`BearerScheme.readUnchecked`).
      const token = scheme.readUnchecked(connection);
      if (token === null) return null;
      return engine.authenticateToken(token, connection, true);
    },
    async login(identifier: string, loginOptions: LoginOptions = {}): Promise<ResponseDescription> {
      const status = loginStatus(loginOptions.status);
      const issued = await engine.issue(identifier, loginOptions);
      const body = loginOptions.responseBody === undefined ? tokenResponse(issued, true) : loginOptions.responseBody;
      const headers = {
        authorization: `Bearer ${issued.token}`,
        ...(issued.fingerprintCookie === undefined ? {} : { 'set-cookie': issued.fingerprintCookie }),
      };
      return fixedResponse({ kind: 'login', status, body, headers });
    },
  };
}

/**
 * JWT in the `Authorization: Bearer` header (Litestar's `JWTAuth`), on jose: the
 * algorithms are pinned, keys are typed and imported once, `iss`/`aud`/`typ` are
 * checked exactly, expired tokens get `error_description="expired"`, revoked ones
 * `"revoked"`, and every answer follows RFC 6750 through core's `bearerScheme`.
 * Runs on Node and on edge runtimes.
 *
 * @example
 * ```ts
 * import { jwtAuth } from '@portcullis/jwt';
 * import { authentication } from '@portcullis/hono';
 *
 * const jwt = jwtAuth<User>({
 *   algorithms: ['HS256'],
 *   secret: base64url.decode(process.env.JWT_SECRET!),   // ≥ 32 random bytes
 *   issuer: 'https://api.example', audience: 'https://api.example',
 *   retrieveUser: (token) => users.get(token.sub),
 * });
 * app.use(authentication({ backend: jwt, mode: 'required', exclude: ['/login', '/schema'] }));
 * app.post('/login', async (c) => toResponse(c, await jwt.login(user.id, { responseBody: { id: user.id } })));
 * ```
 */
export function jwtAuth<U extends BaseUser, const N extends string = 'jwt'>(options: JwtAuthOptions<U, N>): JwtAuth<U, NoInfer<N>> {
  const engine = createEngine<U, N>(options, 'jwtAuth');
  const name = schemeName(options.schemeName, 'BearerToken', 'jwtAuth');
  return Object.freeze({
    ...headerTransport<U, N>(engine),
    ...sharedMethods(engine),
    securityScheme: Object.freeze({
      name,
      scheme: Object.freeze({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'JWT in the Authorization: Bearer header' } as const),
    }),
    ready: engine.ready,
  });
}
