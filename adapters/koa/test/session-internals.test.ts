// What sessions() relies on in koa-session beyond its documented API (see the README,
// "What this adapter relies on in koa-session"). Each test here fails if an upgrade of
// koa-session changes one of those behaviours; the others are pinned by the conformance
// scenarios named in the README.
import Koa from 'koa';
import { SimpleUser, sessionAuth, type MemorySessionStore } from '@portcullis/core';
import { authentication } from '@portcullis/koa';
import { login, logout, sessions } from '@portcullis/koa/sessions';
import { describe } from 'vitest';
import { serve, sessionBridgeCases } from '../../../test-support/session-bridges.js';

function start(store: MemorySessionStore, clock: () => number = Date.now) {
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
});
