// What sessions() relies on in koa-session beyond its documented API (see the README,
// "What this adapter relies on in koa-session"). Each test here fails if an upgrade of
// koa-session changes one of those behaviours; the others are pinned by the conformance
// scenarios named in the README.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import Koa from 'koa';
import request from 'supertest';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import { authentication, login, logout, sessions } from '@portcullis/koa';
import { afterEach, describe, expect, it } from 'vitest';
import { SteerableSessionStore } from '../../../test-support/session-stores.js';

const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function start(store: MemorySessionStore, clock: () => number = Date.now) {
  const app = new Koa();
  app.use(sessions(app, { secret: 'session-internals-test-secret-0123456789', store, cookie: { secure: false }, clock }));
  app.use(authentication({ backend: sessionAuth({ retrieveUser: (s) => (typeof s.user_id === 'string' ? new SimpleUser(s.user_id) : null) }) }));
  app.use(async (ctx) => {
    const [, action, name = ''] = ctx.path.split('/');
    if (ctx.method === 'POST' && action === 'login') {
      await login(ctx, new SimpleUser(name), { user_id: name });
      ctx.body = 'in';
    } else if (ctx.method === 'POST' && action === 'switch') {
      await logout(ctx);
      await login(ctx, new SimpleUser(name), { user_id: name });
      ctx.body = 'switched';
    } else if (ctx.method === 'POST' && action === 'logout') {
      await logout(ctx);
      ctx.set('x-after-logout', 'ran');
      ctx.status = 204;
    } else if (action === 'me') {
      ctx.body = ctx.state.user.isAuthenticated ? ctx.state.user.displayName : 'anonymous';
    }
  });
  const server = app.listen(0, '127.0.0.1');
  servers.push(server);
  await once(server, 'listening');
  const agent = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const me = async (cookie?: string) => {
    const res = await (cookie === undefined ? agent.get('/me') : agent.get('/me').set('Cookie', cookie));
    return res.status === 200 ? res.text : res.status;
  };
  return { agent, me };
}

function sessionCookies(res: request.Response): string[] {
  const list = (res.headers['set-cookie'] as unknown as string[] | undefined) ?? [];
  return list.map((c) => c.split(';')[0]!).filter((c) => c.startsWith('id=') && c !== 'id=');
}

function cookieOf(res: request.Response): string {
  const [cookie] = sessionCookies(res);
  expect(cookie).toBeDefined();
  return cookie!;
}

/** The store id: koa-session's cookie holds it as is (`signed: false`). */
function idOf(cookie: string): string {
  return decodeURIComponent(cookie.slice('id='.length));
}

describe('Koa sessions(): what it relies on in koa-session', () => {
  it('SES-15 a session write racing a logout does not recreate the session (koa-session passes { ctx } to the store)', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const inner = new SteerableSessionStore();
    const { agent, me } = await start(inner, () => now);
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    // Past the touch interval: the next authenticated request writes to the session.
    now += 2 * 60_000;
    const hold = inner.holdNextGet();
    const racing = agent.get('/me').set('Cookie', alice).then((res) => res);
    await hold.entered;
    expect((await agent.post('/logout').set(SAME_ORIGIN).set('Cookie', alice)).status).toBe(204);
    hold.release();
    expect((await racing).status).toBe(200);
    expect(await inner.get(idOf(alice))).toBeUndefined();
    expect(await me(alice)).toBe('anonymous');
  });

  it('logout and login in one request (switching users): one new session, the old one gone', async () => {
    const { agent, me } = await start(new MemorySessionStore());
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    const switched = await agent.post('/switch/bob').set(SAME_ORIGIN).set('Cookie', alice);
    expect(switched.status).toBe(200);
    expect(sessionCookies(switched)).toHaveLength(1);
    const bob = cookieOf(switched);
    expect(bob).not.toBe(alice);
    expect(await me(bob)).toBe('bob');
    expect(await me(alice)).toBe('anonymous');
  });

  it('logout() rejects while the store cannot destroy the session (manuallyCommit): 503, the route does not go on, the session stays', async () => {
    const inner = new SteerableSessionStore();
    const { agent, me } = await start(inner);
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    inner.failDestroy = true;
    const out = await agent.post('/logout').set(SAME_ORIGIN).set('Cookie', alice);
    expect(out.status).toBe(503);
    expect(out.headers['x-after-logout']).toBeUndefined();
    inner.failDestroy = false;
    expect(await me(alice)).toBe('alice');
  });
});
