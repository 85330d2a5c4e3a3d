// Hono 4 on @hono/node-server + JWT: Basic credentials buy an HS256 access token at
// POST /token; GET /me needs the token (or the Basic credentials).
import { serve } from '@hono/node-server';
import type { Server } from 'node:http';
import { Hono } from 'hono';
import { SimpleUser, basicAuth, multi, timingSafeEqual } from '@portcullis/core';
import { authentication, requires, type AuthEnv } from '@portcullis/hono';
import { jwtAuth } from '@portcullis/jwt';
import { announce, port } from './listen.js';

const jwt = jwtAuth<SimpleUser>({
  algorithms: ['HS256'],
  secret: crypto.getRandomValues(new Uint8Array(32)),
  issuer: 'urn:consumer',
  audience: 'urn:consumer',
  retrieveUser: (token) => (token.sub === 'carol' ? new SimpleUser('carol') : null),
});
const basic = basicAuth({
  realm: 'consumer',
  async verify(username, password) {
    const [u, p] = await Promise.all([timingSafeEqual(username, 'carol'), timingSafeEqual(password, 'secret')]);
    return u && p ? new SimpleUser(username) : null;
  },
});

const app = new Hono<AuthEnv<SimpleUser>>();
app.use(authentication({ backend: multi([jwt, basic]) }));
app.post('/token', requires('authenticated', { status: 401 }), async (c) => {
  const { token, expiresIn } = await jwt.issue(c.var.user.identity);
  return c.json({ access_token: token, token_type: 'Bearer', expires_in: expiresIn });
});
app.get('/me', requires('authenticated', { status: 401 }), (c) => c.json({ user: c.var.user.displayName }));

announce(serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }) as Server);
