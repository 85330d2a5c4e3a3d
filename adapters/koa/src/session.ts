import { ServerResponse, type IncomingMessage } from 'node:http';
import type { Context, Middleware, Next } from 'koa';
import type Koa from 'koa';
import createSession from 'koa-session';
import {
  ConfigurationError,
  MemorySessionStore,
  SessionError,
  isSessionError,
  type BaseUser,
  type Connection,
  type LoginOptions,
  type SessionData,
  type SessionOptions,
  type SessionStore,
} from '@portcullis/core';
import {
  SESSION_NAMESPACE,
  assertCanLogin as coreAssertCanLogin,
  copySessionData,
  csrfToken as coreCsrfToken,
  describeRouteError,
  describeSessionError,
  formField,
  generateSessionId,
  login as coreLogin,
  logout as coreLogout,
  namespacedData,
  sessionConfig,
  sessionGate,
  sessionGateNow,
  sessionGatePasses,
  type SessionConfig,
  type SessionPort,
} from '@portcullis/core/adapter';
import { isSecureNodeRequest, sessionCookieOf } from '@portcullis/node';
import { sendDescription, toConnection } from './native.js';
import { requestSessions, type RequestSession } from './request-sessions.js';
import { KoaSessionStore, adoptTtl } from './session-store.js';

/** Options of the Koa {@link sessions} middleware. */
export interface KoaSessionsOptions extends SessionOptions {
  /**
   * Where sessions live: a Portcullis `SessionStore` (wrapped with
   * `koaSessionStore`) or a `KoaSessionStore`. Default an in-memory store (one
   * process, bounded). koa-session's cookie-only mode is not offered: a cookie
   * cannot be destroyed server-side (SES-02).
   */
  readonly store?: SessionStore | KoaSessionStore;
}

/** koa-session's session object, as far as the port uses it. */
interface KoaSession {
  readonly isNew: boolean;
  readonly externalKey?: string;
  toJSON(): SessionData;
  save(): Promise<void>;
  regenerate(): Promise<void>;
  manuallyCommit(): Promise<void>;
}

type SessionContext = Context & { session: KoaSession | null };

/**
 * koa-session keeps the cookie lifetime in the per-request `ctx.sessionOptions.maxAge`,
 * and changes it as it goes: a save of a browser-session cookie clears it (so a second
 * save in the same request, such as the auto-commit after `login`, would store a
 * 24-hour record), and loading a session restores it from the stored `_maxAge` /
 * `_session`. `sessions()` pins it to the configured lifetime in the documented
 * `beforeSave(ctx)` hook, so the stored lifetime never depends on whether a session
 * existed before.
 */
interface LifetimeContext {
  readonly sessionOptions: { maxAge?: number | 'session' | undefined };
}

function unavailable(cause?: unknown): SessionError {
  return new SessionError('session_store_unavailable', cause === undefined ? undefined : { cause });
}

function lifetimeOf(config: SessionConfig): number | 'session' {
  return config.cookie.maxAge === undefined ? 'session' : config.cookie.maxAge * 1000;
}

/** koa-session's `ctx.session =` setter: a plain object becomes the request's session. */
function replaceSession(ctx: SessionContext, data: SessionData): KoaSession {
  Reflect.set(ctx, 'session', { [SESSION_NAMESPACE]: copySessionData(data) });
  return ctx.session!;
}

/**
 * The session port of a Koa request, over koa-session's `ctx.session`. Portcullis's
 * data lives under one key of it (`SESSION_NAMESPACE`): koa-session's own fields
 * (`_expire`, `_maxAge`, `_session`, `isNew`, `maxAge`, `save`…) are never
 * overwritten, and the app's keys round-trip whatever they are.
 */
/**
 * The session port of a Koa request, over koa-session's `ctx.session`, and what its
 * store learns (the port is its own `RequestSession`). A class, not closures: one
 * object per request instead of a dozen functions (issue #17 item 4).
 */
class KoaRequestSession implements SessionPort, RequestSession {
  readonly hasCookie: boolean;
  readonly cookie: string | undefined;
  readonly secure: boolean;
  readonly config: SessionConfig;
  lost = false;
  lastWrite: string | undefined = undefined;
  readonly #ctx: SessionContext;
  #generated: string[] | undefined = undefined;
  #destroyedIds: Set<string> | undefined = undefined;
  #written = false;
  #destroyed = false;
  #key: string | undefined = undefined;
  #loaded = false;

