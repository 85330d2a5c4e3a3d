import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest, RouteHandlerMethod } from 'fastify';
import fp from 'fastify-plugin';
import { ConfigurationError, isSessionError, type BaseUser, type LoginOptions, type SessionData } from '@portcullis/core';
import {
  assertCanLogin as coreAssertCanLogin,
  csrfToken as coreCsrfToken,
  describeRouteError,
  describeSessionError,
  formField,
  login as coreLogin,
  logout as coreLogout,
  parseCookies,
  sessionGate,
  webSessions,
  type SessionPort,
  type WebSessionOptions,
} from '@portcullis/core/adapter';
import { attachSessionPort, isSecureNodeRequest } from '@portcullis/node';
import { sendDescription, toConnection } from './native.js';
import { remember, type Hook } from './hooks.js';
import { authenticatorOf } from './index.js';

/** Options of the Fastify {@link sessions} plugin: the core's Web session options and a `SessionStore`. */
export type FastifySessionsOptions = WebSessionOptions;

/** The CSRF form field of a parsed body: a raw urlencoded string, a Buffer, or an object from `@fastify/formbody`. */
function formToken(request: FastifyRequest, field: string): string | undefined {
  const body: unknown = request.body;
  const type = request.headers['content-type'];
  if (typeof body === 'string') return formField(type, body, field);
  if (Buffer.isBuffer(body)) return formField(type, body.toString('utf8'), field);
  if (typeof body === 'object' && body !== null) {
    const value = (body as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  }
  return undefined;
}

/** Sessions plugins registered so far: each names its hook apart. */
let plugins = 0;

/**
 * The routes that run the sessions plugin's hook `hook` (as `printRoutes({ includeHooks: true })`
 * lists them: a `path (METHOD, …)` line, then one line per hook kind) beyond the ones its
 * `onRoute` wrapped (`wrapped`, as `METHOD url`): routes registered before the plugin, whose
 * handler a refused `login`/`logout` escapes to the app's error handler. Counted, so a listing
 * that abbreviates a path only blurs the names; empty when the listing cannot be read.
 */
function unwrappedRoutes(listing: string, hook: string, wrapped: ReadonlySet<string>): string[] {
  const early: string[] = [];
  let seen = 0;
  let methods: string[] = [];
  let path = '';
  for (const line of listing.split('\n')) {
    const header = line.includes('•') ? null : /^[│├└─\s]*(\S.*?) \(([A-Z, ]+)\)\s*$/.exec(line);
    if (header !== null) {
      path = header[1] as string;
      methods = (header[2] as string).split(', ');
    } else if (line.includes('(onRequest)') && line.includes(`"${hook}()"`)) {
      seen += methods.length;
      early.push(...methods.filter((method) => !wrapped.has(`${method} ${path}`)).map((method) => `${method} ${path}`));
    }
  }
  return seen > wrapped.size ? early : [];
}

// #region sessions-hooks
const plugin: FastifyPluginCallback<FastifySessionsOptions> = (fastify, options, done) => {
  if (authenticatorOf(fastify) !== undefined) {
    // Authentication registered first would run before any session is open: every request a 503.
    return done(new ConfigurationError('sessions: register it before authentication (app.register(sessions, …), then app.register(authentication, …))'));
  }
  let engine: ReturnType<typeof webSessions>;
  try {
    engine = webSessions(options); // checked at startup: a bad option fails `register`/`ready()`
  } catch (error) {
    return done(error as Error);
  }
  const { config } = engine;
  const field = config.csrf === false ? '_csrf' : config.csrf.field;
  const cookiesOf = new WeakMap<FastifyRequest, () => readonly string[]>();
  // A websocket upgrade reaches no hook: its session is opened on the side, its cookies never sent.
  openers.set(fastify, (req) => engine.open({ cookies: parseCookies(req.headers.cookie), secure: isSecureNodeRequest(req, config.trustProxy) }).port);
  const open: Hook = (request, reply, next) => {
    const handle = engine.open({ cookies: parseCookies(request.headers.cookie), secure: isSecureNodeRequest(request.raw, config.trustProxy) });
    // On the Node request: this adapter's toConnection reads it there, and so does one layered over Fastify (Nest's).
    attachSessionPort(request.raw, handle.port);
    cookiesOf.set(request, () => handle.setCookies());
    if (!handle.port.hasCookie) return next();
    // Load now: a store outage answers 503 here, before any route.
    handle.port.get().then(
      () => next(),
      (error: unknown) => {
        if (!isSessionError(error)) return next(error as Error);
        sendDescription(request, reply, describeSessionError(error, toConnection(request, config.clock)));
      },
    );
  };

  // After the body is parsed: the gate reads the `_csrf` form field.
  const gate: Hook = (request, reply, next) => {
    const connection = toConnection(request, config.clock);
    sessionGate(connection, () => formToken(request, field)).then((denied) => {
      if (denied === null) next();
      else sendDescription(request, reply, denied);
    }, (error: unknown) => {
      if (!isSessionError(error)) return next(error as Error);
      sendDescription(request, reply, describeSessionError(error, connection));
    });
  };
  fastify.addHook('onRequest', open);
  fastify.addHook('preValidation', gate);
  remember(fastify, [open, gate], true);
  // #endregion sessions-hooks
  const wrapped = new Set<string>();
  const name = `portcullisSessions${++plugins}`;
  Object.defineProperty(open, 'name', { value: name });
  // The onRoute wrapper below covers only routes declared after the plugin loaded: one declared
  // before it (or after a register() not awaited) fails `ready()`, naming the fix.
  fastify.addHook('onRoute', (route) => {
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) wrapped.add(`${method} ${route.url}`);
  });
  fastify.addHook('onReady', function (this: FastifyInstance, ready) {
    const early = unwrappedRoutes(this.printRoutes({ includeHooks: true, commonPrefix: false }), name, wrapped);
    if (early.length === 0) return ready();
    // A path printRoutes abbreviates (a wildcard under a prefix prints as `*`) is left unnamed.
    const named = early.filter((route) => route.includes(' /')).join(', ') || 'a route';
    ready(new ConfigurationError(`sessions: register it before your routes (await app.register(sessions, …), then declare them): ${named} came first, and a login/logout refused there would reach your error handler`));
  });

  // #region sessions-cookies
  // The session's Set-Cookie values on every answer, ours included; never cached (LEAK-09).
  fastify.addHook('onSend', (request, reply, payload, next) => {
    const cookies = cookiesOf.get(request)?.() ?? [];
    if (cookies.length > 0) {
      const existing = reply.getHeader('set-cookie');
      const before = existing === undefined ? [] : Array.isArray(existing) ? existing.map(String) : [String(existing)];
      reply.header('set-cookie', [...before, ...cookies]);
      reply.header('cache-control', 'no-store');
    }
    next(null, payload);
  });
  // #endregion sessions-cookies

  // #region sessions-recover
  // `login`/`logout` refused in a handler (store down, GET /logout, plain HTTP), or a login
  // form's `verifyCredentials` (throttled: 429 + Retry-After; busy: 503): the core's
  // answer, before the app's error handler could make it a 500.
  fastify.addHook('onRoute', (route) => {
    const handler = route.handler;
    route.handler = function (this: unknown, request: FastifyRequest, reply: FastifyReply) {
      const recover = (error: unknown): FastifyReply => {
        const response = describeRouteError(error, toConnection(request, config.clock));
        if (response === undefined) throw error;
        return sendDescription(request, reply, response);
      };
      try {
        const result: unknown = (handler as (...args: unknown[]) => unknown).call(this, request, reply);
        return result instanceof Promise ? result.catch(recover) : result;
      } catch (error) {
        return recover(error);
      }
    } as RouteHandlerMethod;
  });
  // #endregion sessions-recover
  done();
};

