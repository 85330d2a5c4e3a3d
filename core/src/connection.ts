import type { AuthenticationFailure } from './authentication-options.js';
import { normalizeAddress, type TrustedProxies } from './client-address.js';
import type { SessionPort } from './session/port.js';
import { isWebSocketUpgradeValue } from './upgrade.js';

/**
 * The plain, framework-free view of a request that backends and guards see.
 * Adapters build one per request from their native request object.
 */
export interface Connection {
  /** `http` for ordinary requests, `websocket` for an upgrade request. */
  readonly kind: 'http' | 'websocket';
  /** The method in upper case. */
  readonly method: string;
  /** The path as the client sent it, starting with `/`, not decoded (never an absolute URL). */
  readonly path: string;
  /** The query string without the leading `?`, or `''`. */
  readonly query: string;
  /**
   * Reads a request header by name, case-insensitively on every adapter (the
   * name is lower-cased here, once, before the adapter's lookup). `undefined`
   * when absent, and for a name that is not an RFC 9110 field name.
   */
  header(name: string): string | undefined;
  /**
   * Every `Authorization` field value, as separate entries where the runtime keeps
   * them apart (Node's `rawHeaders`). Web runtimes join repeated fields with `, `.
   */
  readonly authorization: readonly string[];
  /** Cookies by name (the first of duplicated names wins). */
  readonly cookies: ReadonlyMap<string, string>;
  /** The clock, in milliseconds since the epoch. */
  now(): number;
  /** The request's session, where the app has sessions (the adapter's session middleware provides it). */
  readonly session?: SessionPort;
  /**
   * The address of the socket's peer, normalised (IPv4 dotted; IPv6 compressed, lower
   * case; an IPv4-mapped IPv6 address as IPv4; no zone id). `undefined` where the
   * runtime gives none (Workers, unless the app says where it comes from).
   */
  readonly peerAddress: string | undefined;
  /**
   * The client's address: the {@link peerAddress}, or, with `trustedProxies`, the
   * address that `Forwarded` / `X-Forwarded-For` report through trusted hops only
   * (read right to left, only as far as trusted hops reach). This is what to key
   * throttling and audit logs on. `undefined` when it is unknown (no peer; both
   * forwarded headers present without `forwardedHeader`): never a reason to trust
   * a request, key such requests on one shared bucket.
   */
  readonly clientAddress: string | undefined;
}

// #region connection-init
/** What an adapter hands to {@link createConnection}. Optional fields also take `undefined` (absent). */
export interface ConnectionInit {
  /** `websocket` for an upgrade request; `http` when not set. */
  kind?: 'http' | 'websocket' | undefined;
  /** The request method, as received. */
  method: string;
  /** Path plus optional `?query`, relative (`/admin?x=1`). */
  target: string;
  /**
   * Header lookup. {@link createConnection} calls it only with a lower-case field
   * name, whatever case the caller of `Connection.header` used, so a lookup in
   * Node's `req.headers` is enough; a non-string result counts as absent.
   */
  header(name: string): string | undefined;
  /** All `Authorization` field values, when the runtime can tell them apart. */
  authorization?: readonly string[] | undefined;
  /** The clock, in milliseconds since the epoch; `Date.now` when not set (tests freeze it). */
  now?: (() => number) | undefined;
  /** The session port of the request, when the app has session middleware. */
  session?: SessionPort | undefined;
  /**
   * The socket peer's address as the runtime reports it (`req.socket.remoteAddress`,
   * Bun's `server.requestIP(request).address`, Deno's `info.remoteAddr.hostname`);
   * read it while the request is live. Normalised here; absent: `undefined`.
   */
  peerAddress?: string | undefined;
  /**
   * The compiled `trustedProxies` option (`authenticator.trustedProxies`). Without it
   * no forwarded header is read: `clientAddress` is the peer.
   */
  trustedProxies?: TrustedProxies | undefined;
}
// #endregion connection-init

