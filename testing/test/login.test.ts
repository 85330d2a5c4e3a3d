import { MemorySessionStore, type SessionStore } from '@portcullis/core';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loginAs, webSessionLogin, type CredentialSource } from '../src/index.js';
import { expressSessionLogin } from '../src/express.js';
import { koaSessionLogin } from '../src/koa.js';
import { ALICE, dataOf, sessionApp, type Adapter, type SessionSetup } from './apps.js';

const SECRET = 'the-test-secret-of-the-app-0123456789abcdef';
const PRODUCTION_SECRET = 'the-production-secret-nobody-has-0123456789';
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };

/** The kit's source for an adapter, over the options the app's sessions use. */
function sourceFor(adapter: Adapter, setup: SessionSetup): CredentialSource {
  const { secure = false, ...rest } = setup;
  const options = { ...rest, cookie: { secure }, data: dataOf };
  if (adapter === 'express') return expressSessionLogin(options);
  if (adapter === 'koa') return koaSessionLogin(options);
  return webSessionLogin(options); // Hono, Fastify and Fetch share the core's Web sessions
}

/** `cookie` with its first letter or digit from `index` on (outside a `%XX` escape) changed. */
function changeAt(cookie: string, index: number): string {
  for (let i = index; i < cookie.length; i++) {
    if (/[A-Za-z0-9]/.test(cookie[i]!) && cookie[i - 1] !== '%' && cookie[i - 2] !== '%') return cookie.slice(0, i) + (cookie[i] === 'A' ? 'B' : 'A') + cookie.slice(i + 1);
  }
  throw new Error('no character to change');
}

describe.each(['express', 'koa', 'hono', 'fastify', 'fetch'] as const)('loginAs with %s sessions', (adapter) => {
  const setup = (store: SessionStore = new MemorySessionStore()): SessionSetup => ({ store, secret: SECRET });

  it('yields a session cookie the app accepts: GET /me is alice', async () => {
    const shared = setup();
    const app = await sessionApp(adapter, shared);
    const alice = await loginAs(sourceFor(adapter, shared), ALICE);
    expect(alice.kind).toBe('cookie');
    expect(alice.headers.cookie).toMatch(/^id=\S+$/);
    const me = await request(app).get('/me').set(alice.headers);
    expect([me.status, me.body]).toEqual([200, { user: 'alice' }]);
    expect((await request(app).get('/me')).status).toBe(401);
  });

  it('is not a bypass: the app in production config (its own store and secret) rejects the cookie, and a forged one', async () => {
    const store = new MemorySessionStore();
    const alice = await loginAs(sourceFor(adapter, setup(store)), ALICE);
    expect((await request(await sessionApp(adapter, setup(store))).get('/me').set(alice.headers)).status).toBe(200);
    const production = await sessionApp(adapter, { store: new MemorySessionStore(), secret: PRODUCTION_SECRET });
    expect((await request(production).get('/me').set(alice.headers)).status).toBe(401);
    // Same store, another secret: the signature (Express, Web sessions) no longer verifies.
    if (adapter !== 'koa') expect((await request(await sessionApp(adapter, { store, secret: PRODUCTION_SECRET })).get('/me').set(alice.headers)).status).toBe(401);
    // Cookies of the right shape that no login made: one character of the id changed, or of the signature.
    const same = await sessionApp(adapter, setup(store));
    const value = alice.value.slice(alice.value.indexOf('=') + 1);
    const id = value.startsWith('s%3A') ? 4 : 0; // express-session's "signed" prefix stays, or the cookie is ignored as unsigned
    const signature = value.lastIndexOf('.') + 1; // Express and Web sessions sign; Koa's cookie is the id alone
    const forgeries = [changeAt(alice.value, alice.value.length - value.length + id + 10)];
    if (signature > 0) forgeries.push(changeAt(alice.value, alice.value.length - value.length + signature + 10));
    for (const forged of forgeries) {
      expect(forged).not.toBe(alice.value);
      expect((await request(same).get('/me').set('cookie', forged)).status, forged).toBe(401);
    }
    expect((await request(same).get('/me').set('cookie', alice.value)).status).toBe(200);
  });

  it('SES-02 logout in the app ends it: the replayed cookie is anonymous', async () => {
    const shared = setup();
    const app = await sessionApp(adapter, shared);
    const alice = await loginAs(sourceFor(adapter, shared), ALICE);
    expect((await request(app).post('/logout').set(alice.headers).set(SAME_ORIGIN)).status).toBe(204);
    expect((await request(app).get('/me').set(alice.headers)).status).toBe(401);
  });

  it('with Secure cookies (the default) the cookie is __Host-id, and the app behind its TLS proxy accepts it', async () => {
    const shared = { ...setup(), secure: true };
    const app = await sessionApp(adapter, shared);
    const alice = await loginAs(sourceFor(adapter, shared), ALICE);
    expect(alice.headers.cookie).toMatch(/^__Host-id=\S+$/);
    const me = await request(app).get('/me').set(alice.headers).set('x-forwarded-proto', 'https');
    expect([me.status, me.body]).toEqual([200, { user: 'alice' }]);
  });

  it('refuses scopes (a session takes them from the app) with the fix in the message', async () => {
    await expect(loginAs(sourceFor(adapter, setup()), ALICE, { scopes: ['admin'] })).rejects.toMatchObject({
      code: 'invalid_configuration',
      message: expect.stringContaining('sessionAuth({ scopes })'),
    });
  });
});

describe('session sources check their options at construction', () => {
  it.each([
    ['webSessionLogin', () => webSessionLogin({ secret: SECRET } as never)],
    ['expressSessionLogin', () => expressSessionLogin({ secret: SECRET } as never)],
    ['koaSessionLogin', () => koaSessionLogin({ secret: SECRET } as never)],
  ])('%s without the app store throws invalid_configuration naming store', (_name, make) => {
    expect(make).toThrow(/store is required: pass the store instance the app's sessions/);
  });

  it('a short secret throws as the app would', () => {
    expect(() => webSessionLogin({ store: new MemorySessionStore(), secret: 'short' })).toThrow(/secret must be a string of at least 32 characters/);
  });
});
