import type { FastifyError, FastifyInstance, FastifyPluginCallback, FastifyReply, FastifyRequest, preHandlerHookHandler, RouteHandlerMethod } from 'fastify';
import { errorCodes } from 'fastify';
import fp from 'fastify-plugin';
import type {
  AuthCredentials,
  AuthenticationOptions,
  Connection,
  BaseUser,
  RequiresOptions,
  UnauthenticatedUser,
  WebSocketTickets,
} from '@portcullis/core';
import { createAuthenticator, createGuard, type AuthDecision, type Authenticator, type Guard } from '@portcullis/core/adapter';
import { sendDescription, states, toConnection } from './native.js';
import { ticketRoute, watchRoute, type WatchWebSocketOptions } from './websocket.js';
import type { WatchedSocket } from '@portcullis/node';
import { hasSessions, remember, runRemembered, type Hook } from './hooks.js';

export { sendDescription, toConnection } from './native.js';

/**
 * Register your app's user type once, and `request.user` carries it in every
 * handler and hook, as `@fastify/jwt` does with its `FastifyJWT` interface:
 *
 * ```ts
 * declare module '@portcullis/fastify' {
 *   interface Register { user: AppUser }
 * }
 * ```
 *
 * Fastify has one `FastifyRequest` type per TypeScript program, so the
 * registration holds for the whole program, and a backend of another type is
 * refused at `app.register(authentication, …)`. A program with several user types
 * registers their union.
 */
// #region register
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Register {}

/** The app's user type (from `Register`), or `BaseUser`. */
export type RegisteredUser = Register extends {
  /** The app's user type. */
  user: infer U extends BaseUser;
}
  ? U
  : BaseUser;

declare module 'fastify' {
  interface FastifyRequest {
    /** The request's user, set by the `authentication` plugin: the registered user type, or anonymous. */
    user: RegisteredUser | UnauthenticatedUser;
    /** The request's credentials (scopes), set by the `authentication` plugin. */
    auth: AuthCredentials;
  }
}
// #endregion register

/** Options of the {@link authentication} plugin: the core's, for a backend of the registered user type. */
export type FastifyAuthenticationOptions = AuthenticationOptions<RegisteredUser>;

/** A `preHandler` hook returned by {@link requires}, carrying its guard. */
export type GuardHook = preHandlerHookHandler & {
  /** The guard (its scopes and check), for code that inspects routes. */
  readonly guard: Guard;
};

const authenticators = new WeakMap<FastifyInstance, Authenticator<BaseUser>>();

// #region plugin
const plugin: FastifyPluginCallback<FastifyAuthenticationOptions> = (fastify, options, done) => {
  let authenticator: Authenticator<BaseUser>;
  try {
    authenticator = createAuthenticator<BaseUser>(options); // checked and frozen now: a bad option fails `register`/`ready()`
  } catch (error) {
    return done(error as Error);
  }
  const { clock, challenges, trustedProxies } = authenticator;
  authenticators.set(fastify, authenticator);
  fastify.decorateRequest('user', null as unknown as FastifyRequest['user']);
  fastify.decorateRequest('auth', null as unknown as AuthCredentials);
  // With the `sessions` plugin in front, authenticate after its session gate, which
  // reads the parsed body (`preValidation`); otherwise before the body is parsed.
  const hook = hasSessions(fastify) ? 'preValidation' : 'onRequest';
  const apply = (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void, connection: Connection, decision: AuthDecision<BaseUser>): void => {
    if (decision.type === 'respond') {
      sendDescription(request, reply, decision.response); // answered here, never thrown: no error handler sees it
      return;
    }
    request.user = decision.user as FastifyRequest['user'];
    request.auth = decision.auth;
    states.remember(request, connection, challenges);
    next();
  };
  const authenticate: Hook = (request, reply, next) => {
    const connection = toConnection(request, clock, trustedProxies);
    const decision = authenticator.run(connection);
    // A closure only for a pending decision: a synchronous one (a cache hit, a token map) allocates none.
    if (decision instanceof Promise) decision.then((settled) => apply(request, reply, next, connection, settled), next);
    else apply(request, reply, next, connection, decision);
  };
  fastify.addHook(hook, authenticate);
  remember(fastify, [authenticate]);
  done();
};
// #endregion plugin

