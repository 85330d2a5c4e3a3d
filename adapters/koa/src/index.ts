import type { Context, Middleware, Next } from 'koa';
import type {
  AuthCredentials,
  AuthenticationOptions,
  BaseUser,
  Connection,
  RequiresOptions,
  UnauthenticatedUser,
  WebSocketTickets,
} from '@portcullis/core';
import { ANONYMOUS, NO_CREDENTIALS } from '@portcullis/core';
import {
  createAuthenticator,
  createGuard,
  type AuthDecision,
  type Authenticator,
  type Guard,
  type MaybePromise,
} from '@portcullis/core/adapter';
import { sendDescription, states, toConnection } from './native.js';

export { sendDescription, toConnection } from './native.js';

/** What `authentication()` puts on `ctx.state`. Use it as Koa's (or the router's) `StateT`. */
export interface AuthState<U extends BaseUser = BaseUser> {
  /** The request's user: the app's user type, or anonymous. */
  user: U | UnauthenticatedUser;
  /** The request's credentials (scopes). */
  auth: AuthCredentials;
}

/** The middleware returned by {@link authentication}. */
export type AuthenticationMiddleware<U extends BaseUser> = Middleware<AuthState<U>> & {
  /** The configured authenticator (its clock and challenges), for adapters built on this one. */
  readonly authenticator: Authenticator<U>;
};

/** The middleware returned by {@link requires}. */
export type GuardMiddleware = Middleware & {
  /** The guard (its scopes and check), for code that inspects routes. */
  readonly guard: Guard;
};



/**
 * Authenticates every request: sets `ctx.state.user` and `ctx.state.auth`, or
 * answers an authentication error itself (your error middleware never sees it).
 *
 * @example
 * ```ts
 * import Koa from 'koa';
 * import Router from '@koa/router';
 * import { tokenAuth, SimpleUser } from '@portcullis/core';
 * import { authentication, requires, type AuthState } from '@portcullis/koa';
 *
 * const app = new Koa<AuthState<SimpleUser>>();
 * const router = new Router<AuthState<SimpleUser>>();
 * app.use(authentication({ backend: tokenAuth({ verify: findUserByToken }) }));
 * router.get('/me', requires('authenticated'), (ctx) => { ctx.body = { user: ctx.state.user.displayName }; });
 * app.use(router.routes());
 * ```
 */
export function authentication<U extends BaseUser>(options: AuthenticationOptions<U>): AuthenticationMiddleware<U> {
  const authenticator = createAuthenticator(options);
  const { clock, challenges, trustedProxies } = authenticator;
  const middleware: Middleware<AuthState<U>> = (ctx, next) => {
    const connection = toConnection(ctx, clock, trustedProxies);
    const decision = authenticator.run(connection);
    // No closure on the synchronous path: it is every cache hit's.
    return decision instanceof Promise
      ? decision.then((d) => apply(d, ctx, next, connection, challenges))
      : apply(decision, ctx, next, connection, challenges);
  };
  return Object.assign(middleware, { authenticator });
}

/** Sets `ctx.state.user` and `ctx.state.auth` and goes on, or answers the decision's response. */
function apply<U extends BaseUser>(
  decision: AuthDecision<U>,
  ctx: Context,
  next: Next,
  connection: Connection,
  challenges: readonly string[],
): MaybePromise<void> {
  if (decision.type === 'respond') return sendDescription(ctx, decision.response);
  const state = ctx.state as AuthState<U>;
  state.user = decision.user;
  state.auth = decision.auth;
  states.remember(ctx, connection, challenges);
  return next();
}

/**
 * The client's address for `ctx`: the socket's peer, or through the `trustedProxies`
 * of `authentication(...)`, the address that trusted proxies reported (see
 * `Connection.clientAddress`; Koa's `ctx.ip` follows `app.proxy` instead). Without
 * `authentication` in front: the peer.
 *
 * @example
 * ```ts
 * app.use(authentication({ backend, trustedProxies: 1 }));
 * router.post('/login', (ctx) => { audit.info({ event: 'login', address: clientAddress(ctx) }); });
 * ```
 */
export function clientAddress(ctx: Context): string | undefined {
  return (states.connection(ctx) ?? toConnection(ctx, Date.now)).clientAddress;
}

function check(guard: Guard, ctx: Context): boolean {
  const denied = states.check(guard, ctx, () => ctx.state as AuthState, () => toConnection(ctx, Date.now));
  if (denied === null) return true;
  sendDescription(ctx, denied);
  return false;
}

/**
 * A route guard: every scope must be held. Default 403; `status` and `redirect`
 * as in `RequiresOptions`.
 *
 * @example
 * ```ts
 * router.get('/admin', requires(['authenticated', 'admin'], { status: 404 }), handler);
 * ```
 */
export function requires(scopes: string | readonly string[], options?: RequiresOptions): GuardMiddleware {
  const guard = createGuard(scopes, options);
  const middleware: Middleware = (ctx, next) => (check(guard, ctx) ? next() : undefined);
  return Object.assign(middleware, { guard });
}

/** A controller method: the framework's arguments first, then whatever a decorator above adds. */
type KoaMethod = (this: unknown, ctx: Context, next: Next, ...extra: never[]) => unknown;

/**
 * The same guard as a method decorator, for class-style controllers.
 *
 * @example
 * ```ts
 * class Dashboard {
 *   @Requires('authenticated')
 *   show(ctx: Context) { ctx.body = `Hello, ${ctx.state.user.displayName}`; }
 * }
 * ```
 */
export function Requires(scopes: string | readonly string[], options?: RequiresOptions) {
  const guard = createGuard(scopes, options);
  return function <M extends KoaMethod>(method: M, _context: ClassMethodDecoratorContext): M {
    // Every argument is forwarded: a decorator stacked above may pass more than Koa does.
    return function (this: unknown, ...args: Parameters<M>) {
      return check(guard, args[0]) ? method.apply(this, args) : undefined;
    } as M;
  };
}

/**
 * The route that issues websocket tickets (`webSocketTickets` of `@portcullis/core`),
 * behind `authentication(...)`: 200 `{ ticket, expires_in }` (`Cache-Control:
 * no-store`) to an authenticated same-origin `POST`, 401 to an anonymous request, 403
 * to a cross-site page, 405 to other methods.
 *
 * @example
 * ```ts
 * const tickets = webSocketTickets({ store: new MemoryTicketStore() });
 * router.post('/ws-ticket', ticketEndpoint(tickets));
 * ```
 */
export function ticketEndpoint(tickets: WebSocketTickets): Middleware {
  return async (ctx) => {
    const state = ctx.state as Partial<AuthState>;
    const principal = state.user === undefined || state.auth === undefined ? { user: ANONYMOUS, auth: NO_CREDENTIALS } : { user: state.user, auth: state.auth };
    sendDescription(ctx, await tickets.respond(states.connection(ctx) ?? toConnection(ctx, Date.now), principal, states.challenges(ctx)));
  };
}

export { upgradeHandler } from '@portcullis/node';
export type { UpgradeOptions, UpgradePrincipal, WatchedSocket } from '@portcullis/node';
