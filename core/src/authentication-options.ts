import type { AuthenticationBackend } from './backend.js';
import { compileTrustedProxies, type ForwardedHeader, type TrustedProxies, type TrustedProxiesOption } from './client-address.js';
import type { Connection } from './connection.js';
import { ConfigurationError, type AuthenticationError } from './errors.js';
import { compileExclude } from './exclude.js';
import type { ResponseDescription } from './response.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/**
 * Answers an authentication error. Return a response description; throwing or
 * returning something unusable falls back to the default answer.
 */
export type ErrorHook = (
  connection: Connection,
  error: AuthenticationError,
) => MaybePromise<ResponseDescription>;

/**
 * Options shared by every adapter's `authentication(...)`. Every optional field also
 * takes `undefined`, meaning its default, so an adapter or an app can forward its own
 * optional settings under `exactOptionalPropertyTypes`.
 */
export interface AuthenticationOptions<U extends BaseUser = BaseUser> {
  /** The backend (or a `multi([...])` chain) that recognises credentials. */
  backend: AuthenticationBackend<U>;
  /**
   * Answers `AuthenticationError`s. Default: the core table (400 with the error's
   * fixed message for malformed credentials, 401 with the challenges for rejected
   * ones, 503 when the backend failed).
   */
  onError?: ErrorHook | undefined;
  /**
   * `optional` (default, Starlette): every request gets a user, routes opt in with
   * `requires`. `required` (Litestar): anonymous requests get 401 with the
   * challenges, except `exclude`d paths and (by default) `OPTIONS`.
   */
  mode?: 'optional' | 'required' | undefined;
  /** Paths that do not require a user in `required` mode (see `compileExclude`). */
  exclude?: readonly (string | RegExp)[] | undefined;
  /** In `required` mode, let `OPTIONS` (CORS preflight) through anonymously. Default `true`. */
  allowOptions?: boolean | undefined;
  /** The clock, in ms since the epoch. Default `Date.now`; tests freeze it. */
  clock?: (() => number) | undefined;
  /**
   * Receives one event per failed authentication (ASVS 5.0 16.3.1), and one per
   * step-up refusal of a guard (`requires(…, { maxAge, acr, amr })`) for a user this
   * authentication let through (`reason: 'step_up_required'`). Events hold the
   * error code, the method, the path and the claimed username, with control
   * characters escaped; never a password, token, cookie or header value.
   */
  log?: ((event: AuthenticationFailure) => void) | undefined;
  /**
   * The proxies whose `Forwarded` / `X-Forwarded-For` reports are believed when
   * resolving `connection.clientAddress`: addresses and CIDR ranges
   * (`['10.0.0.0/8', 'loopback']`) or a hop count (`1`). Default: none; the client
   * address is the socket's peer and no forwarded header is read. See "Behind a
   * proxy" in docs/proxies.md.
   */
  trustedProxies?: TrustedProxiesOption | undefined;
  /**
   * The forwarded header your proxies write: `'x-forwarded-for'` (nginx's
   * `$proxy_add_x_forwarded_for`, most load balancers) or `'forwarded'` (RFC 7239).
   * Only that one is read; the other is ignored. Not set: whichever one a request
   * carries, and a request with both has an `undefined` client address. Needs
   * `trustedProxies`.
   */
  forwardedHeader?: ForwardedHeader | undefined;
}

/**
 * What `log` receives for a failed authentication, and for a step-up refusal: a
 * guard's `maxAge`, `acr` or `amr` not met by the credentials of a user the
 * authenticator let through (`code: 'insufficient_user_authentication'`, `reason:
 * 'step_up_required'`, `subject`: the user's identity).
 */
export interface AuthenticationFailure {
  /** Always `authentication_failed`: the failure log's stable event name. */
  readonly event: 'authentication_failed';
  /** The error's code; `insufficient_user_authentication` (RFC 9470) for a step-up refusal. */
  readonly code: AuthenticationError['code'] | 'insufficient_user_authentication';
  /** The request method. */
  readonly method: string;
  /** The requested path, control characters escaped. */
  readonly path: string;
  /**
   * The username the client claimed (for a step-up refusal: the authenticated user's
   * identity), control characters escaped; absent when none was readable.
   */
  readonly subject?: string;
  /** The security event behind the failure, when there is one (`hash_parameters_refused`, `step_up_required`). */
  readonly reason?: AuthenticationError['reason'] | 'step_up_required';
}

/** {@link AuthenticationOptions} checked, defaulted and frozen; built once by {@link parseAuthenticationOptions}. */
export interface AuthenticationConfig<U extends BaseUser> {
  readonly backend: AuthenticationBackend<U>;
  /** `undefined`: the core table answers. */
  readonly onError: ErrorHook | undefined;
  readonly mode: 'optional' | 'required';
  /** The compiled `exclude` patterns. */
  readonly isExcluded: (path: string) => boolean;
  readonly allowOptions: boolean;
  readonly clock: () => number;
  readonly log: ((event: AuthenticationFailure) => void) | undefined;
  /** The backend's challenges, copied and checked. */
  readonly challenges: readonly string[];
  /** The compiled `trustedProxies`; `undefined`: none. */
  readonly trustedProxies: TrustedProxies | undefined;
}

/**
 * Checks every option, fills in the defaults and returns the frozen
 * {@link AuthenticationConfig}. A mistake throws a `ConfigurationError` (code
 * `invalid_configuration`) naming the option, here, at startup: `backend`, `onError`,
 * `mode`, `exclude`, `log`, `clock`, then the backend's `challenges`, then `trustedProxies`,
 * in that order.
 */
export function parseAuthenticationOptions<U extends BaseUser>(options: AuthenticationOptions<U>): AuthenticationConfig<U> {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('options are required');
  const backend = options.backend;
  if (backend === null || typeof backend !== 'object' || typeof backend.authenticate !== 'function') {
    throw new ConfigurationError('backend must be an object with an authenticate(connection) method');
  }
  const onError = options.onError;
  if (onError !== undefined && typeof onError !== 'function') throw new ConfigurationError('onError must be a function');
  const mode = options.mode ?? 'optional';
  if (mode !== 'optional' && mode !== 'required') throw new ConfigurationError('mode must be "optional" or "required"');
  const isExcluded = compileExclude(options.exclude);
  const allowOptions = options.allowOptions ?? true;
  const clock = options.clock ?? Date.now;
  const log = options.log;
  if (log !== undefined && typeof log !== 'function') throw new ConfigurationError('log must be a function');
  if (typeof clock !== 'function') throw new ConfigurationError('clock must be a function');
  const challenges = Object.freeze([...(backend.challenges ?? [])]);
  for (const c of challenges) {
    // Control characters allow header injection; beyond Latin-1, Node and `Headers` throw on every 401.
    if (typeof c !== 'string' || /[\u0000-\u001f\u007f]|[^\u0000-\u00ff]/.test(c)) {
      throw new ConfigurationError('backend challenges must be Latin-1 strings without control characters');
    }
  }
  const trustedProxies = compileTrustedProxies(options.trustedProxies, options.forwardedHeader);
  return Object.freeze({ backend, onError, mode, isExcluded, allowOptions, clock, log, challenges, trustedProxies });
}