/** What opens the session of an upgrade request, per Fastify instance the plugin was registered on. */
const openers = new WeakMap<FastifyInstance, (req: IncomingMessage) => SessionPort>();

/**
 * The session opener of the {@link sessions} plugin registered on `fastify`, for a
 * websocket upgrade (`upgradeHandler`'s `session` option of `@portcullis/node`):
 * hooks do not run on upgrades, so without it a `sessionAuth` backend refuses
 * every upgrade with 503. The opened session is read-only for the handshake: no
 * cookie is sent. `undefined` when the plugin is not registered on `fastify`
 * itself. `@portcullis/nest/ws` calls it on Nest's Fastify platform.
 *
 * @example
 * ```ts
 * await app.register(sessions, { secret, store });
 * app.server.on('upgrade', upgradeHandler({ authentication: auth, session: sessionOpener(app), accept }));
 * ```
 */
export function sessionOpener(fastify: FastifyInstance): ((req: IncomingMessage) => SessionPort) | undefined {
  return openers.get(fastify);
}

/**
 * Server-side sessions for Fastify on the core's Web sessions, the same engine as
 * the Hono adapter's: the cookie holds only the session id and its HMAC, the data
 * lives in any `SessionStore` (`MemorySessionStore`, `@portcullis/redis`). Safe
 * cookie defaults (`__Host-id`, `HttpOnly`, `SameSite=Lax`, `Secure` outside
 * development), nothing stored for anonymous requests, `Cache-Control: no-store`
 * with the cookie. Before your routes it answers `403` for cross-site unsafe
 * requests (CSRF: the `x-csrf-token` header, or the `_csrf` field of a body parsed
 * as a string or by `@fastify/formbody`), `405` for `GET /logout`, `503` when the
 * store is down; a `SessionError` thrown by `login`/`logout` in a route gets the
 * same answers instead of a 500. Register it (with `await`) before `authentication`
 * and before your routes: a route declared earlier fails `ready()` with a
 * `ConfigurationError` naming it, since its refused `login`/`logout` would reach
 * the app's error handler.
 *
 * @example
 * ```ts
 * await app.register(sessions, { secret: process.env.SESSION_SECRET, store });
 * await app.register(authentication, sessionAuth({ retrieveUser: (s: { userId: string }) => users.byId(s.userId), exclude: ['/login'] }));
 * app.post('/login', async (request, reply) => {
 *   const user = await checkLogin(request.body);
 *   if (user === null) return reply.code(401).send({ error: 'unauthorized' });
 *   await login(request, user, { userId: user.id });
 *   return { id: user.id };
 * });
 * ```
 */