const EMPTY: readonly string[] = Object.freeze([]);

/**
 * Every `Authorization` field line of a Node-style `rawHeaders` list (name, value,
 * name, value, …). Node keeps only the first in `req.headers`; `rawHeaders` still
 * has them all, so duplicates are caught.
 *
 * @example
 * ```ts
 * authorizationFromRawHeaders(['Host', 'x', 'Authorization', 'Basic a', 'authorization', 'Basic b']);
 * // ['Basic a', 'Basic b']
 * ```
 */
export function authorizationFromRawHeaders(raw: readonly string[]): readonly string[] {
  let found: string[] | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    // The usual spellings are compared as they are: no lower-cased copy per header line.
    if (name.length === 13 && (name === 'Authorization' || name === 'authorization' || name.toLowerCase() === 'authorization')) {
      // Built with its first line: a `[]` then `push` grows the backing store per request.
      if (found === undefined) found = [raw[i + 1] as string];
      else found.push(raw[i + 1] as string);
    }
  }
  return found ?? EMPTY;
}

/**
 * Builds a {@link Connection}. Cookies are parsed on first use. Its `header(name)`
 * is case-insensitive whatever the adapter's lookup is: the name is lower-cased
 * (and refused unless it is a field name) before `init.header` sees it.
 *
 * @example
 * ```ts
 * const conn = createConnection({
 *   method: 'GET',
 *   target: '/admin?x=1',
 *   header: (name) => request.headers.get(name) ?? undefined,
 * });
 * ```
 */
export function createConnection(init: ConnectionInit): Connection {
  return new RequestConnection(
    init.header,
    callLookup,
    init.method,
    init.target,
    init.authorization,
    init.now,
    init.kind,
    init.session,
    init.peerAddress,
    init.trustedProxies,
  );
}

/**
 * Reads header `name` (a lower-case field name) of a request from `source`, the
 * adapter's native request or headers object: a module-level function, so that a
 * connection needs no closure per request (see {@link createConnectionFrom}). A
 * non-string result counts as absent.
 */
export type HeaderReader<S> = (source: S, name: string) => string | undefined;

// #region create-connection-from
/**
 * Builds the same {@link Connection} as {@link createConnection}, from the pieces
 * themselves: no init object, and no header closure, per request (issue #17). Headers
 * are read when asked for, as `read(source, name)` with a lower-case field name,
 * so `source` is read as it is then (a middleware that replaced a Node request's
 * `headers` is seen); `authorization` (every `Authorization` line; read through `read`
 * when not given), `method`, `target` and `peerAddress` are taken now. Optional
 * arguments also take `undefined`, with {@link ConnectionInit}'s meanings.
 *
 * @example
 * ```ts
 * // A module-level reader: one function for every request.
 * const nodeHeader = (req: IncomingMessage, name: string) => {
 *   const value = req.headers[name];
 *   return Array.isArray(value) ? value.join(', ') : value;
 * };
 * const connection = createConnectionFrom(req, nodeHeader, req.method ?? 'GET', req.url ?? '/',
 *   authorizationFromRawHeaders(req.rawHeaders), authenticator.clock);
 * ```
 */
export function createConnectionFrom<S>(
  source: S,
  read: HeaderReader<S>,
  method: string,
  target: string,
  authorization?: readonly string[] | undefined,
  now?: (() => number) | undefined,
  kind?: 'http' | 'websocket' | undefined,
  session?: SessionPort | undefined,
  peerAddress?: string | undefined,
  trustedProxies?: TrustedProxies | undefined,
): Connection {
  return new RequestConnection(source, read as HeaderReader<unknown>, method, target, authorization, now, kind, session, peerAddress, trustedProxies);
}
// #endregion create-connection-from

/** {@link createConnection}'s reader: its source is the adapter's lookup function. */
function callLookup(lookup: unknown, name: string): string | undefined {
  return (lookup as (name: string) => string | undefined)(name);
}

