import { validateHeaderName, validateHeaderValue } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Connection, ResponseDescription } from '@portcullis/core';
import { addressingOf, fixedResponse, requestStates, type TrustedProxies } from '@portcullis/core/adapter';
import { connectionFromNode, refuse, sessionPortOf } from '@portcullis/node';


// #region to-connection
/**
 * Builds the `Connection` of a Fastify request: the path and query as the client
 * sent them, every `Authorization` line from `request.raw.rawHeaders` (so a
 * duplicate is refused with 400), the kind from the `Upgrade` header, and the
 * session port when the `sessions` plugin is registered, and the client address
 * resolved through `trustedProxies` (the authenticator's) when given; Fastify's
 * own `trustProxy` does not decide it. Called in a route (a login form, a token endpoint) without `trustedProxies`, it resolves
 * the client address as the authentication middleware did for the same request (its
 * `trustedProxies`), so a login throttle keys on the client, not on the proxy.
 *
 * @example
 * ```ts
 * const connection = toConnection(request, Date.now);
 * ```
 */
export function toConnection(request: FastifyRequest, now: () => number, trustedProxies?: TrustedProxies): Connection {
  const proxies = trustedProxies ?? addressingOf(states.connection(request))?.trustedProxies;
  return connectionFromNode(request.raw, request.raw.url ?? '/', now, undefined, sessionPortOf(request.raw), proxies);
}
// #endregion to-connection

/** What `authentication` remembered per request for the guards and `toConnection`. */
export const states = requestStates<FastifyRequest>();

// #region send-description
function sendable(headers: ResponseDescription['headers']): boolean {
  try {
    for (const [name, value] of Object.entries(headers)) {
      validateHeaderName(name);
      for (const v of typeof value === 'string' ? [value] : value) validateHeaderValue(name, v);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Sends a response description with Fastify's own reply, never through the
 * error path (the app's `setErrorHandler` cannot turn it into a 500). A
 * `notFound` answer is Fastify's own not-found answer (`reply.callNotFound()`);
 * an answer to a websocket upgrade is written on the socket as every Node
 * adapter writes it (status, no body), and the reply is hijacked.
 *
 * @example
 * ```ts
 * return sendDescription(request, reply, describeSessionError(error, toConnection(request, Date.now)));
 * ```
 */
export function sendDescription(request: FastifyRequest, reply: FastifyReply, response: ResponseDescription): FastifyReply {
  if ((request.raw as { upgrade?: boolean }).upgrade === true && !reply.raw.headersSent) {
    // @fastify/websocket routes the upgrade through Fastify with a response on the raw socket.
    reply.hijack();
    refuse(request.raw.socket, response);
    return reply;
  }
  if (response.notFound === true) {
    reply.callNotFound();
    return reply;
  }
  const { status, headers, body } = sendable(response.headers) ? response : fixedResponse({ kind: 'unsendable' });
  reply.code(status);
  for (const [name, value] of Object.entries(headers)) reply.header(name, value);
  // A Buffer: Fastify sends it as it is (a string with a JSON type would get `; charset=utf-8` added).
  return reply.send(Buffer.from(body, 'utf8'));
}
// #endregion send-description
