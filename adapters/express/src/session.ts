import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler, Response } from 'express';
import expressSession from 'express-session';
import onHeaders from 'on-headers';
import {
  MemorySessionStore,
  SessionError,
  isSessionError,
  type BaseUser,
  type LoginOptions,
  type ResponseDescription,
  type SessionData,
  type SessionOptions,
  type SessionStore,
} from '@portcullis/core';
import {
  SESSION_NAMESPACE,
  assertCanLogin as coreAssertCanLogin,
  cookieValue,
  copySessionData,
  csrfToken as coreCsrfToken,
  deletionCookie,
  describeRouteError,
  describeSessionError,
  formField,
  login as coreLogin,
  logout as coreLogout,
  namespacedData,
  sessionConfig,
  sessionGate,
  sessionGateNow,
  sessionGatePasses,
  generateSessionId,
  type SessionConfig,
  type SessionPort,
} from '@portcullis/core/adapter';
import { attachSessionPort, isSecureNodeRequest } from '@portcullis/node';
import { sendDescription, toConnection, toDictionaryMode } from './native.js';
import { requestSessions, type RequestSession } from './request-sessions.js';
import { ExpressSessionStore, adoptTtl } from './session-store.js';

/** Options of the Express {@link sessions} middleware. */
export interface ExpressSessionsOptions extends SessionOptions {
  /**
   * Where sessions live: a Portcullis `SessionStore` (wrapped with
   * `expressSessionStore`), an `ExpressSessionStore`, or any express-session
   * store (`connect-redis`…; then a save racing a logout is not guarded).
   * Default an in-memory store (one process, bounded).
   */
  readonly store?: SessionStore | expressSession.Store;
}

type ExpressSession = expressSession.Session;

/**
 * Portcullis's data lives under one key of `req.session` (`SESSION_NAMESPACE`):
 * express-session's own fields (`id`, `cookie`, `save`, `regenerate`…) are never
 * overwritten, and the app's keys round-trip whatever they are.
 */
function ownData(session: ExpressSession): SessionData | null {
  const data = namespacedData(session);
  return data === null ? null : copySessionData(data);
}

function replaceData(session: ExpressSession, data: SessionData): void {
  Object.assign(session, { [SESSION_NAMESPACE]: copySessionData(data) });
}

function promised(run: (done: (err?: unknown) => void) => void): Promise<void> {
  return new Promise((resolve, reject) => run((err) => (err ? reject(err) : resolve())));
}

function unavailable(cause?: unknown): SessionError {
  return new SessionError('session_store_unavailable', cause === undefined ? undefined : { cause });
}

/**
 * The session port of an Express request, over express-session's `req.session`, and
 * what its store learns (the port is its own `RequestSession`). A class, not closures:
 * one object per request instead of a dozen functions (issue #17 item 4).
 */
class ExpressRequestSession implements SessionPort, RequestSession {
  readonly hasCookie: boolean;
  readonly secure: boolean;
  readonly config: SessionConfig;
  lost = false;
  lastWrite: string | undefined = undefined;
  readonly #req: Request;
  readonly #res: Response;
  #generated: Set<string> | undefined = undefined;
  #destroyed = false;
  #written = false;
  #deletion: string | undefined = undefined;

  constructor(req: Request, res: Response, config: SessionConfig, hasCookie: boolean) {
    this.#req = req;
    this.#res = res;
    this.config = config;
    this.hasCookie = hasCookie;
    this.secure = isSecureNodeRequest(req, config.trustProxy);
  }

  get port(): SessionPort {
    return this;
  }

