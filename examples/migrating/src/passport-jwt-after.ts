import express, { type Express } from 'express';
import { authentication, requires } from '@portcullis/express';
import { jwtAuth, tokenOf } from '@portcullis/jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';
import { users } from './users.js';

export function createApp(options: JwtAppOptions): Express {
  const jwt = jwtAuth({
    algorithms: ['HS256'], // required: the token's header never chooses
    secret: new TextEncoder().encode(options.secret),
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: null, // your issuer signs typ "JWT" today; remove once it signs "at+jwt" (the default)
    retrieveUser: (token) => users.byId(token.sub),
  });
  const app = express();
  app.use(authentication({ backend: jwt }));
  app.get('/me', requires('authenticated', { status: 401 }), (req, res) => {
    res.json({ sub: tokenOf(req.auth)?.sub, name: req.user.displayName });
  });
  return app;
}
