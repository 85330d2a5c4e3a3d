// The Node session sources write through the app's own store object, but must not
// change it: express-session sets `generate` and connect/disconnect listeners on the
// store it is given, and `sessions()` gives an Express/Koa store wrapper its TTL.
import express from 'express';
import Koa from 'koa';
import request from 'supertest';
import { MemorySessionStore, type SessionData } from '@portcullis/core';
import * as exs from '@portcullis/express/sessions';
import * as kos from '@portcullis/koa/sessions';
import { describe, expect, it } from 'vitest';
import { loginAs } from '../src/index.js';
import { expressSessionLogin } from '../src/express.js';
import { koaSessionLogin } from '../src/koa.js';
import { ALICE } from './apps.js';

const SECRET = 'the-test-secret-of-the-app-0123456789abcdef';
const SAME_ORIGIN = { 'sec-fetch-site': 'same-origin' };
/** The app's idle timeout: not the default, so a store that took another TTL shows it. */
const IDLE = 5 * 60_000;
/** More sources than an EventEmitter's default listener limit (10). */
const SOURCES = 12;

/** A memory store that records the TTL of each write. */
class RecordingStore extends MemorySessionStore {
  readonly ttls: number[] = [];
  override async set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    this.ttls.push(ttlMs);
    return super.set(id, data, ttlMs);
  }
}

describe("the Node session sources leave the app's store object as the app made it", () => {
  it('Express: generate, connect/disconnect listeners and the TTL of the app’s logins are unchanged after the kit logs users in', async () => {
    const core = new RecordingStore();
    const store = exs.expressSessionStore(core);
    const app = express();
    app.use(exs.sessions({ store, secret: SECRET, cookie: { secure: false }, idleTimeout: IDLE, log: () => {} }));
    app.post('/login', async (req, res) => {
      await exs.login(req, ALICE, { userId: 'u1' });
      res.status(204).end();
    });
    expect((await request(app).post('/login').set(SAME_ORIGIN)).status).toBe(204);
    const appTtl = core.ttls.at(-1)!;
    // express-session sets generate on the store it is given (undeclared in its types).
    const generateOf = (s: object): unknown => (s as { generate?: unknown }).generate;
    const generate = generateOf(store);
    expect(generate).toBeTypeOf('function');
    const listeners = [store.listenerCount('connect'), store.listenerCount('disconnect')];

    const warnings: string[] = [];
    const onWarning = (warning: Error) => void warnings.push(warning.name);
    process.on('warning', onWarning);
    try {
      // Sources that restate fewer options than the app (the default idle timeout).
      for (let i = 0; i < SOURCES; i++) await loginAs(expressSessionLogin({ store, secret: SECRET, cookie: { secure: false }, data: () => ({ userId: 'u1' }) }), ALICE);
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    // The kit's sessions were written with the app's TTL, through the app's store.
    expect(core.ttls.slice(-SOURCES)).toEqual(Array(SOURCES).fill(appTtl));
    expect(generateOf(store)).toBe(generate);
    expect([store.listenerCount('connect'), store.listenerCount('disconnect')]).toEqual(listeners);
    expect(warnings).not.toContain('MaxListenersExceededWarning');

    expect((await request(app).post('/login').set(SAME_ORIGIN)).status).toBe(204);
    expect(core.ttls.at(-1)).toBe(appTtl);
  });

  it('Koa: the TTL of the app’s logins is unchanged after the kit logs users in', async () => {
    const core = new RecordingStore();
    const store = kos.koaSessionStore(core);
    const app = new Koa();
    app.use(kos.sessions(app, { store, secret: SECRET, cookie: { secure: false }, idleTimeout: IDLE, log: () => {} }));
    app.use(async (ctx) => {
      await kos.login(ctx, ALICE, { user_id: 'u1' });
      ctx.status = 204;
    });
    expect((await request(app.callback()).post('/login').set(SAME_ORIGIN)).status).toBe(204);
    const appTtl = core.ttls.at(-1)!;

    await loginAs(koaSessionLogin({ store, secret: SECRET, cookie: { secure: false }, data: () => ({ user_id: 'u1' }) }), ALICE);
    expect(core.ttls.at(-1)).toBe(appTtl);

    expect((await request(app.callback()).post('/login').set(SAME_ORIGIN)).status).toBe(204);
    expect(core.ttls.at(-1)).toBe(appTtl);
  });
});
