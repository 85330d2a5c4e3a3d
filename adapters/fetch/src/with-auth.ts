import {
  ANONYMOUS,
  NO_CREDENTIALS,
  ConfigurationError,
  isSessionError,
  type WebSocketTickets,
  type AuthCredentials,
  type AuthenticationOptions,
  type BaseUser,
  type Connection,
  type UnauthenticatedUser,
} from '@portcullis/core';
import {
  createAuthenticator,
  describeRouteError,
  describeSessionError,
  isSecureRequest,
  isSecureWebRequest,
  requestFormField,
  parseCookies,
  runtimePeerAddress,
  sessionGate,
  sessionGateNow,
  webSessions,
  type Authenticator,
  type MaybePromise,
  type SessionPort,
  type WebSessionHandle,
  type WebSessionOptions,
  type WebSessions,
} from '@portcullis/core/adapter';
import { hide, issued, ports, toConnection, toResponse } from './native.js';

/** `isSecureWebRequest`'s peer reader when the peer is known already: the context is the peer. */
const peerGiven = (_request: Request, peer: string | undefined): string | undefined => peer;

/** Who is asking: what {@link withAuth} hands the handler after the request. */
export interface RequestAuth<U extends BaseUser = BaseUser> {
  /** The request's user: the app's user type, or anonymous. */
  readonly user: U | UnauthenticatedUser;
  /** The request's credentials (scopes). */
  readonly auth: AuthCredentials;
}

/**
 * A handler behind {@link withAuth}: the request, the {@link RequestAuth}, then
 * whatever the runtime or router passes after the request (Workers' `env` and
 * `ctx`, Bun's `server`, Deno's `info`), unchanged.
 */
export type AuthHandler<U extends BaseUser = BaseUser, A extends readonly unknown[] = []> = (
  request: Request,
  principal: RequestAuth<U>,
  ...rest: A
) => MaybePromise<Response>;

/**
 * What {@link withAuth} returns: a plain `Request → Response` handler for `Bun.serve`,
 * `Deno.serve`, a Worker or a router, carrying its authenticator (typed by the
 * backend's user `U`).
 */
export type FetchHandler<A extends readonly unknown[] = [], U extends BaseUser = BaseUser> = ((request: Request, ...rest: A) => Promise<Response>) & {
  /**
   * The configured authenticator (its clock and challenges), for code built on this
   * adapter: on Node, `@portcullis/node`'s `upgradeHandler({ authentication: app, … })`
   * guards websocket upgrades with it. Not with `sessions`: an upgrade never reaches
   * `withAuth`, so no session is opened for it, and a session backend refuses every
   * upgrade there (503, fail closed).
   */
  readonly authenticator: Authenticator<U>;
};

/**
 * Options of {@link withAuth}: the core's authentication options, server-side
 * sessions, and where the socket peer's address comes from (`A`: what the runtime
 * passes after the request).
 */
export interface WithAuthOptions<U extends BaseUser = BaseUser, A extends readonly unknown[] = readonly unknown[]> extends AuthenticationOptions<U> {
  /**
   * The socket peer's address. By default it is read from the argument the runtime
   * passes after the request: Bun.serve's `server` (`server.requestIP(request)`),
   * Deno.serve's `info` (`info.remoteAddr`), @hono/node-server's bindings. Workers
   * have no socket: `(request) => request.headers.get('cf-connecting-ip') ?? undefined`
   * takes Cloudflare's word (sound only when the Worker is reachable through
   * Cloudflare alone, as deployed Workers are). A router that calls the handler
   * with other arguments passes them here. `trustedProxies` then applies as
   * everywhere; the handler reads the result with `clientAddress(request)`.
   */
  readonly peerAddress?: ((request: Request, ...rest: A) => string | undefined) | undefined;
  /**
   * Server-side sessions on Web standards (the same engine as Hono's): the cookie
   * holds only the session id and its HMAC, the data lives in the `store`. With
   * them, `login(request, user, data)` and `logout(request)` work in handlers.
   */
  readonly sessions?: WebSessionOptions | undefined;
}

