/**
 * For the adapter tests that pin down what the Express and Koa session bridges rely on
 * in express-session and koa-session (see each adapter's README): a session store the
 * test can steer, a server helper, and the cases every bridge must pass.
 */
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { expect, it, onTestFinished } from 'vitest';
import { MemorySessionStore, type SessionData, type SessionEvent } from '@portcullis/core';
import { setCookies } from './responses.js';

/**
 * A session store that tests can steer: hold one `get` until the test releases it (to
 * put a logout between a request's read and its write), and make `destroy` fail.
 * Everything else is the in-memory store.
 */
export class SteerableSessionStore extends MemorySessionStore {
  #held: { entered: () => void; released: Promise<void> } | undefined;
  /** When true, `destroy` rejects, as a store that has gone away does. */
  failDestroy = false;
  /** When set, `get` rejects with it (a store whose client fails). */
  failGet: Error | undefined;

  /**
   * Holds the next `get` after it has read its answer: `entered` resolves when that
   * `get` has been called, and the `get` returns once `release()` is called.
   */
  holdNextGet(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    const released = new Promise<void>((resolve) => (release = resolve));
    this.#held = { entered, released };
    return { entered: enteredPromise, release };
  }

  override async get(id: string): Promise<SessionData | undefined> {
    if (this.failGet !== undefined) throw this.failGet;
    const data = await super.get(id);
    const held = this.#held;
    if (held !== undefined) {
      this.#held = undefined;
      held.entered();
      await held.released;
    }
    return data;
  }

  override async destroy(id: string): Promise<void> {
    if (this.failDestroy) throw new Error('store unavailable');
    return super.destroy(id);
  }
}

/** A running app of an adapter's session bridge, as the shared cases drive it. */
export interface BridgeApp {
  readonly agent: ReturnType<typeof request>;
  /** The display name `GET /me` answers for this cookie (`'anonymous'`), or the status when not 200. */
  me(cookie?: string): Promise<string | number>;
}

/**
 * Serves `server` until the current test ends. The app behind it answers
 * `POST /login/:name`, `POST /login-then-throw/:name` (login, then an error that the app's
 * own error handler answers with 500), `POST /switch/:name` (logout, then login, in one request),
 * `POST /cart` / `GET /cart` (a key the app writes on the library's own session object),
 * `POST /logout` (setting `x-after-logout` once `logout` has resolved) and `GET /me`.
 */
export async function serve(server: Server): Promise<BridgeApp> {
  onTestFinished(() => void server.close());
  if (!server.listening) await once(server, 'listening');
  const agent = request(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  return {
    agent,
    async me(cookie) {
      const res = await (cookie === undefined ? agent.get('/me') : agent.get('/me').set('Cookie', cookie));
      return res.status === 200 ? res.text : res.status;
    },
  };
}

/** The session cookies (`id=…`) a response sets, as `name=value`; deletions left out. */
export function sessionCookies(res: request.Response): string[] {
  return setCookies(res).filter((c) => c.startsWith('id=') && c !== 'id=');
}

/** The one session cookie a response sets. */
export function cookieOf(res: request.Response): string {
  const [cookie] = sessionCookies(res);
  expect(cookie).toBeDefined();
  return cookie!;
}

export const SAME_ORIGIN = { 'Sec-Fetch-Site': 'same-origin' } as const;

/** How an adapter's bridge is started, and why each shared case concerns its session library. */
export interface BridgeCases {
  /** Starts the app over `store` (a fresh one per test), with `clock` for the session timeouts and `log` for the session events. */
  start(store: MemorySessionStore, clock?: () => number, log?: (event: SessionEvent) => void): Promise<BridgeApp>;
  /** The store id in a session cookie. */
  idOf(cookie: string): string;
  /** What the session library does that each case depends on, for the test names. */
  readonly because: { readonly race: string; readonly switchUsers: string; readonly failedLogout: string };
}

/** The cases every session bridge over a third-party session library must pass. */
export function sessionBridgeCases({ start, idOf, because }: BridgeCases): void {
  it(`SES-15 a session write racing a logout does not recreate the session (${because.race})`, async () => {
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

  it(`logout and login in one request (switching users): one new session, the old one gone (${because.switchUsers})`, async () => {
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

  it('session_unknown_id is for ids no record is stored under: a session holding only keys the app wrote logs nothing; a forged id logs once', async () => {
    const events: string[] = [];
    const { agent } = await start(new MemorySessionStore(), undefined, (event) => events.push(event.event));
    const sid = cookieOf(await agent.post('/cart').set(SAME_ORIGIN));
    for (let i = 0; i < 3; i++) expect((await agent.get('/cart').set('Cookie', sid)).body).toEqual(['apple']);
    expect(events).toEqual([]);
    await agent.get('/cart').set('Cookie', `${sid.slice(0, -1)}${sid.endsWith('A') ? 'B' : 'A'}`);
    expect(events).toEqual(['session_unknown_id']);
  });

  it('SES-14 a store read failing with an error whose code is ENOENT answers 503, never anonymous access', async () => {
    const inner = new SteerableSessionStore();
    const { agent, me } = await start(inner);
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    inner.failGet = Object.assign(new Error('socket file missing'), { code: 'ENOENT' });
    expect(await me(alice)).toBe(503);
    inner.failGet = undefined;
    expect(await me(alice)).toBe('alice');
  });

  it('LEAK-09 a route that throws after login: the session cookie the error answer carries has Cache-Control: no-store', async () => {
    const { agent } = await start(new MemorySessionStore());
    const res = await agent.post('/login-then-throw/alice').set(SAME_ORIGIN);
    expect(res.status).toBe(500);
    expect(sessionCookies(res)).toHaveLength(1);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it(`logout() rejects while the store cannot destroy the session: 503, the route does not go on, the session stays (${because.failedLogout})`, async () => {
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
}
