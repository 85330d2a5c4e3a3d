import type { BaseUser, Connection, LoginOptions, SessionData } from '@portcullis/core';
import {
  assertCanLogin as coreAssertCanLogin,
  csrfToken as coreCsrfToken,
  login as coreLogin,
  logout as coreLogout,
} from '@portcullis/core/adapter';
import { toConnection } from './native.js';

/** The request's `Connection`, with the session port withAuth set (none without withAuth: login then throws `session_not_configured`). */
function connectionOf(request: Request): Connection {
  return toConnection(request, Date.now);
}

/**
 * Logs the user in on this request's session: a new session id, the old session
 * destroyed server-side, `data` (typed `D`, the `D` of `sessionAuth<U, D>`)
 * stored for `retrieveUser`. Needs `withAuth(handler, { sessions })` and the
 * same `Request` object withAuth received.
 *
 * @example
 * ```ts
 * const user = await backend.verifyCredentials(email, password);
 * if (user === null) return Response.json({ error: 'unauthorized' }, { status: 401 });
 * await login(request, user, { userId: user.id });
 * return Response.json({ id: user.id });
 * ```
 */
export function login<D extends object = SessionData>(request: Request, user: BaseUser, data?: D, options?: LoginOptions): Promise<void> {
  return coreLogin(connectionOf(request), user, data, options);
}

/**
 * Throws, before anything is created, the `SessionError` that `login` would
 * throw without touching the store (`session_insecure_transport`,
 * `session_not_configured`): call it at signup before creating the account.
 *
 * @example
 * ```ts
 * assertCanLogin(request);
 * const user = await users.create(await request.json());
 * await login(request, user, { userId: user.id });
 * ```
 */
export function assertCanLogin(request: Request): void {
  coreAssertCanLogin(connectionOf(request));
}

/**
 * Logs out: destroys the session server-side and deletes the cookie. Refuses
 * `GET`/`HEAD` (`SessionError` `method_not_allowed`, answered by withAuth).
 *
 * @example
 * ```ts
 * await logout(request);
 * return new Response(null, { status: 204 });
 * ```
 */
export function logout(request: Request): Promise<void> {
  return coreLogout(connectionOf(request));
}

/**
 * A CSRF token bound to this request's session, for a hidden `_csrf` form field
 * or the `x-csrf-token` header.
 *
 * @example
 * ```ts
 * const token = await csrfToken(request);
 * return new Response(`<input type="hidden" name="_csrf" value="${token}">`, { headers: { 'content-type': 'text/html' } });
 * ```
 */
export function csrfToken(request: Request): Promise<string> {
  return coreCsrfToken(connectionOf(request));
}
