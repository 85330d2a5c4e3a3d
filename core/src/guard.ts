import { logStepUpRefusal } from './authentication-failure.js';
import type { Connection } from './connection.js';
import type { AuthCredentials, StepUpRequirement } from './credentials.js';
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
   * requested path and query in `next`. Other requests get `status`. Browser
   * navigations of a signed-in user who must authenticate again (`maxAge`, `acr`,
   * `amr`) are sent there too.
   */
  redirect?: string;
  /**
   * Step-up (RFC 9470): the most **seconds** since the user last actively
   * authenticated (`auth.authTime`: the session's login, a JWT's `auth_time`),
   * checked after the scopes on the connection's clock. An unknown time fails.
   * Credentials sent with every request (Basic, Token, API key) always pass.
   */
  maxAge?: number;
  /**
   * Step-up: the acceptable authentication context classes (`auth.acr`: a JWT's
   * `acr` claim, `login(…, { acr })`); one of them is required. Sent back as
   * `acr_values` in the Bearer challenge.
   */
  acr?: string | readonly string[];
  /**
   * Step-up: authentication methods that must all have been used (`auth.amr`: a
   * JWT's `amr` claim, `login(…, { methods })`, RFC 8176 values such as `otp`, `hwk`).
   */
  amr?: string | readonly string[];
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
  const stepUp = stepUpCheck(options);

  return Object.freeze({
    scopes: required,
    check(connection: Connection, state: GuardState): ResponseDescription | null {
      if (state.auth.hasAll(required)) return stepUp === undefined ? null : stepUpAnswer(connection, state);
      if (connection.kind === 'websocket') return responseFor({ kind: 'refuse_upgrade' }, connection, state.challenges);
      const anonymous = !state.user.isAuthenticated;
      if (redirect !== undefined && anonymous && isBrowserNavigation(connection)) {
        return responseFor({ kind: 'redirect', location: loginLocation(redirect, redirectPath as string, connection) }, connection, state.challenges);
      }
      const insufficientScope = (): string | undefined => state.auth.insufficientScope?.(required);
      return responseFor({ kind: 'denied', status, anonymous, insufficientScope }, connection, state.challenges);
    },
  });

  /** Scopes held: the step-up requirement, if any (RFC 9470). */
  function stepUpAnswer(connection: Connection, state: GuardState): ResponseDescription | null {
    const failed = stepUp?.(state.auth, connection.now());
    if (failed === undefined) return null;
    // The refusal reaches the failure log of the authenticator that let the user through.
    logStepUpRefusal(connection, state.user);
    if (connection.kind === 'websocket') return responseFor({ kind: 'refuse_upgrade' }, connection, state.challenges);
    const challenge = state.auth.insufficientUserAuthentication?.({ ...(stepUp as StepUp).requirement, failed });
    // A browser navigation (no Authorization header: a session, a cookie JWT) goes back to
    // login; a client that sent its credentials in a header gets RFC 9470's challenge.
    if (redirect !== undefined && connection.authorization.length === 0 && isBrowserNavigation(connection)) {
      return responseFor({ kind: 'redirect', location: loginLocation(redirect, redirectPath as string, connection) }, connection, state.challenges);
    }
    return responseFor({ kind: 'step_up', challenge }, connection, state.challenges);
  }
}

/** A step-up check: what the credentials missed, or `undefined`; and what to ask of the client. */
type StepUp = ((auth: AuthCredentials, now: number) => StepUpRequirement['failed'] | undefined) & {
  readonly requirement: Omit<StepUpRequirement, 'failed'>;
};

/** The longest `maxAge` accepted: one year, in seconds. */
const MAX_AGE_LIMIT = 366 * 24 * 3600;
/** An `acr` value travels in `acr_values="…"`: printable ASCII without space, `"` or `\\`. */
const ACR_VALUE = /^[\u0021\u0023-\u005b\u005d-\u007e]{1,256}$/;

function listOption(value: unknown, what: string, pattern: RegExp): readonly string[] | undefined {
  if (value === undefined) return undefined;
  const list: unknown = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== 'string' || !pattern.test(v))) {
    throw new ConfigurationError(`requires: ${what} must be a value or a non-empty array of values (printable ASCII without spaces or quotes)`);
  }
  return Object.freeze([...(list as string[])]);
}

/** Checks `maxAge`, `acr` and `amr` at startup; `undefined` when none is set. */
/** How far ahead of the clock an authentication time may be (clock skew) before it counts as unknown. */
const FUTURE_SKEW_MS = 60_000;

function stepUpCheck(options: RequiresOptions): StepUp | undefined {
  const { maxAge } = options;
  if (maxAge !== undefined && (typeof maxAge !== 'number' || !Number.isInteger(maxAge) || maxAge < 0 || maxAge > MAX_AGE_LIMIT)) {
    throw new ConfigurationError('requires: maxAge must be a whole number of seconds from 0 to 31622400 (RFC 9470 max_age)');
  }
  const acr = listOption(options.acr, 'acr', ACR_VALUE);
  const amr = listOption(options.amr, 'amr', ACR_VALUE);
  if (maxAge === undefined && acr === undefined && amr === undefined) return undefined;
  const limit = maxAge === undefined ? undefined : maxAge * 1000;
  const check = (auth: AuthCredentials, now: number): StepUpRequirement['failed'] | undefined => {
    if (acr !== undefined && (auth.acr === undefined || !acr.includes(auth.acr))) return 'level';
    if (amr !== undefined && !amr.every((m) => auth.amr.includes(m))) return 'level';
    // An authentication time ahead of the clock (an issuer's bug, skew between instances)
    // would satisfy `maxAge` for ever: beyond a minute of skew it counts as unknown.
    if (limit !== undefined && !auth.everyRequest && (auth.authTime === undefined || now - auth.authTime > limit || auth.authTime - now > FUTURE_SKEW_MS)) return 'max_age';
    return undefined;
  };
  return Object.assign(check, { requirement: Object.freeze({ maxAge, acrValues: acr }) });
}

/** `/login?next=<path and query, percent-encoded>`; `next` is left out when unsafe or the login page itself. */
function loginLocation(redirect: string, redirectPath: string, connection: Connection): string {
  const target = connection.query === '' ? connection.path : `${connection.path}?${connection.query}`;
  if (connection.path === redirectPath || safeNext(target, '') !== target) return redirect;
  return `${redirect}${redirect.includes('?') ? '&' : '?'}next=${encodeURIComponent(target)}`;
}
