import { base64urlEquals } from '../timing.js';
import { sessionConfig, type SessionConfig, type SessionOptions } from './config.js';
import { deletionCookie, serializeSessionCookie } from './cookie.js';
import { base64url } from './encoding.js';
import { SessionError, isSessionError } from './errors.js';
import { generateSessionId, isSessionId } from './id.js';
import { MemorySessionStore } from './memory-store.js';
import { SESSION_NAMESPACE, namespacedData } from './namespace.js';
import type { SessionPort } from './port.js';
import { assertSessionStore, updateStored, type SessionData, type SessionStore } from './store.js';
import type { TrustedProxies } from '../client-address.js';

/** Options of {@link webSessions}: the session options plus the store. */
export interface WebSessionOptions extends SessionOptions {
  /** Where sessions live. Default a `MemorySessionStore` (one process, bounded). */
  readonly store?: SessionStore;
}

/** What {@link WebSessions.open} needs from a request. */
export interface WebSessionRequest {
  /** The request's cookies (`connection.cookies`). */
  readonly cookies: ReadonlyMap<string, string>;
  /** True when the request came over HTTPS (see {@link isSecureRequest}). */
  readonly secure: boolean;
}

/** The session of one request. */
export interface WebSessionHandle {
  /** The session port the connection reads and login/logout write. */
  readonly port: SessionPort;
  /** The `Set-Cookie` values to add to the response (a new id, or the deletion). */
  setCookies(): readonly string[];
}

/** Sessions built on Web standards only: a configured engine that opens per-request handles. */
export interface WebSessions {
  /** The checked, frozen configuration. */
  readonly config: SessionConfig;
  /** Where sessions are kept. */
  readonly store: SessionStore;
  /** Opens the session of one request: reads its cookie, and returns the handle for that request. */
  open(request: WebSessionRequest): WebSessionHandle;
}

const SIGNATURE_CONTEXT = 'portcullis-session\u0000';

/**
 * Server-side sessions on Web standards only (the Hono adapter's sessions, on
 * Node and on edge runtimes, and the reference adapter's): the cookie holds only
 * the session id and its HMAC-SHA256 (Web Crypto) under `secret`; the data lives
 * in a pluggable {@link SessionStore}, under {@link SESSION_NAMESPACE} (the
 * record is `{ "portcullis:data": { …the session's data } }`, as on Express and
 * Koa). A cookie with a bad signature or an id
 * the store does not hold is never looked up or adopted; a new session always
 * gets a fresh id. Nothing is read or written for requests without the cookie,
 * and nothing is written until something is stored (SES-12).
 *
 * @example
 * ```ts
 * const engine = webSessions({ secret, store: new MemorySessionStore() });
 * const handle = engine.open({ cookies: connection.cookies, secure: isSecureRequest(request.url, request.headers.get('x-forwarded-proto') ?? undefined, false) });
 * // …createConnection({ …, session: handle.port }); after the handler:
 * for (const c of handle.setCookies()) response.headers.append('set-cookie', c);
 * ```
 */
export function webSessions(options: WebSessionOptions): WebSessions {
  const config = sessionConfig(options);
  const store = options.store ?? new MemorySessionStore({ clock: config.clock });
  assertSessionStore(store, 'sessions');
  const { cookie: cookieConfig, ttl } = config;

  const [signing] = config.macs as [(message: string) => Uint8Array];

  function sign(id: string): string {
    return `${id}.${base64url(signing(SIGNATURE_CONTEXT + id))}`;
  }

  function verify(value: string): string | undefined {
    const dot = value.lastIndexOf('.');
    if (dot === -1) return undefined;
    const id = value.slice(0, dot);
    if (!isSessionId(id)) return undefined;
    let ok = false;
    // Every secret is tried (no early exit), each comparison in constant time; the MAC
    // part must be the canonical base64url of a MAC (43 characters), as when it was decoded.
    for (const macOf of config.macs) if (base64urlEquals(macOf(SIGNATURE_CONTEXT + id), value, dot + 1)) ok = true;
    return ok ? id : undefined;
  }

  async function call<T>(operation: Promise<T>): Promise<T> {
    try {
      return await operation;
    } catch (error) {
      throw isSessionError(error) ? error : new SessionError('session_store_unavailable', { cause: error });
    }
  }

  function open(request: WebSessionRequest): WebSessionHandle {
    const raw = request.cookies.get(cookieConfig.name);
    let id: string | undefined;
    let data: SessionData | null = null;
    let setCookie: string | undefined;
    let loaded: Promise<void> | undefined;

    async function load(): Promise<void> {
      if (raw === undefined) return;
      const verified = verify(raw);
      if (verified === undefined) return;
      // A record without Portcullis's namespace (the pre-namespace layout) is no session.
      const stored = namespacedData(await call(store.get(verified)));
      if (stored === null) return;
      id = verified;
      data = stored;
    }
    const ready = (): Promise<void> => (loaded ??= load());

    async function start(next: SessionData): Promise<void> {
      const fresh = generateSessionId();
      await call(store.set(fresh, { [SESSION_NAMESPACE]: next }, ttl));
      id = fresh;
      data = next;
      setCookie = serializeSessionCookie(cookieConfig, sign(fresh));
    }

    const port: SessionPort = {
      hasCookie: raw !== undefined,
      secure: request.secure,
      config,
      async get() {
        await ready();
        return data === null ? null : Object.freeze({ ...data });
      },
      async set(next) {
        await ready();
        if (id === undefined) {
          await start({ ...next });
          return true;
        }
        if (!(await call(updateStored(store, id, { [SESSION_NAMESPACE]: { ...next } }, ttl)))) {
          id = undefined;
          data = null;
          return false;
        }
        data = { ...next };
        return true;
      },
      async regenerate(next) {
        await ready();
        if (id !== undefined) await call(store.destroy(id));
        id = undefined;
        data = null;
        await start({ ...next });
      },
      async destroy() {
        await ready();
        if (id !== undefined) await call(store.destroy(id));
        const hadCookie = raw !== undefined || setCookie !== undefined;
        id = undefined;
        data = null;
        setCookie = hadCookie ? deletionCookie(cookieConfig) : undefined;
      },
      id: () => id,
    };
    return { port, setCookies: () => (setCookie === undefined ? [] : [setCookie]) };
  }

  return Object.freeze({ config, store, open });
}

