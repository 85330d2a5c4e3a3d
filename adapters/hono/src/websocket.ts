import type { Context, MiddlewareHandler } from 'hono';
import { ANONYMOUS, NO_CREDENTIALS, type AuthCredentials, type BaseUser, type RecheckOptions, type WebSocketTickets } from '@portcullis/core';
import {
  exactOrigins,
  isWebSocketUpgrade,
  responseFor,
  upgradeOriginAllowed,
  watchRequestSocket,
  type Authenticator,
  type Guard,
  type RequestStates,
  type SessionPort,
} from '@portcullis/core/adapter';
import { requestSessions, toConnection, toResponse } from './native.js';

/** Options of {@link webSocketOrigins}. */
export interface WebSocketOriginsOptions {
  /** Let upgrades without an `Origin` header through (non-browser clients). Default `false`: refused with 403. */
  allowMissingOrigin?: boolean;
}

/**
 * Refuses, with 403, a websocket upgrade whose `Origin` is not one of `origins`
 * (cross-site websocket hijacking: a browser sends the page's cookies with a
 * cross-site handshake), and one without `Origin` unless `allowMissingOrigin`: the
 * semantics of `upgradeHandler`'s `origins` (WS-10, WS-11). Other requests pass.
 * Mount it **before** `authentication(...)`, so a refused page spends no ticket
 * and touches no session.
 *
 * @example
 * ```ts
 * app.use('/ws', webSocketOrigins(['https://app.example']));
 * app.use(authentication({ backend }));
 * ```
 */
export function webSocketOrigins(origins: readonly string[], options: WebSocketOriginsOptions = {}): MiddlewareHandler {
  const allowed = exactOrigins(origins, 'webSocketOrigins');
  const allowMissing = options.allowMissingOrigin === true;
  return async (c, next) => {
    if (isWebSocketUpgrade(c.req.raw) && !upgradeOriginAllowed(c.req.header('origin'), allowed, allowMissing)) {
      return toResponse(c, responseFor({ kind: 'refuse_upgrade' }, toConnection(c, Date.now), []));
    }
    await next();
  };
}

/** The ticket route over the adapter's request states (`ticketEndpoint` of the index). @internal */
export function ticketEndpoint(tickets: WebSocketTickets, states: RequestStates<Context>): MiddlewareHandler {
  return async (c) => {
    const user = c.get('user') as BaseUser | undefined;
    const auth = c.get('auth') as AuthCredentials | undefined;
    const principal = user === undefined || auth === undefined ? { user: ANONYMOUS, auth: NO_CREDENTIALS } : { user, auth };
    return toResponse(c, await tickets.respond(states.connection(c) ?? toConnection(c, Date.now), principal, states.challenges(c)));
  };
}

/** Options of {@link watchWebSocket}. */
export interface WatchWebSocketOptions {
  /** The `authentication(...)` middleware of the app. */
  authentication: {
    /** Its authenticator. */
    readonly authenticator: Authenticator<BaseUser>;
  };
  /** The route's `requires(...)` guard, re-run at every check. */
  requires?: {
    /** The guard. */
    readonly guard: Guard;
  };
  /** How often to re-check (ms). */
  recheck: RecheckOptions;
}

/** A socket the re-check can close: Hono's `WSContext`. */
export interface ClosableSocket {
  /** Sends a close frame. */
  close(code?: number, reason?: string): void;
}

/** What {@link watchWebSocket} returns: call `open(ws)` in `onOpen` and `close()` in `onClose`. */
export interface WebSocketWatch {
  /** Starts the re-checks on the accepted socket. */
  open(ws: ClosableSocket): void;
  /** Stops them (the socket closed); clears the timer. */
  close(): void;
}

/**
 * The re-check of a websocket accepted through Hono's `upgradeWebSocket`: every
 * `recheck.interval` ms the upgrade's credentials (or a ticket's issuing
 * credentials) are authenticated again, with the session read afresh through
 * `sessions()`, and the guard re-run; the socket is closed with 4401 when
 * authentication ended (logout, revocation, expiry), 4403 when the guard denies,
 * 1013 when the check failed (store down). The re-check sees the upgrade's client
 * address. Call it in `upgradeWebSocket`'s callback (the request is read then).
 *
 * @example
 * ```ts
 * const guard = requires('authenticated');
 * app.get('/ws', guard, upgradeWebSocket((c) => {
 *   const watch = watchWebSocket(c, { authentication: auth, requires: guard, recheck: { interval: 30_000 } });
 *   return { onOpen: (_e, ws) => watch.open(ws), onClose: () => watch.close() };
 * }));
 * ```
 */
export function watchWebSocket(c: Context, options: WatchWebSocketOptions): WebSocketWatch {
  const { authenticator } = options.authentication;
  return watchRequestSocket(c.req.raw, {
    authenticator,
    guard: options.requires?.guard,
    principal: { user: (c.get('user') as BaseUser | undefined) ?? ANONYMOUS, auth: (c.get('auth') as AuthCredentials | undefined) ?? NO_CREDENTIALS },
    // Read now: once upgraded, some runtimes close the request.
    upgrade: toConnection(c, Date.now),
    session: reopenerOf(c),
    recheck: options.recheck,
    who: 'watchWebSocket',
  });
}

/** The reopener of the session `sessions()` opened for `c`, if any. */
function reopenerOf(c: Context): ((cookies: ReadonlyMap<string, string>) => SessionPort) | undefined {
  const opened = requestSessions.get(c);
  return opened === undefined ? undefined : (cookies) => opened.reopen(cookies);
}
