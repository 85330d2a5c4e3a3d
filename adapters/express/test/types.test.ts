import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import request from 'supertest';
import { describe, expectTypeOf, it } from 'vitest';
import {
  AuthCredentials,
  SimpleUser,
  UnauthenticatedUser,
  basicAuth,
  type AuthenticationBackend,
  type BaseUser,
} from '@portcullis/core';
import type { AuthDecision, Authenticator } from '@portcullis/core/adapter';
import {
  authentication,
  requires,
  type AuthenticationMiddleware,
  type GuardMiddleware,
  type RegisteredUser,
} from '@portcullis/express';

// Type tests: checked by `tsc -p adapters/express/test/tsconfig.json --noEmit` (part of `npm test`).
// The `it`s below also run, so vitest collects the file and the handlers work.

class AppUser extends SimpleUser {
  role = 'x' as const;
}

// The documented registration. It is global to a type-check program, exactly as
// it is global to a user's app, so this file is checked by its own tsconfig.
// docs/typescript.md includes the region below.
// #region register
declare module '@portcullis/express' {
  interface Register {
    user: AppUser;
  }
}
// #endregion register

const backend: AuthenticationBackend<AppUser> = basicAuth({
  verify: (username, password) => (username === 'alice' && password === 'pw' ? new AppUser(username) : null),
});

describe('@portcullis/express types (Register augmentation)', () => {
  it('RegisteredUser is the registered AppUser', () => {
    expectTypeOf<RegisteredUser>().toEqualTypeOf<AppUser>();
    expectTypeOf<Request['user']>().toEqualTypeOf<AppUser | UnauthenticatedUser>();
    expectTypeOf<Request['auth']>().toEqualTypeOf<AuthCredentials>();
  });

  it('authentication({ backend }) is a RequestHandler carrying its authenticator', () => {
    const auth = authentication({ backend });
    expectTypeOf(auth).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
    expectTypeOf(auth).toExtend<RequestHandler>();
    expectTypeOf(auth.authenticator).toEqualTypeOf<Authenticator<AppUser>>();
    expectTypeOf<Awaited<ReturnType<typeof auth.authenticator.run>>>().toEqualTypeOf<AuthDecision<AppUser>>();
    expectTypeOf(authentication).toBeCallableWith({ backend });
    // An explicit user type checks the backend against it.
    expectTypeOf(authentication<AppUser>({ backend })).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
    const plain: AuthenticationBackend<SimpleUser> = basicAuth({ verify: (username) => new SimpleUser(username) });
    // @ts-expect-error -- a SimpleUser backend cannot produce AppUsers
    authentication<AppUser>({ backend: plain });
    // With a registered user type, a backend of another user type is refused even without a type argument.
    // @ts-expect-error -- SimpleUser is not the registered AppUser
    authentication({ backend: plain });
    // Usable wherever Express takes middleware.
    express().use(auth);
    expectTypeOf(requires('a')).toEqualTypeOf<GuardMiddleware>();
    expectTypeOf(requires('a')).toExtend<RequestHandler>();
  });

  it('inside a guarded route, req.user is AppUser | UnauthenticatedUser and req.auth is AuthCredentials', async () => {
    const app = express();
    app.use(authentication({ backend }));
    app.get('/x', requires('authenticated'), (req, res) => {
      expectTypeOf(req.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(req.auth).toEqualTypeOf<AuthCredentials>();
      expectTypeOf(req.user).toExtend<BaseUser>();
      // Only AppUser has `role`: not readable before narrowing.
      // @ts-expect-error -- 'role' does not exist on UnauthenticatedUser
      void req.user.role;

      if (req.user.isAuthenticated) {
        expectTypeOf(req.user).toEqualTypeOf<AppUser>();
        expectTypeOf(req.user.role).toEqualTypeOf<'x'>();
        expectTypeOf(req.user.username).toBeString();
        res.json({ role: req.user.role, user: req.user.displayName, scopes: req.auth.scopes });
      } else {
        expectTypeOf(req.user).toEqualTypeOf<UnauthenticatedUser>();
        expectTypeOf(req.user.isAuthenticated).toEqualTypeOf<false>();
        res.status(500).end();
      }
    });
    // `instanceof` narrows too.
    app.get('/y', (req: Request, res: Response, _next: NextFunction) => {
      if (req.user instanceof AppUser) expectTypeOf(req.user).toEqualTypeOf<AppUser>();
      else expectTypeOf(req.user).toEqualTypeOf<UnauthenticatedUser>();
      res.end(req.user.displayName);
    });

    const res = await request(app).get('/x').auth('alice', 'pw');
    if (res.status !== 200) throw new Error(`expected 200, got ${res.status}`);
    const body = res.body as { role: string; user: string };
    if (body.role !== 'x' || body.user !== 'alice') throw new Error(JSON.stringify(body));
  });

  it('the runtime value matches the static type', async () => {
    const app = express();
    app.use(authentication({ backend }));
    app.get('/who', (req, res) => {
      res.json({ app: req.user instanceof AppUser, anon: req.user instanceof UnauthenticatedUser, creds: req.auth instanceof AuthCredentials });
    });
    const anon = await request(app).get('/who');
    const alice = await request(app).get('/who').auth('alice', 'pw');
    if (JSON.stringify(anon.body) !== '{"app":false,"anon":true,"creds":true}') throw new Error(JSON.stringify(anon.body));
    if (JSON.stringify(alice.body) !== '{"app":true,"anon":false,"creds":true}') throw new Error(JSON.stringify(alice.body));
  });
});
