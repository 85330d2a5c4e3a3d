// What sessions() relies on in express-session beyond its documented API (see the README,
// "What this adapter relies on in express-session"). Each test here fails if an upgrade of
// express-session changes one of those behaviours; the others are pinned by the
// conformance scenarios named in the README.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { MemorySessionStore, SimpleUser, sessionAuth, type SessionStore } from '@portcullis/core';
import { authentication, expressSessionStore, login, logout, sessionErrors, sessions, type ExpressSessionStore } from '@portcullis/express';
import { afterEach, describe, expect, it } from 'vitest';
import { SteerableSessionStore } from '../../../test-support/session-stores.js';

const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' };
const servers: { close(): void }[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function start(store: ExpressSessionStore, clock: () => number = Date.now) {
  const app = express();
  app.use(sessions({ secret: 'session-internals-test-secret-0123456789', store, cookie: { secure: false }, clock }));
  app.use(authentication({ backend: sessionAuth({ retrieveUser: (s) => (typeof s.user_id === 'string' ? new SimpleUser(s.user_id) : null) }) }));
  app.post('/login/:name', async (req, res) => {
    await login(req, new SimpleUser(req.params.name), { user_id: req.params.name });
    res.send('in');
  });
  app.post('/switch/:name', async (req, res) => {
    await logout(req);
    await login(req, new SimpleUser(req.params.name), { user_id: req.params.name });
    res.send('switched');
  });
  app.post('/logout', async (req, res) => {
    await logout(req);
    res.set('x-after-logout', 'ran').status(204).end();
  });
  app.get('/me', (req, res) => res.send(req.user.isAuthenticated ? req.user.displayName : 'anonymous'));
  app.use(sessionErrors());
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

/** The store id inside express-session's signed cookie value (`s:<id>.<signature>`). */
function idOf(cookie: string): string {
  return decodeURIComponent(cookie.slice('id='.length)).slice(2).split('.')[0]!;
}

describe('Express sessions(): what it relies on in express-session', () => {
  it('a store that reports a disconnect: requests with the cookie and logins answer 503, not anonymous access; it serves again on connect', async () => {
    const store = expressSessionStore(new MemorySessionStore());
    const { agent, me } = await start(store);
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    expect(await me(alice)).toBe('alice');

    store.emit('disconnect');
    const down = await agent.get('/me').set('Cookie', alice);
    expect(down.status).toBe(503);
    expect(down.headers['set-cookie']).toBeUndefined();
    const refused = await agent.post('/login/bob').set(SAME_ORIGIN);
    expect(refused.status).toBe(503);
    expect(refused.headers['set-cookie']).toBeUndefined();
    expect(await me()).toBe('anonymous');

    store.emit('connect');
    expect(await me(alice)).toBe('alice');
  });

  it('SES-15 a session write racing a logout does not recreate the session (express-session hands store.set the Session, with its req)', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const inner = new SteerableSessionStore();
    const { agent, me } = await start(expressSessionStore(inner), () => now);
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
    const { agent, me } = await start(expressSessionStore(new MemorySessionStore()));
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    const switched = await agent.post('/switch/bob').set(SAME_ORIGIN).set('Cookie', alice);
    expect(switched.status).toBe(200);
    expect(sessionCookies(switched)).toHaveLength(1);
    const bob = cookieOf(switched);
    expect(bob).not.toBe(alice);
    expect(await me(bob)).toBe('bob');
    expect(await me(alice)).toBe('anonymous');
  });

  it('a stored session without express-session’s cookie record (written by another framework) is read', async () => {
    const inner = new MemorySessionStore();
    const { agent, me } = await start(expressSessionStore(inner));
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    const stored = await inner.get(idOf(alice));
    expect(stored?.cookie).toBeDefined();
    const { cookie: _cookie, ...data } = stored!;
    await inner.set(idOf(alice), data, 60_000);
    expect(await me(alice)).toBe('alice');
  });

  it('logout() rejects while the store cannot destroy the session: 503, the route does not go on, the session stays', async () => {
    const inner = new SteerableSessionStore();
    const { agent, me } = await start(expressSessionStore(inner as SessionStore));
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    inner.failDestroy = true;
    const out = await agent.post('/logout').set(SAME_ORIGIN).set('Cookie', alice);
    expect(out.status).toBe(503);
    expect(out.headers['x-after-logout']).toBeUndefined();
    inner.failDestroy = false;
    expect(await me(alice)).toBe('alice');
  });
});