/** How a connection finds its client address: the peer as the runtime gave it and the `trustedProxies`. */
export interface Addressing {
  /** The socket peer's address as the runtime gave it. */
  readonly peerAddress: string | undefined;
  /** The compiled `trustedProxies` the client address is resolved through, if any. */
  readonly trustedProxies: TrustedProxies | undefined;
}

let addressingOfConnection: (connection: Connection) => Addressing | undefined;

/** The failure log of the authenticator that let a connection through (`authentication({ log })`). */
type FailureLog = (event: AuthenticationFailure) => void;
let failureLogSlot: { set(connection: Connection, log: FailureLog): void; get(connection: Connection): FailureLog | undefined };

/**
 * Remembers, on a connection built by {@link createConnection}, the `log` of the
 * authenticator that let it through, so that a guard run on it later (a step-up
 * refusal) reports to the same failure log. Another `Connection` is left as it is. Internal.
 */
export function rememberFailureLog(connection: Connection, log: FailureLog): void {
  failureLogSlot.set(connection, log);
}

/** The failure log {@link rememberFailureLog} put on `connection`, if any. Internal. */
export function failureLogOf(connection: Connection): FailureLog | undefined {
  return failureLogSlot.get(connection);
}

/**
 * The peer and `trustedProxies` a connection built by {@link createConnection} resolves
 * its client address with (`undefined` for another `Connection` or none). An adapter's
 * `toConnection(native, now)` called in a route uses those of the connection the
 * authentication middleware built for the same request, so a login form or a token
 * endpoint keys the login throttle on the client's address, not the proxy's.
 *
 * @example
 * ```ts
 * const inherited = addressingOf(states.connection(req));
 * const connection = createConnection({ ...init, peerAddress: inherited?.peerAddress, trustedProxies: inherited?.trustedProxies });
 * ```
 */
export function addressingOf(connection: Connection | undefined): Addressing | undefined {
  return connection === undefined ? undefined : addressingOfConnection(connection);
}

/**
 * One class (one hidden class for V8) rather than an object literal with a getter
 * and a spread: built once per request, it is on every request's path.
 */
class RequestConnection implements Connection {
  readonly method: string;
  readonly authorization: readonly string[];
  readonly now: () => number;
  readonly session: SessionPort | undefined;
  /**
   * Where headers come from: `#read(#source, name)`, called with lower-case field names
   * only. A static reader and the native request (`createConnectionFrom`), or
   * `callLookup` and the adapter's lookup function (`createConnection`): one class either way.
   */
  readonly #source: unknown;
  readonly #read: HeaderReader<unknown>;
  #cookies: ReadonlyMap<string, string> | undefined;
  /** The peer as the runtime gave it; normalised and resolved on first use (most requests never ask). */
  readonly #peer: string | undefined;
  readonly #proxies: TrustedProxies | undefined;
  #addresses: { readonly peer: string | undefined; readonly client: string | undefined } | undefined;
  /** Read on first use: a request that authenticates never asks (a header lookup less per request). */
  #kind: 'http' | 'websocket' | undefined;
  /** The failure log of the authenticator that let the request through (a guard's step-up refusal reports there). */
  #log: FailureLog | undefined;
  /** The target as given; split into `path` and `query` on first use (a hot Token or cache hit never asks, issue #17). */
  readonly #target: string;
  #path: string | undefined;
  #query: string | undefined;

