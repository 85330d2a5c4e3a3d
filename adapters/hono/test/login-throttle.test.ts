// A login form behind a trusted proxy on Hono (in process, with @hono/node-server's
// `c.env.incoming` as the peer): the route's own `toConnection(c, Date.now)` resolves
// the client as `authentication(...)` did, and a throttled login is answered by
// `sessions()` with 429 + Retry-After, not by Hono's 500.
import { Hono } from 'hono';
import { sessionAuth } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { throttledPasswords } from '../../../test-support/throttled-login.js';
import { authentication, login, sessions, toConnection, type AuthEnv } from '../src/index.js';

async function loginApp(): Promise<Hono<AuthEnv>> {
  const passwords = await throttledPasswords();
  const app = new Hono<AuthEnv>();
  app.use(sessions({ secret: 'a-test-secret-of-more-than-32-characters', cookie: { secure: false }, csrf: false, log: () => {} }));
  app.use(authentication({ backend: sessionAuth({ retrieveUser: () => null }), trustedProxies: ['loopback'] }));
  app.post('/login', async (c) => {
    const form = await c.req.parseBody();
    const user = await passwords.verifyCredentials(String(form.username), String(form.password), toConnection(c, Date.now));
    if (user === null) return c.text('Wrong user name or password', 401);
    await login(c, user);
    return c.text(`Welcome, ${user.displayName}`);
  });
  return app;
}

const env = { incoming: { socket: { remoteAddress: '127.0.0.1' } } };

function attempt(app: Hono<AuthEnv>, from: string, username: string, password: string): Promise<Response> {
  const body = new URLSearchParams({ username, password });
  return Promise.resolve(app.request('/login', { method: 'POST', body, headers: { 'x-forwarded-for': from, 'content-type': 'application/x-www-form-urlencoded' } }, env));
}

describe('Hono: a login form with a login throttle behind a trusted proxy', () => {
  it('THR-13 the throttled address gets 429 + Retry-After; another client behind the same proxy has its own bucket', async () => {
    const app = await loginApp();
    for (let i = 1; i <= 3; i++) expect((await attempt(app, '203.0.113.1', `ghost${i}`, 'guess')).status, `attempt ${i}`).toBe(401);
    const throttled = await attempt(app, '203.0.113.1', 'alice', 'alicepwd');
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(await throttled.text()).not.toMatch(/alice|stack|Error/);
    // Keyed on the proxy's address (127.0.0.1), this client would wait too.
    expect((await attempt(app, '198.51.100.2', 'alice', 'alicepwd')).status).toBe(200);
  });
});
