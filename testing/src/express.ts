/**
 * `@portcullis/testing/express`: session credentials for Express apps on
 * `@portcullis/express/sessions` (express-session). Needs the optional peers
 * `express`, `express-session` and `@portcullis/express`.
 *
 * @module
 */
import express from 'express';
import session from 'express-session';
import type { BaseUser } from '@portcullis/core';
import { login, sessions, type ExpressSessionsOptions } from '@portcullis/express/sessions';
import type { CredentialSource, SessionLoginData } from './login.js';
import { nodeSessionLogin } from './node-mint.js';

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
  return nodeSessionLogin('expressSessionLogin', options, (mintOptions) => {
    const { store } = mintOptions;
    const middleware = sessions(store instanceof session.Store ? { ...mintOptions, store: new ForwardingStore(store) } : mintOptions);
    return (user, data, fail) => {
      const app = express();
      app.use(middleware);
      app.post('/', (req, res) => {
        login(req, user, data).then(
          () => res.status(204).end(),
          (error: unknown) => {
            fail(error);
            res.status(500).end();
          },
        );
      });
      return app;
    };
  });
}

type Callback = (err?: unknown) => void;

/**
 * The private middleware's own express-session store, forwarding to the app's.
 * express-session sets `generate` and `connect`/`disconnect` listeners on the store
 * it is given, and `sessions()` gives an `ExpressSessionStore` its TTL: handing
 * over the app's own store object would change the app's later logins.
 */
class ForwardingStore extends session.Store {
  readonly #target: session.Store;

  constructor(target: session.Store) {
    super();
    this.#target = target;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    this.#target.get(sid, callback);
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    this.#target.set(sid, sess, callback);
  }

  override destroy(sid: string, callback?: Callback): void {
    this.#target.destroy(sid, callback);
  }

  override touch(sid: string, sess: session.SessionData, callback?: () => void): void {
    if (typeof this.#target.touch === 'function') this.#target.touch(sid, sess, callback);
    else callback?.();
  }
}
