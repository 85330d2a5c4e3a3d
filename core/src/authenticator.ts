import { answerFailure } from './authentication-failure.js';
import { parseAuthenticationOptions, type AuthenticationConfig, type AuthenticationOptions } from './authentication-options.js';
import type { AuthenticateResult } from './backend.js';
import type { TrustedProxies } from './client-address.js';
import { rememberFailureLog, type Connection } from './connection.js';
import { NO_CREDENTIALS, type AuthCredentials } from './credentials.js';
import { responseFor, type ResponseDescription } from './response.js';
import { ANONYMOUS, type BaseUser, type UnauthenticatedUser } from './user.js';
import { thenNative, type MaybePromise } from './maybe-promise.js';

// The options and the failure answer have their own modules; their public names are
// still exported from here, where adapters and the index have always found them.
export type { AuthenticationFailure, AuthenticationOptions, ErrorHook } from './authentication-options.js';
export { escapeForLog, logFailure } from './authentication-failure.js';

/** The request may go on, with this user and these credentials. */
export interface Proceed<U extends BaseUser> {
  /** The request goes on to the route. */
  readonly type: 'continue';
  /** The authenticated user, or the anonymous user. */
  readonly user: U | UnauthenticatedUser;
  /** The user's credentials (scopes); empty for the anonymous user. */
  readonly auth: AuthCredentials;
}

/** The request is answered here. */
export interface Respond {
  /** The request is answered here. */
  readonly type: 'respond';
  /** The answer to send (status, headers, body). */
  readonly response: ResponseDescription;
}

/** What authentication decides for one request. */
export type AuthDecision<U extends BaseUser> = Proceed<U> | Respond;

/** The configured first step, shared by every adapter. */
export interface Authenticator<U extends BaseUser> {
  /** The backend's challenges, sent with 401 answers (also by guards). */
  readonly challenges: readonly string[];
  /** The configured clock. */
  readonly clock: () => number;
  /**
   * The compiled `trustedProxies` option, for `createConnection({ trustedProxies })`;
   * `undefined` when none are configured.
   */
  readonly trustedProxies: TrustedProxies | undefined;
  /** Decides for one connection; synchronous when the backend is. */
  run(connection: Connection): MaybePromise<AuthDecision<U>>;
}

/**
 * Checks and freezes options (configuration errors throw here, at startup), and
 * returns the decision function adapters call.
 *
 * @example
 * ```ts
 * const authenticator = createAuthenticator({ backend: basicAuth({ verify }) });
 * const decision = await authenticator.run(connection);
 * if (decision.type === 'respond') send(decision.response);
 * ```
 */
export function createAuthenticator<U extends BaseUser>(options: AuthenticationOptions<U>): Authenticator<U> {
  const config = parseAuthenticationOptions(options);
  const { backend } = config;
  return Object.freeze({
    challenges: config.challenges,
    clock: config.clock,
    trustedProxies: config.trustedProxies,
    run(connection: Connection): MaybePromise<AuthDecision<U>> {
      let result: MaybePromise<AuthenticateResult<U>>;
      try {
        result = backend.authenticate(connection);
      } catch (thrown) {
        return answerFailure(config, connection, thrown);
      }
      if (result instanceof Promise) {
        return thenNative(
          result,
          (r) => settle(config, connection, r),
          (thrown) => answerFailure(config, connection, thrown),
        );
      }
      return settle(config, connection, result);
    },
  });
}

const ANONYMOUS_DECISION: Proceed<never> = Object.freeze({ type: 'continue', user: ANONYMOUS, auth: NO_CREDENTIALS });

/**
 * A CORS preflight, let through anonymously in `required` mode when `allowOptions`:
 * an `OPTIONS` request without an `Upgrade` field. Browsers never send `Upgrade`
 * (a forbidden request header), so a preflight never carries one, while an
 * `OPTIONS` upgrade reaches runtimes that upgrade whatever the method (Deno), and
 * `Upgrade` values other than the core's `websocket` (`h2c, websocket`) reach
 * runtimes that upgrade them: any `Upgrade` field makes it no preflight.
 */
function isPreflight(connection: Connection): boolean {
  return connection.method === 'OPTIONS' && connection.kind === 'http' && connection.header('upgrade') === undefined;
}

/**
 * What the backend's result decides: a principal goes on; nothing goes on
 * anonymously, except in `required` mode (401 with the challenges, or a refused
 * upgrade) on paths that are not `exclude`d and not an allowed preflight ({@link isPreflight}).
 */
function settle<U extends BaseUser>(
  config: AuthenticationConfig<U>,
  connection: Connection,
  result: AuthenticateResult<U>,
): MaybePromise<AuthDecision<U>> {
  if (result) {
    if (typeof result.user !== 'object' || result.user === null || typeof result.auth?.hasAll !== 'function') {
      return answerFailure(config, connection, new TypeError('backend returned a principal without user and auth'));
    }
    // A guard run later on this connection reports its step-up refusals to the same log.
    if (config.log !== undefined) rememberFailureLog(connection, config.log);
    return { type: 'continue', user: result.user, auth: result.auth };
  }
  if (config.mode === 'required' && !(config.allowOptions && isPreflight(connection)) && !config.isExcluded(connection.path)) {
    const outcome = connection.kind === 'websocket' ? ({ kind: 'refuse_upgrade' } as const) : ({ kind: 'unauthenticated' } as const);
    return { type: 'respond', response: responseFor(outcome, connection, config.challenges) };
  }
  return ANONYMOUS_DECISION;
}
