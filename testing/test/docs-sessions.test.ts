// docs/testing.md's session example, whole: a Hono app on Web sessions, tested with loginAs.
// #region hono-sessions
import { Hono } from 'hono';
import { expect, it } from 'vitest';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import { authentication, logout, sessions, type AuthEnv } from '@portcullis/hono';
import { loginAs, webSessionLogin } from '@portcullis/testing';

const users = new Map([['u1', new SimpleUser('alice')]]);

// What the app and the test share: the store instance, the secret, the cookie settings.
const sessionOptions = {
  store: new MemorySessionStore(),
  secret: 'a-test-secret-of-at-least-32-characters!',
  cookie: { secure: false }, // plain-HTTP tests: the cookie is `id`, not `__Host-id`
};

const app = new Hono<AuthEnv<SimpleUser>>();
app.use(sessions(sessionOptions));
app.use(authentication(sessionAuth({ retrieveUser: (session: { userId?: string }) => users.get(session.userId ?? '') })));
app.get('/me', (c) => c.json({ name: c.var.user.displayName }));
app.post('/logout', async (c) => {
  await logout(c);
  return c.body(null, 204);
});

// The app's login route stores { userId }; the kit stores the same through the app's session code.
const source = webSessionLogin({ ...sessionOptions, data: () => ({ userId: 'u1' }) });

it('a session made by loginAs opens /me, and logout ends it', async () => {
  const alice = await loginAs(source, users.get('u1')!);
  expect(await (await app.request('/me', { headers: alice.headers })).json()).toEqual({ name: 'alice' });
  const out = await app.request('/logout', { method: 'POST', headers: { ...alice.headers, 'sec-fetch-site': 'same-origin' } });
  expect(out.status).toBe(204);
  expect((await app.request('/me', { headers: alice.headers })).status).toBe(401);
});
// #endregion hono-sessions
