/**
 * `@portcullis/testing/koa`: session credentials for Koa apps on
 * `@portcullis/koa/sessions` (koa-session). Needs the optional peers `koa` and
 * `@portcullis/koa`.
 *
 * @module
 */
import Koa from 'koa';
import type { BaseUser } from '@portcullis/core';
import { KoaSessionStore, login, sessions, type KoaSessionsOptions } from '@portcullis/koa/sessions';
import type { CredentialSource, SessionLoginData } from './login.js';
import { nodeSessionLogin } from './node-mint.js';

export type { Credential, CredentialSource, LoginOptions, SessionLoginData } from './login.js';

/** Options of {@link koaSessionLogin}: the app's own `sessions(app, ...)` options (the same `store` instance and `secret`), plus how it stores a user. */
export type KoaSessionLoginOptions<U extends BaseUser = BaseUser> = KoaSessionsOptions & SessionLoginData<U>;

/**
 * A {@link CredentialSource} for Koa apps on `@portcullis/koa/sessions`. Give it
 * the options the app gives `sessions(app, ...)` (at least the same `store`
 * instance, `secret` and `cookie`). Each login runs the adapter's own
 * `sessions()` middleware and `login(ctx, user, data)` in a private Koa app on
 * 127.0.0.1: koa-session writes the session to the app's store. Logging out in
 * the app destroys it.
 *
 * @example
 * ```ts
 * import { koaSessionLogin } from '@portcullis/testing/koa';
 * const options = { store: koaSessionStore(new MemorySessionStore()), secret: 'a-test-secret-of-at-least-32-characters', cookie: { secure: false } };
 * const app = createApp(options); // app.use(sessions(app, options)) inside
 * const alice = await loginAs(koaSessionLogin({ ...options, data: (u) => ({ user_id: u.identity }) }), new SimpleUser('alice'));
 * await request(app.callback()).get('/user').set(alice.headers).expect(200);
 * ```
 */
export function koaSessionLogin<U extends BaseUser = BaseUser>(options: KoaSessionLoginOptions<U>): CredentialSource<U> {
  return nodeSessionLogin('koaSessionLogin', options, (mintOptions) => {
    const { store } = mintOptions;
    const privateOptions = store instanceof KoaSessionStore ? { ...mintOptions, store: new ForwardingStore(store) } : mintOptions;
    return (user, data, fail) => {
      const app = new Koa();
      app.proxy = true; // the private request says X-Forwarded-Proto: https, for Secure cookies
      app.use(sessions(app, privateOptions));
      app.use(async (ctx) => {
        try {
          await login(ctx, user, data);
          ctx.status = 204;
        } catch (error) {
          fail(error);
          ctx.status = 500;
        }
      });
      return app.callback();
    };
  });
}

/**
 * The private middleware's own store object, forwarding to the app's
 * `KoaSessionStore`: `sessions()` gives the store it is handed its TTL, so handing
 * over the app's own store would change the app's later logins.
 */
class ForwardingStore extends KoaSessionStore {
  readonly #target: KoaSessionStore;

  constructor(target: KoaSessionStore) {
    super(target.store);
    this.#target = target;
  }

  override get(...args: Parameters<KoaSessionStore['get']>): ReturnType<KoaSessionStore['get']> {
    return this.#target.get(...args);
  }

  override set(...args: Parameters<KoaSessionStore['set']>): ReturnType<KoaSessionStore['set']> {
    return this.#target.set(...args);
  }

  override destroy(...args: Parameters<KoaSessionStore['destroy']>): ReturnType<KoaSessionStore['destroy']> {
    return this.#target.destroy(...args);
  }
}
