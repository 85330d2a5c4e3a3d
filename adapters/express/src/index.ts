import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type {
  AuthCredentials,
  AuthenticationOptions,
  Connection,
  BaseUser,
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
} from '@portcullis/core/adapter';
import { sendDescription, states, toConnection, toDictionaryMode } from './native.js';

export { sendDescription, toConnection } from './native.js';

/**
 * Register your app's user type once, and `req.user` carries it everywhere:
 *
 * ```ts
 * declare module '@portcullis/express' {
 *   interface Register { user: AppUser }
 * }
 * ```
 *
 * Express has one `Request` type per TypeScript program, so the registration holds
 * for the whole program (every file `tsc` checks together, tests included), and
 * every `authentication()` in it must produce the registered type. A program with
 * several user types (two apps, or tests using `SimpleUser`) registers their union:
 * `interface Register { user: AppUser | SimpleUser }`; handlers narrow with
 * `instanceof`. A backend of another type is refused with a message naming this rule.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface Register {}

/** The app's user type (from {@link Register}), or `BaseUser`. */
export type RegisteredUser = Register extends {
  /** The app's user type. */
  user: infer U extends BaseUser;
}
  ? U
  : BaseUser;

/**
 * `unknown` when `U` is the registered user type (or a subtype); otherwise a
 * member whose name is the rule, so the compiler's error explains itself.
 */
export type RegisteredCheck<U extends BaseUser> = [U] extends [RegisteredUser]
  ? unknown
  : {
      /** Never set: its name is the compiler's error message. */
      readonly 'Portcullis: the backend user type is not the one in Register (@portcullis/express). Register is program-wide: register the union of all user types, e.g. Register { user: AppUser | SimpleUser }': RegisteredUser;
    };

/**
 * What `authentication()` adds to Express's request. It is merged into
 * `express-serve-static-core`'s `Request` (the `req` of every handler, and
 * `Request` of `express`), not into the global `Express.Request`, so it sits
 * beside `@types/passport`'s `user?: Express.User` instead of redeclaring it
 * (TS2717): a request's own `user` refines the inherited one. That needs our
 * user type to be assignable to passport's `Express.User`, which it is while
 * `Express.User` stays empty (passport's default); see docs/typescript.md.
 */
declare module 'express-serve-static-core' {
  // The type parameters are core's own (names must match; defaults come from there).
  interface Request<P, ResBody, ReqBody, ReqQuery, LocalsObj> {
    /** The request's user, set by `authentication()`: the registered user type, or anonymous. */
    user: RegisteredUser | UnauthenticatedUser;
    /** The request's credentials (scopes), set by `authentication()`. */
    auth: AuthCredentials;
  }
}

/** The middleware returned by {@link authentication}. */
export type AuthenticationMiddleware<U extends BaseUser> = RequestHandler & {
  /** The configured authenticator (its clock and challenges), for adapters built on this one. */
  readonly authenticator: Authenticator<U>;
};

/** The middleware returned by {@link requires}. */
export type GuardMiddleware = RequestHandler & {
  /** The guard (its scopes and check), for code that inspects routes. */
  readonly guard: Guard;
};



/**
 * Authenticates every request: sets `req.user` and `req.auth`, or answers an
 * authentication error itself (so the app's error handlers never see it).
 *
 * @example
 * ```ts
 * import express from 'express';
 * import { basicAuth, SimpleUser } from '@portcullis/core';
 * import { authentication, requires } from '@portcullis/express';
 *
 * const app = express();
 * app.use(authentication({ backend: basicAuth({ verify: checkPassword }) }));
 * app.get('/admin', requires('authenticated'), (req, res) => {
 *   res.json({ user: req.user.displayName });
 * });
 * ```
 */
export function authentication<U extends BaseUser = RegisteredUser>(
  options: AuthenticationOptions<U> & RegisteredCheck<U>,
): AuthenticationMiddleware<U>;
/** The same call, as `Parameters<typeof authentication>` sees it: a backend of the registered user type. */
export function authentication<U extends RegisteredUser = RegisteredUser>(options: AuthenticationOptions<U>): AuthenticationMiddleware<U>;
export function authentication<U extends BaseUser>(options: AuthenticationOptions<U>): AuthenticationMiddleware<U> {
  const authenticator = createAuthenticator(options);
  const { clock, challenges, trustedProxies } = authenticator;
  const middleware: RequestHandler = (req, res, next) => {
    toDictionaryMode(req);
    toDictionaryMode(res);
    const connection = toConnection(req, clock, trustedProxies);
    const decision = authenticator.run(connection);
    // No closure on the synchronous path: it is every cache hit's.
    if (decision instanceof Promise) decision.then((d) => apply(d, req, res, next, connection, challenges), next);
    else apply(decision, req, res, next, connection, challenges);
  };
  return Object.assign(middleware, { authenticator });
}