/** What a guard judges a request by: what `withAuth` decided, and the request's connection and challenges. */
export interface Grant {
  /** The principal `withAuth` handed its handler for the request. */
  readonly principal: RequestAuth;
  readonly connection: Connection;
  readonly challenges: readonly string[];
}

const ISSUED = Symbol('portcullis.fetch.principal');
type Holder = { [ISSUED]?: Principal<BaseUser> };

/** The values of the headers that carry credentials: a principal serves only requests that send the same. */
const CREDENTIAL_HEADERS = ['authorization', 'cookie'] as const;

/**
 * The principal `withAuth` hands the handler, frozen. `withAuth` remembers it on the
 * `Request` it received (under a private symbol, not enumerable), and it keeps that
 * request, its `Connection` and the backend's challenges in private fields, which
 * `console.log`, `util.inspect`, `JSON.stringify` and a spread never show: the
 * connection holds the `Authorization` and `Cookie` values, the session its secrets.
 */
class Principal<U extends BaseUser> implements RequestAuth<U> {
  readonly #request: Request;
  readonly #connection: Connection;
  readonly #challenges: readonly string[];
  static {
    issued.connectionOf = (request) => {
      const principal = (request as Holder)[ISSUED];
      return principal === undefined ? undefined : principal.#connection;
    };
  }
  constructor(
    readonly user: U | UnauthenticatedUser,
    readonly auth: AuthCredentials,
    request: Request,
    connection: Connection,
    challenges: readonly string[],
  ) {
    this.#request = request;
    this.#connection = connection;
    this.#challenges = challenges;
    Object.freeze(this); // what a guard reads from it is what withAuth decided
    hide(request, ISSUED, this);
  }

