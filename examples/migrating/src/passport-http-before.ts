import express, { type Express } from 'express';
import { Passport } from 'passport';
import { BasicStrategy } from 'passport-http';
import { users, type AppUser } from './users.js';

export function createApp(): Express {
  const passport = new Passport();
  passport.use(new BasicStrategy((username, password, done) => done(null, users.verify(username, password) ?? false)));
  const app = express();
  app.use(passport.initialize());
  app.get('/', (req, res) => {
    res.type('text/plain').send(req.user ? `Hello, ${(req.user as AppUser).username}` : 'Hello, you');
  });
  app.get('/me', passport.authenticate('basic', { session: false }), (req, res) => {
    res.json({ name: (req.user as AppUser).username });
  });
  return app;
}