  /** Ids express-session generated (`genid(req)`) during this request. */
  get generated(): Set<string> {
    return (this.#generated ??= new Set());
  }

  // express-session generates a session (genid) when the cookie's id matched no record.
  storedRecord(): boolean {
    return this.hasCookie && this.#session() !== undefined && (this.#generated === undefined || this.#generated.size === 0);
  }

  async get(): Promise<Readonly<SessionData> | null> {
    this.#check();
    const s = this.#session();
    const data = s === undefined ? null : ownData(s);
    return data === null ? null : Object.freeze(data);
  }

  async set(data: SessionData): Promise<boolean> {
    this.#check();
    const existing = this.#session();
    const s = existing ?? this.#fresh();
    replaceData(s, data);
    await this.#abandonOnFailure(save(s));
    this.#written = true;
    this.#destroyed = false;
    return !this.lost;
  }

  async regenerate(data: SessionData): Promise<void> {
    this.#check();
    const s = this.#session();
    if (s !== undefined) await this.#abandonOnFailure(promised((done) => s.regenerate(done)));
    const next = s === undefined ? this.#fresh() : this.#req.session;
    this.#withdrawDeletion();
    replaceData(next, data);
    await this.#abandonOnFailure(save(next));
    this.#written = true;
    this.#destroyed = false;
  }

  async destroy(): Promise<void> {
    this.#check();
    const s = this.#session();
    const issued = this.#written;
    if (s !== undefined) await promised((done) => s.destroy(done));
    this.#destroyed = true;
    this.#written = false;
    if ((this.hasCookie || issued) && this.#deletion === undefined) {
      this.#deletion = deletionCookie(this.config.cookie);
      this.#res.append('set-cookie', this.#deletion);
    }
  }

  id(): string | undefined {
    const s = this.#session();
    return s === undefined || blank(s) ? undefined : this.#req.sessionID;
  }

  // Typed as always there; absent when express-session skipped the request or the session was destroyed.
  #session(): ExpressSession | undefined {
    return this.#req.session;
  }

  // express-session skips requests while its store reports a disconnect: fail closed.
  #check(): void {
    if (this.#session() === undefined && !this.#destroyed && this.hasCookie) throw unavailable();
  }

  #withdrawDeletion(): void {
    const deletion = this.#deletion;
    if (deletion === undefined) return;
    const current = this.#res.getHeader('set-cookie');
    const list = Array.isArray(current) ? current : current === undefined ? [] : [String(current)];
    this.#res.setHeader('set-cookie', list.filter((c) => c !== deletion));
    this.#deletion = undefined;
  }

  #fresh(): ExpressSession {
    this.#withdrawDeletion();
    const req = this.#req;
    if (req.sessionStore === undefined) throw unavailable();
    req.sessionStore.generate(req);
    return req.session;
  }

  /** A write that failed leaves no session behind: express-session must not send a cookie for it. */
  async #abandonOnFailure(operation: Promise<void>): Promise<void> {
    try {
      await operation;
    } catch (error) {
      delete (this.#req as { session?: unknown }).session;
      throw error;
    }
  }
}

/** A session without Portcullis's data (just generated, or an old-layout record) is not a session. */
const blank = (s: ExpressSession): boolean => namespacedData(s) === null;
const save = (s: ExpressSession): Promise<void> => promised((done) => s.save(done));

/**
 * `Cache-Control: no-store` on every response that sets the session cookie
 * (LEAK-09). on-headers runs its listeners in the reverse order they were added;
 * this one is added before express-session adds its own, so it sees the cookie.
 */
function noStoreWithSessionCookie(name: string): (res: ServerResponse) => void {
  const prefix = `${name}=`;
  // One listener for every response (on-headers calls it with the response as `this`).
  const listener = function (this: ServerResponse): void {
    const cookies = this.getHeader('set-cookie');
    if (cookies === undefined) return;
    const list = Array.isArray(cookies) ? cookies : [String(cookies)];
    if (list.some((c) => c.startsWith(prefix))) this.setHeader('cache-control', 'no-store');
  };
  return (res) => onHeaders(res, listener);
}

function resolveStore(store: ExpressSessionsOptions['store'], config: SessionConfig): expressSession.Store {
  if (store instanceof expressSession.Store && !(store instanceof ExpressSessionStore)) return store;
  const wrapped = store instanceof ExpressSessionStore ? store : new ExpressSessionStore(store ?? new MemorySessionStore(), { ttlMs: config.ttl });
  adoptTtl(wrapped, config.ttl);
  return wrapped;
}

