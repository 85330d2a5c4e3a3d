import { spawn, type ChildProcess } from 'node:child_process';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleUser } from '@portcullis/core';
import { loginAs, testClock, testJwks, type TestJwks } from '@portcullis/testing';
import { freePort } from '../../../test-support/ports.js';
import { builtServer, hasStackTrace, runUntilExit, stopProcess } from '../../test-support/spawn.js';
import { createApp } from '../src/app.js';

const REALM = 'Bearer realm="api"';
const INVALID_TOKEN = `${REALM}, error="invalid_token"`;
const ISSUER = 'https://id.example';
const AUDIENCE = 'https://orders.example';
const clock = testClock(); // 2026-01-01T00:00:00Z
const alice = new SimpleUser('alice');

// The identity provider: an RS256 key pair behind a JWKS server on 127.0.0.1.
let idp: TestJwks;
let app: ReturnType<typeof createApp>;
beforeAll(async () => {
  idp = await testJwks({ alg: 'RS256', issuer: ISSUER, audience: AUDIENCE, clock });
  app = createApp({ jwksUrl: idp.url, issuer: ISSUER, audience: AUDIENCE, clock });
});
afterAll(async () => {
  await idp?.close();
});

describe('express-jwks-api in process', () => {
  it('every route but /health needs a token: 401 Bearer realm="api"', async () => {
    for (const path of ['/me', '/orders']) {
      const res = await request(app).get(path);
      expect([res.status, res.headers['www-authenticate']], path).toEqual([401, REALM]);
    }
    expect((await request(app).get('/health')).text).toBe('ok');
  });

  it("a token from the provider opens /me; the key set is fetched once for many requests", async () => {
    const token = await loginAs(idp, alice, { scopes: ['orders:read'] });
    const before = idp.hits;
    for (let i = 0; i < 5; i++) {
      const me = await request(app).get('/me').set(token.headers);
      expect([me.status, me.body]).toEqual([200, { user: 'alice', scopes: ['authenticated', 'orders:read'], expiresAt: '2026-01-01T00:05:00.000Z' }]);
    }
    expect(idp.hits - before).toBeLessThanOrEqual(1);
  });

  it('/orders needs orders:read: 403 insufficient_scope without it', async () => {
    expect((await request(app).get('/orders').set((await loginAs(idp, alice, { scopes: ['orders:read'] })).headers)).status).toBe(200);
    const res = await request(app).get('/orders').set((await loginAs(idp, alice)).headers);
    expect([res.status, res.headers['www-authenticate']]).toEqual([403, `${REALM}, error="insufficient_scope", scope="orders:read"`]);
  });

  it('JWT-07/JWT-14/JWT-09 a forged signature, another issuer or audience → 401 invalid_token; an expired token → 401 expired', async () => {
    for (const how of [{ wrongKey: true }, { issuer: 'https://evil.example' }, { audience: 'https://other-api.example' }]) {
      const res = await request(app).get('/me').set('Authorization', `Bearer ${await idp.sign({ sub: 'alice' }, how)}`);
      expect([res.status, res.headers['www-authenticate']], JSON.stringify(how)).toEqual([401, INVALID_TOKEN]);
    }
    const token = await loginAs(idp, alice);
    clock.advance(5 * 60_000 + 1000);
    try {
      const res = await request(app).get('/me').set(token.headers);
      expect([res.status, res.headers['www-authenticate']]).toEqual([401, `${INVALID_TOKEN}, error_description="expired"`]);
    } finally {
      clock.reset();
    }
  });
});

// ---------------------------------------------------------------------------
// The real server: node examples/express-jwks-api/dist/server.js
// ---------------------------------------------------------------------------

describe('the real server (dist/server.js)', () => {
  const children = new Set<ChildProcess>();
  afterAll(() => Promise.all([...children].map(stopProcess)));

  it('trusts the provider named by JWKS_URL, JWT_ISSUER and JWT_AUDIENCE', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, [builtServer('express-jwks-api')], {
      env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', JWKS_URL: idp.url, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.add(child);
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no banner: ${out}`)), 15_000);
      child.stdout!.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes('Try:')) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`exited with ${code}: ${out}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    // The server runs on the wall clock, not the test's: a token issued now.
    const now = Math.floor(Date.now() / 1000);
    const token = await idp.sign({ sub: 'alice', iat: now, exp: now + 60 });
    const me = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect([me.status, ((await me.json()) as { user: string }).user]).toEqual([200, 'alice']);
    const forged = await fetch(`${url}/me`, { headers: { authorization: `Bearer ${await idp.sign({ sub: 'alice', iat: now, exp: now + 60 }, { wrongKey: true })}` } });
    expect(forged.status).toBe(401);
  });

  it('without the provider settings it exits 1 with one line naming them', async () => {
    const run = await runUntilExit(builtServer('express-jwks-api'), { JWKS_URL: undefined, JWT_ISSUER: undefined, JWT_AUDIENCE: undefined, PORT: '0' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Set JWKS_URL, JWT_ISSUER and JWT_AUDIENCE');
    expect(hasStackTrace(run.stderr)).toBe(false);
  });

  it.each(['HS256', 'es256', 'none'])('JWT_ALGORITHM=%s (not one the example supports) exits 1 naming the supported ones, never a silent RS256', async (alg) => {
    const run = await runUntilExit(builtServer('express-jwks-api'), {
      JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
      JWT_ISSUER: 'https://id.example',
      JWT_AUDIENCE: 'https://api.example',
      JWT_ALGORITHM: alg,
      PORT: '0',
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('JWT_ALGORITHM must be one of RS256, PS256, ES256, EdDSA');
    expect(hasStackTrace(run.stderr)).toBe(false);
  });
});
