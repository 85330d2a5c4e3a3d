import Koa from 'koa';
import { MemorySessionStore, MemoryTokenStore, SimpleUser, hashedTokens, tokenAuth } from '@portcullis/core';
import { authentication, type AuthState } from '@portcullis/koa';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { loginAs, testClock, TEST_EPOCH, tokenLogin, webSessionLogin } from '../src/index.js';
import { ALICE, dataOf, sessionApp } from './apps.js';

describe('tokenLogin (Koa, tokenAuth over a MemoryTokenStore)', () => {
  const store = new MemoryTokenStore<SimpleUser>();
  const app = new Koa<AuthState<SimpleUser>>();
  app.use(authentication({ backend: tokenAuth({ verify: hashedTokens(store) }), mode: 'required' }));
  app.use((ctx) => void (ctx.body = { user: ctx.state.user.displayName }));
  const source = tokenLogin({ issue: (user: SimpleUser) => store.issue(user), scheme: 'Token' });

  it('issues into the app store: 200 as bob; revoking it there → 401', async () => {
    const bob = await loginAs(source, new SimpleUser('bob'));
    expect(bob.headers.authorization).toMatch(/^Token [\w-]{43}$/);
    expect(store.digests()).toHaveLength(1);
    const res = await request(app.callback()).get('/').set(bob.headers);
    expect([res.status, res.body]).toEqual([200, { user: 'bob' }]);
    await store.revoke(bob.value);
    expect((await request(app.callback()).get('/').set(bob.headers)).status).toBe(401);
  });

  it('bad issue() results and options are configuration errors', async () => {
    await expect(loginAs(tokenLogin({ issue: () => 'two words' }), ALICE)).rejects.toMatchObject({ code: 'invalid_configuration' });
    expect(() => tokenLogin({ issue: 'x' } as never)).toThrow(/issue\(user, scopes\) must be a function/);
    expect(() => tokenLogin({ issue: () => 't', scheme: 'Basic' as never })).toThrow(/scheme must be/);
    await expect(loginAs({} as never, ALICE)).rejects.toThrow(/credential source/);
    await expect(loginAs(source, { isAuthenticated: false } as never)).rejects.toThrow(/authenticated user/);
  });
});

describe('testClock', () => {
  it('is frozen at its start (default 2026-01-01) and moves only when told', () => {
    const clock = testClock();
    expect(clock()).toBe(TEST_EPOCH);
    expect(clock.now()).toBe(TEST_EPOCH);
    clock.advance(1500);
    expect([clock(), clock.seconds()]).toEqual([TEST_EPOCH + 1500, TEST_EPOCH / 1000 + 1]);
    clock.set(new Date('2030-01-01T00:00:00Z'));
    expect(clock.now()).toBe(Date.UTC(2030, 0, 1));
    clock.reset();
    expect(clock()).toBe(TEST_EPOCH);
    expect(() => clock.advance(-1)).toThrow(/non-negative/);
    expect(() => clock.set(Number.NaN)).toThrow(/finite/);
    expect(() => testClock(new Date('nope'))).toThrow(/valid Date/);
  });

  it('drives session lifetimes: sessions({ clock, idleTimeout }) ends a loginAs session once the clock passes it (Hono)', async () => {
    const clock = testClock();
    const setup = { store: new MemorySessionStore({ clock }), secret: 'the-test-secret-of-the-app-0123456789abcdef', clock, idleTimeout: 60_000 };
    const app = await sessionApp('hono', setup);
    const alice = await loginAs(webSessionLogin({ ...setup, cookie: { secure: false }, data: dataOf }), ALICE);
    clock.advance(59_000);
    expect((await request(app).get('/me').set(alice.headers)).status).toBe(200);
    clock.advance(61_000);
    expect((await request(app).get('/me').set(alice.headers)).status).toBe(401);
  });
});
