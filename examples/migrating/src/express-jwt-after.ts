import express, { type Express } from 'express';
import { authentication } from '@portcullis/express';
import { jwtAuth, tokenOf } from '@portcullis/jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';
import { users } from './users.js';

export function createApp(options: JwtAppOptions): Express {
  const jwt = jwtAuth({
    algorithms: ['HS256'],
    secret: new TextEncoder().encode(options.secret), // bytes, at least 32 for HS256
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: null, // your issuer signs typ "JWT" today; remove once it signs "at+jwt" (the default)
    retrieveUser: (token) => users.byId(token.sub), // null: 401 invalid_token
  });
  const app = express();
  app.use(authentication({ backend: jwt, mode: 'required' }));
  app.get('/me', (req, res) => {
    res.json({ sub: tokenOf(req.auth)?.sub, name: req.user.displayName });
  });
  return app;
}
