import type { IncomingMessage } from 'node:http';
import type { Connection } from '@portcullis/core';
import { authorizationFromRawHeaders, cookieValue, createConnectionFrom, isSecureRequest, socketPeerAddress, type SessionPort, type TrustedProxies } from '@portcullis/core/adapter';

/**
 * Every `Authorization` field line of a Node request. Node keeps only the first
 * in `req.headers`; `rawHeaders` still has them all, so duplicates are caught.
 */
export function authorizationLines(req: IncomingMessage): readonly string[] {
  return authorizationFromRawHeaders(req.rawHeaders);
}

/** The peer address of the socket that served a request, read once per socket (core's `socketPeerAddress`). */
function peerOf(req: IncomingMessage): string | undefined {
  return socketPeerAddress(req.socket);
}

// #region connection-from-node
/**
 * Builds a `Connection` from a Node request. `target` is the path and query the
 * app was asked for (Express's `req.originalUrl`, Koa's `ctx.originalUrl`);
 * `session` is the request's session port, when the app has sessions. The peer
 * address is the socket's (`req.socket.remoteAddress`, read now: Node forgets it
 * once the socket closes; remembered per socket, see `peerOf`); `trustedProxies` (the authenticator's) resolves the
 * client address through forwarded headers. The `Authorization` lines are read now (from
 * `rawHeaders`); every other header is read from `req.headers` when it is asked for, so a
 * guard or `clientAddress()` that runs after a middleware replaced `req.headers` sees the
 * replacement, as the app does.
 */
export function connectionFromNode(
  req: IncomingMessage,
  target: string,
  now: () => number,
  kind?: 'http' | 'websocket',
  session?: SessionPort,
  trustedProxies?: TrustedProxies,
): Connection {
  // No init object and no header closure per request (issue #17): the connection keeps
  // `req` and reads `req.headers` through `nodeHeader` when a header is asked for.
  return createConnectionFrom(req, nodeHeader, req.method ?? 'GET', target, authorizationLines(req), now, kind, session, peerOf(req), trustedProxies);
}

/**
 * Header `name` (lower case) of a Node request, read from `req.headers` when asked for,
 * not per request: a Token, Basic or JWT request never asks, and on Express every read of
 * `req` is an inline-cache miss through the runtime, and `headers` a getter on top (issue #17).
 * A list (Node keeps `set-cookie` as one; a middleware may set one) is joined with `, `.
 */
function nodeHeader(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}
// #endregion connection-from-node

/**
 * The value of cookie `name` as every adapter reads it: the core's `parseCookies` (`cookieValue`)
 * (first occurrence wins; pairs end at `;` or at `, `, the form
 * Web runtimes give repeated Cookie lines). The Node session libraries parse cookies
 * their own way (express-session with `cookie`, koa-session with `cookies`), which
 * differs on ambiguous headers such as `id=A, id=B` or `id=A ; x`; the session
 * bridges hand them this value instead, so one Cookie header means one session on
 * every adapter.
 *
 * @example
 * ```ts
 * sessionCookieOf(req, 'id'); // 'A' for "Cookie: id=A, id=B"
 * ```
 */
export function sessionCookieOf(req: IncomingMessage, name: string): string | undefined {
  return cookieValue(req.headers.cookie, name);
}

/**
 * True when a Node request came over TLS: the socket is encrypted, or, only with
 * `trustProxy`, the last `X-Forwarded-Proto` value is `https` (CK-04); with
 * `trustProxy` as compiled proxies, only from a socket peer among them.
 *
 * @example
 * ```ts
 * isSecureNodeRequest(req, false); // false for plain HTTP, whatever X-Forwarded-Proto says
 * ```
 */
export function isSecureNodeRequest(req: IncomingMessage, trustProxy: boolean | TrustedProxies): boolean {
  if ((req.socket as { encrypted?: boolean } | undefined)?.encrypted === true) return true;
  const header = req.headers['x-forwarded-proto'];
  // The socket was checked above; the header is judged by the core, as on Web runtimes.
  return isSecureRequest('', Array.isArray(header) ? header[0] : header, trustProxy, req.socket?.remoteAddress);
}
