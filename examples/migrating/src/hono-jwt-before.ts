import { Hono } from 'hono';
import { jwt, type JwtVariables } from 'hono/jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';

export function createApp(options: JwtAppOptions): Hono<{ Variables: JwtVariables<{ sub: string }> }> {
  const app = new Hono<{ Variables: JwtVariables<{ sub: string }> }>();
  app.use(jwt({ secret: options.secret, alg: 'HS256', verification: { iss: ISSUER, aud: AUDIENCE } }));
  app.get('/me', (c) => c.json({ sub: c.get('jwtPayload').sub }));
  return app;
}
