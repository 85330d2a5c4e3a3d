/**
 * `@portcullis/testing/express`: session credentials for Express apps on
 * `@portcullis/express/sessions` (express-session). Needs the optional peers
 * `express` and `@portcullis/express`.
 *
 * @module
 */
import express from 'express';
import type { BaseUser } from '@portcullis/core';
import { sessionConfig } from '@portcullis/core/adapter';
import { login, sessions, type ExpressSessionsOptions } from '@portcullis/express/sessions';
import { assertNotProduction } from './guard.js';
import { checkSessionSource, sessionCredential, sessionDataFor, type Credential, type CredentialSource, type LoginOptions, type SessionLoginData } from './login.js';
import { mintOnce } from './node-mint.js';

export type { Credential, CredentialSource, LoginOptions, SessionLoginData } from './login.js';

/** Options of {@link expressSessionLogin}: the app's own `sessions(...)` options (the same `store` instance and `secret`), plus how it stores a user. */
export type ExpressSessionLoginOptions<U extends BaseUser = BaseUser> = ExpressSessionsOptions & SessionLoginData<U>;

/**
 * A {@link CredentialSource} for Express apps on `@portcullis/express/sessions`.
 * Give it the options the app gives `sessions(...)` (at least the same `store`
 * instance, `secret` and `cookie`). Each login runs the adapter's own
 * `sessions()` middleware and `login(req, user, data)` in a private Express app
 * on 127.0.0.1: the session is written to the app's store by express-session and
 * the cookie signed with the app's secret. Logging out in the app destroys it.
 *
 * @example
 * ```ts
 * import { expressSessionLogin } from '@portcullis/testing/express';
 * const options = { store: new MemorySessionStore(), secret: 'a-test-secret-of-at-least-32-characters', cookie: { secure: false } };
 * const app = createApp(options); // app.use(sessions(options)) inside
 * const alice = await loginAs(expressSessionLogin({ ...options, data: (u) => ({ userId: u.identity }) }), new SimpleUser('alice'));
 * await request(app).get('/me').set(alice.headers).expect(200);
 * ```
 */
export function expressSessionLogin<U extends BaseUser = BaseUser>(options: ExpressSessionLoginOptions<U>): CredentialSource<U> {
  assertNotProduction();
  checkSessionSource('expressSessionLogin', options);
  const { data: _data, ...sessionOptions } = options;
  const mintOptions = { ...sessionOptions, trustProxy: true, csrf: false as const, log: undefined };
  const { name } = sessionConfig(mintOptions).cookie; // the app's checks, at construction
  const middleware = sessions(mintOptions);
  return Object.freeze({
    async credentialFor(user: U, login_: LoginOptions): Promise<Credential> {
      const data = sessionDataFor('expressSessionLogin', options, user, login_);
      let failure: unknown;
      const app = express();
      app.use(middleware);
      app.post('/', (req, res) => {
        login(req, user, data).then(
          () => res.status(204).end(),
          (error: unknown) => {
            failure = error;
            res.status(500).end();
          },
        );
      });
      const { setCookies } = await mintOnce(app);
      if (failure !== undefined) throw failure;
      return sessionCredential('expressSessionLogin', name, setCookies);
    },
  });
}
