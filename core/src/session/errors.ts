import type { Connection } from '../connection.js';
import { PortcullisError, isAuthenticationError, isPortcullisError, messageOf, type SessionErrorCode } from '../errors.js';
import { errorResponse, fixedResponse, responseFor, type ResponseDescription } from '../response.js';

/**
 * Raised by sessions: a store outage, a CSRF refusal, a logout through `GET`, a
 * `Secure` cookie over plain HTTP, or session helpers used without session
 * middleware. The message is fixed per code and never holds a session id or a
 * cookie value; the store's own error is in `cause`.
 *
 * @example
 * ```ts
 * try {
 *   await login(req, user);
 * } catch (error) {
 *   if (isSessionError(error)) return sendDescription(req, res, next, describeSessionError(error, connection));
 *   throw error;
 * }
 * ```
 */
export class SessionError extends PortcullisError {
  /** The class name, also across duplicated module copies. */
  override readonly name = 'SessionError';
  /** What went wrong; it decides the status (503, 500, 403 or 405). */
  readonly code: SessionErrorCode;

  constructor(code: SessionErrorCode, options?: { cause?: unknown }) {
    super(messageOf(code), options?.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
  }
}

/**
 * True for a {@link SessionError}, also across duplicated module copies: the
 * `isPortcullisError` guard narrowed to this class.
 *
 * @example
 * ```ts
 * if (isSessionError(error) && error.code === 'session_store_unavailable') retryLater();
 * ```
 */
export function isSessionError(value: unknown): value is SessionError {
  // instanceof first: an app's subclass may carry a name of its own.
  return value instanceof SessionError || (isPortcullisError(value) && value.name === 'SessionError');
}

/**
 * The answer to a session error, from the core's one status table: `503` for a
 * store outage (generic body), `403` for a CSRF refusal or an insecure transport,
 * `405` with `Allow: POST` for a logout through a safe method, `500` for a
 * missing session middleware.
 *
 * @example
 * ```ts
 * const response = describeSessionError(new SessionError('csrf_rejected'), connection);
 * response.status; // 403
 * ```
 */
export function describeSessionError(error: SessionError, connection: Connection): ResponseDescription {
  switch (error.code) {
    case 'session_store_unavailable':
      return responseFor({ kind: 'error', code: 'backend_unavailable' }, connection, []);
    case 'csrf_rejected':
    case 'session_insecure_transport':
      return responseFor({ kind: 'forbidden' }, connection, []);
    case 'method_not_allowed':
      return methodNotAllowed(connection);
    case 'session_not_configured':
      return fixedResponse({ kind: 'session_not_configured' });
  }
}

/**
 * The answer to an error a session route throws, for the adapters' session-error
 * handlers: a `SessionError` as {@link describeSessionError} answers it, an
 * `AuthenticationError` (a login form's `verifyCredentials`: 429 `too_many_requests`
 * with `Retry-After` when throttled, 503 `backend_busy` when the hashing queue is full,
 * 503 `backend_unavailable` when the throttle store is down) through the core's table
 * with its status, `Retry-After` and body; `undefined` for any other error (the app's
 * own error handling takes it).
 *
 * @example
 * ```ts
 * const response = describeRouteError(error, connection);
 * if (response === undefined) throw error;
 * ```
 */
export function describeRouteError(error: unknown, connection: Connection): ResponseDescription | undefined {
  if (isSessionError(error)) return describeSessionError(error, connection);
  if (isAuthenticationError(error)) return errorResponse(error, connection);
  return undefined;
}

/** `405` with `Allow: POST` (a state change such as logout through `GET`). */
export function methodNotAllowed(connection: Connection): ResponseDescription {
  return responseFor({ kind: 'method_not_allowed', allow: 'POST' }, connection, []);
}
