import express, { type Express } from 'express';
import { Passport } from 'passport';
import { ExtractJwt, Strategy as JwtStrategy } from 'passport-jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';
import { users, type AppUser } from './users.js';

export function createApp(options: JwtAppOptions): Express {
  const passport = new Passport();
  passport.use(
    new JwtStrategy(
      { jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(), secretOrKey: options.secret, issuer: ISSUER, audience: AUDIENCE },
      (payload: { sub: string }, done) => done(null, users.byId(payload.sub) ?? false),
    ),
  );
  const app = express();
  app.use(passport.initialize());
  app.get('/me', passport.authenticate('jwt', { session: false }), (req, res) => {
    const user = req.user as AppUser;
    res.json({ sub: user.id, name: user.username });
  });
  return app;
}
