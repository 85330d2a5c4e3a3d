import { ConfigurationError } from './errors.js';

/**
 * Checks a list of exact origins (`https://app.example`: scheme, host, port; no
 * path) given as the option `option`, and returns them serialised as browsers send
 * `Origin`, frozen. Throws a `ConfigurationError` naming `option` otherwise. The
 * sessions' `csrf.origins` and the websocket upgrades' `origins` are read with it.
 *
 * @example
 * ```ts
 * exactOrigins(['https://app.example/'], 'origins'); // ['https://app.example']
 * ```
 */
export function exactOrigins(origins: unknown, option: string): readonly string[] {
  if (!Array.isArray(origins)) throw new ConfigurationError(`${option} must be an array`);
  return Object.freeze(
    origins.map((o: unknown) => {
      let url: URL;
      try {
        url = new URL(String(o));
      } catch {
        throw new ConfigurationError(`${option} must be absolute origins such as "https://app.example"`);
      }
      if (typeof o !== 'string' || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== o.replace(/\/$/, '')) {
        throw new ConfigurationError(`${option} must be exact origins (scheme, host, port; no path)`);
      }
      return url.origin;
    }),
  );
}

/**
 * The `origins` policy of websocket upgrades (WS-10, WS-11), the same on every
 * adapter: an `Origin` among `origins` (exact, white space around it dropped) may
 * open the socket; another one, `null` included, is refused; a missing `Origin`
 * (browsers always send one on a websocket) is refused unless `allowMissingOrigin`
 * (non-browser clients). Check it before authentication: a refused page must not
 * spend a ticket nor touch a session. For adapters.
 *
 * @example
 * ```ts
 * upgradeOriginAllowed(req.headers.origin, origins, false); // refuse with responseFor({ kind: 'refuse_upgrade' }, …) when false
 * ```
 */
export function upgradeOriginAllowed(origin: string | undefined, origins: readonly string[], allowMissingOrigin: boolean): boolean {
  return origin === undefined ? allowMissingOrigin : origins.includes(origin.trim());
}
