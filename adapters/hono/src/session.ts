import type { Context, MiddlewareHandler } from 'hono';
import {
  isSessionError,
  type BaseUser,
  type Connection,
  type LoginOptions,
  type SessionData,
} from '@portcullis/core';
import {
  assertCanLogin as coreAssertCanLogin,
  csrfToken as coreCsrfToken,
  describeRouteError,
  describeSessionError,
  isSecureWebRequest,
  runtimePeerAddress,
  requestFormField,
  login as coreLogin,
  logout as coreLogout,
  parseCookies,
  sessionGate,
  sessionGateNow,
  sessionGatePasses,
  webSessions,
  type SessionPort,
  type WebSessionOptions,
  type WebSessions,
} from '@portcullis/core/adapter';
import { requestHead, requestSessions, toConnection, toResponse, type RequestSession } from './native.js';

/** Options of the Hono {@link sessions} middleware: the session options and a `SessionStore`. */
export type HonoSessionsOptions = WebSessionOptions;

function appendCookies(c: Context, cookies: readonly string[]): void {
  const add = (headers: Headers) => {
    for (const cookie of cookies) headers.append('set-cookie', cookie);
    // A response that sets the session cookie is never cached (LEAK-09).
    headers.set('cache-control', 'no-store');
  };
  try {
    add(c.res.headers);
  } catch {
    // Immutable headers (a fetched response): answer with a copy.
    const copy = new Response(c.res.body, c.res);
    add(copy.headers);
    c.res = undefined as unknown as Response;
    c.res = copy;
  }
}

/**
 * Server-side sessions for Hono, on Web standards only (Node, Workers, Deno,
 * Bun): the cookie holds only the session id and its HMAC-SHA256 (Web Crypto),
 * the data lives in a pluggable `SessionStore` (`MemorySessionStore`,
 * `@portcullis/redis` on Node, your own KV-backed store on the edge). Safe
 * cookie defaults (`__Host-id`, `HttpOnly`, `SameSite=Lax`, `Secure` outside
 * development, no `Domain`, no expiry), nothing stored for anonymous requests,
 * `Cache-Control: no-store` with the cookie. It also answers, before your
 * routes: `403` for cross-site unsafe requests (CSRF; form fields are read from
 * a clone of the body), `405` for `GET /logout`, and `503` when the store is
 * down; a `SessionError` thrown by `login`/`logout` in a route gets the same
 * answers instead of a 500. Then `authentication(sessionAuth({...}))`, and `login(c, user, data)` /
 * `logout(c)` in your routes.
 *
 * @example
 * ```ts
 * const app = new Hono<AuthEnv<User>>();
 * app.use(sessions({ secret: env.SESSION_SECRET, store }));
 * app.use(authentication(sessionAuth({ retrieveUser: (s: { userId: string }) => users.byId(s.userId), exclude: ['/login'] })));
 * app.post('/login', async (c) => {
 *   const { email, password } = await c.req.json();
 *   const user = await backend.verifyCredentials(email, password);
 *   if (user === null) return c.json({ error: 'unauthorized' }, 401);
 *   await login(c, user, { userId: user.id });
 *   return c.json({ id: user.id });
 * });
 * ```
 */