/**
 * The Fastify plugin: authenticates every request of the app (it is wrapped
 * with `fastify-plugin`, so it is not encapsulated), sets `request.user` and
 * `request.auth`, or answers an authentication error itself, so the app's
 * `setErrorHandler` never sees it. Options are checked at startup: a
 * misconfiguration fails `app.ready()` / `listen()` with the fix in the message.
 *
 * @example
 * ```ts
 * import Fastify from 'fastify';
 * import { basicAuth, SimpleUser } from '@portcullis/core';
 * import { authentication, requires } from '@portcullis/fastify';
 *
 * const app = Fastify();
 * await app.register(authentication, { backend: basicAuth({ verify: checkPassword }) });
 * app.get('/admin', { preHandler: requires('authenticated') }, async (request) => ({ name: request.user.displayName }));
 * ```
 */
// #region fastify-plugin
export const authentication = fp(plugin, { fastify: '5.x', name: '@portcullis/fastify' });
// #endregion fastify-plugin

/**
 * The authenticator the {@link authentication} plugin registered on `fastify`
 * (its clock and challenges), for code built on this adapter.
 *
 * @example
 * ```ts
 * const { challenges } = authenticatorOf(app) ?? {};
 * ```
 */
export function authenticatorOf(fastify: FastifyInstance): Authenticator<BaseUser> | undefined {
  // A plugin's instance inherits from its parent's (avvio): a route in an encapsulated
  // plugin finds the authenticator registered on an ancestor.
  for (let f: object | null = fastify; f !== null; f = Object.getPrototypeOf(f) as object | null) {
    const found = authenticators.get(f as FastifyInstance);
    if (found !== undefined) return found;
  }
  return undefined;
}

/**
 * The route that issues websocket tickets (`webSocketTickets` of `@portcullis/core`),
 * behind the `authentication` plugin: 200 `{ ticket, expires_in }` (`Cache-Control:
 * no-store`) to an authenticated same-origin `POST`, 401 to an anonymous request,
 * 403 to a cross-site page, 405 to other methods.
 *
 * @example
 * ```ts
 * const tickets = webSocketTickets({ store: new MemoryTicketStore() });
 * app.post('/ws-ticket', ticketEndpoint(tickets));
 * ```
 */
export function ticketEndpoint(tickets: WebSocketTickets): RouteHandlerMethod {
  return ticketRoute(tickets, states);
}

/**
 * Re-checks a `@fastify/websocket` socket every `recheck.interval` ms: the upgrade's
 * credentials (or a ticket's issuing credentials) are authenticated again, the
 * session read afresh (`session: sessionOpener(app)`), the guard re-run; the
 * socket is closed with 4401 when authentication ended (logout, revocation,
 * expiry), 4403 when the guard denies; the timer is cleared when it closes.
 *
 * @example
 * ```ts
 * const guard = requires('authenticated');
 * app.get('/ws', { websocket: true, preHandler: guard }, (socket, request) => {
 *   watchWebSocket(socket, request, { recheck: { interval: 30_000 }, requires: guard, session: sessionOpener(app) });
 * });
 * ```
 */
export const watchWebSocket: (socket: WatchedSocket, request: FastifyRequest, options: WatchWebSocketOptions) => void = watchRoute(authenticatorOf);

export type { WebSocketOriginsOptions, WatchWebSocketOptions } from './websocket.js';
export { webSocketOrigins } from './websocket.js';

/**
 * A route guard as a `preHandler` hook: every scope must be held. Default 403;
 * `status` and `redirect` as in `RequiresOptions` (`status: 404` answers
 * Fastify's own not-found). A websocket upgrade (`@fastify/websocket`) is refused
 * with 403 whatever `status` says. Without the `authentication` plugin the
 * request counts as anonymous: it fails closed.
 *
 * @example
 * ```ts
 * app.get('/admin', { preHandler: requires(['authenticated', 'admin'], { redirect: '/login' }) }, handler);
 * // or for every route of an encapsulated context:
 * app.register(async (admin) => {
 *   admin.addHook('preHandler', requires('admin'));
 *   admin.get('/admin/stats', handler);
 * });
 * ```
 */
// #region requires
export function requires(scopes: string | readonly string[], options?: RequiresOptions): GuardHook {
  const guard = createGuard(scopes, options); // checked now, when the route is defined
  const hook = function (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void): void {
    const denied = states.check(guard, request, () => ({ user: request.user, auth: request.auth }), () => toConnection(request, Date.now));
    if (denied === null) next();
    else sendDescription(request, reply, denied);
  };
  return Object.assign(hook as preHandlerHookHandler, { guard });
}
// #endregion requires

