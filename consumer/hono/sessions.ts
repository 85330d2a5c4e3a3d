// Hono 4 on @hono/node-server + server-side sessions: POST /login with a form logs
// in (a new session id), GET /me needs the session, POST /logout destroys it.
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { Hono } from 'hono';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import { authentication, login, logout, sessions, type AuthEnv } from '@portcullis/hono';
import { announce, port } from './listen.js';

const members = new Map([['dave', new SimpleUser('dave')]]);

const app = new Hono<AuthEnv<SimpleUser>>();
app.use(sessions({ store: new MemorySessionStore(), secret: 'a consumer-test secret of 32+ chars', cookie: { secure: false } }));
app.use(
  authentication(
    sessionAuth<SimpleUser>({
      retrieveUser: (session) => members.get(String(session['user_id'])) ?? null,
      exclude: ['/login'],
    }),
  ),
);
app.post('/login', async (c) => {
  const form = await c.req.parseBody();
  const user = members.get(String(form['username']));
  if (user === undefined || form['password'] !== 'letmein') return c.text('Wrong username or password', 401);
  await login(c, user, { user_id: user.identity });
  return c.text(`Logged in as ${user.displayName}`);
});
app.post('/logout', async (c) => {
  await logout(c);
  return c.body(null, 204);
});
app.get('/me', (c) => c.json({ user: c.var.user.displayName }));

announce(serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }) as Server);
