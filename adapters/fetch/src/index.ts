/**
 * `@portcullis/fetch`: Portcullis for `Request → Response` runtimes and routers
 * (Bun.serve, Deno.serve, Workers, itty-router, h3). Web-standard only.
 *
 * @packageDocumentation
 */
export { withAuth, clientAddress, sessionOpener, ticketEndpoint } from './with-auth.js';
export type { AuthHandler, FetchHandler, RequestAuth, WithAuthOptions, UpgradeRequestLike } from './with-auth.js';
export { requires, Requires } from './requires.js';
export type { GuardedHandler, GuardWrapper } from './requires.js';
export { login, logout, assertCanLogin, csrfToken } from './session.js';
export { toConnection, toResponse } from './native.js';
export { webSocketOrigins, negotiatedProtocol, watchWebSocket } from './websocket.js';
export type { WebSocketOriginsOptions, WatchWebSocketOptions, WebSocketWatch, ClosableSocket } from './websocket.js';
export { isWebSocketUpgrade } from '@portcullis/core/adapter';
