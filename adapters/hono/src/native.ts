import type { Context } from 'hono';
import type { Connection, ResponseDescription } from '@portcullis/core';
import {
  addressingOf,
  authorizationFromRawHeaders,
  createConnection,
  privateSlot,
  requestStates,
  runtimePeerAddress,
  type MaybePromise,
  type SessionPort,
  type TrustedProxies,
} from '@portcullis/core/adapter';

/** The raw path and query of a request URL (not re-normalised). */
function target(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  return start === -1 ? '/' : url.slice(start).replace(/#.*$/, '');
}

/** What `authentication()` remembered per request for the guards and `toConnection`. */
export const states = requestStates<Context>();

/** What `sessions()` opened for one request. */
export interface RequestSession {
  /** The request's session port (`toConnection` puts it on the connection). */
  readonly port: SessionPort;
  /**
   * Opens a session port for other cookies (the same engine, the request's transport
   * security), for the re-check of a websocket, which outlives its request.
   */
  reopen(cookies: ReadonlyMap<string, string>): SessionPort;
}

/**
 * The session of each request through `sessions()`: one private field stamped on the
 * context (no `WeakMap`: its entries are ephemerons every scavenge traces, issue #17).
 */
export const requestSessions = privateSlot<RequestSession>();

/** Where the socket peer's address comes from, when `c.env` does not say (Workers: `CF-Connecting-IP`). */
export type PeerAddressOf = (c: Context) => string | undefined;

/**
 * Builds the `Connection` of a Hono request (Web `Request`, any runtime), with
 * its session port when `sessions()` runs in front. The peer address is the
 * runtime's (`c.env`: @hono/node-server's Node request, Bun's server, Deno's
 * info), or `peerAddress(c)` when given; `trustedProxies` (the authenticator's)
 * resolves the client address through forwarded headers. Called in a route (a login
 * form, a token endpoint) with neither, it resolves the client address as the
 * authentication middleware did for the same request (its peer and `trustedProxies`),
 * so a login throttle keys on the client, not on the proxy.
 *
 * @example
 * ```ts
 * const connection = toConnection(c, Date.now);
 * ```
 */
export function toConnection(c: Context, now: () => number, trustedProxies?: TrustedProxies, peerAddress?: PeerAddressOf): Connection {
  const session = requestSessions.get(c)?.port;
  const inherited = trustedProxies === undefined && peerAddress === undefined ? addressingOf(states.connection(c)) : undefined;
  const peer = inherited !== undefined ? inherited.peerAddress : peerAddress === undefined ? runtimePeerAddress(c.req.raw, c.env) : peerAddress(c);
  trustedProxies ??= inherited?.trustedProxies;
  const incoming = nodeIncoming(c);
  if (incoming !== undefined) {
    // @hono/node-server: read the Node request itself. `c.req.raw.headers` would
    // build a `Headers` object from it on every request (the largest part of the
    // adapter's cost on Node); `rawHeaders` also keeps repeated Authorization lines.
    const headers = incoming.headers;
    return createConnection({
      method: c.req.method,
      target: incoming.url,
      header(name) {
        const value = headers[name];
        return Array.isArray(value) ? value.join(', ') : value;
      },
      authorization: authorizationFromRawHeaders(incoming.rawHeaders),
      now,
      session,
      peerAddress: peer,
      trustedProxies,
    });
  }
  const headers = c.req.raw.headers;
  return createConnection({
    method: c.req.method,
    target: target(c.req.url),
    header: (name) => headers.get(name) ?? undefined,
    now,
    session,
    peerAddress: peer,
    trustedProxies,
  });
}

/** What `sessions()` reads of a request before it opens the session. */
export interface RequestHead {
  /** The request target as the connection's `path` and `query` come from. */
  readonly target: string;
  /** The `Cookie` header, as the connection's `cookies` are parsed from. */
  readonly cookie: string | undefined;
}

/**
 * The request target and the `Cookie` header exactly as {@link toConnection}'s
 * connection reads them (the Node request on @hono/node-server, the Web request
 * elsewhere), without building a connection: `sessions()` opens the session and
 * passes a safe request on with these alone.
 */
export function requestHead(c: Context): RequestHead {
  const incoming = nodeIncoming(c);
  if (incoming !== undefined) {
    const value = incoming.headers['cookie'];
    return { target: incoming.url, cookie: Array.isArray(value) ? value.join(', ') : value };
  }
  return { target: target(c.req.url), cookie: c.req.raw.headers.get('cookie') ?? undefined };
}

/** The Node request behind `c` on @hono/node-server (its `HttpBindings`: `c.env.incoming`). */
interface NodeIncoming {
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders: readonly string[];
}

function nodeIncoming(c: Context): NodeIncoming | undefined {
  const env = c.env as { incoming?: Partial<NodeIncoming> } | undefined;
  const incoming = env?.incoming;
  if (
    incoming === undefined || incoming === null || typeof incoming.url !== 'string' ||
    !Array.isArray(incoming.rawHeaders) || typeof incoming.headers !== 'object' || incoming.headers === null
  ) {
    return undefined;
  }
  // Only when it is the request this app routes: `app.mount()` hands a sub-app the
  // same env with a rewritten URL, and Hono resolves dot segments and percent-escapes
  // in `c.req.path`. Any difference: read the Web request as on every other runtime.
  const url = incoming.url;
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const routed = c.req.path;
  return path === routed || (path.length === routed.length + 1 && path.endsWith('/') && path.startsWith(routed))
    ? (incoming as NodeIncoming)
    : undefined;
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
export function toResponse(c: Context, response: ResponseDescription): MaybePromise<Response> {
  if (response.notFound) return c.notFound();
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else for (const v of value) headers.append(name, v);
  }
  return new Response(response.body === '' ? null : response.body, { status: response.status, headers });
}

