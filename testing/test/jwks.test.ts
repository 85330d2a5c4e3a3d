import Fastify, { type FastifyInstance } from 'fastify';
import { SimpleUser } from '@portcullis/core';
import { authentication, requires } from '@portcullis/fastify';
import { jwtAuth, tokenOf } from '@portcullis/jwt';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loginAs, testClock, testJwks, type TestJwks } from '../src/index.js';

const REALM = 'Bearer realm="api"';
const INVALID_TOKEN = `${REALM}, error="invalid_token"`;
const clock = testClock();

/** A Fastify API that trusts `jwks` (its JWKS URL, issuer and audience), on the test clock. */
async function api(jwks: TestJwks, clockTolerance = 0): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(authentication, {
    backend: jwtAuth({ ...jwks.jwtOptions(), clock, clockTolerance, retrieveUser: (t) => new SimpleUser(t.sub) }),
    clock,
  });
  app.get('/me', async (req) => ({ user: req.user.displayName, exp: tokenOf(req.auth)?.exp }));
  app.get('/orders', { preHandler: requires('orders:read') }, async () => ({ orders: [] }));
  await app.ready();
  return app;
}

describe('testJwks with @portcullis/jwt remote JWKS (Fastify)', () => {
  let jwks: TestJwks;
  let app: FastifyInstance;
  beforeAll(async () => {
    jwks = await testJwks({ issuer: 'https://id.example', audience: 'https://api.example', clock });
    app = await api(jwks);
  });
  afterAll(async () => {
    await app?.close();
    await jwks?.close();
  });

  it('serves its public key on 127.0.0.1 and counts hits', async () => {
    expect(jwks.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\.well-known\/jwks\.json$/);
    const before = jwks.hits;
    const res = await fetch(jwks.url);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { keys: Array<Record<string, unknown>> };
    expect(body.keys).toEqual([expect.objectContaining({ kid: jwks.kid, alg: 'ES256', use: 'sig', kty: 'EC' })]);
    expect(body.keys[0]).not.toHaveProperty('d'); // never the private part
    expect(jwks.hits).toBe(before + 1);
  });

  it('loginAs(jwks, user, { scopes }) is a token the app verifies; the JWKS is fetched once for many requests', async () => {
    const before = jwks.hits;
    const alice = await loginAs(jwks, new SimpleUser('alice'), { scopes: ['orders:read'] });
    expect(alice.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    for (let i = 0; i < 3; i++) {
      const me = await request(app.server).get('/me').set(alice.headers);
      expect([me.status, me.body.user]).toEqual([200, 'alice']);
    }
    expect((await request(app.server).get('/orders').set(alice.headers)).status).toBe(200);
    const bob = await loginAs(jwks, new SimpleUser('bob'));
    const denied = await request(app.server).get('/orders').set(bob.headers);
    expect(denied.status).toBe(403);
    expect(denied.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="orders:read"`);
    expect(jwks.hits - before).toBeLessThanOrEqual(1);
  });

  it('sign({ wrongKey }) → 401 invalid_token; { issuer } → 401 invalid_token; { expired } → 401 expired', async () => {
    for (const options of [{ wrongKey: true }, { issuer: 'https://evil.example' }, { audience: 'https://other.example' }]) {
      const res = await request(app.server).get('/me').set('authorization', `Bearer ${await jwks.sign({ sub: 'alice' }, options)}`);
      expect([res.status, res.headers['www-authenticate']], JSON.stringify(options)).toEqual([401, INVALID_TOKEN]);
    }
    const expired = await request(app.server).get('/me').set('authorization', `Bearer ${await jwks.sign({ sub: 'alice' }, { expired: true })}`);
    expect([expired.status, expired.headers['www-authenticate']]).toEqual([401, `${INVALID_TOKEN}, error_description="expired"`]);
  });

  it('sign({ expired }) is refused under the largest clockTolerance jwtAuth accepts (300 s); a token expired 299 s ago is not', async () => {
    const lenient = await api(jwks, 300);
    try {
      const expired = await request(lenient.server).get('/me').set('authorization', `Bearer ${await jwks.sign({ sub: 'alice' }, { expired: true })}`);
      expect([expired.status, expired.headers['www-authenticate']]).toEqual([401, `${INVALID_TOKEN}, error_description="expired"`]);
      // The control: the leeway is real, so the refusal above is the kit's margin, not a stricter app.
      const now = clock.seconds();
      const justExpired = await jwks.sign({ sub: 'alice', iat: now - 600, exp: now - 299 });
      expect((await request(lenient.server).get('/me').set('authorization', `Bearer ${justExpired}`)).status).toBe(200);
    } finally {
      await lenient.close();
    }
  });

  it('the clock drives iat/exp and the app: advancing past exp expires a token loginAs made', async () => {
    const alice = await loginAs(jwks, new SimpleUser('alice'));
    const me = await request(app.server).get('/me').set(alice.headers);
    expect(me.body.exp).toBe(clock.seconds() + 300);
    clock.advance(301_000);
    try {
      const res = await request(app.server).get('/me').set(alice.headers);
      expect([res.status, res.headers['www-authenticate']]).toEqual([401, `${INVALID_TOKEN}, error_description="expired"`]);
    } finally {
      clock.reset();
    }
  });

  it('JWT-31 rotate(): new tokens carry the new kid and the app refetches once; retire drops the old key', async () => {
    const old = await loginAs(jwks, new SimpleUser('alice'));
    const oldKid = jwks.kid;
    await jwks.rotate();
    expect(jwks.kid).not.toBe(oldKid);
    expect(jwks.keys.map((k) => k.kid)).toEqual([jwks.kid, oldKid]);
    const before = jwks.hits;
    const fresh = await loginAs(jwks, new SimpleUser('alice'));
    expect((await request(app.server).get('/me').set(fresh.headers)).status).toBe(200);
    expect(jwks.hits).toBe(before + 1);
    expect((await request(app.server).get('/me').set(old.headers)).status).toBe(200);
    await jwks.rotate({ retire: true });
    expect(jwks.keys.map((k) => k.kid)).toEqual([jwks.kid]);
    const restarted = await api(jwks); // a fresh key cache: it fetches the retired set
    try {
      expect((await request(restarted.server).get('/me').set(old.headers)).status).toBe(401);
      expect((await request(restarted.server).get('/me').set(fresh.headers)).status).toBe(401);
      expect((await request(restarted.server).get('/me').set((await loginAs(jwks, new SimpleUser('alice'))).headers)).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });

  it('is not a bypass: an app that trusts another key set rejects the token', async () => {
    const other = await testJwks({ issuer: 'https://id.example', audience: 'https://api.example', clock });
    try {
      const elsewhere = await api(other);
      const alice = await loginAs(jwks, new SimpleUser('alice'));
      expect((await request(elsewhere.server).get('/me').set(alice.headers)).status).toBe(401);
      expect((await request(elsewhere.server).get('/me').set((await loginAs(other, new SimpleUser('alice'))).headers)).status).toBe(200);
      await elsewhere.close();
    } finally {
      await other.close();
    }
  });

  it('serve(): the provider down (status) fails closed (503), a broken set refuses the token (401 invalid_token); serve() restores it', async () => {
    const idp = await testJwks({ issuer: 'https://id.example', audience: 'https://api.example', clock });
    const fresh = await api(idp);
    try {
      const alice = await loginAs(idp, new SimpleUser('alice'));
      idp.serve({ status: 503 });
      expect((await request(fresh.server).get('/me').set(alice.headers)).status).toBe(503);
      idp.serve({ keys: [{ kty: 'EC', kid: idp.kid }] });
      // A key of the token's kid that cannot be used is the token's failure, as a key of the wrong type is (JWT-31 c).
      const broken = await request(fresh.server).get('/me').set(alice.headers);
      expect([broken.status, broken.headers['www-authenticate']]).toEqual([401, INVALID_TOKEN]);
      idp.serve();
      expect((await request(fresh.server).get('/me').set(alice.headers)).status).toBe(200);
      expect(() => idp.serve({ status: 42 })).toThrow(/status must be/);
    } finally {
      await fresh.close();
      await idp.close();
    }
  });

  it('refuses session data and bad options with invalid_configuration', async () => {
    await expect(loginAs(jwks, new SimpleUser('alice'), { data: { userId: 'u1' } })).rejects.toMatchObject({ code: 'invalid_configuration' });
    await expect(loginAs(jwks, new SimpleUser('alice'), { scopes: ['two words'] })).rejects.toMatchObject({ code: 'invalid_configuration' });
    await expect(testJwks({ alg: 'HS256' as never })).rejects.toMatchObject({ code: 'invalid_configuration' });
    await expect(jwks.sign({}, { expiresIn: -1 })).rejects.toMatchObject({ code: 'invalid_configuration' });
  });
});
