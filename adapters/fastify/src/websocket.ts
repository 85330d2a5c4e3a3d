import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler, RouteHandlerMethod } from 'fastify';
import { ANONYMOUS, ConfigurationError, NO_CREDENTIALS, type BaseUser, type RecheckOptions, type WebSocketTickets } from '@portcullis/core';
import {
  exactOrigins,
  isWebSocketUpgradeValue,
  requiredRecheckInterval,
  responseFor,
  upgradeOriginAllowed,
  type Authenticator,
  type Guard,
  type RequestStates,
  type SessionPort,
} from '@portcullis/core/adapter';
import { watchNodeSocket, type WatchedSocket } from '@portcullis/node';
import { sendDescription, toConnection } from './native.js';

/** Options of {@link webSocketOrigins}. */
export interface WebSocketOriginsOptions {
  /** Let upgrades without an `Origin` header through (non-browser clients). Default `false`: refused with 403. */
  allowMissingOrigin?: boolean;
}

/**
 * An `onRequest` hook refusing, with 403, a websocket upgrade (`@fastify/websocket`)
 * whose `Origin` is not one of `origins`, and one without `Origin` unless
 * `allowMissingOrigin`: the semantics of `upgradeHandler`'s `origins` (WS-10,
 * WS-11). Other requests pass. Add it **before** registering `authentication`, so
 * a refused page spends no ticket and touches no session.
 *
 * @example
 * ```ts
 * app.addHook('onRequest', webSocketOrigins(['https://app.example']));
 * await app.register(authentication, { backend });
 * ```
 */
export function webSocketOrigins(origins: readonly string[], options: WebSocketOriginsOptions = {}): onRequestHookHandler {
  const allowed = exactOrigins(origins, 'webSocketOrigins');
  const allowMissing = options.allowMissingOrigin === true;
  return function (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void): void {
    const upgrade = request.method === 'GET' && isWebSocketUpgradeValue(request.headers.upgrade);
    if (!upgrade || upgradeOriginAllowed(request.headers.origin, allowed, allowMissing)) return next();
    sendDescription(request, reply, responseFor({ kind: 'refuse_upgrade' }, toConnection(request, Date.now), []));
  } as onRequestHookHandler;
}

/** @internal The ticket route over the adapter's request states. */
export function ticketRoute(tickets: WebSocketTickets, states: RequestStates<FastifyRequest>): RouteHandlerMethod {
  return async function (request: FastifyRequest, reply: FastifyReply) {
    const principal = request.user === null || request.user === undefined ? { user: ANONYMOUS, auth: NO_CREDENTIALS } : { user: request.user, auth: request.auth };
    return sendDescription(request, reply, await tickets.respond(states.connection(request) ?? toConnection(request, Date.now), principal, states.challenges(request)));
  };
}

/** Options of {@link watchWebSocket}. */
export interface WatchWebSocketOptions {
  /** How often to re-check (ms). */
  recheck: RecheckOptions;
  /** The route's `requires(...)` hook, re-run at every check. */
  requires?: {
    /** The guard. */
    readonly guard: Guard;
  };
  /** `sessionOpener(app)` of `@portcullis/fastify/sessions`, for session-authenticated sockets. */
  session?: ((req: IncomingMessage) => SessionPort | undefined | Promise<SessionPort | undefined>) | undefined;
}

/** @internal The re-check of a `@fastify/websocket` socket, given the authenticator lookup. */
export function watchRoute(authenticatorOf: (fastify: FastifyInstance) => Authenticator<BaseUser> | undefined) {
  return (socket: WatchedSocket, request: FastifyRequest, options: WatchWebSocketOptions): void => {
    const interval = requiredRecheckInterval(options?.recheck, 'watchWebSocket');
    const authenticator = authenticatorOf(request.server);
    if (authenticator === undefined) throw new ConfigurationError('watchWebSocket: register the authentication plugin (app.register(authentication, …)) before the websocket route');
    const before = { user: request.user ?? ANONYMOUS, auth: request.auth ?? NO_CREDENTIALS };
    watchNodeSocket(socket, request.raw, before, { authenticator, guard: options.requires?.guard, session: options.session, interval });
  };
}