/**
 * Adds a hook that {@link frameworkErrors} runs for a URL Fastify's router refuses,
 * after the hooks of the `sessions` and `authentication` plugins: for code that
 * authenticates in a layer of its own over Fastify (`@portcullis/nest` registers its
 * guard's authentication this way on Nest's Fastify platform). The hook calls
 * `next()` to go on (Fastify's own 400), or answers with `reply` and does not.
 *
 * @example
 * ```ts
 * frameworkErrorHook(app, (request, reply, next) => (request.headers['x-block'] ? reply.code(403).send() : next()));
 * ```
 */
export function frameworkErrorHook(fastify: FastifyInstance, hook: (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => void): void {
  remember(fastify, [hook]);
}

/**
 * Fastify's own error for a URL its router cannot decode (`FST_ERR_BAD_URL`, 400), naming
 * `path` only: for code that meets such a URL outside Fastify's router (Nest's not-found
 * handler) and hands it to {@link frameworkErrors}. Keep the query out of `path`: it may
 * carry a token.
 *
 * @example
 * ```ts
 * frameworkErrors(badUrlError('/a%'), request, reply);
 * ```
 */
export function badUrlError(path: string): FastifyError {
  return new errorCodes.FST_ERR_BAD_URL(path);
}

/**
 * The client's address for `request`: the socket's peer, or through the
 * `trustedProxies` of the `authentication` plugin, the address that trusted proxies
 * reported (see `Connection.clientAddress`; Fastify's `request.ip` follows its own
 * `trustProxy` instead). Without the plugin: the peer.
 *
 * @example
 * ```ts
 * await app.register(authentication, { backend, trustedProxies: ['10.0.0.0/8'] });
 * app.post('/login', async (request) => { audit.info({ event: 'login', address: clientAddress(request) }); });
 * ```
 */
export function clientAddress(request: FastifyRequest): string | undefined {
  return (states.connection(request) ?? toConnection(request, Date.now)).clientAddress;
}

/**
 * Fastify's own answer to a URL its router cannot decode (`FST_ERR_BAD_URL`,
 * `FST_ERR_MAX_PARAM_LENGTH`), with the path alone in the message: Fastify names the
 * whole URL (`'/a%?access_token=…' is not a valid url component`), and a query may
 * carry a token.
 */
function routerAnswer(error: FastifyError, reply: FastifyReply): FastifyReply {
  const statusCode = error.statusCode;
  if (statusCode === undefined) return reply.send(error); // never for these two codes: Fastify's own answer then
  const body = JSON.stringify({ error: 'Bad Request', code: error.code, message: withoutQuery(error.message), statusCode });
  return reply.code(statusCode).type('application/json').send(Buffer.from(body, 'utf8'));
}

/**
 * A router error's message (`'<url>' <fixed text>`) with the URL's query left out.
 * The fixed text holds no `'`, so the URL ends at the last `' `, whatever it holds.
 */
function withoutQuery(message: string): string {
  const end = message.lastIndexOf("' ");
  if (!message.startsWith("'") || end < 1) return message.split('?', 1)[0]!;
  return `'${message.slice(1, end).split('?', 1)[0]!}${message.slice(end)}`;
}

// #region framework-errors
/**
 * Fastify answers a URL its router cannot decode (`/a%`) with its own 400 before
 * any hook runs, so such a request is never authenticated. Pass this as the
 * `frameworkErrors` option and it is: the `sessions` and `authentication` hooks
 * run first (a duplicate `Authorization` line → 400, required mode → 401, as on
 * every other adapter), then Fastify's own 400 is sent. Other framework errors
 * keep Fastify's answer.
 *
 * @example
 * ```ts
 * const app = Fastify({ frameworkErrors });
 * await app.register(authentication, { backend, mode: 'required' });
 * ```
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  if (error.code !== 'FST_ERR_BAD_URL' && error.code !== 'FST_ERR_MAX_PARAM_LENGTH') {
    reply.send(error);
    return;
  }
  runRemembered(request.server, request, reply, (failed) => (failed === undefined ? routerAnswer(error, reply) : reply.send(failed)));
}
// #endregion framework-errors
