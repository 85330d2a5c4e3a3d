import Koa from 'koa';
import Router from '@koa/router';
import request from 'supertest';
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
  type AuthState,
  type AuthenticationMiddleware,
  type GuardMiddleware,
} from '@portcullis/koa';

// Type tests: checked by `tsc -p tsconfig.json --noEmit` (part of `npm test`).
// The `it`s below also run, so vitest collects the file and the handlers work.

class AppUser extends SimpleUser {
  role = 'x' as const;
}

const backend: AuthenticationBackend<AppUser> = basicAuth({
  verify: (username, password) => (username === 'alice' && password === 'pw' ? new AppUser(username) : null),
});

describe('@portcullis/koa types', () => {
  it('AuthState<AppUser> carries the app user', () => {
    expectTypeOf<AuthState<AppUser>['user']>().toEqualTypeOf<AppUser | UnauthenticatedUser>();
    expectTypeOf<AuthState<AppUser>['auth']>().toEqualTypeOf<AuthCredentials>();
  });

  it('authentication({ backend }) infers the user type and carries its authenticator', () => {
    const auth = authentication({ backend });
    expectTypeOf(auth).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
    expectTypeOf(auth.authenticator).toEqualTypeOf<Authenticator<AppUser>>();
    expectTypeOf(requires('a')).toEqualTypeOf<GuardMiddleware>();
    // An explicit user type checks the backend against it.
    expectTypeOf(authentication<AppUser>({ backend })).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
    const plain: AuthenticationBackend<SimpleUser> = basicAuth({ verify: (username) => new SimpleUser(username) });
    // @ts-expect-error -- a SimpleUser backend cannot produce AppUsers
    authentication<AppUser>({ backend: plain });
    // Accepted by an app and a router typed with the same state.
    new Koa<AuthState<AppUser>>().use(auth);
    new Router<AuthState<AppUser>>().use(auth);
  });

  it('ctx.state.user is AppUser | UnauthenticatedUser in app middleware and router handlers', async () => {
    const app = new Koa<AuthState<AppUser>>();
    const router = new Router<AuthState<AppUser>>();
    app.use(authentication({ backend }));

    app.use(async (ctx, next) => {
      expectTypeOf(ctx.state.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthCredentials>();
      await next();
    });

    router.get('/x', requires('authenticated'), (ctx) => {
      expectTypeOf(ctx.state.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(ctx.state.auth).toEqualTypeOf<AuthCredentials>();
      // @ts-expect-error -- 'role' does not exist on UnauthenticatedUser
      void ctx.state.user.role;
      if (ctx.state.user.isAuthenticated) {
        expectTypeOf(ctx.state.user).toEqualTypeOf<AppUser>();
        expectTypeOf(ctx.state.user.role).toEqualTypeOf<'x'>();
        ctx.body = { role: ctx.state.user.role, user: ctx.state.user.displayName, scopes: ctx.state.auth.scopes };
      } else {
        expectTypeOf(ctx.state.user).toEqualTypeOf<UnauthenticatedUser>();
        ctx.status = 500;
      }
    });

    router.get('/who', (ctx) => {
      const { user, auth } = ctx.state;
      expectTypeOf(user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      ctx.body = { app: user instanceof AppUser, anon: user instanceof UnauthenticatedUser, creds: auth instanceof AuthCredentials };
    });
    app.use(router.routes());

    const server = app.callback();
    const res = await request(server).get('/x').auth('alice', 'pw');
    if (res.status !== 200) throw new Error(`expected 200, got ${res.status}`);
    const body = res.body as { role: string; user: string };
    if (body.role !== 'x' || body.user !== 'alice') throw new Error(JSON.stringify(body));
    const anon = await request(server).get('/who');
    const alice = await request(server).get('/who').auth('alice', 'pw');
    if (JSON.stringify(anon.body) !== '{"app":false,"anon":true,"creds":true}') throw new Error(JSON.stringify(anon.body));
    if (JSON.stringify(alice.body) !== '{"app":true,"anon":false,"creds":true}') throw new Error(JSON.stringify(alice.body));
  });
});
