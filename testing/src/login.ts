import { ConfigurationError, type BaseUser, type SessionData } from '@portcullis/core';
import { assertNotProduction } from './guard.js';

/**
 * A real credential for one user: what the app's own backend accepts, never a
 * switch inside the middleware. Send `headers` with each request
 * (`request(app).get('/me').set(credential.headers)`).
 */
export interface Credential {
  /** `cookie` (a session), `bearer` (a JWT or an opaque token) or `token` (`Authorization: Token …`). */
  readonly kind: 'cookie' | 'bearer' | 'token';
  /** The request headers that carry it: `{ cookie }` or `{ authorization }`. */
  readonly headers: Readonly<Record<string, string>>;
  /** The raw value: the session cookie's `name=value`, or the token. */
  readonly value: string;
}

/** Options of {@link loginAs}. */
export interface LoginOptions {
  /**
   * Scopes to grant, for credentials that carry them (a JWT's `scope` claim, a
   * token issuer that takes scopes). Sessions refuse it: a session's scopes come
   * from the app (`sessionAuth({ scopes })`), so the test cannot forge them.
   */
  readonly scopes?: readonly string[];
  /**
   * For sessions: the data your login route stores (what `sessionAuth`'s
   * `retrieveUser` reads). Default: the source's `data(user)`, else
   * `{ identity: user.identity }` (what `login(req, user)` stores).
   */
  readonly data?: SessionData;
}

/**
 * What {@link loginAs} asks for a credential: something that holds what the app
 * trusts (its session store and secret, its token store, the JWKS it fetches).
 * The kit's sources are `testJwks()`, `tokenLogin()`, `webSessionLogin()`, and
 * `expressSessionLogin()` / `koaSessionLogin()` from `@portcullis/testing/express`
 * and `/koa`; write your own for another backend.
 */
export interface CredentialSource<U extends BaseUser = BaseUser> {
  /** Mints a credential for `user`. */
  credentialFor(user: U, options: LoginOptions): Promise<Credential>;
}

/**
 * Logs `user` in for a test and returns a real credential: a session cookie made
 * by the app's own session code over its own store and secret, a token issued into
 * its own token store, or a JWT signed with a key from the JWKS it trusts. Nothing
 * in the app is switched off or bypassed: the credential passes the same checks as
 * any other, logout and revocation still end it, and an app with another store,
 * secret or key set rejects it.
 *
 * @example
 * ```ts
 * const jwks = await testJwks({ issuer: 'https://id.example', audience: 'api' });
 * const app = createApp({ ...jwks.jwtOptions() });
 * const alice = await loginAs(jwks, new SimpleUser('alice'), { scopes: ['orders:read'] });
 * await request(app).get('/orders').set(alice.headers).expect(200);
 * ```
 */
export async function loginAs<U extends BaseUser>(source: CredentialSource<U>, user: U, options: LoginOptions = {}): Promise<Credential> {
  assertNotProduction();
  if (source === null || typeof source !== 'object' || typeof source.credentialFor !== 'function') {
    throw new ConfigurationError('loginAs: the first argument must be a credential source (testJwks(), tokenLogin(), webSessionLogin(), expressSessionLogin(), koaSessionLogin())');
  }
  if (user === null || typeof user !== 'object' || user.isAuthenticated !== true || typeof user.identity !== 'string') {
    throw new ConfigurationError('loginAs: user must be an authenticated user (a SimpleUser or your own BaseUser)');
  }
  if (options.scopes !== undefined && (!Array.isArray(options.scopes) || options.scopes.some((s) => typeof s !== 'string' || s === '' || /\s/.test(s)))) {
    throw new ConfigurationError('loginAs: scopes must be an array of non-empty scope names without spaces');
  }
  return source.credentialFor(user, options);
}

/** Options of {@link tokenLogin}. */
export interface TokenLoginOptions<U extends BaseUser = BaseUser> {
  /**
   * Issues a token for the user into the store the app verifies against, and
   * returns the plaintext token: `(user) => store.issue(user)` for a
   * `MemoryTokenStore`, or your own table's insert.
   */
  readonly issue: (user: U, scopes: readonly string[] | undefined) => string | Promise<string>;
  /** The `Authorization` scheme the app reads: `Bearer` (default, `bearerAuth`) or `Token` (`tokenAuth`). */
  readonly scheme?: 'Bearer' | 'Token';
}