export function sessions(options: HonoSessionsOptions): MiddlewareHandler {
  const engine = webSessions(options);
  const { config } = engine;
  const { clock, trustProxy } = config;
  const field = config.csrf === false ? '_csrf' : config.csrf.field;
  return async (c, next) => {
    // The header and the peer are read only with trustProxy (the core's rule, one place).
    const secure = isSecureWebRequest(c.req.raw, trustProxy, runtimePeerAddress, c.env);
    const head = requestHead(c);
    const handle = engine.open({ cookies: parseCookies(head.cookie), secure });
    const port = handle.port;
    requestSessions.set(c, new OpenedSession(engine, port, secure));
    // Built when needed: a safe request to a path that cannot be the logout path needs none.
    let connection: Connection | undefined;
    const connectionOf = (): Connection => (connection ??= toConnection(c, clock));
    try {
      // Load now: a store outage answers 503 here, before any route.
      if (port.hasCookie) await port.get();
      const method = c.req.method;
      // GET and HEAD to a path that cannot be the logout path: sessionGate would answer null.
      if (!((method === 'GET' || method === 'HEAD') && sessionGatePasses(config, method, head.target))) {
        const decided = sessionGateNow(connectionOf());
        const denied = decided === undefined ? await sessionGate(connectionOf(), () => requestFormField(c.req.raw, field)) : decided;
        if (denied !== null) return toResponse(c, denied);
      }
    } catch (error) {
      if (isSessionError(error)) return toResponse(c, describeSessionError(error, connectionOf()));
      throw error;
    }
    await next();
    // `login`/`logout` in a handler failed (store down, GET /logout…), or a login form's
    // `verifyCredentials` refused (throttled: 429 + Retry-After; busy: 503): the core's answer, not a 500.
    const failed = c.error === undefined ? undefined : describeRouteError(c.error, connectionOf());
    if (failed !== undefined) c.res = await toResponse(c, failed);
    const cookies = handle.setCookies();
    if (cookies.length > 0) appendCookies(c, cookies);
  };
}

/** What `sessions()` keeps on a request's context: its port, and how to reopen it for a websocket. */
class OpenedSession implements RequestSession {
  readonly #engine: WebSessions;
  readonly #secure: boolean;
  readonly port: SessionPort;

  constructor(engine: WebSessions, port: SessionPort, secure: boolean) {
    this.#engine = engine;
    this.#secure = secure;
    this.port = port;
  }

  reopen(cookies: ReadonlyMap<string, string>): SessionPort {
    return this.#engine.open({ cookies, secure: this.#secure }).port;
  }
}

/**
 * Logs the user in on this request's session: a new session id, the old session
 * destroyed server-side, `keepOnLogin` keys carried over, `data` (a plain
 * object, typed `D`) stored for `sessionAuth`'s `retrieveUser`: give both the
 * same type (`sessionAuth<AppUser, D>`, see the core `login`). `options` record how
 * the user authenticated (`{ methods: ['pwd', 'otp'], acr }`) with the time, for
 * step-up guards (`requires(…, { maxAge, acr, amr })`). Needs `sessions()`.
 *
 * @example
 * ```ts
 * app.post('/signup', async (c) => {
 *   const user = await users.create(await c.req.json());
 *   await login(c, user, { userId: user.id });
 *   return c.json({ id: user.id }, 201);
 * });
 * ```
 */
export function login<D extends object = SessionData>(c: Context, user: BaseUser, data?: D, options?: LoginOptions): Promise<void> {
  return coreLogin(toConnection(c, Date.now), user, data, options);
}

/**
 * Throws, before anything is created, the `SessionError` that `login` would
 * throw without touching the store: `session_insecure_transport` (a `Secure`
 * cookie over plain HTTP; logged with the fix) or `session_not_configured`.
 * Call it at signup before creating the account, so a refused login does not
 * leave the account behind. `sessions()` answers it (403, 500).
 *
 * @example
 * ```ts
 * app.post('/signup', async (c) => {
 *   assertCanLogin(c);
 *   const user = await users.create(await c.req.json());
 *   await login(c, user, { userId: user.id });
 *   return c.json({ id: user.id }, 201);
 * });
 * ```
 */
export function assertCanLogin(c: Context): void {
  coreAssertCanLogin(toConnection(c, Date.now));
}

/**
 * Logs out: destroys the session server-side and deletes the cookie. Refuses
 * `GET`/`HEAD` (`SessionError` `method_not_allowed`).
 *
 * @example
 * ```ts
 * app.post('/logout', async (c) => {
 *   await logout(c);
 *   return c.body(null, 204);
 * });
 * ```
 */
export function logout(c: Context): Promise<void> {
  return coreLogout(toConnection(c, Date.now));
}

/**
 * A CSRF token bound to this request's session, for a hidden `_csrf` form field
 * or the `x-csrf-token` header.
 *
 * @example
 * ```ts
 * app.get('/account', async (c) => c.html(`<input type="hidden" name="_csrf" value="${await csrfToken(c)}">`));
 * ```
 */
export function csrfToken(c: Context): Promise<string> {
  return coreCsrfToken(toConnection(c, Date.now));
}
