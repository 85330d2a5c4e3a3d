import { quoteRealm } from '../authorization.js';
import type { AuthenticateResult, AuthenticationBackend } from '../backend.js';
import type { Connection } from '../connection.js';
import { backendName } from '../backend-name.js';
import { ConfigurationError } from '../errors.js';
import { AuthCredentials } from '../credentials.js';
import { compileExclude } from '../exclude.js';
import type { BaseUser } from '../user.js';
import { grant, type ScopesOption } from '../verify.js';
import type { SessionData } from './store.js';
import { guarded, portOf, readSessionStateNow, touch, type SessionMeta, type SessionState } from './state.js';
import type { SessionPort } from './port.js';
import type { MaybePromise } from '../maybe-promise.js';

/** True for what `await` would unwrap: a promise or any other thenable. */
function isThenable<T>(value: T | PromiseLike<T>): value is PromiseLike<T> {
  return (typeof value === 'object' || typeof value === 'function') && value !== null && typeof (value as { then?: unknown }).then === 'function';
}

/** A cookie name (an RFC 9110 token). */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/**
 * Options of {@link sessionAuth}. `U` is the user type `retrieveUser` returns; `D`
 * the shape of the session data your own `login(…, user, data)` wrote (default
 * `SessionData`, a record of `unknown`s).
 */
export interface SessionAuthOptions<U extends BaseUser, D extends object = SessionData, N extends string = 'session'> {
  /**
   * Returns the user of a logged-in session (Litestar's `retrieve_user_handler`),
   * sync or async; `null`/`undefined` when the user no longer exists or is
   * disabled (the session then reads as anonymous, SES-09). It runs on every
   * request, so role changes take effect at once (GRD-10). It receives the data
   * given to `login` (and the kept pre-login keys), never Portcullis's metadata.
   * A throw fails the request closed (503).
   *
   * `session` is typed `Readonly<D>`: what your app's own `login` wrote to the
   * server-side store (the client only holds the id), not validated input.
   * Portcullis does not check it against `D`; after a deploy that changes the
   * shape, old sessions still hold the old one, so check what you cannot trust.
   * Without `login(…, data)` the data is `{ identity: user.identity }`.
   */
  retrieveUser(session: Readonly<D>, connection: Connection): MaybePromise<U | null | undefined>;
  /**
   * Paths that need no user when this backend is used as the options of
   * `authentication(...)` (exact strings, `/prefix/*`, or anchored RegExps).
   */
  exclude?: readonly (string | RegExp)[];
  /** `required` (default, Litestar: everything but `exclude` needs a user) or `optional`. */
  mode?: 'required' | 'optional';
  /** Scopes granted to a session user. Default `['authenticated']`. */
  scopes?: ScopesOption<U>;
  /**
   * Sessions of this user created (logged in) before this instant (ms) are refused:
   * set it on a password change or "log out everywhere" (SES-08).
   */
  validAfter?(user: U): number | null | undefined;
  /** The realm of the `WWW-Authenticate: Cookie realm="…"` challenge on 401s. Default `app`. */
  realm?: string;
  /**
   * The backend's name: `auth.via` of the requests it authenticates, and its name in
   * `multi([...])` and `all([...])`, where names are unique. Default `'session'`.
   */
  name?: N;
  /**
   * The session cookie's name, when your sessions do not use the default (`__Host-id`,
   * or `id` without `secure`). It is declared in `reads`, so `all([...])` refuses at
   * startup a JWT cookie of the same name (a request carries one such cookie).
   */
  cookieName?: string;
}

/**
 * A session backend that is also the options of `authentication(...)`: pass it
 * straight in (`authentication(sessionAuth({...}))`, Litestar style, `required`
 * mode with `exclude`), or use it as the `backend` of your own options or inside
 * `multi([...])`.
 */
export interface SessionAuth<U extends BaseUser, N extends string = 'session'> extends AuthenticationBackend<U, N> {
  /** The backend itself, to pass as `authentication({ backend })`. */
  readonly backend: SessionAuth<U, N>;
  /** The backend's name (`auth.via`). */
  readonly name: N;
  /** `required` or `optional`, for the authentication middleware. */
  readonly mode: 'required' | 'optional';
  /** Paths that need no session in `required` mode (anchored patterns). */
  readonly exclude: readonly (string | RegExp)[];
  readonly challenges: readonly string[];
}

