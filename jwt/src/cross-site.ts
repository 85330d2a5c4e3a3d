import { ConfigurationError, type Connection, type ResponseDescription } from '@portcullis/core';
import { responseFor } from '@portcullis/core/adapter';

/** The cross-site request check for cookie-authenticated unsafe requests (CSRF-01/05/06). */
export interface CsrfOptions {
  /**
   * Other origins (`https://front.example`) allowed to send cookie-authenticated
   * unsafe requests, even cross-site. The request's own origin (judged by its `Host`
   * header) is always allowed.
   */
  trustedOrigins?: readonly string[];
  /** Also accept `Sec-Fetch-Site: same-site` (sibling subdomains). Default `false` (CSRF-05). */
  allowSameSite?: boolean;
  /**
   * Accept unsafe requests that carry neither `Origin` nor `Sec-Fetch-Site` (old
   * browsers, non-browser clients). Default `false`: refused (CSRF-06).
   */
  allowMissingOrigin?: boolean;
}

/** The cookie transports' cross-site check, built once from {@link CsrfOptions}. @internal */
export interface CrossSiteCheck {
  /** Unsafe methods and websocket upgrades (cross-site websocket hijacking) are checked. */
  needsCheck(connection: Connection): boolean;
  /** True when the request provably comes from the app's own origin (or a trusted one). */
  sameOrigin(connection: Connection): boolean;
  /** The 403 answer for an unsafe request from another site, or `null`. */
  crossSiteRefusal(connection: Connection): ResponseDescription | null;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Checks `csrf` (a `ConfigurationError` from `who` otherwise) and returns the check
 * every cookie transport of the package shares (the JWT cookie, the refresh-token
 * cookie): the same rules as core's session CSRF check. @internal
 */
export function crossSiteCheck(csrf: CsrfOptions | undefined, who: string): CrossSiteCheck {
  const fail = (detail: string): never => {
    throw new ConfigurationError(`${who}: ${detail}`);
  };
  const options = csrf ?? {};
  if (options === null || typeof options !== 'object') fail('`csrf` must be an object');
  const trusted: ReadonlySet<string> = new Set((options.trustedOrigins ?? []).map((value) => checkOrigin(value, fail)));
  const allowSameSite = options.allowSameSite ?? false;
  const allowMissingOrigin = options.allowMissingOrigin ?? false;
  if (typeof allowSameSite !== 'boolean' || typeof allowMissingOrigin !== 'boolean') fail('`csrf.allowSameSite` and `csrf.allowMissingOrigin` must be booleans');

  /**
   * An `Origin` must be the request's host or a trusted origin (`null` never is);
   * `Sec-Fetch-Site` must be `same-origin` or `none` (`same-site` with
   * `allowSameSite`; `cross-site`/`same-site` when the `Origin` is a trusted origin);
   * with neither header the request is refused unless `allowMissingOrigin`.
   */
  function sameOrigin(connection: Connection): boolean {
    const origin = connection.header('origin')?.trim();
    const site = connection.header('sec-fetch-site')?.trim().toLowerCase();
    if (origin !== undefined && !originAllowed(origin, connection)) return false;
    if (site !== undefined) {
      if (site === 'same-origin' || site === 'none') return true;
      const configured = origin !== undefined && trusted.has(origin.toLowerCase());
      if (site === 'same-site') return allowSameSite || configured;
      if (site === 'cross-site') return configured;
      return false;
    }
    return origin !== undefined || allowMissingOrigin;
  }

  function originAllowed(origin: string, connection: Connection): boolean {
    if (trusted.has(origin.toLowerCase())) return true;
    let parsed: URL;
    try {
      parsed = new URL(origin);
    } catch {
      return false; // includes `null`
    }
    // An Origin header is exactly `scheme://host[:port]`; anything else is not trusted.
    if (parsed.origin !== origin) return false;
    const host = connection.header('host');
    return host !== undefined && host.trim().toLowerCase() === parsed.host;
  }

  const needsCheck = (connection: Connection): boolean => connection.kind === 'websocket' || !SAFE_METHODS.has(connection.method);

  return Object.freeze({
    needsCheck,
    sameOrigin,
    crossSiteRefusal(connection: Connection): ResponseDescription | null {
      if (!needsCheck(connection) || sameOrigin(connection)) return null;
      return responseFor({ kind: 'forbidden' }, connection, []);
    },
  });
}

function checkOrigin(value: unknown, fail: (detail: string) => never): string {
  if (typeof value !== 'string') return fail('`csrf.trustedOrigins` must be origins such as "https://app.example"');
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    return fail('`csrf.trustedOrigins` must be origins such as "https://app.example"');
  }
  if ((parsed.protocol !== 'https:' && parsed.protocol !== 'http:') || parsed.origin !== value.toLowerCase()) {
    fail('`csrf.trustedOrigins` must be bare origins (scheme://host[:port], no path)');
  }
  return parsed.origin;
}
