import { Hono } from 'hono';
import { authentication, type AuthEnv } from '@portcullis/hono';
import { jwtAuth, tokenOf } from '@portcullis/jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';
import { users, type AppUser } from './users.js';

export function createApp(options: JwtAppOptions): Hono<AuthEnv<AppUser>> {
  const jwt = jwtAuth({
    algorithms: ['HS256'],
    secret: new TextEncoder().encode(options.secret),
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: null, // your issuer signs typ "JWT" today; remove once it signs "at+jwt" (the default)
    retrieveUser: (token) => users.byId(token.sub),
  });
  const app = new Hono<AuthEnv<AppUser>>();
  app.use(authentication({ backend: jwt, mode: 'required' }));
  app.get('/me', (c) => c.json({ sub: tokenOf(c.var.auth)?.sub, name: c.var.user.displayName }));
  return app;
}