/**
 * Authenticates requests by their server-side session, like Litestar's
 * `SessionAuth`: a session created by `login(...)` is loaded, its idle and
 * absolute timeouts are checked on the server, and `retrieveUser(session,
 * connection)` turns it into the user. Sessions that only hold pre-login data,
 * expired or destroyed sessions, and ids the server never issued are anonymous.
 * A store outage fails closed (503).
 *
 * The session data's type `D` is inferred from an annotated `retrieveUser`
 * parameter, or given explicitly (`sessionAuth<AppUser, { user_id: string }>(…)`);
 * without either it is `SessionData` (values `unknown`). `D` describes what your
 * `login(…, user, data)` stored on the server; it is not validated.
 *
 * @example
 * ```ts
 * app.use(sessions({ store, secret }));
 * app.use(authentication(sessionAuth({
 *   retrieveUser: (session: { user_id: string }) => users.byId(session.user_id),
 *   exclude: ['/login', '/signup', '/schema'],
 * })));
 * // in the login route: await login(req, user, { user_id: user.id });
 * ```
 */
export function sessionAuth<U extends BaseUser, D extends object = SessionData, const N extends string = 'session'>(
  options: SessionAuthOptions<U, D, N>,
): SessionAuth<U, NoInfer<N>> {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('sessionAuth: options are required');
  const { retrieveUser, validAfter } = options;
  if (typeof retrieveUser !== 'function') throw new ConfigurationError('sessionAuth: retrieveUser must be a function');
  if (validAfter !== undefined && typeof validAfter !== 'function') throw new ConfigurationError('sessionAuth: validAfter must be a function');
  const mode = options.mode ?? 'required';
  if (mode !== 'required' && mode !== 'optional') throw new ConfigurationError('sessionAuth: mode must be "required" or "optional"');
  const exclude = Object.freeze([...(options.exclude ?? [])]);
  compileExclude(exclude); // checked here, at construction
  const name = backendName(options.name, 'session' as N, 'sessionAuth');
  const auth = grant(options.scopes, 'sessionAuth', name);
  const cookieName = options.cookieName;
  if (cookieName !== undefined && (typeof cookieName !== 'string' || !COOKIE_NAME.test(cookieName))) {
    throw new ConfigurationError('sessionAuth: cookieName must be the session cookie\'s name (a cookie-name token, e.g. "__Host-sid")');
  }
  // The request's session, and the cookie it travels in.
  const reads = Object.freeze(['session', ...(cookieName === undefined ? ['cookie:__Host-id', 'cookie:id'] : [`cookie:${cookieName}`])]);
  const realm = quoteRealm(options.realm ?? 'app');
  if (realm === null) throw new ConfigurationError('sessionAuth: realm must be a non-empty Latin-1 string without control characters');

  /**
   * Without a promise when nothing asks for one (issue #17): the port has the session
   * loaded (`getNow`), `retrieveUser` answers synchronously, no store write is due.
   * Otherwise the same steps, in the same order, on promises. A failure is a rejected
   * promise, as it was when this was an `async` function (never a throw).
   */
  function authenticate(connection: Connection): MaybePromise<AuthenticateResult<U, N>> {
    try {
      const port = portOf(connection);
      const read = readSessionStateNow(connection, port);
      return read instanceof Promise ? read.then((state) => withState(connection, port, state)) : withState(connection, port, read);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  function withState(connection: Connection, port: SessionPort, state: SessionState | null): MaybePromise<AuthenticateResult<U, N>> {
    if (state === null || state.meta === undefined) return null;
    // `D` is the app's word for what its own login wrote: not checked here (see retrieveUser).
    const found = retrieveUser(state.data as Readonly<D>, connection);
    // A synchronous answer is not awaited; a promise or thenable is, as before.
    if (isThenable(found)) return Promise.resolve(found).then((user) => withUser(connection, port, state, state.meta!, user));
    return withUser(connection, port, state, state.meta, found);
  }

  function withUser(
    connection: Connection,
    port: SessionPort,
    state: SessionState,
    meta: SessionMeta,
    user: U | null | undefined,
  ): MaybePromise<AuthenticateResult<U, N>> {
    if (user === null || user === undefined) return null;
    const after = validAfter?.(user);
    if (typeof after === 'number' && meta.created < after) {
      return guarded(connection, port, () => port.destroy()).then(() => null);
    }
    const touched = touch(connection, port, state);
    if (touched !== true) return touched.then((ok) => (ok ? principal(meta, user) : null));
    return principal(meta, user);
  }

  function principal(meta: SessionMeta, user: U): AuthenticateResult<U, N> {
    const { at, amr, acr } = meta;
    // How the user authenticated, recorded by login (step-up guards check it).
    return { user, auth: new AuthCredentials(auth(user).scopes, { via: name, authTime: at, amr, acr }) };
  }

  const backend: SessionAuth<U, N> = {
    authenticate,
    name,
    reads,
    // The cookie is there (no store lookup); without a session port, authenticate reports the misconfiguration.
    present: (connection: Connection): boolean => connection.session?.hasCookie ?? true,
    challenges: Object.freeze([`Cookie realm=${realm}`]),
    mode,
    exclude,
    get backend() {
      return backend;
    },
  };
  return Object.freeze(backend);
}
