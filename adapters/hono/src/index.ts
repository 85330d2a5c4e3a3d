import type { Context, MiddlewareHandler } from 'hono';
import { ConfigurationError } from '@portcullis/core';
import type {
  AuthCredentials,
  AuthenticationOptions,
  BaseUser,
  RequiresOptions,
  ResponseDescription,
  UnauthenticatedUser,
  WebSocketTickets,
} from '@portcullis/core';
import {
  createAuthenticator,
  createGuard,
  type Authenticator,
  type Guard,
  type MaybePromise,
} from '@portcullis/core/adapter';
import { states, toConnection, toResponse, type PeerAddressOf } from './native.js';
import { ticketEndpoint as ticketRoute } from './websocket.js';

export { toConnection, toResponse } from './native.js';
export type { PeerAddressOf } from './native.js';

/** Options of {@link authentication}: the core's, and where the peer address comes from. */
export interface HonoAuthenticationOptions<U extends BaseUser = BaseUser> extends AuthenticationOptions<U> {
  /**
   * The socket peer's address, where `c.env` does not give it. On Node
   * (@hono/node-server), Bun and Deno it is read from `c.env`; Workers have no
   * socket: `(c) => c.req.header('cf-connecting-ip')` takes Cloudflare's word
   * (sound only when the Worker is reachable through Cloudflare alone, as deployed
   * Workers are). Then `trustedProxies` applies as everywhere.
   */
  peerAddress?: PeerAddressOf | undefined;
}
export { isWebSocketUpgrade } from '@portcullis/core/adapter';

/** The variables `authentication()` sets: `c.var.user`, `c.var.auth`. */
export interface AuthVariables<U extends BaseUser = BaseUser> {
  /** The request's user: the app's user type, or anonymous. */
  user: U | UnauthenticatedUser;
  /** The request's credentials (scopes). */
  auth: AuthCredentials;
}

/** A Hono `Env` carrying {@link AuthVariables}. */
export interface AuthEnv<U extends BaseUser = BaseUser> {
  /** The variables `authentication()` sets. */
  Variables: AuthVariables<U>;
}

/** The middleware returned by {@link authentication}. */
export type AuthenticationMiddleware<U extends BaseUser> = MiddlewareHandler<AuthEnv<U>> & {
  /** The configured authenticator (its clock and challenges), for adapters built on this one. */
  readonly authenticator: Authenticator<U>;
};

/** The middleware returned by {@link requires}. */
export type GuardMiddleware = MiddlewareHandler & {
  /** The guard (its scopes and check), for code that inspects routes. */
  readonly guard: Guard;
};


/**
 * Authenticates every request: sets `c.var.user` and `c.var.auth`, or answers an
 * authentication error itself (`app.onError` never sees it).
 *
 * @example
 * ```ts
 * import { Hono } from 'hono';
 * import { basicAuth, SimpleUser } from '@portcullis/core';
 * import { authentication, requires, type AuthEnv } from '@portcullis/hono';
 *
 * const app = new Hono<AuthEnv<SimpleUser>>();
 * app.use(authentication({ backend: basicAuth({ verify: checkPassword }) }));
 * app.get('/admin', requires('authenticated'), (c) => c.json({ user: c.var.user.displayName }));
 * ```
 */
export function authentication<U extends BaseUser>(options: HonoAuthenticationOptions<U>): AuthenticationMiddleware<U> {
  const authenticator = createAuthenticator(options);
  const { clock, challenges, trustedProxies } = authenticator;
  const peerAddress = options.peerAddress;
  if (peerAddress !== undefined && typeof peerAddress !== 'function') throw new ConfigurationError('peerAddress must be a function (c) => string | undefined');
  const middleware: MiddlewareHandler<AuthEnv<U>> = async (c, next) => {
    const connection = toConnection(c, clock, trustedProxies, peerAddress);
    let decision = authenticator.run(connection);
    // Awaited only when it is a promise: awaiting a cache hit's decision would cost a microtask turn.
    if (decision instanceof Promise) decision = await decision;
    if (decision.type === 'respond') return toResponse(c, decision.response);
    c.set('user', decision.user);
    c.set('auth', decision.auth);
    states.remember(c, connection, challenges);
    await next();
  };
  return Object.assign(middleware, { authenticator });
}