/**
 * Server-side sessions for Express, through express-session with Portcullis's
 * safe defaults: a generic cookie name (`__Host-id`, or `id` in development),
 * `HttpOnly`, `SameSite=Lax`, `Secure` outside development, no `Domain`, a
 * browser-session cookie, 256-bit ids, nothing saved for anonymous requests,
 * `Cache-Control: no-store` with the cookie. It also answers, before your
 * routes: `403` for cross-site unsafe requests (CSRF), `405` for `GET /logout`,
 * and `503` when the store is down (never anonymous access). Put a body parser
 * (`express.urlencoded()`) **before** it if HTML forms post the `_csrf` field.
 * Then `authentication(sessionAuth({...}))`, `login(req, user, data)` /
 * `logout(req)` in your routes, and `sessionErrors()` after them.
 *
 * @example
 * ```ts
 * app.use(express.urlencoded({ extended: false }));
 * app.use(sessions({ secret: process.env.SESSION_SECRET!, store: expressSessionStore(redisStore) }));
 * app.use(authentication(sessionAuth({ retrieveUser: (s: { userId: string }) => users.byId(s.userId), exclude: ['/login'] })));
 * app.post('/login', async (req, res) => {
 *   const user = await backend.verifyCredentials(req.body.email, req.body.password);
 *   if (user === null) return res.status(401).send('Unauthorized');
 *   await login(req, user, { userId: user.id });
 *   res.redirect(303, safeNext(req.query.next, '/'));
 * });
 * app.use(sessionErrors());
 * ```
 */
