/**
 * `@portcullis/testing/koa`: session credentials for Koa apps on
 * `@portcullis/koa/sessions` (koa-session). Needs the optional peers `koa` and
 * `@portcullis/koa`.
 *
 * @module
 */
import Koa from 'koa';
import type { BaseUser } from '@portcullis/core';
import { login, sessions, type KoaSessionsOptions } from '@portcullis/koa/sessions';
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
  return nodeSessionLogin('koaSessionLogin', options, (mintOptions) => (user, data, fail) => {
    const app = new Koa();
    app.proxy = true; // the private request says X-Forwarded-Proto: https, for Secure cookies
    app.use(sessions(app, mintOptions));
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
  });
}
