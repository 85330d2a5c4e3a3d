// A login form behind a trusted proxy, through a real Express app and server: the route
// builds its own connection (`toConnection(req, Date.now)`), which must resolve the
// client address as `authentication(...)` did, and a throttled login must be answered
// by `sessionErrors()` (429 + Retry-After), not by Express's 500.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { sessionAuth } from '@portcullis/core';
import { authentication, toConnection } from '@portcullis/express';
import { login, sessionErrors, sessions } from '@portcullis/express/sessions';
import { describe, expect, it } from 'vitest';
import { throttledPasswords } from '../../../test-support/throttled-login.js';

async function withApp(run: (url: string) => Promise<void>): Promise<void> {
  const passwords = await throttledPasswords();
  const app = express();
  app.use(express.urlencoded({ extended: false }));
  app.use(sessions({ secret: 'a-test-secret-of-more-than-32-characters', cookie: { secure: false }, csrf: false, log: () => {} }));
  app.use(authentication({ backend: sessionAuth({ retrieveUser: () => null }), trustedProxies: ['loopback'] }));
  app.post('/login', async (req, res) => {
    const body = req.body as Record<string, string>;
    const user = await passwords.verifyCredentials(body.username ?? '', body.password ?? '', toConnection(req, Date.now));
    if (user === null) return void res.status(401).send('Wrong user name or password');
    await login(req, user);
    res.send(`Welcome, ${user.displayName}`);
  });
  app.use(sessionErrors());
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  try {
    await run(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.close();
  }
}

const attempt = (url: string, from: string, username: string, password: string) =>
  request(url).post('/login').set('X-Forwarded-For', from).type('form').send({ username, password });

describe('Express: a login form with a login throttle behind a trusted proxy', () => {
  it('THR-13 the throttled address gets 429 + Retry-After from sessionErrors(); another client behind the same proxy has its own bucket', async () => {
    await withApp(async (url) => {
      for (let i = 1; i <= 3; i++) expect((await attempt(url, '203.0.113.1', `ghost${i}`, 'guess')).status, `attempt ${i}`).toBe(401);
      const throttled = await attempt(url, '203.0.113.1', 'alice', 'alicepwd');
      expect(throttled.status).toBe(429);
      expect(throttled.headers['retry-after']).toBe('1');
      expect(throttled.text).not.toMatch(/alice|stack|Error/);
      // Keyed on the proxy's address (127.0.0.1), this client would wait too.
      expect((await attempt(url, '198.51.100.2', 'alice', 'alicepwd')).status).toBe(200);
      expect((await attempt(url, '198.51.100.2', 'ghost9', 'guess')).status).toBe(401);
    });
  });
});