export const sessions = fp(plugin, { fastify: '5.x', name: '@portcullis/fastify/sessions' });

/**
 * Logs the user in on this request's session: a new session id, the old session
 * destroyed server-side, `data` stored for `sessionAuth`'s `retrieveUser` (give
 * both the same type `D`). Needs the {@link sessions} plugin.
 *
 * @example
 * ```ts
 * app.post('/signup', async (request, reply) => {
 *   const user = await users.create(request.body);
 *   await login(request, user, { userId: user.id });
 *   return reply.code(201).send({ id: user.id });
 * });
 * ```
 */
// #region login
export function login<D extends object = SessionData>(request: FastifyRequest, user: BaseUser, data?: D, options?: LoginOptions): Promise<void> {
  return coreLogin(toConnection(request, Date.now), user, data, options);
}
// #endregion login

/**
 * Throws, before anything is created, the `SessionError` that `login` would throw
 * without touching the store (`session_insecure_transport`, `session_not_configured`).
 * Call it at signup before creating the account.
 *
 * @example
 * ```ts
 * assertCanLogin(request);
 * const user = await users.create(request.body);
 * ```
 */
export function assertCanLogin(request: FastifyRequest): void {
  coreAssertCanLogin(toConnection(request, Date.now));
}

/**
 * Logs out: destroys the session server-side and deletes the cookie. Refuses
 * `GET`/`HEAD` (`SessionError` `method_not_allowed`).
 *
 * @example
 * ```ts
 * app.post('/logout', async (request, reply) => {
 *   await logout(request);
 *   return reply.code(204).send();
 * });
 * ```
 */
export function logout(request: FastifyRequest): Promise<void> {
  return coreLogout(toConnection(request, Date.now));
}

/**
 * A CSRF token bound to this request's session, for a hidden `_csrf` form field
 * or the `x-csrf-token` header.
 *
 * @example
 * ```ts
 * app.get('/account', async (request) => ({ csrf: await csrfToken(request) }));
 * ```
 */
export function csrfToken(request: FastifyRequest): Promise<string> {
  return coreCsrfToken(toConnection(request, Date.now));
}
