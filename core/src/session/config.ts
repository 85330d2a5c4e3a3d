import { compileTrustedProxies, type TrustedProxies, type TrustedProxiesOption } from '../client-address.js';
import { ConfigurationError } from '../errors.js';
import { exactOrigins } from '../origins.js';
import { sessionCookie, type SessionCookie, type SessionCookieOptions } from './cookie.js';
import { hmacSha256 } from '../sha256.js';

/** CSRF protection of cookie-authenticated unsafe requests. */
export interface CsrfOptions {
  /**
   * Exact origins (`https://app.example`) trusted besides the request's own host.
   * When the app sits behind a proxy that changes `Host`, list its public origin.
   */
  readonly origins?: readonly string[];
  /** Trust `Sec-Fetch-Site: same-site` (sibling subdomains). Default `false` (CSRF-05). */
  readonly allowSameSite?: boolean;
  /** The request header that carries a CSRF token. Default `x-csrf-token`. */
  readonly header?: string;
  /** The urlencoded form field that carries a CSRF token. Default `_csrf`. */
  readonly field?: string;
}

/** What `log` receives from sessions. `sid` is a hash prefix of the id, never the id. */
export interface SessionEvent {
  /** The stable event name (the failure log's key). */
  readonly event:
    | 'session_login'
    | 'session_logout'
    | 'session_expired'
    | 'session_store_unavailable'
    | 'session_unknown_id'
    | 'session_insecure_transport'
    | 'csrf_rejected';
  /** The first 12 hex digits of SHA-256(session id), when there is a session. */
  readonly sid?: string;
  /** The request method. */
  readonly method: string;
  /** The path, control characters escaped. */
  readonly path: string;
  /** What to change, for events that are a configuration problem (`session_insecure_transport`). */
  readonly hint?: string;
}

/** Options shared by every adapter's `sessions(...)`. */
export interface SessionOptions {
  /**
   * Signs the session cookie (Express, Hono) and CSRF tokens: at least 32
   * characters. With several, the first signs and all verify (rotation).
   */
  readonly secret: string | readonly string[];
  /** The session cookie; every default is the safe one (see `SessionCookieOptions`). */
  readonly cookie?: SessionCookieOptions;
  /** Milliseconds without a request after which the session ends. Default 30 minutes. */
  readonly idleTimeout?: number;
  /** Milliseconds after login after which the session ends, active or not. Default 8 hours. */
  readonly absoluteTimeout?: number;
  /**
   * Session keys written before login that survive the id rotation at login
   * (e.g. `['next']`). Everything else is dropped with the old session. Default none.
   */
  readonly keepOnLogin?: readonly string[];
  /**
   * Believe `X-Forwarded-Proto` for deciding whether the request came over
   * HTTPS. Default `false`: only the connection itself counts (CK-04). `true`
   * believes it from any peer (only when nothing but your proxy can reach the
   * app); addresses and CIDR ranges, or a hop count, as `trustedProxies` takes
   * them, believe it only when the socket's peer is one of those proxies.
   */
  readonly trustProxy?: boolean | TrustedProxiesOption;
  /** CSRF protection. Default on; `false` turns it off (only for apps that do it themselves). */
  readonly csrf?: CsrfOptions | false;
  /**
   * The logout path: anything but `POST` (and `OPTIONS`) to it answers `405`
   * (CSRF-09). Default `/logout`; `false` for none.
   */
  readonly logoutPath?: string | false;
  /** The clock for timeouts, in ms since the epoch. Default `Date.now`; tests freeze it. */
  readonly clock?: () => number;
  /**
   * Receives session events (login, logout, expiry, an unknown or forged id, a
   * refused insecure login, store outage, CSRF refusal): the failure log.
   */
  readonly log?: (event: SessionEvent) => void;
}

/** The validated CSRF configuration. */
export interface CsrfConfig {
  /** Other origins allowed to send unsafe requests with the session cookie. */
  readonly origins: readonly string[];
  /** Whether same-site (not only same-origin) requests pass the origin check. */
  readonly allowSameSite: boolean;
  /** The request header that carries the CSRF token. */
  readonly header: string;
  /** The form field that carries the CSRF token. */
  readonly field: string;
}

/** Validated, frozen session configuration (from {@link sessionConfig}). */
export interface SessionConfig {
  /** The session cookie's attributes. */
  readonly cookie: SessionCookie;
  /** Milliseconds without a request after which the session expires. */
  readonly idleTimeout: number;
  /** Milliseconds after login after which the session expires, whatever the activity. */
  readonly absoluteTimeout: number;
  /** How stale `lastSeen` may get before a request refreshes it (a store write). */
  readonly touchInterval: number;
  /** The store TTL of a session: the idle timeout plus the touch interval. */
  readonly ttl: number;
  /** Keys of pre-login session data kept when login issues a new session id. */
  readonly keepOnLogin: readonly string[];
  /**
   * Whether `X-Forwarded-Proto` counts when deciding if the connection is secure:
   * never, from any peer (`true`), or from the peers these proxies trust.
   */
  readonly trustProxy: boolean | TrustedProxies;
  /** The CSRF check, or `false` when it is off. */
  readonly csrf: CsrfConfig | false;
  /** The path of the logout route (only `POST` may log out), or `false`. */
  readonly logoutPath: string | false;
  /** The clock, in milliseconds since the epoch. */
  readonly clock: () => number;
  /** Where session events go (logins, logouts, refusals); `undefined` for none. */
  readonly log: ((event: SessionEvent) => void) | undefined;
  /** The secrets, first one signs. Never logged. */
  readonly secrets: readonly string[];
  /**
   * HMAC-SHA256 under each secret, in the same order (pad states computed once):
   * synchronous, in plain JavaScript (`hmacSha256`), so checking a session cookie or a
   * CSRF token costs no Web Crypto round trip.
   */
  readonly macs: readonly ((message: string) => Uint8Array)[];
}

