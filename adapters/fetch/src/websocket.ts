import { ANONYMOUS, NO_CREDENTIALS, selectProtocol, type BaseUser, type RecheckOptions } from '@portcullis/core';
import {
  exactOrigins,
  isSecureRequest,
  isWebSocketUpgrade,
  responseFor,
  upgradeOriginAllowed,
  watchRequestSocket,
  type Authenticator,
  type Guard,
  type MaybePromise,
} from '@portcullis/core/adapter';
import { toConnection, toResponse } from './native.js';
import { grantOf, sessionsOf, shareSessions, type RequestAuth } from './with-auth.js';

/** Options of {@link webSocketOrigins}. */
export interface WebSocketOriginsOptions {
  /** Let upgrades without an `Origin` header through (non-browser clients). Default `false`: refused with 403. */
  readonly allowMissingOrigin?: boolean | undefined;
}

/** A `Request → Response` handler with whatever the runtime passes after the request (what {@link withAuth} returns). */
type Handler = (request: Request, ...rest: never[]) => MaybePromise<Response>;

/**
 * Wraps an app (what `withAuth` returned) so that a websocket upgrade whose `Origin`
 * is not one of `origins` is refused with 403 before authentication (cross-site
 * websocket hijacking: a browser sends the page's cookies with a cross-site
 * handshake), and one without `Origin` unless `allowMissingOrigin` (WS-10, WS-11).
 * Refused first, so a cross-site page spends no ticket and opens no session. Other
 * requests pass unchanged; the wrapper keeps the app's `authenticator` and sessions.
 *
 * @example
 * ```ts
 * const app = webSocketOrigins(['https://app.example'])(withAuth(routes, { backend }));
 * Bun.serve({ fetch: app, websocket });
 * ```
 */
export function webSocketOrigins(origins: readonly string[], options: WebSocketOriginsOptions = {}): <H extends Handler>(app: H) => H {
  const allowed = exactOrigins(origins, 'webSocketOrigins');
  const allowMissing = options.allowMissingOrigin === true;
  return <H extends Handler>(app: H): H => {
    const wrapped = ((request: Request, ...rest: never[]) =>
      isWebSocketUpgrade(request) && !upgradeOriginAllowed(request.headers.get('origin') ?? undefined, allowed, allowMissing)
        ? toResponse(responseFor({ kind: 'refuse_upgrade' }, toConnection(request, Date.now), []))
        : app(request, ...rest)) as H;
    shareSessions(app, wrapped);
    return Object.assign(wrapped, app);
  };
}

/**
 * The protocol to answer a websocket handshake with: the first of the client's
 * `Sec-WebSocket-Protocol` offers that `supported` lists, never a bearer carrier
 * (`portcullis.bearer.…`); `undefined` when none. Answer with it explicitly on
 * every runtime: Bun's `server.upgrade` otherwise echoes the client's FIRST offer,
 * which may be the token (`'Sec-WebSocket-Protocol': protocol ?? ''` suppresses it).
 *
 * @example
 * ```ts
 * const protocol = negotiatedProtocol(request, ['app.v1']);
 * server.upgrade(request, { data, headers: { 'Sec-WebSocket-Protocol': protocol ?? '' } }); // Bun
 * Deno.upgradeWebSocket(request, protocol === undefined ? {} : { protocol }); // Deno
 * ```
 */
export function negotiatedProtocol(request: Request, supported: readonly string[]): string | undefined {
  return selectProtocol(request.headers.get('sec-websocket-protocol'), supported) || undefined;
}

/** Options of {@link watchWebSocket}. */
export interface WatchWebSocketOptions {
  /** The app (what `withAuth` returned, or {@link webSocketOrigins} around it): its authenticator and sessions. */
  readonly app: {
    /** Its authenticator: its backend, clock and trusted proxies. */
    readonly authenticator: Authenticator<BaseUser>;
  };
  /** The route's `requires(...)`, re-run at every check (4403 when it denies). */
  readonly requires?:
    | {
        /** The guard. */
        readonly guard: Guard;
      }
    | undefined;
  /** How often to re-check, in ms. */
  readonly recheck: RecheckOptions;
}

/** A socket the re-check can close: Bun's `ServerWebSocket`, Deno's `WebSocket`, workerd's server end. */
export interface ClosableSocket {
  /** Sends a close frame. */
  close(code?: number, reason?: string): void;
}

/** What {@link watchWebSocket} returns: call `open(ws)` once the socket is open and `close()` when it closes. */
export interface WebSocketWatch {
  /** Starts the re-checks on the accepted socket. */
  open(ws: ClosableSocket): void;
  /** Stops them (the socket closed); clears the timer. */
  close(): void;
}

/**
 * The re-check of a websocket accepted behind `withAuth` on Bun, Deno or workerd:
 * every `recheck.interval` ms the upgrade's credentials (a ticket's: the issuing
 * request's) are authenticated again, the session read afresh from the store, and
 * the guard re-run; the socket is closed with 4401 (`unauthorized`) when
 * authentication ended (logout, revocation, expiry), 4403 when the guard denies,
 * 1013 when the check failed (store down). Call it in the upgrading handler BEFORE
 * the runtime's upgrade (it reads the request's headers then: Deno's server dies on a
 * request read after `Deno.upgradeWebSocket`); one timer at a time, none left after
 * `close()`. In workerd the timers run while the socket is open (the request's
 * context lives as long as its `WebSocketPair`); see docs/websockets.md for what a
 * stateless Worker cannot do.
 *
 * @example
 * ```ts
 * const guard = requires('authenticated');
 * const chat = guard((request, principal, server: BunServer) => {
 *   const watch = watchWebSocket(request, principal, { app, requires: guard, recheck: { interval: 30_000 } });
 *   return server.upgrade(request, { data: { watch } }) ? new Response(null) : new Response('Bad Request', { status: 400 });
 * });
 * // websocket: { open: (ws) => ws.data.watch.open(ws), close: (ws) => ws.data.watch.close() }
 * ```
 */
export function watchWebSocket(request: Request, principal: RequestAuth | undefined, options: WatchWebSocketOptions): WebSocketWatch {
  const { authenticator } = options.app;
  const grant = grantOf(request, principal);
  // Read now: once upgraded, a runtime may release the request.
  const upgrade = grant?.connection ?? toConnection(request, authenticator.clock);
  const engine = sessionsOf(options.app);
  const secure =
    engine !== undefined && isSecureRequest(request.url, request.headers.get('x-forwarded-proto') ?? undefined, engine.config.trustProxy, upgrade.peerAddress);
  return watchRequestSocket(request, {
    authenticator,
    guard: options.requires?.guard,
    principal: grant?.principal ?? { user: ANONYMOUS, auth: NO_CREDENTIALS },
    upgrade,
    session: engine && ((cookies) => engine.open({ cookies, secure }).port),
    recheck: options.recheck,
    who: 'watchWebSocket',
  });
}