export function sessions(options: ExpressSessionsOptions): RequestHandler {
  const config = sessionConfig(options);
  const store = resolveStore(options.store, config);
  const { cookie } = config;
  const sessionOptions = (proxy: boolean): expressSession.SessionOptions => ({
    name: cookie.name,
    secret: [...config.secrets],
    store,
    // Called for every new session, first visit and regenerate alike (documented: it gets `req`).
    genid: (req) => {
      const id = generateSessionId();
      requestSessions.get(req)?.generated.add(id);
      return id;
    },
    resave: false,
    saveUninitialized: false,
    rolling: false,
    unset: 'keep',
    // express-session sends a `Secure` cookie only over what it takes for HTTPS: with
    // `proxy: true` it believes X-Forwarded-Proto from any peer (CK-04).
    proxy,
    cookie: {
      httpOnly: true,
      secure: cookie.secure,
      sameSite: cookie.sameSite,
      path: cookie.path,
      ...(cookie.domain === undefined ? {} : { domain: cookie.domain }),
      ...(cookie.maxAge === undefined ? {} : { maxAge: cookie.maxAge * 1000 }),
    },
  });
  // Two instances over one store, chosen per request by the core's decision (the port's
  // `secure`: the socket, or X-Forwarded-Proto from a peer `trustProxy` trusts). So
  // express-session never believes the header when the core does not; when both look, a
  // Secure cookie needs both to say HTTPS.
  const overTls = expressSession(sessionOptions(config.trustProxy !== false));
  const plain = config.trustProxy === false ? overTls : expressSession(sessionOptions(false));
  const field = config.csrf === false ? '_csrf' : config.csrf.field;

  /**
   * Runs express-session on `req` and opens the Portcullis port over it; `done`
   * gets express-session's error, if any, and the opened session.
   */
  const open = (req: Request, res: Response, done: (err: unknown, opened: RequestSession) => void): void => {
    // express-session parses `req.headers.cookie` with its own parser, synchronously when
    // its middleware starts (checked against 1.18–1.19; the conformance scenario
    // `sessions-cookie-parsing` fails if that changes). For that call it sees only the
    // session cookie as the core reads it, so an ambiguous Cookie header ("id=A, id=B",
    // "id=A ; x") means the same session as on every other adapter. The header is put back
    // as soon as that synchronous start returns (the store's answer comes later), and
    // always before any later middleware or route runs.
    const headers = req.headers;
    const header = headers.cookie;
    const id = cookieValue(header, cookie.name); // sessionCookieOf(req, …), from the header already read
    const opened = new ExpressRequestSession(req, res, config, id !== undefined);
    requestSessions.set(req, opened);
    attachSessionPort(req, opened.port); // for adapters layered over Express (Nest's Express platform)
    let restored = header === undefined;
    // '' and not `delete`: express-session tests `if (header)`, and a deleted key would turn
    // the headers object into a dictionary for the rest of the request.
    if (!restored) headers.cookie = id === undefined ? '' : `${cookie.name}=${encodeURIComponent(id)}`;
    const restore = (): void => {
      if (restored) return;
      restored = true;
      headers.cookie = header;
    };
    try {
      // Without a session cookie express-session calls back synchronously: restore first.
      (opened.port.secure ? overTls : plain)(req, res, (err?: unknown) => {
        restore();
        done(err, opened);
      });
    } finally {
      restore();
    }
  };

  const noStore = noStoreWithSessionCookie(cookie.name);
  const middleware: RequestHandler = (req, res, next) => {
    // express-session and this bridge add a handful of properties to `req` (and Express and
    // express-session to `res`): hash inserts once they are dictionaries, not a map copy
    // each (issue #17).
    toDictionaryMode(req);
    toDictionaryMode(res);
    noStore(res);
    open(req, res, (err) => {
      // The store failed while loading the session (or holds something unreadable): fail closed.
      if (err !== undefined && err !== null) {
        return sendDescription(req, res, next, describeSessionError(unavailable(err), toConnection(req, config.clock)));
      }
      // A safe request to any path but the logout path goes on without a Connection: every
      // read of Express's request object is an inline-cache miss (issue #17 item 4).
      if (sessionGatePasses(config, req.method ?? 'GET', req.originalUrl)) return next();
      const connection = toConnection(req, config.clock);
      // Otherwise a safe request is still decided without a promise (no CSRF check).
      let decided: ResponseDescription | null | undefined;
      try {
        decided = sessionGateNow(connection);
      } catch {
        decided = undefined; // sessionGate rejects with the same error, answered below
      }
      if (decided === null) return next();
      if (decided !== undefined) return sendDescription(req, res, next, decided);
      sessionGate(connection, () => formField(req.get('content-type'), req.body, field)).then(
        (denied) => (denied === null ? next() : sendDescription(req, res, next, denied)),
        (error: unknown) =>
          isSessionError(error) ? sendDescription(req, res, next, describeSessionError(error, connection)) : next(error),
      );
    });
  };
  // A websocket upgrade is no request Express routes: its session is opened on the side,
  // with a response that writes nothing (no cookie goes out with a handshake).
  openers.set(middleware, (req) =>
    new Promise((resolve, reject) =>
      open(req as Request, readOnlyResponse(), (err, opened) => (err === undefined || err === null ? resolve(opened.port) : reject(unavailable(err)))),
    ),
  );
  return middleware;
}

/** What opens the session of an upgrade request, per `sessions()` middleware. */
const openers = new WeakMap<object, (req: IncomingMessage) => Promise<SessionPort>>();

/**
 * A response for express-session and the port that sends nothing: the session of a
 * websocket upgrade is read (and touched or expired in the store), never re-issued.
 */
function readOnlyResponse(): Response {
  const none = function (this: unknown) {
    return this;
  };
  return { writeHead: none, end: none, write: () => true, getHeader: () => undefined, setHeader: none, append: none } as unknown as Response;
}

/**
 * The session opener of the `sessions()` middleware that `app` uses, for a
 * websocket upgrade (`upgradeHandler`'s `session` option of `@portcullis/node`):
 * session middleware does not run on upgrades, so without it a `sessionAuth`
 * backend refuses every upgrade with 503. The opened session is read-only for the
 * handshake: no cookie is sent. `undefined` when `app` has no `sessions()`.
 * `@portcullis/nest/ws` calls it on Nest's Express platform.
 *
 * @example
 * ```ts
 * app.use(sessions({ secret }));
 * server.on('upgrade', upgradeHandler({ authentication: auth, session: sessionOpener(app), accept }));
 * ```
 */
