import express, { type NextFunction, type Request, type Response } from 'express';
import request from 'supertest';
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AuthCredentials,
  ConfigurationError,
  SimpleUser,
  UnauthenticatedUser,
  basicAuth,
  tokenAuth,
  type AuthenticationBackend,
  type BaseUser,
} from '@portcullis/core';
import { authentication, requires, type AuthenticationMiddleware, type RegisteredUser } from '@portcullis/express';
import { AppUser, checkPassword, migratingApp } from './passport-app.js';

// A project that has both @types/passport and @portcullis/express, type-checked on its
// own by `tsc -p adapters/express/test/tsconfig.passport.json` (part of `npm run
// typecheck`): strict, exactOptionalPropertyTypes, skipLibCheck false, so a clash
// between the two libraries' `req.user` declarations (TS2717) fails the check.
// passport-app.ts (the app docs/typescript.md shows) registers a union, the rule for a
// program with several user types.

/** A user type this program does not register. */
class PartnerUser implements BaseUser {
  readonly isAuthenticated = true as const;
  constructor(readonly identity: string) {}
  get displayName(): string {
    return this.identity;
  }
}

const appBackend: AuthenticationBackend<AppUser> = basicAuth({
  verify: (username, password) => (checkPassword(username, password) ? new AppUser(username) : null),
});
const apiBackend: AuthenticationBackend<SimpleUser> = tokenAuth({
  verify: (token) => (token === 'ci-token' ? new SimpleUser('ci') : null),
});

describe('@types/passport and @portcullis/express in one program', () => {
  it('req.user is the registered type (not passport\'s Express.User), and passport\'s methods stay typed', () => {
    expectTypeOf<RegisteredUser>().toEqualTypeOf<AppUser | SimpleUser>();
    const handler = (req: Request, res: Response, _next: NextFunction): void => {
      expectTypeOf(req.user).toEqualTypeOf<AppUser | SimpleUser | UnauthenticatedUser>();
      expectTypeOf(req.auth).toEqualTypeOf<AuthCredentials>();
      if (req.user.isAuthenticated) {
        expectTypeOf(req.user).toEqualTypeOf<AppUser | SimpleUser>();
        if (req.user instanceof AppUser) expectTypeOf(req.user.role).toEqualTypeOf<'member'>();
      } else {
        expectTypeOf(req.user).toEqualTypeOf<UnauthenticatedUser>();
      }
      // passport's additions to Express.Request are still there.
      expectTypeOf(req.isAuthenticated).toBeFunction();
      expectTypeOf(req.logIn).toBeFunction();
      expectTypeOf(req.authInfo).toEqualTypeOf<Express.AuthInfo | undefined>();
      res.end();
    };
    express().get('/', handler);
    express().get('/inline', (req, res) => {
      expectTypeOf(req.user).toEqualTypeOf<AppUser | SimpleUser | UnauthenticatedUser>();
      res.end(req.user.displayName);
    });
  });

  it('a registered union: authentication() takes a backend of any member, and refuses other user types', () => {
    expectTypeOf(authentication({ backend: appBackend })).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
    expectTypeOf(authentication({ backend: apiBackend })).toEqualTypeOf<AuthenticationMiddleware<SimpleUser>>();
    const partners: AuthenticationBackend<PartnerUser> = tokenAuth({ verify: (token) => (token === 'p' ? new PartnerUser('p') : null) });
    // @ts-expect-error -- PartnerUser is not in the registered union: req.user would lie
    authentication({ backend: partners });
    // @ts-expect-error -- nor with an explicit type argument
    authentication<PartnerUser>({ backend: partners });
  });

  it('requires(…, { status }) takes a DenialStatus only', () => {
    // @ts-expect-error -- 302 is not a guard's denial: use `redirect`
    expect(() => requires('admin', { status: 302 })).toThrow(ConfigurationError);
    expectTypeOf(requires).toBeCallableWith('admin', { status: 404 });
  });

  it('at runtime both libraries set req.user on their own routes; passport\'s isAuthenticated() is truthy for the anonymous user', async () => {
    const app = migratingApp();
    const legacy = await request(app).get('/legacy/me').auth('alice', 'pw');
    expect(legacy.status).toBe(200);
    expect(legacy.body).toEqual({ by: 'passport', app: true, name: 'alice' });
    expect((await request(app).get('/legacy/me')).status).toBe(401);

    const signedIn = await request(app).get('/api/me').auth('alice', 'pw');
    expect(signedIn.body).toEqual({ by: 'portcullis', app: true, name: 'alice', signedIn: true, passportSaysAuthenticated: true });
    // Portcullis sets an UnauthenticatedUser object for anonymous requests, and passport's
    // req.isAuthenticated() only tests that req.user is truthy: read req.user.isAuthenticated.
    const anonymous = await request(app).get('/api/me');
    expect(anonymous.body).toEqual({ by: 'portcullis', app: false, name: '', signedIn: false, passportSaysAuthenticated: true });
    expect((await request(app).get('/api/admin')).status).toBe(404);
    expect((await request(app).get('/api/admin').auth('alice', 'pw')).body).toEqual({ name: 'alice' });
    expect((await request(app).get('/ci/whoami').set('Authorization', 'Token ci-token')).text).toBe('ci');
  });
});
