import { Hono, type Context, type MiddlewareHandler } from 'hono';
import { describe, expectTypeOf, it } from 'vitest';
import {
  AuthCredentials,
  SimpleUser,
  UnauthenticatedUser,
  basicAuth,
  type AuthenticationBackend,
} from '@portcullis/core';
import type { Authenticator } from '@portcullis/core/adapter';
import {
  authentication,
  requires,
  type AuthEnv,
  type AuthVariables,
  type AuthenticationMiddleware,
  type GuardMiddleware,
} from '@portcullis/hono';

// Type tests: checked by `tsc -p tsconfig.json --noEmit` (part of `npm test`).
// The `it`s below also run, so vitest collects the file and the handlers work.

class AppUser extends SimpleUser {
  role = 'x' as const;
}

const backend: AuthenticationBackend<AppUser> = basicAuth({
  verify: (username, password) => (username === 'alice' && password === 'pw' ? new AppUser(username) : null),
});

const basic = (user: string, password: string) => ({ authorization: `Basic ${btoa(`${user}:${password}`)}` });

describe('@portcullis/hono types', () => {
  it('AuthEnv<AppUser> carries the app user', () => {
    expectTypeOf<AuthEnv<AppUser>['Variables']>().toEqualTypeOf<AuthVariables<AppUser>>();
    expectTypeOf<AuthVariables<AppUser>['user']>().toEqualTypeOf<AppUser | UnauthenticatedUser>();
    expectTypeOf<AuthVariables<AppUser>['auth']>().toEqualTypeOf<AuthCredentials>();
  });

  it('authentication<AppUser>({ backend }) is accepted by app.use and carries its authenticator', () => {
    const app = new Hono<AuthEnv<AppUser>>();
    const auth = authentication<AppUser>({ backend });
    expectTypeOf(auth).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
    expectTypeOf(auth).toExtend<MiddlewareHandler<AuthEnv<AppUser>>>();
    expectTypeOf(auth.authenticator).toEqualTypeOf<Authenticator<AppUser>>();
    // Inference gives the same type without the explicit argument.
    expectTypeOf(authentication({ backend })).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
    app.use(auth);
    app.use('/api/*', authentication<AppUser>({ backend }));
    expectTypeOf(requires('a')).toEqualTypeOf<GuardMiddleware>();
    // The explicit user type checks the backend against it.
    const plain: AuthenticationBackend<SimpleUser> = basicAuth({ verify: (username) => new SimpleUser(username) });
    // @ts-expect-error -- a SimpleUser backend cannot produce AppUsers
    authentication<AppUser>({ backend: plain });
  });

  it('in handlers, c.var.user is AppUser | UnauthenticatedUser and c.var.auth is AuthCredentials', async () => {
    const app = new Hono<AuthEnv<AppUser>>();
    app.use(authentication<AppUser>({ backend }));

    app.use(async (c, next) => {
      expectTypeOf(c.var.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(c.get('user')).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      await next();
    });

    app.get('/x', (c) => {
      expectTypeOf(c.var.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthCredentials>();
      expectTypeOf(c.get('auth')).toEqualTypeOf<AuthCredentials>();
      // @ts-expect-error -- 'role' does not exist on UnauthenticatedUser
      void c.var.user.role;
      const user = c.var.user;
      if (user.isAuthenticated) {
        expectTypeOf(user).toEqualTypeOf<AppUser>();
        expectTypeOf(user.role).toEqualTypeOf<'x'>();
        return c.json({ role: user.role, user: user.displayName, scopes: c.var.auth.scopes });
      }
      expectTypeOf(user).toEqualTypeOf<UnauthenticatedUser>();
      return c.text('anonymous', 401);
    });

    // The same behind a guard: requires(...) before the handler must not erase the Env.
    app.get('/guarded', requires('authenticated'), (c) => {
      expectTypeOf(c).toEqualTypeOf<Context<AuthEnv<AppUser>, '/guarded', {}>>();
      expectTypeOf(c.var.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(c.var.auth).toEqualTypeOf<AuthCredentials>();
      const user = c.var.user;
      if (user.isAuthenticated) {
        expectTypeOf(user).toEqualTypeOf<AppUser>();
        return c.json({ role: user.role, user: user.displayName });
      }
      expectTypeOf(user).toEqualTypeOf<UnauthenticatedUser>();
      return c.text('unreachable', 500);
    });

    app.get('/who', (c) => {
      const user = c.var.user;
      return c.json({ app: user instanceof AppUser, anon: user instanceof UnauthenticatedUser, creds: c.var.auth instanceof AuthCredentials });
    });

    const x = await app.request('/x', { headers: basic('alice', 'pw') });
    if (x.status !== 200) throw new Error(`expected 200, got ${x.status}`);
    const body = (await x.json()) as { role: string; user: string };
    if (body.role !== 'x' || body.user !== 'alice') throw new Error(JSON.stringify(body));

    const guarded = await app.request('/guarded', { headers: basic('alice', 'pw') });
    if (guarded.status !== 200) throw new Error(`expected 200, got ${guarded.status}`);
    const denied = await app.request('/guarded');
    if (denied.status !== 403) throw new Error(`expected 403, got ${denied.status}`);

    const anon = await (await app.request('/who')).text();
    const alice = await (await app.request('/who', { headers: basic('alice', 'pw') })).text();
    if (anon !== '{"app":false,"anon":true,"creds":true}') throw new Error(anon);
    if (alice !== '{"app":true,"anon":false,"creds":true}') throw new Error(alice);
  });
});
