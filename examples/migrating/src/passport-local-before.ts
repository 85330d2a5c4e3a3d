import express, { type Express } from 'express';
import session from 'express-session';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import { users, type AppUser } from './users.js';
import type { SessionAppOptions } from './session-settings.js';

export function createApp(options: SessionAppOptions): Express {
  const passport = new Passport();
  passport.use(new LocalStrategy((username, password, done) => done(null, users.verify(username, password) ?? false)));
  passport.serializeUser((user, done) => done(null, (user as AppUser).id));
  passport.deserializeUser((id: string, done) => done(null, users.byId(id) ?? false));

  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(session({ secret: options.secret, resave: false, saveUninitialized: false, cookie: { secure: options.secure, httpOnly: true } }));
  app.use(passport.session());

  app.post('/login', passport.authenticate('local', { successRedirect: '/account', failureRedirect: '/login' }));
  app.get('/account', (req, res) => {
    if (!req.isAuthenticated()) return res.redirect('/login');
    res.type('text/plain').send(`Hello, ${(req.user as AppUser).username}`);
  });
  app.post('/logout', (req, res, next) => {
    req.logout((error) => (error ? next(error) : res.redirect('/login')));
  });
  return app;
}