/**
 * True when a request came over HTTPS: its URL says so, or, only with
 * `trustProxy`, the last `X-Forwarded-Proto` value is `https` (CK-04): read right to
 * left like the forwarded addresses, the value the proxy in front of the app wrote
 * (a proxy that passes the header on must overwrite it, as nginx's
 * `proxy_set_header X-Forwarded-Proto $scheme` does). With `trustProxy` as compiled
 * proxies (a list or a hop count), only when `peer`, the socket peer's address, is
 * one of them.
 *
 * @example
 * ```ts
 * isSecureRequest(c.req.url, c.req.header('x-forwarded-proto'), false);
 * ```
 */
export function isSecureRequest(url: string, forwardedProto: string | undefined, trustProxy: boolean | TrustedProxies, peer?: string): boolean {
  if (url.startsWith('https:')) return true;
  if (trustProxy === false || forwardedProto === undefined) return false;
  if (trustProxy !== true && !trustProxy.trusts(peer)) return false;
  return forwardedHttps(forwardedProto);
}

/** What {@link isSecureWebRequest} reads of a request: a Web `Request` has both. */
export interface SecureRequestSource {
  /** The request's URL (absolute). */
  readonly url: string;
  /** Its headers: only `x-forwarded-proto` is read, and only with `trustProxy`. */
  readonly headers: {
    /** The value of header `name`, or `null` when the request has none. */
    get(name: string): string | null;
  };
}

/**
 * {@link isSecureRequest} of a Web request, reading only what the answer needs:
 * `X-Forwarded-Proto` only with `trustProxy` and a URL that is not `https:`, and the
 * socket peer (`peerOf(request, context)`) only when `trustProxy` is compiled proxies
 * (a list or a hop count) and the header is there. The same answer as
 * `isSecureRequest(request.url, request.headers.get('x-forwarded-proto') ?? undefined, trustProxy, peerOf(request, context))`,
 * without a header read or a peer lookup per request on the usual path (no
 * `trustProxy`), and without a closure: `peerOf` is a module-level function
 * (`runtimePeerAddress`) and `context` what it needs (Hono's `c.env`, a handler's second argument).
 *
 * @example
 * ```ts
 * import { isSecureWebRequest, runtimePeerAddress } from '@portcullis/core/adapter';
 *
 * const secure = isSecureWebRequest(c.req.raw, engine.config.trustProxy, runtimePeerAddress, c.env);
 * const handle = engine.open({ cookies, secure });
 * ```
 */
export function isSecureWebRequest<R extends SecureRequestSource, C>(
  request: R,
  trustProxy: boolean | TrustedProxies,
  peerOf: (request: R, context: C) => string | undefined,
  context: C,
): boolean {
  const url = request.url;
  if (url.startsWith('https:')) return true;
  if (trustProxy === false) return false;
  const forwardedProto = request.headers.get('x-forwarded-proto');
  if (forwardedProto === null) return false;
  if (trustProxy !== true && !trustProxy.trusts(peerOf(request, context))) return false;
  return forwardedHttps(forwardedProto);
}

/**
 * True when the last member of an `X-Forwarded-Proto` value is `https` (case
 * aside): what the nearest proxy wrote; a client's own value is to its left. Cut by index.
 */
function forwardedHttps(forwardedProto: string): boolean {
  return forwardedProto.slice(forwardedProto.lastIndexOf(',') + 1).trim().toLowerCase() === 'https';
}
