import type { BaseUser } from '@portcullis/core';
import { createConnection, login, webSessions, type WebSessionOptions } from '@portcullis/core/adapter';
import { assertNotProduction } from './guard.js';
import { checkSessionSource, sessionCredential, sessionDataFor, type Credential, type CredentialSource, type LoginOptions, type SessionLoginData } from './login.js';

/** Options of {@link webSessionLogin}: the app's own session options (the same `store` instance and `secret`), plus how it stores a user. */
export type WebSessionLoginOptions<U extends BaseUser = BaseUser> = WebSessionOptions & SessionLoginData<U>;

/**
 * A {@link CredentialSource} for apps on Web sessions: Hono's and Fastify's
 * `sessions(options)` and the Fetch adapter's `withAuth(handler, { sessions })`.
 * Give it the options the app gives its sessions (at least the same `store`
 * instance, `secret` and `cookie`). Each login runs the core's own `login()` on a
 * session engine built from those options: a fresh id in the app's store, the
 * cookie signed with the app's secret. Logging out in the app destroys it.
 *
 * @example
 * ```ts
 * const options = { store: new MemorySessionStore(), secret: 'a-test-secret-of-at-least-32-characters', cookie: { secure: false } };
 * const app = new Hono().use(sessions(options)).use(authentication(sessionAuth({ retrieveUser })));
 * const alice = await loginAs(webSessionLogin(options), new SimpleUser('alice'));
 * const res = await app.request('/me', { headers: alice.headers });
 * ```
 */
export function webSessionLogin<U extends BaseUser = BaseUser>(options: WebSessionLoginOptions<U>): CredentialSource<U> {
  assertNotProduction();
  checkSessionSource('webSessionLogin', options);
  const { data: _data, ...sessionOptions } = options;
  // The app's engine, rebuilt: its checks run here, at construction.
  const engine = webSessions({ ...sessionOptions, log: undefined });
  return Object.freeze({
    async credentialFor(user: U, how: LoginOptions): Promise<Credential> {
      assertNotProduction(); // again per credential: NODE_ENV may have changed since the source was built
      const data = sessionDataFor('webSessionLogin', options, user, how);
      // The kit's own login request: over HTTPS as far as the session layer knows, no cookie.
      const handle = engine.open({ cookies: new Map(), secure: true });
      const connection = createConnection({ method: 'POST', target: '/login', header: () => undefined, session: handle.port, now: engine.config.clock });
      await login(connection, user, data);
      return sessionCredential('webSessionLogin', engine.config.cookie.name, handle.setCookies());
    },
  });
}