  constructor(ctx: SessionContext, config: SessionConfig, secure: boolean) {
    this.#ctx = ctx;
    this.config = config;
    // Read once: koa-session's externalKey hook takes the id from here.
    this.cookie = sessionCookieOf(ctx.req, config.cookie.name);
    this.hasCookie = this.cookie !== undefined;
    this.secure = secure;
  }

  get port(): SessionPort {
    return this;
  }

  /** Ids koa-session generated (`genid(ctx)`) during this request, in order. */
  get generated(): string[] {
    return (this.#generated ??= []);
  }

  /** Ids destroyed in the store during this request. */
  get destroyed(): Set<string> {
    return (this.#destroyedIds ??= new Set());
  }

  // koa-session generates an id when the cookie's id matched no record.
  storedRecord(): boolean {
    return this.hasCookie && this.#ctx.session !== null && this.#lastGenerated() === undefined;
  }

  async get(): Promise<Readonly<SessionData> | null> {
    return this.getNow();
  }

  /**
   * What `get()` resolves to, without a promise: koa-session has loaded the session
   * before any middleware after `sessions()` runs (and reading `ctx.session` never
   * touches the store), so `sessionAuth` reads it synchronously (issue #17 item 4).
   */
  getNow(): Readonly<SessionData> | null {
    const s = this.#ctx.session;
    const data = s === null ? null : namespacedData(s);
    if (s === null || data === null) return null;
    if (!this.#loaded && !this.#written) {
      this.#loaded = true;
      this.#key = s.externalKey;
    }
    return Object.freeze(copySessionData(data));
  }

  async set(data: SessionData): Promise<boolean> {
    if (this.#destroyed) {
      await this.regenerate(data);
      return true;
    }
    const s = replaceSession(this.#ctx, data);
    await s.save();
    this.#written = true;
    this.#key = s.externalKey;
    return !this.lost;
  }

  async regenerate(data: SessionData): Promise<void> {
    await replaceSession(this.#ctx, data).regenerate();
    this.#written = true;
    this.#destroyed = false;
    this.#key = this.#lastGenerated();
  }

  async destroy(): Promise<void> {
    const ctx = this.#ctx;
    const s = ctx.session;
    ctx.session = null;
    if (s !== null) await s.manuallyCommit();
    this.#destroyed = true;
    this.#written = false;
    this.#key = undefined;
  }

  id(): string | undefined {
    const s = this.#ctx.session;
    /** A session without Portcullis's data (just created, or an old-layout record) is not a session. */
    if (s === null || namespacedData(s) === null) return undefined;
    return this.#key ?? s.externalKey;
  }

  #lastGenerated(): string | undefined {
    return this.#generated?.at(-1);
  }
}

function setsCookie(ctx: Context, name: string): boolean {
  // The one header, not `ctx.response.headers` (a copy of every header, on every request).
  const cookies = ctx.res.getHeader('set-cookie');
  if (cookies === undefined) return false;
  const list = Array.isArray(cookies) ? cookies : [String(cookies)];
  return list.some((c) => c.startsWith(`${name}=`));
}

/**
 * Server-side sessions for Koa, through koa-session with an external store and
 * Portcullis's safe defaults: a generic cookie name (`__Host-id`, or `id` in
 * development), `HttpOnly`, `SameSite=Lax`, `Secure` outside development, no
 * `Domain`, a browser-session cookie, 256-bit ids, nothing saved for anonymous
 * requests, `Cache-Control: no-store` with the cookie. It also answers, before
 * your routes: `403` for cross-site unsafe requests (CSRF), `405` for
 * `GET /logout`, and `503` when the store is down (never anonymous access). Put
 * a body parser (`@koa/bodyparser`) **before** it if HTML forms post the `_csrf`
 * field. Then `authentication(sessionAuth({...}))`, and `login(ctx, user, data)`
 * / `logout(ctx)` in your routes. One `sessions()` per app (koa-session's rule).
 *
 * @example
 * ```ts
 * const app = new Koa();
 * app.use(bodyParser());
 * app.use(sessions(app, { secret: process.env.SESSION_SECRET!, store: koaSessionStore(redisStore) }));
 * app.use(authentication(sessionAuth({ retrieveUser: (s: { userId: string }) => users.byId(s.userId), exclude: ['/login'] })));
 * router.post('/login', async (ctx) => {
 *   const user = await backend.verifyCredentials(ctx.request.body.email, ctx.request.body.password);
 *   if (user === null) return void (ctx.status = 401);
 *   await login(ctx, user, { userId: user.id });
 *   ctx.status = 303;
 *   ctx.redirect(safeNext(ctx.query.next, '/'));
 * });
 * ```
 */
export function sessions(app: Koa<any, any>, options: KoaSessionsOptions): Middleware {
  if (app === null || typeof app !== 'object' || typeof (app as { use?: unknown }).use !== 'function') {
    throw new ConfigurationError('sessions: pass the Koa app first: sessions(app, options)');
  }
  const config = sessionConfig(options);
  const store = options.store instanceof KoaSessionStore ? options.store : new KoaSessionStore(options.store ?? new MemorySessionStore(), { ttlMs: config.ttl });
  adoptTtl(store, config.ttl);
  const { cookie } = config;
  // The cookie's attributes: koa-session passes its options on to ctx.cookies (documented), and
  // the externalKey hook, which koa-session gives no options, sets the cookie with them too.
  const attributes = {
    httpOnly: true,
    overwrite: true,
    // The id is 256 random bits checked against the store; a `.sig` cookie adds nothing.
    signed: false,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    path: cookie.path,
    ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
  };
  const cookieOptions = { ...attributes, ...(cookie.maxAge === undefined ? {} : { maxAge: cookie.maxAge * 1000 }) };
  const inner = createSession(
    {
      ...attributes,
      key: cookie.name,
      maxAge: lifetimeOf(config),
      autoCommit: true,
      rolling: false,
      renew: false,
      store,
      // The id is read as every adapter reads cookies (the core's parser), not by the
      // `cookies` module's regex, which keeps a trailing space ("id=A ; x") and reads
      // "id=A, id=B" as one value. koa-session's public `externalKey` hook (>= 6).
      externalKey: {
        // '' (no cookie) makes koa-session start a new session, as an absent cookie does.
        get: (ctx: Context) => {
          const request = requestSessions.get(ctx);
          return (request === undefined ? sessionCookieOf(ctx.req, cookie.name) : request.cookie) ?? '';
        },
        set: (ctx: Context, value: string) => ctx.cookies.set(cookie.name, value, cookieOptions),
      },
      // Called for every new id, first visit and regenerate alike (documented: it gets `ctx`).
      genid: (ctx: object) => {
        const id = generateSessionId();
        requestSessions.get(ctx)?.generated.push(id);
        return id;
      },
      // Before every save (login, regenerate, auto-commit): see LifetimeContext.
      beforeSave: (ctx: LifetimeContext) => {
        ctx.sessionOptions.maxAge = lifetimeOf(config);
      },
    },
    app,
  );
  const field = config.csrf === false ? '_csrf' : config.csrf.field;

  const middleware: Middleware = async (ctx, next) => {
    // Whether the request came over HTTPS is decided by trustProxy, not by app.proxy.
    const secure = isSecureNodeRequest(ctx.req, config.trustProxy);
    ctx.cookies.secure = secure;
    requestSessions.set(ctx, new KoaRequestSession(ctx as SessionContext, config, secure));
    try {
      await inner(ctx, () => {
        // A safe request to a path that cannot be the logout path goes on without a
        // Connection (sessionGate would answer null): the hot path.
        if (sessionGatePasses(config, ctx.method, ctx.originalUrl)) return next();
        const connection = toConnection(ctx, config.clock);
        // A safe request is decided without a promise (no CSRF check): the hot path.
        const decided = sessionGateNow(connection);
        if (decided === null) return next();
        if (decided !== undefined) return sendDescription(ctx, decided);
        return gateThenNext(ctx, connection, field, next);
      });
    } catch (error) {
      // A store that fails while loading or saving the session (fail closed with 503), a
      // refused logout or login (a throttled login form: 429 with Retry-After).
      const response = describeRouteError(error, toConnection(ctx, config.clock));
      if (response === undefined) {
        // The app's error handler answers; a session cookie koa-session has already set
        // still goes out with no-store (LEAK-09), as on Express.
        if (setsCookie(ctx, cookie.name)) ctx.set('cache-control', 'no-store');
        throw error;
      }
      sendDescription(ctx, response);
      ctx.remove('set-cookie');
      return;
    }
    if (setsCookie(ctx, cookie.name)) ctx.set('cache-control', 'no-store');
  };
  // A websocket upgrade is no request Koa handles: its session is opened on the side, in a
  // context over a response that is never sent (no cookie goes out with a handshake).
  openers.set(middleware, async (req) => {
    const ctx = app.createContext(req, new ServerResponse(req));
    const secure = isSecureNodeRequest(req, config.trustProxy);
    ctx.cookies.secure = secure;
    const opened = new KoaRequestSession(ctx as SessionContext, config, secure);
    requestSessions.set(ctx, opened);
    try {
      await inner(ctx, async () => {});
    } catch (error) {
      throw isSessionError(error) ? error : unavailable(error);
    }
    return opened.port;
  });
  return middleware;
}

/** The CSRF check of an unsafe request (`sessionGate`), then the rest of the app. */
async function gateThenNext(ctx: Context, connection: Connection, field: string, next: Next): Promise<void> {
  const body = (ctx.request as { body?: unknown }).body;
  const denied = await sessionGate(connection, () => formField(ctx.get('content-type') || undefined, body, field));
  if (denied !== null) return sendDescription(ctx, denied);
  await next();
}

/** What opens the session of an upgrade request, per `sessions()` middleware. */
const openers = new WeakMap<object, (req: IncomingMessage) => Promise<SessionPort>>();

/**
 * The session opener of the `sessions()` middleware that `app` uses, for a
 * websocket upgrade (`upgradeHandler`'s `session` option): Koa's middleware does
 * not run on upgrades, so without it a `sessionAuth` backend refuses every upgrade
 * with 503. The session is read for the handshake; no cookie is sent. `undefined`
 * when `app` has no `sessions()`.
 *
 * @example
 * ```ts
 * app.use(sessions(app, { secret }));
 * server.on('upgrade', upgradeHandler({ authentication: auth, session: sessionOpener(app), accept }));
 * ```
 */
export function sessionOpener(app: { readonly middleware: readonly unknown[] }): ((req: IncomingMessage) => Promise<SessionPort>) | undefined {
  for (const fn of app.middleware) {
    const opener = typeof fn === 'function' ? openers.get(fn) : undefined;
    if (opener !== undefined) return opener;
  }
  return undefined;
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
 * router.post('/signup', async (ctx) => {
 *   const user = await users.create(ctx.request.body);
 *   await login(ctx, user, { userId: user.id });
 *   ctx.status = 201;
 *   ctx.body = { id: user.id };
 * });
 * ```
 */
export function login<D extends object = SessionData>(ctx: Context, user: BaseUser, data?: D, options?: LoginOptions): Promise<void> {
  return coreLogin(toConnection(ctx, Date.now), user, data, options);
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
 * router.post('/signup', async (ctx) => {
 *   assertCanLogin(ctx);
 *   const user = await users.create(ctx.request.body);
 *   await login(ctx, user, { userId: user.id });
 *   ctx.status = 201;
 * });
 * ```
 */
export function assertCanLogin(ctx: Context): void {
  coreAssertCanLogin(toConnection(ctx, Date.now));
}

/**
 * Logs out: destroys the session server-side and deletes the cookie. Refuses
 * `GET`/`HEAD` (`SessionError` `method_not_allowed`).
 *
 * @example
 * ```ts
 * router.post('/logout', async (ctx) => {
 *   await logout(ctx);
 *   ctx.status = 204;
 * });
 * ```
 */
export function logout(ctx: Context): Promise<void> {
  return coreLogout(toConnection(ctx, Date.now));
}

/**
 * A CSRF token bound to this request's session, for a hidden `_csrf` form field
 * or the `x-csrf-token` header.
 *
 * @example
 * ```ts
 * router.get('/account', async (ctx) => {
 *   ctx.body = `<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${await csrfToken(ctx)}"><button>Log out</button></form>`;
 * });
 * ```
 */
export function csrfToken(ctx: Context): Promise<string> {
  return coreCsrfToken(toConnection(ctx, Date.now));
}
