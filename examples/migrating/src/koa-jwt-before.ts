import Koa from 'koa';
import jwt from 'koa-jwt';
import { AUDIENCE, ISSUER, type JwtAppOptions } from './jwt-settings.js';

export function createApp(options: JwtAppOptions): Koa {
  const app = new Koa();
  app.use(jwt({ secret: options.secret, algorithms: ['HS256'], issuer: ISSUER, audience: AUDIENCE }));
  app.use((ctx) => {
    if (ctx.path === '/me') ctx.body = { sub: (ctx.state.user as { sub: string }).sub };
  });
  return app;
}
