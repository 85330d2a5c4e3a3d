import { ConfigurationError } from '../errors.js';

/** Options of the session cookie. Every default is the safe one. */
export interface SessionCookieOptions {
  /**
   * The cookie name. Default `__Host-id` when `secure`, else `id`: generic, so it
   * does not fingerprint the stack (never `connect.sid` or `koa.sess`).
   */
  readonly name?: string;
  /**
   * Send the cookie only over HTTPS. Default `true`, except when
   * `NODE_ENV === 'development'` (read once, at construction).
   */
  readonly secure?: boolean;
  /** Default `'lax'`. `'none'` requires `secure`. */
  readonly sameSite?: 'lax' | 'strict' | 'none';
  /** Default `/` (required for a `__Host-` name). */
  readonly path?: string;
  /** Default none (host-only). Not allowed with a `__Host-` name. */
  readonly domain?: string;
  /** Seconds the browser keeps the cookie. Default none: a browser-session cookie. */
  readonly maxAge?: number;
}

/** The validated, frozen cookie configuration. */
export interface SessionCookie {
  /** The cookie name. */
  readonly name: string;
  /** Whether the cookie is `Secure` (sent over HTTPS only). */
  readonly secure: boolean;
  /** The `SameSite` attribute. */
  readonly sameSite: 'lax' | 'strict' | 'none';
  /** The `Path` attribute. */
  readonly path: string;
  /** The `Domain` attribute; `undefined` for a host-only cookie. */
  readonly domain: string | undefined;
  /** The `Max-Age` in seconds; `undefined` for a browser-session cookie. */
  readonly maxAge: number | undefined;
  /** Always true: scripts never read the session cookie. */
  readonly httpOnly: true;
}

// RFC 6265 cookie-name (an RFC 9110 token).
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const DOMAIN = /^\.?[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const PATH = /^\/[\u0021-\u003a\u003c-\u007e]*$/;

function isDevelopment(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.NODE_ENV === 'development';
}

/**
 * Checks and freezes the session cookie options (CK-01, CK-03). Unsafe or
 * injectable combinations throw a `ConfigurationError` here, at startup:
 * `sameSite: 'none'` without `secure`, a name, domain, path or `sameSite` with
 * `;`, CR/LF or other characters outside their grammar, `__Host-` with a domain
 * or a path other than `/` or without `secure`, `__Secure-` without `secure`.
 *
 * @example
 * ```ts
 * sessionCookie({});                      // { name: '__Host-id', secure: true, sameSite: 'lax', path: '/', … }
 * sessionCookie({ secure: false });       // { name: 'id', secure: false, … } (development)
 * sessionCookie({ sameSite: 'none', secure: false }); // throws ConfigurationError
 * ```
 */
export function sessionCookie(options: SessionCookieOptions = {}): SessionCookie {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('cookie must be an object');
  if ('httpOnly' in options && (options as { httpOnly?: unknown }).httpOnly !== true) {
    throw new ConfigurationError('cookie.httpOnly cannot be turned off for a session cookie');
  }
  const secure = options.secure ?? !isDevelopment();
  if (typeof secure !== 'boolean') throw new ConfigurationError('cookie.secure must be a boolean');
  const name = options.name ?? (secure ? '__Host-id' : 'id');
  if (typeof name !== 'string' || !TOKEN.test(name)) {
    throw new ConfigurationError('cookie.name must be a cookie-name token (no ";", "=", spaces or control characters)');
  }
  const sameSite = options.sameSite ?? 'lax';
  if (sameSite !== 'lax' && sameSite !== 'strict' && sameSite !== 'none') {
    throw new ConfigurationError('cookie.sameSite must be "lax", "strict" or "none"');
  }
  if (sameSite === 'none' && !secure) throw new ConfigurationError('cookie.sameSite "none" requires secure');
  const path = options.path ?? '/';
  if (typeof path !== 'string' || !PATH.test(path)) {
    throw new ConfigurationError('cookie.path must start with "/" and contain no ";", spaces or control characters');
  }
  const domain = options.domain;
  if (domain !== undefined && (typeof domain !== 'string' || domain.length > 253 || !DOMAIN.test(domain))) {
    throw new ConfigurationError('cookie.domain must be a host name (no ";", spaces or control characters)');
  }
  const maxAge = options.maxAge;
  if (maxAge !== undefined && (!Number.isInteger(maxAge) || maxAge <= 0)) {
    throw new ConfigurationError('cookie.maxAge must be a positive integer number of seconds');
  }
  const lower = name.toLowerCase();
  if (lower.startsWith('__host-')) {
    if (!secure) throw new ConfigurationError('a __Host- cookie requires secure');
    if (domain !== undefined) throw new ConfigurationError('a __Host- cookie cannot have a domain');
    if (path !== '/') throw new ConfigurationError('a __Host- cookie requires path "/"');
  }
  if (lower.startsWith('__secure-') && !secure) throw new ConfigurationError('a __Secure- cookie requires secure');
  return Object.freeze({ name, secure, sameSite, path, domain, maxAge, httpOnly: true as const });
}

const SAME_SITE = { lax: 'Lax', strict: 'Strict', none: 'None' } as const;

/** The attributes of the cookie, as they follow `name=value`. */
function attributes(cookie: SessionCookie, maxAge: number | undefined): string {
  let out = '';
  if (maxAge !== undefined) out += `; Max-Age=${maxAge}`;
  if (cookie.domain !== undefined) out += `; Domain=${cookie.domain}`;
  out += `; Path=${cookie.path}; HttpOnly`;
  if (cookie.secure) out += '; Secure';
  out += `; SameSite=${SAME_SITE[cookie.sameSite]}`;
  return out;
}

/**
 * The `Set-Cookie` value that carries a session id. The value must already be
 * cookie-safe (base64url and `.`); anything else throws.
 *
 * @example
 * ```ts
 * serializeSessionCookie(sessionCookie({}), 'abc.def');
 * // '__Host-id=abc.def; Path=/; HttpOnly; Secure; SameSite=Lax'
 * ```
 */
export function serializeSessionCookie(cookie: SessionCookie, value: string): string {
  if (!/^[A-Za-z0-9_.\-]+$/.test(value)) throw new TypeError('session cookie values are base64url');
  return `${cookie.name}=${value}${attributes(cookie, cookie.maxAge)}`;
}

/**
 * The `Set-Cookie` value that deletes the session cookie: empty, `Max-Age=0`, and
 * the same name, path, domain, `Secure`, `HttpOnly` and `SameSite`, so the browser
 * really drops it (CK-08).
 *
 * @example
 * ```ts
 * deletionCookie(sessionCookie({}));
 * // '__Host-id=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax'
 * ```
 */
export function deletionCookie(cookie: SessionCookie): string {
  return `${cookie.name}=${attributes(cookie, 0)}`;
}
