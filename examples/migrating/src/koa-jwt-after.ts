import Koa from 'koa';
import { authentication, type AuthState } from '@portcullis/koa';
import { jwtAuth, tokenOf } from '@portcullis/jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';
import { users, type AppUser } from './users.js';

export function createApp(options: JwtAppOptions): Koa<AuthState<AppUser>> {
  const jwt = jwtAuth({
    algorithms: ['HS256'],
    secret: new TextEncoder().encode(options.secret),
    issuer: ISSUER,
    audience: AUDIENCE,
    typ: null, // your issuer signs typ "JWT" today; remove once it signs "at+jwt" (the default)
    retrieveUser: (token) => users.byId(token.sub),
  });
  const app = new Koa<AuthState<AppUser>>();
  app.use(authentication({ backend: jwt, mode: 'required' }));
  app.use((ctx) => {
    if (ctx.path === '/me') ctx.body = { sub: tokenOf(ctx.state.auth)?.sub, name: ctx.state.user.displayName };
  });
  return app;
}
