import { Hono } from 'hono';
import { basicAuth } from 'hono/basic-auth';
import { users } from './users.js';

export function createApp(): Hono<{ Variables: { username: string } }> {
  const app = new Hono<{ Variables: { username: string } }>();
  app.use(
    basicAuth({
      verifyUser: (username, password) => users.verify(username, password) !== null,
      onAuthSuccess: (c, username) => c.set('username', username),
      realm: 'api',
    }),
  );
  app.get('/me', (c) => c.json({ name: c.get('username') }));
  return app;
}