export function sessionOpener(app: { readonly router?: unknown; readonly _router?: unknown }): ((req: IncomingMessage) => Promise<SessionPort>) | undefined {
  // Express 5 keeps the app's middleware in `app.router.stack`, Express 4 in `app._router.stack`.
  const router = (app.router ?? app._router) as { stack?: readonly { handle?: unknown }[] } | undefined;
  for (const layer of router?.stack ?? []) {
    const opener = typeof layer.handle === 'function' ? openers.get(layer.handle) : undefined;
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
 * Rejects with a `SessionError` (`session_store_unavailable`,
 * `session_insecure_transport`, `session_not_configured`).
 *
 * @example
 * ```ts
 * app.post('/signup', async (req, res) => {
 *   const user = await users.create(req.body);
 *   await login(req, user, { userId: user.id });
 *   res.status(201).json({ id: user.id });
 * });
 * ```
 */
export function login<D extends object = SessionData>(req: Request, user: BaseUser, data?: D, options?: LoginOptions): Promise<void> {
  return coreLogin(toConnection(req, Date.now), user, data, options);
}

/**
 * Throws, before anything is created, the `SessionError` that `login` would
 * throw without touching the store: `session_insecure_transport` (a `Secure`
 * cookie over plain HTTP; logged with the fix) or `session_not_configured`.
 * Call it at signup before creating the account, so a refused login does not
 * leave the account behind. `sessionErrors()` answers it (403, 500).
 *
 * @example
 * ```ts
 * app.post('/signup', async (req, res) => {
 *   assertCanLogin(req);
 *   const user = await users.create(req.body);
 *   await login(req, user, { userId: user.id });
 *   res.status(201).json({ id: user.id });
 * });
 * ```
 */
export function assertCanLogin(req: Request): void {
  coreAssertCanLogin(toConnection(req, Date.now));
}

/**
 * Logs out: destroys the session server-side and deletes the cookie (same
 * attributes). Refuses `GET`/`HEAD` (`SessionError` `method_not_allowed`).
 *
 * @example
 * ```ts
 * app.post('/logout', async (req, res) => {
 *   await logout(req);
 *   res.status(204).end();
 * });
 * ```
 */
export function logout(req: Request): Promise<void> {
  return coreLogout(toConnection(req, Date.now));
}

/**
 * A CSRF token bound to this request's session, for a hidden `_csrf` form field
 * or the `x-csrf-token` header (clients that send neither `Origin` nor
 * `Sec-Fetch-Site`).
 *
 * @example
 * ```ts
 * app.get('/account', async (req, res) => {
 *   res.send(`<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${await csrfToken(req)}"><button>Log out</button></form>`);
 * });
 * ```
 */
export function csrfToken(req: Request): Promise<string> {
  return coreCsrfToken(toConnection(req, Date.now));
}


/**
 * An Express error handler for `SessionError`s that `login`, `logout` or
 * `csrfToken` throw in a route (store down → 503, `GET /logout` → 405, a
 * `Secure` cookie over plain HTTP → 403) and the `AuthenticationError`s of a login
 * form's `verifyCredentials` (throttled → 429 with `Retry-After`, hashing queue full or
 * throttle store down → 503): the core's answers instead of a 500.
 * Other errors go on to your own error handlers. Register it after your routes.
 *
 * @example
 * ```ts
 * app.post('/login', async (req, res) => { …; await login(req, user); res.redirect(303, '/'); });
 * app.use(sessionErrors());
 * ```
 */
export function sessionErrors(): ErrorRequestHandler {
  return (error: unknown, req, res, next) => {
    const response = describeRouteError(error, toConnection(req, Date.now));
    if (response === undefined) return next(error);
    sendDescription(req, res, next, response);
  };
}
