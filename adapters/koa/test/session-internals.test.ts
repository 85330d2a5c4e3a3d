// What sessions() relies on in koa-session beyond its documented API (see the README,
// "What this adapter relies on in koa-session"). Each test here fails if an upgrade of
// koa-session changes one of those behaviours; the others are pinned by the conformance
// scenarios named in the README.
import Koa from 'koa';
import { MemorySessionStore, SimpleUser, sessionAuth, type SessionData, type SessionEvent } from '@portcullis/core';
import { authentication } from '@portcullis/koa';
import { login, logout, sessions } from '@portcullis/koa/sessions';
import { describe, expect, it } from 'vitest';
import { SAME_ORIGIN, cookieOf, serve, sessionBridgeCases } from '../../../test-support/session-bridges.js';

/** Records the TTL of every write. */
class TtlRecordingStore extends MemorySessionStore {
  readonly ttls: number[] = [];
  override async set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    this.ttls.push(ttlMs);
    return super.set(id, data, ttlMs);
  }
  override async update(id: string, data: SessionData, ttlMs: number): Promise<boolean> {
    this.ttls.push(ttlMs);
    return super.update(id, data, ttlMs);
  }
}

function start(store: MemorySessionStore, clock: () => number = Date.now, log?: (event: SessionEvent) => void) {
  const app = new Koa();
  // The app's own error handler, outside sessions(): it answers what a route throws.
  app.use(async (ctx, next) => {
    try {
      await next();
    } catch {
      ctx.status = 500;
      ctx.body = 'app error';
    }
  });
  app.use(sessions(app, { secret: 'session-internals-test-secret-0123456789', store, cookie: { secure: false }, clock, ...(log === undefined ? {} : { log }) }));
  app.use(authentication({ backend: sessionAuth({ retrieveUser: (s) => (typeof s.user_id === 'string' ? new SimpleUser(s.user_id) : null) }) }));
  app.use(async (ctx) => {
    const [, action, name = ''] = ctx.path.split('/');
    if (ctx.method === 'POST' && action === 'login') {
      await login(ctx, new SimpleUser(name), { user_id: name });
      ctx.body = 'in';
    } else if (ctx.method === 'POST' && action === 'login-then-throw') {
      await login(ctx, new SimpleUser(name), { user_id: name });
      throw new Error('after login');
    } else if (action === 'cart') {
      const session = ctx.session as unknown as { cart?: string[] };
      if (ctx.method === 'POST') session.cart = ['apple'];
      ctx.body = session.cart ?? null;
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
  return serve(app.listen(0, '127.0.0.1'));
}

describe('Koa sessions(): what it relies on in koa-session', () => {
  sessionBridgeCases({
    start,
    // koa-session's cookie holds the id as is (`signed: false`).
    idOf: (cookie) => decodeURIComponent(cookie.slice('id='.length)),
    because: {
      race: 'koa-session passes { ctx } to the store',
      switchUsers: 'genid(ctx) on regenerate',
      failedLogout: 'manuallyCommit() commits the destroyed session at once',
    },
  });

  it('every write has the sessions’ TTL, never koa-session’s 24-hour default: beforeSave pins ctx.sessionOptions.maxAge', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = new TtlRecordingStore();
    const { agent, me } = await start(store, () => now);
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    // Logging in again from a live session loads a record that carries koa-session's own lifetime fields.
    const again = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN).set('Cookie', alice));
    now += 2 * 60_000;
    expect(await me(again)).toBe('alice');
    // Login, the auto-commit after it, the re-login and the touch: all with the idle TTL (30 + 1 minutes).
    expect(store.ttls.length).toBeGreaterThanOrEqual(3);
    expect(new Set(store.ttls)).toEqual(new Set([31 * 60_000]));
  });
});
