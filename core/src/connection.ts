import type { SessionPort } from './session/port.js';

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
  /** Reads a request header by (case-insensitive) name; `undefined` when absent. */
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
}

/** What an adapter hands to {@link createConnection}. */
export interface ConnectionInit {
  kind?: 'http' | 'websocket';
  method: string;
  /** Path plus optional `?query`, relative (`/admin?x=1`). */
  target: string;
  /** Header lookup by lower-case name. */
  header(name: string): string | undefined;
  /** All `Authorization` field values, when the runtime can tell them apart. */
  authorization?: readonly string[];
  now?: () => number;
  /** The session port of the request, when the app has session middleware. */
  session?: SessionPort;
}

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
    if (name.length === 13 && name.toLowerCase() === 'authorization') (found ??= []).push(raw[i + 1] as string);
  }
  return found ?? EMPTY;
}

/**
 * Builds a {@link Connection}. Cookies are parsed on first use.
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
  return new RequestConnection(init);
}

/**
 * One class (one hidden class for V8) rather than an object literal with a getter
 * and a spread: built once per request, it is on every request's path.
 */
class RequestConnection implements Connection {
  readonly kind: 'http' | 'websocket';
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly header: (name: string) => string | undefined;
  readonly authorization: readonly string[];
  readonly now: () => number;
  readonly session: SessionPort | undefined;
  #cookies: ReadonlyMap<string, string> | undefined;

  constructor(init: ConnectionInit) {
    const target = relativeTarget(init.target);
    const q = target.indexOf('?');
    const header = init.header;
    let authorization = init.authorization;
    if (authorization === undefined) {
      const value = header('authorization');
      authorization = value === undefined ? EMPTY : [value];
    }
    this.kind = init.kind ?? (isWebSocketUpgrade(header) ? 'websocket' : 'http');
    this.method = init.method.toUpperCase();
    this.path = q === -1 ? target : target.slice(0, q);
    this.query = q === -1 ? '' : target.slice(q + 1);
    this.header = header;
    this.authorization = authorization;
    this.now = init.now ?? Date.now;
    this.session = init.session;
    this.#cookies = undefined;
  }

  /** Parsed on first use. */
  get cookies(): ReadonlyMap<string, string> {
    return (this.#cookies ??= parseCookies(this.header('cookie')));
  }
}

/**
 * The path and query of a request target; an absolute-form target keeps only those,
 * as sent. Resolving them (`new URL`) would remove dot segments the router still
 * sees, so `exclude` could judge `/public/x` while the router serves `/admin/../public/x`.
 */
function relativeTarget(target: string): string {
  if (target.startsWith('/')) return target;
  const authority = /^[A-Za-z][A-Za-z0-9+.\-]*:\/\/[^/?#]*/.exec(target);
  if (authority === null) return '/';
  const rest = target.slice(authority[0].length).replace(/#.*$/, '');
  return rest.startsWith('/') ? rest : `/${rest}`;
}

function isWebSocketUpgrade(header: (name: string) => string | undefined): boolean {
  const upgrade = header('upgrade');
  return upgrade !== undefined && upgrade.toLowerCase() === 'websocket';
}

/**
 * Parses a `Cookie` header. The first occurrence of a name wins; names that are
 * not RFC 6265 tokens are dropped; values are percent-decoded when valid.
 */
export function parseCookies(header: string | undefined): ReadonlyMap<string, string> {
  const map = new Map<string, string>();
  if (!header) return map;
  // Web runtimes join repeated Cookie lines with ", "; Node joins them with "; ".
  for (const part of header.split(/;|, (?=\s*[^;=\s]+\s*=)/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    if (!TOKEN.test(name) || map.has(name)) continue;
    let value = part.slice(eq + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    map.set(name, safeDecode(value));
  }
  return map;
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
