import type { AuthCredentials } from './credentials.js';
import type { Connection } from './connection.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/** A user a backend vouched for, and what that user may do. */
export interface Principal<U extends BaseUser = BaseUser> {
  /** The authenticated user. */
  readonly user: U;
  /** The user's credentials: the scopes guards check. */
  readonly auth: AuthCredentials;
}

/** `null`/`undefined`: no credentials for this backend (anonymous). */
export type AuthenticateResult<U extends BaseUser = BaseUser> = Principal<U> | null | undefined;

/**
 * The backend contract. `authenticate` may be sync or async; it returns nothing for
 * an anonymous request, a {@link Principal}, or throws an `AuthenticationError`
 * when credentials are present but unacceptable. Any other throw means the
 * backend could not decide, and the request fails closed (503).
 *
 * @example
 * ```ts
 * const backend: AuthenticationBackend<SimpleUser> = {
 *   challenges: ['Token'],
 *   authenticate(conn) {
 *     return conn.header('x-demo') === 'yes'
 *       ? { user: new SimpleUser('demo'), auth: new AuthCredentials(['authenticated']) }
 *       : null;
 *   },
 * };
 * ```
 */
export interface AuthenticationBackend<U extends BaseUser = BaseUser> {
  /** Looks at the connection: `null`/`undefined` for anonymous, a {@link Principal}, or throws an `AuthenticationError` for present but invalid credentials. */
  authenticate(connection: Connection): MaybePromise<AuthenticateResult<U>>;
  /** `WWW-Authenticate` challenges this backend offers on a 401 (RFC 9110 §11.6.1). */
  readonly challenges?: readonly string[];
}

/** The user type a backend produces. */
export type UserOf<B> = B extends AuthenticationBackend<infer U> ? U : never;
