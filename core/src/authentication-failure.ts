import type { AuthenticationConfig, AuthenticationFailure } from './authentication-options.js';
import type { Respond } from './authenticator.js';
import { failureLogOf, type Connection } from './connection.js';
import { AuthenticationError, isAuthenticationError } from './errors.js';
import { responseFor, upgradeRefusal, type ResponseDescription } from './response.js';
import type { BaseUser } from './user.js';
import { thenNative, type MaybePromise } from './maybe-promise.js';

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

/**
 * The answer to a failed authentication. What the backend threw or rejected with
 * becomes an `AuthenticationError` (anything else is `backend_unavailable`, 503); it
 * is logged (`log`), then answered by `onError` or, when there is none or it throws
 * or returns something that is not a response, by the core table. An upgrade's
 * answer from `onError` is refused as the core's own are (no body). Synchronous
 * unless `onError` returns a promise.
 */
export function answerFailure<U extends BaseUser>(config: AuthenticationConfig<U>, connection: Connection, thrown: unknown): MaybePromise<Respond> {
  const error = isAuthenticationError(thrown) ? thrown : new AuthenticationError('backend_unavailable', { cause: thrown });
  if (config.log !== undefined) logFailure(config.log, error, connection);
  const fallback = (): Respond => ({
    type: 'respond',
    response: responseFor({ kind: 'error', code: error.code, challenge: error.challenge, retryAfter: error.retryAfter }, connection, config.challenges),
  });
  const { onError } = config;
  if (onError === undefined) return fallback();
  let answer: MaybePromise<ResponseDescription>;
  try {
    answer = onError(connection, error);
  } catch {
    return fallback();
  }
  const respond = (a: ResponseDescription): Respond => ({
    type: 'respond',
    response: connection.kind === 'websocket' ? upgradeRefusal(a) : a,
  });
  if (answer instanceof Promise) {
    return thenNative(answer, (a) => (isResponse(a) ? respond(a) : fallback()), fallback);
  }
  return isResponse(answer) ? respond(answer) : fallback();
}

/**
 * Sends one `authentication_failed` event for `error` to `log`: control characters
 * escaped, never a credential; a logger that throws or rejects changes nothing.
 * Without a connection, `method` and `path` are empty. For packages that report
 * security events outside the middleware (the token endpoint's refresh-token reuse).
 *
 * @example
 * ```ts
 * logFailure(log, new AuthenticationError('invalid_credentials', { subject: 'alice', reason: 'refresh_token_reused' }), connection);
 * ```
 */
export function logFailure(log: (event: AuthenticationFailure) => void, error: AuthenticationError, connection: Connection | undefined): void {
  send(log, connection, error.code, error.subject, error.reason);
}

/**
 * Sends the `step_up_required` event of a guard's step-up refusal (`maxAge`, `acr`,
 * `amr` not met) to the failure log of the authenticator that let `connection`
 * through, if it has one: `code: 'insufficient_user_authentication'`, the user's
 * identity as `subject`, never a credential. Internal: the guard calls it.
 */
export function logStepUpRefusal(connection: Connection, user: BaseUser): void {
  const log = failureLogOf(connection);
  if (log !== undefined) send(log, connection, 'insufficient_user_authentication', user.identity, 'step_up_required');
}

/** One event to `log`, escaped; a logger that throws or rejects changes nothing. */
function send(
  log: (event: AuthenticationFailure) => void,
  connection: Connection | undefined,
  code: AuthenticationFailure['code'],
  subject: string | undefined,
  reason: AuthenticationFailure['reason'],
): void {
  try {
    const logged: unknown = log({
      event: 'authentication_failed',
      code,
      method: connection === undefined ? '' : escapeForLog(connection.method),
      path: connection === undefined ? '' : escapeForLog(connection.path),
      ...(subject === undefined ? {} : { subject: escapeForLog(subject) }),
      ...(reason === undefined ? {} : { reason }),
    });
    // An async logger that rejects would otherwise be an unhandled rejection (fatal in Node).
    if (logged instanceof Promise) logged.catch(() => {});
  } catch {
    // A failing logger must not change the answer.
  }
}

function isResponse(value: unknown): value is ResponseDescription {
  if (value === null || typeof value !== 'object') return false;
  const r = value as ResponseDescription;
  return (
    Number.isInteger(r.status) && r.status >= 200 && r.status <= 599 &&
    typeof r.body === 'string' && r.headers !== null && typeof r.headers === 'object'
  );
}
