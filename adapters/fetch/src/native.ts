import type { Connection, ResponseDescription } from '@portcullis/core';
import { addressingOf, createConnection, fixedResponse, type SessionPort, type TrustedProxies } from '@portcullis/core/adapter';

/** The raw path and query of a request URL (never re-normalised, never a URL built from `Host`). */
function target(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start === -1 ? '/' : url.slice(start).replace(/#.*$/, '');
}

/**
 * Sets `target[slot]` not enumerable: `console.log(request)`, `util.inspect` and a spread
 * (`{ ...request }`) neither print nor copy it (a session port reaches the session's
 * secrets). Configurable: a second `withAuth` on the same request replaces it.
 */
export function hide(target: object, slot: symbol, value: unknown): void {
  Object.defineProperty(target, slot, { value, enumerable: false, writable: true, configurable: true });
}

/** The connection `withAuth` built for a request (set by with-auth.ts, which imports this module). */
export const issued: { connectionOf: (request: Request) => Connection | undefined } = { connectionOf: () => undefined };

const PORT = Symbol('portcullis.fetch.session');
type Holder = { [PORT]?: SessionPort };

/**
 * Session ports of requests, set by `withAuth` when it has `sessions`: kept under a
 * private symbol on the request, so a router's `Proxy` of it (itty-router's
 * `withParams`, which `AutoRouter` runs; h3's `mount`) reads it too.
 */
export const ports = {
  set(request: Request, port: SessionPort): void {
    hide(request, PORT, port);
  },
  get(request: Request): SessionPort | undefined {
    return (request as Holder)[PORT];
  },
};

/**
 * Builds the `Connection` of a Web `Request` (any runtime), with its session
 * port when `withAuth` has `sessions` (or the given `session`). Repeated
 * `Authorization` lines reach a `Request` joined by `, `: the core's comma check
 * answers them as duplicates, as the raw-header check does on Node. A `Request`
 * carries no socket: `peerAddress` is the runtime's (`runtimePeerAddress(request,
 * server)` on Bun, Deno's `info`), and `trustedProxies` (the authenticator's)
 * resolves the client address through forwarded headers. Called in a handler (a login
 * form, a token endpoint) with neither, it resolves the client address as `withAuth` did
 * for the same request (its peer and `trustedProxies`), so a login throttle keys on the
 * client, not on the proxy.
 *
 * @example
 * ```ts
 * const connection = toConnection(request, Date.now);
 * ```
 */
export function toConnection(
  request: Request,
  now: () => number,
  session?: SessionPort,
  peerAddress?: string,
  trustedProxies?: TrustedProxies,
): Connection {
  const headers = request.headers;
  if (peerAddress === undefined && trustedProxies === undefined) {
    const inherited = addressingOf(issued.connectionOf(request));
    peerAddress = inherited?.peerAddress;
    trustedProxies = inherited?.trustedProxies;
  }
  return createConnection({
    // No `kind`: the core reads an upgrade from the `Upgrade` header, as on every adapter.
    method: request.method,
    target: target(request.url),
    header: (name) => headers.get(name) ?? undefined,
    now,
    session: session ?? ports.get(request),
    peerAddress,
    trustedProxies,
  });
}

/** The answer for `notFound` descriptions (a guard with `status: 404`): no router to defer to, so the core's plain 404. */
const NOT_FOUND = fixedResponse({ kind: 'not_found' });

/**
 * Turns a core response description (status, headers and body chosen by the
 * core's table) into a `Response`.
 *
 * @example
 * ```ts
 * return toResponse(describeSessionError(error, toConnection(request, Date.now)));
 * ```
 */
export function toResponse(description: ResponseDescription): Response {
  const response = description.notFound ? NOT_FOUND : description;
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else for (const v of value) headers.append(name, v);
  }
  return new Response(response.body === '' ? null : response.body, { status: response.status, headers });
}