  /**
   * What a guard judges `request` by: the principal remembered on the request (or on
   * the request a `Proxy` wraps), whatever `given` is (an object the app builds, a
   * copy, nothing); else, for a request `withAuth` never saw (a router rebuilt it),
   * the principal `given` when `withAuth` made it and the request sends the same
   * `Authorization` and `Cookie` as the one it was made for (a principal kept from
   * another request unlocks nothing else). `undefined`: judged anonymous.
   */
  static grant(request: Request, given: unknown): Grant | undefined {
    const own = (request as Holder)[ISSUED];
    if (own !== undefined) return { principal: own, connection: own.#connection, challenges: own.#challenges };
    if (typeof given !== 'object' || given === null || !(#request in given)) return undefined;
    const principal = given as Principal<BaseUser>;
    const origin = principal.#request;
    if (CREDENTIAL_HEADERS.some((name) => origin.headers.get(name) !== request.headers.get(name))) return undefined;
    // Without credentials, "the same client" means nothing: the rebuilt request's own path,
    // never the other request's (a redirect's `next` would hand its query to this client).
    const bound = CREDENTIAL_HEADERS.some((name) => origin.headers.has(name));
    const connection = bound ? principal.#connection : toConnection(request, Date.now);
    return { principal, connection, challenges: principal.#challenges };
  }
}

/** Form bodies larger than this are not read for a CSRF token (the header still works). */
function withCookies(response: Response, handle: WebSessionHandle | undefined): Response {
  const cookies = handle?.setCookies() ?? [];
  if (cookies.length === 0) return response;
  const add = (headers: Headers): void => {
    for (const cookie of cookies) headers.append('set-cookie', cookie);
    headers.set('cache-control', 'no-store');
  };
  try {
    add(response.headers);
    return response;
  } catch {
    // Immutable headers (`Response.redirect`, a fetched response): answer with a copy.
    const copy = new Response(response.body, response);
    add(copy.headers);
    return copy;
  }
}

/**
 * Authenticates every request, then calls `handler(request, { user, auth }, ...rest)`;
 * an authentication error is answered here from the core's table (400, 401 with
 * the challenges, 431, 503 when the backend throws), and the handler never runs.
 * Web-standard only: runs on Bun, Deno, Workers and Node. Options are checked at
 * startup. With `sessions`, the session cookie is read first, cross-site unsafe
 * requests get 403 (CSRF), a store outage 503, and a `SessionError` thrown by
 * `login`/`logout` in the handler gets the core's answer instead of escaping.
 *
 * @example
 * ```ts
 * import { basicAuth, SimpleUser } from '@portcullis/core';
 * import { withAuth } from '@portcullis/fetch';
 *
 * declare function checkPassword(username: string, password: string): Promise<SimpleUser | null>;
 *
 * const handler = withAuth(
 *   (request, { user }) => new Response(`Hello, ${user.displayName}`),
 *   { backend: basicAuth({ verify: checkPassword }) },
 * );
 * export default { fetch: handler }; // Bun.serve, a Worker; Deno.serve(handler)
 * ```
 */
export function withAuth<U extends BaseUser, A extends readonly unknown[] = []>(
  handler: AuthHandler<U, A>,
  options: WithAuthOptions<U, A>,
): FetchHandler<A, U> {
  const { sessions, peerAddress, ...authentication } = options;
  const authenticator = createAuthenticator<U>(authentication);
  const { clock, challenges, trustedProxies } = authenticator;
  if (peerAddress !== undefined && typeof peerAddress !== 'function') {
    throw new ConfigurationError('peerAddress must be a function (request, ...rest) => string | undefined');
  }
  const engine = sessions === undefined ? undefined : webSessions(sessions);
  const field = engine === undefined || engine.config.csrf === false ? '_csrf' : engine.config.csrf.field;
  const trustProxy = engine?.config.trustProxy ?? false;

  const fetch = async (request: Request, ...rest: A): Promise<Response> => {
    const peer = peerAddress === undefined ? runtimePeerAddress(request, rest[0]) : peerAddress(request, ...rest);
    const handle = engine?.open({
      cookies: parseCookies(request.headers.get('cookie') ?? undefined),
      // The header is read only with trustProxy (the core's rule, one place); the peer is known already.
      secure: isSecureWebRequest(request, trustProxy, peerGiven, peer),
    });
    if (handle !== undefined) ports.set(request, handle.port);
    const connection = toConnection(request, clock, undefined, peer, trustedProxies);
    if (handle !== undefined) {
      try {
        // Load now: a store outage answers 503 here, before the handler.
        if (handle.port.hasCookie) await handle.port.get();
        // A safe request is decided without a promise (no CSRF check): the hot path.
        const decided = sessionGateNow(connection);
        const denied = decided === undefined ? await sessionGate(connection, () => requestFormField(request, field)) : decided;
        if (denied !== null) return withCookies(toResponse(denied), handle);
      } catch (error) {
        if (isSessionError(error)) return toResponse(describeSessionError(error, connection));
        throw error;
      }
    }
    let decision = authenticator.run(connection);
    // Awaited only when it is a promise: awaiting a cache hit's decision would cost a microtask turn.
    if (decision instanceof Promise) decision = await decision;
    if (decision.type === 'respond') return withCookies(toResponse(decision.response), handle);
    const principal = new Principal<U>(decision.user, decision.auth, request, connection, challenges);
    let response: Response;
    try {
      response = await handler(request, principal, ...rest);
    } catch (error) {
      // `login`/`logout` failed (store down, GET /logout…), or a login form's
      // `verifyCredentials` refused (throttled: 429 + Retry-After; busy: 503): the core's answer, not a 500.
      const failed = handle === undefined ? undefined : describeRouteError(error, connection);
      if (failed === undefined) throw error;
      response = toResponse(failed);
    }
    return withCookies(response, handle);
  };
  if (engine !== undefined) engines.set(fetch, engine);
  return Object.assign(fetch, { authenticator });
}

const engines = new WeakMap<object, WebSessions>();

/** The session engine of `app` (what `withAuth` returned, or a wrapper that {@link shareSessions}), if it has `sessions`. @internal */
export function sessionsOf(app: object): WebSessions | undefined {
  return engines.get(app);
}

/** Lets `wrapper` (a handler around `app`) stand for `app` wherever its sessions are looked up. @internal */
export function shareSessions(app: object, wrapper: object): void {
  const engine = engines.get(app);
  if (engine !== undefined) engines.set(wrapper, engine);
}

/** The parts of a Node request (`IncomingMessage`) a session opener reads. */
export interface UpgradeRequestLike {
  /** The request headers, names in lower case. */
  readonly headers: {
    /** The `Cookie` header. */
    readonly cookie?: string | undefined;
    /** `X-Forwarded-Proto`, believed only from a `trustProxy` peer. */
    readonly 'x-forwarded-proto'?: string | readonly string[] | undefined;
  };
  /** The socket: TLS or not, and its peer (for `trustProxy`). */
  readonly socket?:
    | {
        /** True on a TLS socket. */
        readonly encrypted?: boolean;
        /** The peer's address. */
        readonly remoteAddress?: string | undefined;
      }
    | undefined;
}

/**
 * The session opener of the `sessions` of `app` (what `withAuth` returned), for a
 * websocket upgrade on Node (`upgradeHandler`'s `session` option of
 * `@portcullis/node`): an upgrade never reaches `withAuth`, so without it a session
 * backend refuses every upgrade (503). The session is read for the handshake; no
 * cookie is sent. `undefined` when `app` has no `sessions`.
 *
 * @example
 * ```ts
 * const app = withAuth(handler, { ...sessionAuth({ retrieveUser }), sessions: { secret, store } });
 * server.on('upgrade', upgradeHandler({ authentication: app, session: sessionOpener(app), accept }));
 * ```
 */
export function sessionOpener(app: object): ((req: UpgradeRequestLike) => SessionPort) | undefined {
  const engine = engines.get(app);
  if (engine === undefined) return undefined;
  return (req) => {
    const proto = req.headers['x-forwarded-proto'];
    const secure =
      req.socket?.encrypted === true ||
      isSecureRequest('', typeof proto === 'string' ? proto : proto?.[0], engine.config.trustProxy, req.socket?.remoteAddress);
    return engine.open({ cookies: parseCookies(req.headers.cookie), secure }).port;
  };
}

/**
 * A handler that issues websocket tickets (`webSocketTickets` of `@portcullis/core`),
 * behind `withAuth`: 200 `{ ticket, expires_in }` (`Cache-Control: no-store`) to an
 * authenticated same-origin `POST`, 401 to an anonymous request, 403 to a cross-site
 * page, 405 to other methods.
 *
 * @example
 * ```ts
 * const issue = ticketEndpoint(webSocketTickets({ store: new MemoryTicketStore() }));
 * const app = withAuth((request, principal) =>
 *   new URL(request.url).pathname === '/ws-ticket' ? issue(request, principal) : new Response('ok'), { backend });
 * ```
 */
export function ticketEndpoint(tickets: WebSocketTickets): AuthHandler<BaseUser> {
  return async (request, principal) => {
    const grant = Principal.grant(request, principal);
    const state = grant?.principal ?? { user: ANONYMOUS, auth: NO_CREDENTIALS };
    return toResponse(await tickets.respond(grant?.connection ?? toConnection(request, Date.now), state, grant?.challenges ?? []));
  };
}

/** What a guard judges `request` by (see `Principal.grant`); `undefined`: anonymous. */
export function grantOf(request: Request, principal: unknown): Grant | undefined {
  return Principal.grant(request, principal);
}

/**
 * The client's address for a request behind {@link withAuth}: the socket's peer, or
 * through `trustedProxies`, the address that trusted proxies reported (see
 * `Connection.clientAddress`). `undefined` where the runtime gives no peer (Workers
 * without `peerAddress`), and for a request `withAuth` did not let through.
 *
 * @example
 * ```ts
 * const handler = withAuth(
 *   (request, { user }) => new Response(`${user.displayName} from ${clientAddress(request) ?? 'unknown'}`),
 *   { backend: basicAuth({ verify: checkPassword }), trustedProxies: ['10.0.0.0/8'] },
 * );
 * ```
 */
export function clientAddress(request: Request): string | undefined {
  return Principal.grant(request, undefined)?.connection.clientAddress;
}
