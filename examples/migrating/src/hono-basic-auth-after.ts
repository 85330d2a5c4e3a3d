import { Hono } from 'hono';
import { basicAuth } from '@portcullis/core';
import { authentication, type AuthEnv } from '@portcullis/hono';
import { users, type AppUser } from './users.js';

export function createApp(): Hono<AuthEnv<AppUser>> {
  const app = new Hono<AuthEnv<AppUser>>();
  app.use(
    authentication({
      backend: basicAuth({ verify: (username, password) => users.verify(username, password), realm: 'api' }),
      mode: 'required',
    }),
  );
  app.get('/me', (c) => c.json({ name: c.var.user.displayName }));
  return app;
}