/**
 * A {@link CredentialSource} for opaque tokens: each credential is a token
 * issued into the app's own token store, so revoking it there ends it.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore<SimpleUser>();
 * const app = createApp({ backend: tokenAuth({ verify: hashedTokens(store) }) });
 * const bob = await loginAs(tokenLogin({ issue: (user: SimpleUser) => store.issue(user), scheme: 'Token' }), new SimpleUser('bob'));
 * ```
 */
export function tokenLogin<U extends BaseUser = BaseUser>(options: TokenLoginOptions<U>): CredentialSource<U> {
  assertNotProduction();
  if (options === null || typeof options !== 'object' || typeof options.issue !== 'function') {
    throw new ConfigurationError('tokenLogin: issue(user, scopes) must be a function that stores a token for the user and returns it');
  }
  const scheme = options.scheme ?? 'Bearer';
  if (scheme !== 'Bearer' && scheme !== 'Token') throw new ConfigurationError('tokenLogin: scheme must be "Bearer" or "Token"');
  const { issue } = options;
  return Object.freeze({
    async credentialFor(user: U, login: LoginOptions): Promise<Credential> {
      assertNotProduction(); // again per credential: NODE_ENV may have changed since the source was built
      const token = await issue(user, login.scopes);
      if (typeof token !== 'string' || token === '' || /[\s\u0000-\u001f\u007f]/.test(token)) {
        throw new ConfigurationError('tokenLogin: issue() must return the token as a non-empty string without spaces or control characters');
      }
      return Object.freeze({
        kind: scheme === 'Bearer' ? ('bearer' as const) : ('token' as const),
        headers: Object.freeze({ authorization: `${scheme} ${token}` }),
        value: token,
      });
    },
  });
}

/** What every session source shares: the data stored at login. */
export interface SessionLoginData<U extends BaseUser = BaseUser> {
  /**
   * The session data your login route stores for a user (what `sessionAuth`'s
   * `retrieveUser` reads), e.g. `(user) => ({ userId: user.identity })`.
   * Default `{ identity: user.identity }`. `loginAs(…, { data })` overrides it.
   */
  readonly data?: (user: U) => SessionData;
}

/** The session data of one login, after refusing `scopes` (sessions take theirs from the app). */
export function sessionDataFor<U extends BaseUser>(who: string, source: SessionLoginData<U>, user: U, options: LoginOptions): SessionData {
  if (options.scopes !== undefined) {
    throw new ConfigurationError(
      `${who}: a session's scopes come from the app (sessionAuth({ scopes }) and retrieveUser), not from the test: drop scopes, and log in a user the app grants them to`,
    );
  }
  return options.data ?? source.data?.(user) ?? { identity: user.identity };
}

/** The `name=value` of the session cookie among `Set-Cookie` values, or a clear error. */
export function sessionCredential(who: string, cookieName: string, setCookies: readonly string[]): Credential {
  for (const line of setCookies) {
    const pair = line.split(';', 1)[0]!.trim();
    if (pair.startsWith(`${cookieName}=`) && pair.length > cookieName.length + 1) {
      return Object.freeze({ kind: 'cookie' as const, headers: Object.freeze({ cookie: pair }), value: pair });
    }
  }
  throw new ConfigurationError(`${who}: the session layer set no ${cookieName} cookie at login; check that the options are the ones the app's sessions(...) uses`);
}

/** Checks the options every session source takes: a store shared with the app is required. */
export function checkSessionSource(who: string, options: { store?: unknown; data?: unknown } | null | undefined): void {
  if (options === null || typeof options !== 'object') throw new ConfigurationError(`${who}: pass the options of the app's sessions(...)`);
  if (options.store === undefined) {
    throw new ConfigurationError(`${who}: store is required: pass the store instance the app's sessions(...) uses (a new in-memory store would hold sessions the app never sees)`);
  }
  if (options.data !== undefined && typeof options.data !== 'function') throw new ConfigurationError(`${who}: data must be a function (user) => session data`);
}