  static {
    addressingOfConnection = (connection) =>
      #peer in connection ? { peerAddress: connection.#peer, trustedProxies: connection.#proxies } : undefined;
    failureLogSlot = {
      set(connection, log) {
        if (#log in connection) connection.#log = log;
      },
      get: (connection) => (#log in connection ? connection.#log : undefined),
    };
  }

  constructor(
    source: unknown,
    read: HeaderReader<unknown>,
    method: string,
    target: string,
    authorization: readonly string[] | undefined,
    now: (() => number) | undefined,
    kind: 'http' | 'websocket' | undefined,
    session: SessionPort | undefined,
    peer: string | undefined,
    proxies: TrustedProxies | undefined,
  ) {
    if (authorization === undefined) {
      const value = read(source, 'authorization');
      authorization = value === undefined ? EMPTY : [value];
    }
    this.#kind = kind;
    this.method = upperCaseMethod(method);
    this.#target = target;
    this.#path = undefined;
    this.#query = undefined;
    this.#source = source;
    this.#read = read;
    this.authorization = authorization;
    this.now = now ?? Date.now;
    this.session = session;
    this.#cookies = undefined;
    this.#peer = peer;
    this.#proxies = proxies;
    this.#addresses = undefined;
    this.#log = undefined;
  }

  /** The adapter's answer for `name` (lower case), unchecked. */
  #raw(name: string): string | undefined {
    return this.#read(this.#source, name);
  }

  get path(): string {
    if (this.#path === undefined) this.#split();
    return this.#path as string;
  }

  get query(): string {
    if (this.#query === undefined) this.#split();
    return this.#query as string;
  }

  #split(): void {
    const target = relativeTarget(this.#target);
    const q = target.indexOf('?');
    this.#path = q === -1 ? target : target.slice(0, q);
    this.#query = q === -1 ? '' : target.slice(q + 1);
  }

  /**
   * The one place where header names are made case-insensitive for every adapter.
   * A method on the prototype (no closure per request); names already in lower
   * case, as the library's own are, cost one regular-expression test. A name that
   * is not a field name is absent everywhere (Web `Headers.get` would throw for it,
   * Node would return `undefined`), and so is a value that is not a string (Node's
   * `req.headers` is a plain object: `constructor` is inherited).
   */
  header(name: string): string | undefined {
    const key = LOWER_FIELD_NAME.test(name) ? name : TOKEN.test(name) ? name.toLowerCase() : undefined;
    if (key === undefined) return undefined;
    const value = this.#raw(key);
    return typeof value === 'string' ? value : undefined;
  }

  get kind(): 'http' | 'websocket' {
    return (this.#kind ??= isWebSocketUpgradeValue(this.#raw('upgrade')) ? 'websocket' : 'http');
  }

  get peerAddress(): string | undefined {
    return this.#resolved().peer;
  }

  get clientAddress(): string | undefined {
    return this.#resolved().client;
  }

  #resolved(): { readonly peer: string | undefined; readonly client: string | undefined } {
    if (this.#addresses === undefined) {
      const peer = normalizeAddress(this.#peer);
      const proxies = this.#proxies;
      this.#addresses = { peer, client: proxies === undefined ? peer : proxies.clientOf(peer, (name) => this.header(name)) };
    }
    return this.#addresses;
  }

  /** Parsed on first use. */
  get cookies(): ReadonlyMap<string, string> {
    return (this.#cookies ??= parseCookies(this.#raw('cookie')));
  }
}

/**
 * `method` with its ASCII letters in upper case, and nothing else changed; the string
 * itself when it has no lower-case ASCII letter. Not `toUpperCase`: a method is a token
 * (RFC 9110), and Unicode case mapping would turn look-alikes into real methods
 * (`optıons`, with a dotless i, into `OPTIONS`, which skips authentication as a
 * preflight; `poſt` into `POST`).
 */
export function upperCaseMethod(method: string): string {
  // The usual methods first: Node's parser hands out these very (internalised) strings,
  // so each comparison is usually a pointer check, where the loop reads every character.
  if (method === 'GET' || method === 'POST' || method === 'HEAD') return method;
  for (let i = 0; i < method.length; i++) {
    const c = method.charCodeAt(i);
    if (c >= 0x61 && c <= 0x7a) return method.replace(/[a-z]+/g, (letters) => letters.toUpperCase());
  }
  return method;
}

/** An RFC 9110 field name (a token, {@link TOKEN}) already in lower case. */
const LOWER_FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;

/**
 * The path and query of a request target; an absolute-form target keeps only those,
 * as sent. Resolving them (`new URL`) would remove dot segments the router still
 * sees, so `exclude` could judge `/public/x` while the router serves `/admin/../public/x`.
 * A fragment is never part of it: Web runtimes' URL parsing drops one that a client
 * sent in the request line, and every Node router (parseurl, `new URL`) ignores it, so
 * Node adapters cut it here too (found by the differential fuzzer).
 */
function relativeTarget(target: string): string {
  // The fragment is cut by index: /#.*$/ is quadratic on a run of "#" before a line break.
  if (target.startsWith('/')) {
    const hash = target.indexOf('#');
    return hash === -1 ? target : target.slice(0, hash);
  }
  const authority = /^[A-Za-z][A-Za-z0-9+.\-]*:\/\/[^/?#]*/.exec(target);
  if (authority === null) return '/';
  const hash = target.indexOf('#', authority[0].length);
  const rest = target.slice(authority[0].length, hash === -1 ? undefined : hash);
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Parses a `Cookie` header. Pairs end at `;` or `,`: Web runtimes join repeated
 * Cookie lines with `, `, Node with `; `, and some HTTP parsers trim a line's
 * trailing white space while others keep it; RFC 6265 cookie values never contain
 * a comma, so ending pairs at both makes one request read alike on every runtime.
 * The first occurrence of a name wins; names that are not RFC 6265 tokens are
 * dropped; white space around a value is dropped; values are percent-decoded when
 * valid. Every adapter reads cookies with this function, the session libraries of
 * Express and Koa included.
 *
 * @example
 * ```ts
 * parseCookies('id=A, id=B; theme=dark').get('id'); // 'A'
 * ```
 */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  if (!header) return map;
  // One pass by index, no array of parts: a 16 KiB header of ";" costs a scan.
  let start = 0;
  for (let i = 0; i <= header.length; i++) {
    const c = header.charCodeAt(i);
    if (i < header.length && c !== 0x3b && c !== 0x2c) continue;
    addCookie(map, header, start, i);
    start = i + 1;
  }
  return map;
}

function addCookie(map: Map<string, string>, header: string, start: number, end: number): void {
  const eq = equalsIn(header, start, end);
  if (eq === end) return;
  const name = header.slice(start, eq).trim();
  if (name === '' || !TOKEN.test(name) || map.has(name)) return;
  map.set(name, cookieValueAt(header, eq, end));
}

/** The index of the pair's `=`, or `end`. Bounded to this pair: indexOf('=', start) would scan the rest of the header for every pair. */
function equalsIn(header: string, start: number, end: number): number {
  let eq = start;
  while (eq < end && header.charCodeAt(eq) !== 0x3d) eq++;
  return eq;
}

/** The value of the pair whose `=` is at `eq`: trimmed, unquoted, percent-decoded when valid. */
function cookieValueAt(header: string, eq: number, end: number): string {
  let value = header.slice(eq + 1, end).trim();
  if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
  return safeDecode(value);
}

/**
 * The value of one cookie, exactly as `parseCookies(header).get(name)` reads it
 * (the first occurrence wins; a name that is not a token is never found), without
 * building the map: what the session bridges read on every request.
 *
 * @example
 * ```ts
 * cookieValue('theme=dark; id=A, id=B', 'id'); // 'A'
 * ```
 */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header || !TOKEN.test(name)) return undefined;
  let start = 0;
  for (let i = 0; i <= header.length; i++) {
    const c = header.charCodeAt(i);
    if (i < header.length && c !== 0x3b && c !== 0x2c) continue;
    const eq = equalsIn(header, start, i);
    if (eq !== i && header.slice(start, eq).trim() === name) return cookieValueAt(header, eq, i);
    start = i + 1;
  }
  return undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

function safeDecode(value: string): string {
  if (!value.includes('%')) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