const encoder = new TextEncoder();
const MINUTE = 60_000;
const FIELD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Checks and freezes session options. Every adapter's `sessions(...)` calls it,
 * so a bad option throws a `ConfigurationError` at startup, never per request.
 *
 * @example
 * ```ts
 * const config = sessionConfig({ secret: process.env.SESSION_SECRET!, idleTimeout: 15 * 60_000 });
 * config.cookie.name; // '__Host-id'
 * ```
 */
export function sessionConfig(options: SessionOptions): SessionConfig {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('sessions: options are required');
  const secrets = typeof options.secret === 'string' ? [options.secret] : options.secret;
  if (!Array.isArray(secrets) || secrets.length === 0 || secrets.some((s) => typeof s !== 'string' || s.length < 32)) {
    throw new ConfigurationError('sessions: secret must be a string of at least 32 characters (or a non-empty array of them)');
  }
  const cookie = sessionCookie(options.cookie ?? {});
  const idleTimeout = options.idleTimeout ?? 30 * MINUTE;
  const absoluteTimeout = options.absoluteTimeout ?? 8 * 60 * MINUTE;
  for (const [name, v] of [['idleTimeout', idleTimeout], ['absoluteTimeout', absoluteTimeout]] as const) {
    if (!Number.isInteger(v) || v < 1000) throw new ConfigurationError(`sessions: ${name} must be an integer of at least 1000 ms`);
  }
  if (absoluteTimeout < idleTimeout) throw new ConfigurationError('sessions: absoluteTimeout must not be shorter than idleTimeout');
  const keepOnLogin = options.keepOnLogin ?? [];
  if (!Array.isArray(keepOnLogin) || keepOnLogin.some((k) => typeof k !== 'string' || k === '' || k === META_KEY)) {
    throw new ConfigurationError('sessions: keepOnLogin must be an array of session keys');
  }
  const trustOption = options.trustProxy ?? false;
  const trustProxy = typeof trustOption === 'boolean' ? trustOption : trustedProxiesOf(trustOption);
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new ConfigurationError('sessions: clock must be a function');
  const log = options.log;
  if (log !== undefined && typeof log !== 'function') throw new ConfigurationError('sessions: log must be a function');
  const logoutPath = options.logoutPath ?? '/logout';
  if (logoutPath !== false && (typeof logoutPath !== 'string' || !/^\/[^\s?#]*$/.test(logoutPath))) {
    throw new ConfigurationError('sessions: logoutPath must be an absolute path or false');
  }
  const csrf = options.csrf === false ? false : csrfConfig(options.csrf ?? {});
  const touchInterval = Math.min(MINUTE, Math.floor(idleTimeout / 4));
  const frozenSecrets = Object.freeze([...secrets]);
  return Object.freeze({
    cookie,
    idleTimeout,
    absoluteTimeout,
    touchInterval,
    ttl: idleTimeout + touchInterval,
    keepOnLogin: Object.freeze([...keepOnLogin]),
    trustProxy,
    csrf,
    logoutPath,
    clock,
    log,
    secrets: frozenSecrets,
    macs: Object.freeze(frozenSecrets.map((secret) => hmacSha256(encoder.encode(secret)))),
  });
}

function csrfConfig(options: CsrfOptions): CsrfConfig {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('sessions: csrf must be an object or false');
  const origins = exactOrigins(options.origins ?? [], 'sessions: csrf.origins');
  const header = (options.header ?? 'x-csrf-token').toLowerCase();
  const field = options.field ?? '_csrf';
  if (!FIELD.test(header)) throw new ConfigurationError('sessions: csrf.header must be a header name');
  if (typeof field !== 'string' || field === '' || /[&=\s]/.test(field)) throw new ConfigurationError('sessions: csrf.field must be a form field name');
  return Object.freeze({
    origins,
    allowSameSite: options.allowSameSite === true,
    header,
    field,
  });
}

/**
 * The session key under which Portcullis keeps its own metadata (login time,
 * last request); apps cannot write it (`login` and `saveSession` refuse it).
 *
 * @example
 * ```ts
 * const { [META_KEY]: _meta, ...appData } = rawSessionData;
 * ```
 */
export const META_KEY = 'portcullis';

/** `trustProxy` as a list or a hop count, checked as `trustedProxies` is, the message naming this option. */
function trustedProxiesOf(option: TrustedProxiesOption): TrustedProxies {
  if (typeof option !== 'number' && !Array.isArray(option)) {
    throw new ConfigurationError("sessions: trustProxy must be a boolean, a list of proxy addresses and CIDR ranges (['10.0.0.0/8']) or a hop count (1)");
  }
  try {
    return compileTrustedProxies(option) as TrustedProxies;
  } catch (error) {
    throw new ConfigurationError(`sessions: ${(error as ConfigurationError).detail.replace(/^trustedProxies/, 'trustProxy')}`);
  }
}
