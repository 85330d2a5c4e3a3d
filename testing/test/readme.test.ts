// The README's example, whole: a test file an app author writes (it imports the built
// package, as an app does).
// #region example
import express from 'express';
import request from 'supertest';
import { afterAll, it } from 'vitest';
import { SimpleUser } from '@portcullis/core';
import { authentication, requires } from '@portcullis/express';
import { jwtAuth } from '@portcullis/jwt';
import { loginAs, testClock, testJwks } from '@portcullis/testing';

const clock = testClock(); // frozen at 2026-01-01T00:00:00Z until the test moves it
const jwks = await testJwks({ issuer: 'https://id.example', audience: 'https://api.example', clock });
afterAll(() => jwks.close());

// The app as in production, but trusting the test JWKS and reading the test clock.
const backend = jwtAuth({ ...jwks.jwtOptions(), clock, retrieveUser: (token) => new SimpleUser(token.sub) });
const app = express();
app.use(authentication({ backend, clock }));
app.get('/orders', requires('orders:read'), (req, res) => {
  res.json({ owner: req.user.displayName });
});

it('alice with orders:read sees her orders until her token expires', async () => {
  const alice = await loginAs(jwks, new SimpleUser('alice'), { scopes: ['orders:read'] });
  await request(app).get('/orders').set(alice.headers).expect(200, { owner: 'alice' });
  clock.advance(5 * 60_000 + 1000); // testJwks tokens live 5 minutes
  await request(app).get('/orders').set(alice.headers).expect(401);
});

it('a token signed with a key the JWKS does not publish is refused', async () => {
  const forged = await jwks.sign({ sub: 'alice', scope: 'orders:read' }, { wrongKey: true });
  await request(app).get('/orders').set('Authorization', `Bearer ${forged}`).expect(401);
});
// #endregion example
