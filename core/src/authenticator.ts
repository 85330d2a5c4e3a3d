import type { AuthenticateResult, AuthenticationBackend } from './backend.js';
import type { Connection } from './connection.js';
import { NO_CREDENTIALS, type AuthCredentials } from './credentials.js';
import { AuthenticationError, ConfigurationError, isAuthenticationError } from './errors.js';
import { compileExclude } from './exclude.js';
import { describe, upgradeRefusal, type ResponseDescription } from './response.js';
import { ANONYMOUS, type BaseUser, type UnauthenticatedUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/**
 * Answers an authentication error. Return a response description; throwing or
 * returning something unusable falls back to the default answer.
 */
export type ErrorHook = (
  connection: Connection,
  error: AuthenticationError,
) => MaybePromise<ResponseDescription>;

/** Options shared by every adapter's `authentication(...)`. */
export interface AuthenticationOptions<U extends BaseUser = BaseUser> {
  /** The backend (or a `multi([...])` chain) that recognises credentials. */
  backend: AuthenticationBackend<U>;
  /**
   * Answers `AuthenticationError`s. Default: the core table (400 with the error's
   * fixed message for malformed credentials, 401 with the challenges for rejected
   * ones, 503 when the backend failed).
   */
  onError?: ErrorHook;
  /**
   * `optional` (default, Starlette): every request gets a user, routes opt in with
   * `requires`. `required` (Litestar): anonymous requests get 401 with the
   * challenges, except `exclude`d paths and (by default) `OPTIONS`.
   */
  mode?: 'optional' | 'required';
  /** Paths that do not require a user in `required` mode (see `compileExclude`). */
  exclude?: readonly (string | RegExp)[];
  /** In `required` mode, let `OPTIONS` (CORS preflight) through anonymously. Default `true`. */
  allowOptions?: boolean;
  /** The clock, in ms since the epoch. Default `Date.now`; tests freeze it. */
  clock?: () => number;
  /**
   * Receives one event per failed authentication (ASVS 5.0 16.3.1). Events hold the
   * error code, the method, the path and the claimed username, with control
   * characters escaped; never a password, token, cookie or header value.
   */
  log?: (event: AuthenticationFailure) => void;
}

/** What `log` receives for a failed authentication. */
export interface AuthenticationFailure {
  readonly event: 'authentication_failed';
  readonly code: AuthenticationError['code'];
  readonly method: string;
  /** The requested path, control characters escaped. */
  readonly path: string;
  /** The username the client claimed, control characters escaped; absent when none was readable. */
  readonly subject?: string;
  /** The security event behind the failure, when there is one (`hash_parameters_refused`). */
  readonly reason?: AuthenticationError['reason'];
}

/** Escapes control characters (`\r`, `\n`, `\u0000`…) so a value cannot forge a log line. */
export function escapeForLog(value: string): string {
  // One pass; untouched runs are copied as slices (a callback per character costs far more).
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c > 0x1f && c !== 0x5c && (c < 0x7f || c > 0x9f) && c !== 0x2028 && c !== 0x2029) continue;
    out += value.slice(from, i) + (c === 0x5c ? '\\\\' : c === 0x0a ? '\\n' : c === 0x0d ? '\\r' : `\\u${c.toString(16).padStart(4, '0')}`);
    from = i + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}

/** The request may go on, with this user and these credentials. */
export interface Proceed<U extends BaseUser> {
  readonly type: 'continue';
  readonly user: U | UnauthenticatedUser;
  readonly auth: AuthCredentials;
}

/** The request is answered here. */
export interface Respond {
  readonly type: 'respond';
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
  /** Decides for one connection; synchronous when the backend is. */
  run(connection: Connection): MaybePromise<AuthDecision<U>>;
}

/**
 * Checks and freezes options, and returns the decision function adapters call.
 * Configuration errors throw here, at startup.
 *
 * @example
 * ```ts
 * const authenticator = createAuthenticator({ backend: basicAuth({ verify }) });
 * const decision = await authenticator.run(connection);
 * if (decision.type === 'respond') send(decision.response);
 * ```
 */
export function createAuthenticator<U extends BaseUser>(options: AuthenticationOptions<U>): Authenticator<U> {
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

  const anonymous: Proceed<U> = Object.freeze({ type: 'continue', user: ANONYMOUS, auth: NO_CREDENTIALS });

  function settle(connection: Connection, result: AuthenticateResult<U>): MaybePromise<AuthDecision<U>> {
    if (result) {
      if (typeof result.user !== 'object' || result.user === null || typeof result.auth?.hasAll !== 'function') {
        return fail(connection, new TypeError('backend returned a principal without user and auth'));
      }
      return { type: 'continue', user: result.user, auth: result.auth };
    }
    if (mode === 'required' && !(allowOptions && connection.method === 'OPTIONS') && !isExcluded(connection.path)) {
      const outcome = connection.kind === 'websocket' ? ({ kind: 'refuse_upgrade' } as const) : ({ kind: 'unauthenticated' } as const);
      return { type: 'respond', response: describe(outcome, connection, challenges) };
    }
    return anonymous;
  }

  function fail(connection: Connection, thrown: unknown): MaybePromise<Respond> {
    const error = isAuthenticationError(thrown) ? thrown : new AuthenticationError('backend_unavailable', { cause: thrown });
    if (log !== undefined) {
      try {
        const logged: unknown = log({
          event: 'authentication_failed',
          code: error.code,
          method: escapeForLog(connection.method),
          path: escapeForLog(connection.path),
          ...(error.subject === undefined ? {} : { subject: escapeForLog(error.subject) }),
          ...(error.reason === undefined ? {} : { reason: error.reason }),
        });
        // An async logger that rejects would otherwise be an unhandled rejection (fatal in Node).
        if (logged instanceof Promise) logged.catch(() => {});
      } catch {
        // A failing logger must not change the answer.
      }
    }
    const fallback = (): Respond => ({
      type: 'respond',
      response: describe({ kind: 'error', code: error.code, challenge: error.challenge }, connection, challenges),
    });
    if (onError === undefined) return fallback();
    let answer: MaybePromise<ResponseDescription>;
    try {
      answer = onError(connection, error);
    } catch {
      return fallback();
    }
    // A hook's answer to an upgrade is refused as the core's own answers are (no body).
    const respond = (a: ResponseDescription): Respond => ({
      type: 'respond',
      response: connection.kind === 'websocket' ? upgradeRefusal(a) : a,
    });
    if (answer instanceof Promise) {
      return answer.then((a) => (isResponse(a) ? respond(a) : fallback()), fallback);
    }
    return isResponse(answer) ? respond(answer) : fallback();
  }

  return Object.freeze({
    challenges,
    clock,
    run(connection: Connection): MaybePromise<AuthDecision<U>> {
      let result: MaybePromise<AuthenticateResult<U>>;
      try {
        result = backend.authenticate(connection);
      } catch (thrown) {
        return fail(connection, thrown);
      }
      if (result instanceof Promise) {
        return result.then(
          (r) => settle(connection, r),
          (thrown) => fail(connection, thrown),
        );
      }
      return settle(connection, result);
    },
  });
}

function isResponse(value: unknown): value is ResponseDescription {
  if (value === null || typeof value !== 'object') return false;
  const r = value as ResponseDescription;
  return (
    Number.isInteger(r.status) && r.status >= 200 && r.status <= 599 &&
    typeof r.body === 'string' && r.headers !== null && typeof r.headers === 'object'
  );
}
