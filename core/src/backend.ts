import type { AuthCredentials } from './credentials.js';
import type { Connection } from './connection.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/**
 * A user a backend vouched for, and what that user may do. `V` is the name of the
 * backend (`auth.via`), as a literal union when it is known.
 */
export interface Principal<U extends BaseUser = BaseUser, V extends string | undefined = string | undefined> {
  /** The authenticated user. */
  readonly user: U;
  /** The user's credentials: the scopes guards check, and `via`, the backend that vouched. */
  readonly auth: AuthCredentials<V>;
}

/** `null`/`undefined`: no credentials for this backend (anonymous). */
export type AuthenticateResult<U extends BaseUser = BaseUser, V extends string | undefined = string | undefined> =
  | Principal<U, V>
  | null
  | undefined;

/**
 * The backend contract. `authenticate` may be sync or async; it returns nothing for
 * an anonymous request, a {@link Principal}, or throws an `AuthenticationError`
 * when credentials are present but unacceptable. Any other throw means the
 * backend could not decide, and the request fails closed (503).
 *
 * A backend of your own that is combined with others (`multi`, `all`) gives itself
 * a `name` and builds its credentials with the same `via`, so handlers can tell
 * which backend authenticated the request; `reads` lets `all([...])` refuse, at
 * startup, two backends that read the same credential.
 *
 * @example
 * ```ts
 * const backend: AuthenticationBackend<SimpleUser> = {
 *   name: 'demo',
 *   challenges: ['Token'],
 *   reads: ['header:x-demo'],
 *   authenticate(conn) {
 *     return conn.header('x-demo') === 'yes'
 *       ? { user: new SimpleUser('demo'), auth: new AuthCredentials(['authenticated'], { via: 'demo' }) }
 *       : null;
 *   },
 * };
 * ```
 */
export interface AuthenticationBackend<U extends BaseUser = BaseUser, V extends string | undefined = string | undefined> {
  /** Looks at the connection: `null`/`undefined` for anonymous, a {@link Principal}, or throws an `AuthenticationError` for present but invalid credentials. */
  authenticate(connection: Connection): MaybePromise<AuthenticateResult<U, V>>;
  /** `WWW-Authenticate` challenges this backend offers on a 401 (RFC 9110 §11.6.1). */
  readonly challenges?: readonly string[];
  /**
   * The backend's name, the `via` of the credentials it grants: every built-in
   * backend has a default (`'basic'`, `'token'`, `'bearer'`, `'apiKey'`, `'session'`,
   * `'jwt'`, `'jwtCookie'`) and a `name` option. Names are unique within a
   * `multi([...])` or `all([...])`: letters, digits, `_`, `.` and `-`, starting with a
   * letter, at most 64 characters.
   */
  readonly name?: string | undefined;
  /**
   * Where the backend takes its credential from, for `all([...])` to refuse two
   * backends that read the same one at startup: `'authorization'` (the
   * `Authorization` header), `'header:<lower-case name>'`, `'query:<name>'`,
   * `'cookie:<name>'` or `'session'`.
   */
  readonly reads?: readonly string[] | undefined;
  /**
   * Optional, cheap and synchronous: true when the request carries this backend's
   * credential at all (its header, `Authorization` scheme or cookie), without
   * verifying it, looking anything up or touching a session. `all([...])` asks every
   * part before running any `authenticate`, so a request missing one credential is
   * refused without verifying the others (no password oracle, no session refresh).
   * Every built-in backend has it; `multi` has it when every part does (any part
   * present), `all` likewise (every part present). A backend of your own without it
   * runs in an `all` only once every part that has it said present.
   */
  present?(connection: Connection): boolean;
}

/** The user type a backend produces. */
export type UserOf<B> = B extends AuthenticationBackend<infer U, string | undefined> ? U : never;

/**
 * The names a backend's credentials can carry in `auth.via`: a literal union for the
 * built-in backends, `multi` and `all`.
 *
 * @example
 * ```ts
 * const backend = multi([tokenAuth({ verify }), basicAuth({ verify: check })]);
 * type Via = ViaOf<typeof backend>; // 'token' | 'basic'
 * const via = req.auth.via as Via;
 * ```
 */
export type ViaOf<B> = B extends AuthenticationBackend<BaseUser, infer V> ? Exclude<V, undefined> : never;