/** Sets `req.user` and `req.auth` and goes on, or answers the decision's response. */
function apply<U extends BaseUser>(
  decision: AuthDecision<U>,
  req: Request,
  res: Response,
  next: NextFunction,
  connection: Connection,
  challenges: readonly string[],
): void {
  if (decision.type === 'respond') return sendDescription(req, res, next, decision.response);
  req.user = decision.user;
  req.auth = decision.auth;
  states.remember(req, connection, challenges);
  next();
}

/**
 * The client's address for `req`: the socket's peer, or through the `trustedProxies`
 * of `authentication(...)`, the address that trusted proxies reported (see
 * `Connection.clientAddress`). Without `authentication` in front: the peer.
 * `undefined` when Node no longer knows the socket's address.
 *
 * @example
 * ```ts
 * app.use(authentication({ backend, trustedProxies: ['10.0.0.0/8'] }));
 * app.post('/login', (req, res) => {
 *   audit.info({ event: 'login', address: clientAddress(req) });
 * });
 * ```
 */
export function clientAddress(req: Request): string | undefined {
  return (states.connection(req) ?? toConnection(req, Date.now)).clientAddress;
}

function check(guard: Guard, req: Request, res: Response, next: NextFunction): boolean {
  const denied = states.check(guard, req, () => req, () => toConnection(req, Date.now));
  if (denied === null) return true;
  sendDescription(req, res, next, denied);
  return false;
}

/**
 * A route guard: every scope must be held. Default 403; `status` and `redirect`
 * as in `RequiresOptions`.
 *
 * @example
 * ```ts
 * app.get('/admin', requires(['authenticated', 'admin'], { redirect: '/login' }), handler);
 * ```
 */
export function requires(scopes: string | readonly string[], options?: RequiresOptions): GuardMiddleware {
  const guard = createGuard(scopes, options);
  const middleware: RequestHandler = (req, res, next) => {
    if (check(guard, req, res, next)) next();
  };
  return Object.assign(middleware, { guard });
}

/** A controller method: the framework's arguments first, then whatever a decorator above adds. */
type ExpressMethod = (this: unknown, req: Request, res: Response, next: NextFunction, ...extra: never[]) => unknown;

/**
 * The same guard as a method decorator, for class-style controllers.
 *
 * @example
 * ```ts
 * class Dashboard {
 *   @Requires('authenticated')
 *   get(req: Request, res: Response) { res.send(`Hello, ${req.user.displayName}`); }
 * }
 * const dashboard = new Dashboard();
 * app.get('/dashboard', (req, res, next) => dashboard.get(req, res, next));
 * ```
 */
export function Requires(scopes: string | readonly string[], options?: RequiresOptions) {
  const guard = createGuard(scopes, options);
  return function <M extends ExpressMethod>(method: M, _context: ClassMethodDecoratorContext): M {
    // Every argument is forwarded: a decorator stacked above may pass more than Express does.
    return function (this: unknown, ...args: Parameters<M>) {
      const [req, res, next] = args;
      if (check(guard, req, res, next)) return method.apply(this, args);
      return undefined;
    } as M;
  };
}

/**
 * The route that issues websocket tickets (`webSocketTickets` of `@portcullis/core`):
 * mount it with `app.post` behind `authentication(...)`. Answers 200
 * `{ ticket, expires_in }` (`Cache-Control: no-store`) to an authenticated same-origin
 * `POST`, 401 to an anonymous request, 403 to a cross-site page, 405 to other methods.
 *
 * @example
 * ```ts
 * const tickets = webSocketTickets({ store: new MemoryTicketStore() });
 * app.post('/ws-ticket', ticketEndpoint(tickets));
 * // in the page: const { ticket } = await (await fetch('/ws-ticket', { method: 'POST' })).json();
 * //              new WebSocket(`wss://${location.host}/ws?ticket=${ticket}`);
 * ```
 */
export function ticketEndpoint(tickets: WebSocketTickets): RequestHandler {
  return (req, res, next) => {
    const connection = states.connection(req) ?? toConnection(req, Date.now);
    const state = req.user === undefined ? { user: ANONYMOUS, auth: NO_CREDENTIALS } : { user: req.user, auth: req.auth };
    tickets.respond(connection, state, states.challenges(req)).then((answer) => sendDescription(req, res, next, answer), next);
  };
}

export { upgradeHandler } from '@portcullis/node';
export type { UpgradeOptions, UpgradePrincipal, WatchedSocket } from '@portcullis/node';
