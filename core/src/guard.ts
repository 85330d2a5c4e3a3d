import type { Connection } from './connection.js';
import type { AuthCredentials } from './credentials.js';
import { ConfigurationError } from './errors.js';
import { responseFor, isBrowserNavigation, isDenialStatus, type DenialStatus, type ResponseDescription } from './response.js';
import { safeNext } from './safe-next.js';
import type { BaseUser } from './user.js';

/** Options of a scope guard. */
export interface RequiresOptions {
  /**
   * The status when scopes are missing. Default 403. `404` answers exactly as the
   * framework answers an unknown route. `401` answers anonymous requests with the
   * backend's challenges (authenticated users without the scopes still get 403).
   * Websocket upgrades are always refused with 403. Only a registered 4xx client
   * error ({@link DenialStatus}); to send browsers elsewhere use `redirect`.
   */
  status?: DenialStatus;
  /**
   * A relative path (`/login`) to send anonymous browser navigations to, with the
   * requested path and query in `next`. Other requests get `status`.
   */
  redirect?: string;
}

/** What a guard needs to know about the request's authentication. */
export interface GuardState {
  /** The user authentication attached to the request. */
  readonly user: BaseUser;
  /** The user's credentials: the scopes the guard checks. */
  readonly auth: AuthCredentials;
  /** The backend's challenges, for 401 answers. */
  readonly challenges: readonly string[];
}

/** A configured scope check. */
export interface Guard {
  /** The scopes the guard requires, all of them. */
  readonly scopes: readonly string[];
  /** `null` when every scope is held, else the answer. */
  check(connection: Connection, state: GuardState): ResponseDescription | null;
}

/**
 * Builds a scope check: every scope must be held (AND). Adapters wrap it as
 * their `requires(...)` middleware.
 *
 * @example
 * ```ts
 * const guard = createGuard(['authenticated', 'admin'], { status: 404 });
 * const denied = guard.check(connection, { user, auth, challenges });
 * ```
 */
export function createGuard(scopes: string | readonly string[], options: RequiresOptions = {}): Guard {
  const list = typeof scopes === 'string' ? [scopes] : scopes;
  if (!Array.isArray(list) || list.length === 0 || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError('requires: give one scope or a non-empty array of non-empty strings');
  }
  const required = Object.freeze([...list]);
  // The default (403) and the 401 → 403 rule are the table's ('denied').
  const status = options.status ?? undefined;
  if (status !== undefined && !isDenialStatus(status)) {
    throw new ConfigurationError(
      'requires: status must be a registered 4xx client-error status such as 401, 403 or 404 (to send browsers to a login page, use redirect)',
    );
  }
  const redirect = options.redirect;
  if (redirect !== undefined && (typeof redirect !== 'string' || redirect === '' || safeNext(redirect, '') !== redirect || redirect.includes('#'))) {
    throw new ConfigurationError('requires: redirect must be a same-origin relative path such as "/login"');
  }
  const redirectPath = redirect?.replace(/\?.*$/, '');

  return Object.freeze({
    scopes: required,
    check(connection: Connection, state: GuardState): ResponseDescription | null {
      if (state.auth.hasAll(required)) return null;
      if (connection.kind === 'websocket') return responseFor({ kind: 'refuse_upgrade' }, connection, state.challenges);
      const anonymous = !state.user.isAuthenticated;
      if (redirect !== undefined && anonymous && isBrowserNavigation(connection)) {
        return responseFor({ kind: 'redirect', location: loginLocation(redirect, redirectPath as string, connection) }, connection, state.challenges);
      }
      const insufficientScope = (): string | undefined => state.auth.insufficientScope?.(required);
      return responseFor({ kind: 'denied', status, anonymous, insufficientScope }, connection, state.challenges);
    },
  });
}

/** `/login?next=<path and query, percent-encoded>`; `next` is left out when unsafe or the login page itself. */
function loginLocation(redirect: string, redirectPath: string, connection: Connection): string {
  const target = connection.query === '' ? connection.path : `${connection.path}?${connection.query}`;
  if (connection.path === redirectPath || safeNext(target, '') !== target) return redirect;
  return `${redirect}${redirect.includes('?') ? '&' : '?'}next=${encodeURIComponent(target)}`;
}