/**
 * The client's address for `c`: the socket's peer, or through the `trustedProxies`
 * of `authentication(...)`, the address that trusted proxies reported (see
 * `Connection.clientAddress`). Without `authentication` in front: the peer as
 * `c.env` gives it.
 *
 * @example
 * ```ts
 * app.use(authentication({ backend, trustedProxies: ['10.0.0.0/8'] }));
 * app.post('/login', (c) => { audit.info({ event: 'login', address: clientAddress(c) }); return c.text('ok'); });
 * ```
 */
export function clientAddress(c: Context): string | undefined {
  return (states.connection(c) ?? toConnection(c, Date.now)).clientAddress;
}

function check(guard: Guard, c: Context): ResponseDescription | null {
  return states.check(guard, c, () => ({ user: c.get('user') as BaseUser, auth: c.get('auth') as AuthCredentials }), () =>
    toConnection(c, Date.now),
  );
}

/**
 * A route guard: every scope must be held. Default 403; `status` and `redirect`
 * as in `RequiresOptions`. Websocket upgrades (`upgradeWebSocket`) are refused
 * with 403.
 *
 * @example
 * ```ts
 * app.get('/admin', requires(['authenticated', 'admin'], { redirect: '/login' }), handler);
 * ```
 */
export function requires(scopes: string | readonly string[], options?: RequiresOptions): GuardMiddleware {
  const guard = createGuard(scopes, options);
  const middleware: MiddlewareHandler = async (c, next) => {
    const denied = check(guard, c);
    if (denied !== null) return toResponse(c, denied);
    await next();
  };
  return Object.assign(middleware, { guard });
}

/** A controller method: Hono's context first, then whatever a decorator above adds. */
type HonoMethod = (this: unknown, c: Context, ...extra: never[]) => MaybePromise<Response>;

/**
 * The same guard as a method decorator, for class-style controllers.
 *
 * @example
 * ```ts
 * class Dashboard {
 *   @Requires('authenticated')
 *   show(c: Context<AuthEnv>) { return c.text(`Hello, ${c.var.user.displayName}`); }
 * }
 * ```
 */
export function Requires(scopes: string | readonly string[], options?: RequiresOptions) {
  const guard = createGuard(scopes, options);
  return function <M extends HonoMethod>(method: M, _context: ClassMethodDecoratorContext): M {
    // Every argument is forwarded: a decorator stacked above may pass more than Hono does.
    return function (this: unknown, ...args: Parameters<M>) {
      const c = args[0];
      const denied = check(guard, c);
      return denied !== null ? toResponse(c, denied) : method.apply(this, args);
    } as M;
  };
}

/**
 * The route that issues websocket tickets (`webSocketTickets` of `@portcullis/core`),
 * behind `authentication(...)`: 200 `{ ticket, expires_in }` (`Cache-Control:
 * no-store`) to an authenticated same-origin `POST`, 401 to an anonymous request,
 * 403 to a cross-site page, 405 to other methods.
 *
 * @example
 * ```ts
 * const tickets = webSocketTickets({ store: new MemoryTicketStore() });
 * app.post('/ws-ticket', ticketEndpoint(tickets));
 * ```
 */
export function ticketEndpoint(tickets: WebSocketTickets): MiddlewareHandler {
  return ticketRoute(tickets, states);
}

export type { WebSocketOriginsOptions, WatchWebSocketOptions, WebSocketWatch, ClosableSocket } from './websocket.js';
export { webSocketOrigins, watchWebSocket } from './websocket.js';
export type { HonoSessionsOptions } from './session.js';
export { sessions, login, logout, assertCanLogin, csrfToken } from './session.js';
