import { validateHeaderName, validateHeaderValue, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Connection, ResponseDescription } from '@portcullis/core';
import { addressingOf, fixedResponse, requestStates, type TrustedProxies } from '@portcullis/core/adapter';
import { connectionFromNode, sessionPortOf } from '@portcullis/node';

/** The request object of either Nest platform: Express's `req` (a Node request) or Fastify's `request` (with `.raw`). */
export type PlatformRequest =
  | (IncomingMessage & {
      /** Express's URL as the client sent it, before any mount point was stripped. */
      readonly originalUrl?: string;
    })
  | {
      /** Fastify's Node request. */
      readonly raw: IncomingMessage;
    };

/** Fastify's reply, as far as this adapter uses it. */
interface FastifyReplyLike {
  readonly raw: ServerResponse;
  readonly sent: boolean;
  code(status: number): unknown;
  header(name: string, value: string | readonly string[]): unknown;
  send(body: Buffer): unknown;
}

function isFastifyReply(res: unknown): res is FastifyReplyLike {
  return typeof (res as Partial<FastifyReplyLike>).code === 'function' && typeof (res as Partial<FastifyReplyLike>).raw === 'object';
}

/** The Node request under either platform's request object. */
export function nodeRequest(req: PlatformRequest): IncomingMessage {
  return 'raw' in req ? req.raw : req;
}

/**
 * Conversion 1: the `Connection` of a Nest request on either platform. Both expose
 * the Node request, so every `Authorization` line is read from `rawHeaders`
 * (duplicates are refused with 400) and the target is the URL the client asked for;
 * the client address is resolved through `trustedProxies` (the authenticator's)
 * when given. With the platform's session middleware in front
 * (`@portcullis/express/sessions`, `@portcullis/fastify/sessions`), the connection
 * carries the session it opened. Called in a route (a login form, a token endpoint) without `trustedProxies`, it resolves
 * the client address as the authentication middleware did for the same request (its
 * `trustedProxies`), so a login throttle keys on the client, not on the proxy.
 *
 * @example
 * ```ts
 * const connection = toConnection(context.switchToHttp().getRequest(), Date.now);
 * ```
 */
export function toConnection(req: PlatformRequest, now: () => number, trustedProxies?: TrustedProxies): Connection {
  const raw = nodeRequest(req);
  const target = ('originalUrl' in req && typeof req.originalUrl === 'string' ? req.originalUrl : raw.url) ?? '/';
  const proxies = trustedProxies ?? addressingOf(states.connection(req))?.trustedProxies;
  return connectionFromNode(raw, target, now, undefined, sessionPortOf(raw), proxies);
}

/** The connection the global guard built for a request (for `@ClientAddress()`). */
export const states = requestStates<object>();

const UNSENDABLE = fixedResponse({ kind: 'unsendable' });

/** Whether Node would send every header of the answer (a hook may have put a line break in one). */
function sendable(response: ResponseDescription): boolean {
  try {
    for (const [name, value] of Object.entries(response.headers)) {
      validateHeaderName(name);
      for (const v of Array.isArray(value) ? value : [value]) validateHeaderValue(name, v);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * Conversion 2: sends a Portcullis answer with the platform's own response API
 * (Express's `res`, Fastify's `reply`): status, headers and body as they are.
 * An answer whose headers Node refuses is replaced by the table's `500`.
 *
 * @example
 * ```ts
 * sendDescription(context.switchToHttp().getResponse(), decision.response);
 * ```
 */
export function sendDescription(res: unknown, description: ResponseDescription): void {
  const { status, headers, body } = sendable(description) ? description : UNSENDABLE;
  if (isFastifyReply(res)) {
    if (res.sent) return;
    res.code(status);
    for (const [name, value] of Object.entries(headers)) res.header(name, value as string | string[]);
    res.send(Buffer.from(body)); // a Buffer: Fastify adds no charset to the table's Content-Type
    return;
  }
  const node = res as ServerResponse;
  if (node.headersSent) return;
  node.statusCode = status;
  for (const [name, value] of Object.entries(headers)) node.setHeader(name, value as string | string[]);
  node.end(body);
}
