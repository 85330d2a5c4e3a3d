import type { Context } from 'hono';
import { createConnection, type Connection, type ResponseDescription, type SessionPort } from '@portcullis/core';

/** The raw path and query of a request URL (not re-normalised). */
function target(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start === -1 ? '/' : url.slice(start).replace(/#.*$/, '');
}

/** Session ports of requests, set by `sessions()`. */
export const ports = new WeakMap<Context, SessionPort>();

/**
 * Builds the `Connection` of a Hono request (Web `Request`, any runtime), with
 * its session port when `sessions()` runs in front.
 *
 * @example
 * ```ts
 * const connection = toConnection(c, Date.now);
 * ```
 */
export function toConnection(c: Context, now: () => number): Connection {
  const headers = c.req.raw.headers;
  return createConnection({
    method: c.req.method,
    target: target(c.req.url),
    header: (name) => headers.get(name) ?? undefined,
    now,
    session: ports.get(c),
  });
}

/**
 * Turns a response description into a `Response`; `notFound` uses the app's own
 * not-found handler.
 *
 * @example
 * ```ts
 * return toResponse(c, describeSessionError(error, toConnection(c, Date.now)));
 * ```
 */
export function toResponse(c: Context, response: ResponseDescription): Response | Promise<Response> {
  if (response.notFound) return c.notFound();
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else for (const v of value) headers.append(name, v);
  }
  return new Response(response.body === '' ? null : response.body, { status: response.status, headers });
}

