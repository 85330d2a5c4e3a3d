import express, { type Express } from 'express';
import { expressjwt, type Request as JwtRequest } from 'express-jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';

export function createApp(options: JwtAppOptions): Express {
  const app = express();
  app.use(expressjwt({ secret: options.secret, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
  app.get('/me', (req: JwtRequest, res) => {
    res.json({ sub: req.auth?.sub });
  });
  return app;
}
