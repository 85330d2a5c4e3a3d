// The app docs/typescript.md shows for "Passport and Portcullis in one project": passport
// on the old routes, Portcullis on the new ones, during a migration. It is type-checked
// with @types/passport, strictly (tsconfig.passport.json, part of `npm run typecheck`),
// and types-passport.test.ts runs it. Its Register is global to that program, so the
// root tsconfig leaves this file out.
// #region migration
import express from 'express';
import passport from 'passport';
import { BasicStrategy } from 'passport-http';
import { SimpleUser, basicAuth, tokenAuth } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';

export class AppUser extends SimpleUser {
  readonly role = 'member' as const;
}

// One Request type per program: register every user type any authentication() produces.
declare module '@portcullis/express' {
  interface Register {
    user: AppUser | SimpleUser;
  }
}

export function checkPassword(username: string, password: string): boolean {
  return username === 'alice' && password === 'pw'; // your password check
}

export function migratingApp(): express.Express {
  const app = express();

  // The old routes: passport. Its verify callback returns the class Portcullis produces,
  // so req.user is an AppUser on these routes too, as its static type says.
  const legacy = new passport.Passport();
  legacy.use(new BasicStrategy((username, password, done) => done(null, checkPassword(username, password) ? new AppUser(username) : false)));
  app.use(legacy.initialize());
  app.get('/legacy/me', legacy.authenticate('basic', { session: false }), (req, res) => {
    res.json({ by: 'passport', app: req.user instanceof AppUser, name: req.user.displayName });
  });

  // The new routes: Portcullis.
  const api = express.Router();
  api.use(authentication({ backend: basicAuth({ verify: (u, p) => (checkPassword(u, p) ? new AppUser(u) : null) }) }));
  api.get('/me', (req, res) => {
    res.json({
      by: 'portcullis',
      app: req.user instanceof AppUser,
      name: req.user.displayName,
      signedIn: req.user.isAuthenticated, // not passport's req.isAuthenticated(): see below
      passportSaysAuthenticated: req.isAuthenticated(),
    });
  });
  api.get('/admin', requires('authenticated', { status: 404 }), (req, res) => {
    res.json({ name: req.user.displayName });
  });
  app.use('/api', api);

  // A machine client with its own user type, in the registered union.
  const ci = express.Router();
  ci.use(authentication({ backend: tokenAuth({ verify: (token) => (token === 'ci-token' ? new SimpleUser('ci') : null) }) }));
  ci.get('/whoami', (req, res) => {
    res.send(req.user instanceof AppUser ? 'an app user' : req.user.displayName);
  });
  app.use('/ci', ci);
  return app;
}
// #endregion migration
