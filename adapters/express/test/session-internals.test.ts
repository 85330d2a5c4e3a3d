// What sessions() relies on in express-session beyond its documented API (see the README,
// "What this adapter relies on in express-session"). Each test here fails if an upgrade of
// express-session changes one of those behaviours; the others are pinned by the
// conformance scenarios named in the README.
import express from 'express';
import { MemorySessionStore, SimpleUser, sessionAuth, type SessionEvent } from '@portcullis/core';
import { authentication } from '@portcullis/express';
import { expressSessionStore, login, logout, sessionErrors, sessions, type ExpressSessionStore } from '@portcullis/express/sessions';
import { describe, expect, it } from 'vitest';
import { SAME_ORIGIN, cookieOf, serve, sessionBridgeCases } from '../../../test-support/session-bridges.js';

function start(store: ExpressSessionStore, clock: () => number = Date.now, log?: (event: SessionEvent) => void) {
  const app = express();
  app.use(sessions({ secret: 'session-internals-test-secret-0123456789', store, cookie: { secure: false }, clock, ...(log === undefined ? {} : { log }) }));
  app.use(authentication({ backend: sessionAuth({ retrieveUser: (s) => (typeof s.user_id === 'string' ? new SimpleUser(s.user_id) : null) }) }));
  app.post('/login/:name', async (req, res) => {
    await login(req, new SimpleUser(req.params.name), { user_id: req.params.name });
    res.send('in');
  });
  app.post('/login-then-throw/:name', async (req) => {
    await login(req, new SimpleUser(req.params.name), { user_id: req.params.name });
    throw new Error('after login');
  });
  app.post('/cart', (req, res) => {
    (req.session as unknown as { cart: string[] }).cart = ['apple'];
    res.send('ok');
  });
  app.get('/cart', (req, res) => res.json((req.session as unknown as { cart?: string[] }).cart ?? null));
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
  app.use((_error: unknown, _req: express.Request, res: express.Response, _next: express.NextFunction) => void res.status(500).send('app error'));
  return serve(app.listen(0, '127.0.0.1'));
}

/** The store id inside express-session's signed cookie value (`s:<id>.<signature>`). */
function idOf(cookie: string): string {
  return decodeURIComponent(cookie.slice('id='.length)).slice(2).split('.')[0]!;
}

describe('Express sessions(): what it relies on in express-session', () => {
  sessionBridgeCases({
    start: (store, clock, log) => start(expressSessionStore(store), clock, log),
    idOf,
    because: {
      race: 'express-session hands store.set the Session, with its req',
      switchUsers: 'req.sessionStore.generate after the logout',
      failedLogout: 'Session#destroy passes the store error on',
    },
  });

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
});
