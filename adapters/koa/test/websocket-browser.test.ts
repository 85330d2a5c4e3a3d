// Websockets from Chromium against Koa (issue #15 part 3): session cookie + Origin,
// tickets, the protocol carrier and the re-check (test-support/browser-websocket.ts).
import { createServer } from 'node:http';
import Koa from 'koa';
import { authentication, requires, ticketEndpoint, type AuthState } from '@portcullis/koa';
import { koaSessionStore, login, logout, sessionOpener, sessions } from '@portcullis/koa/sessions';
import { browserWebSocketSuite, browserWsFixture, serveUpgrades } from '../../../test-support/browser-websocket.js';

async function start(port: number) {
  const fx = browserWsFixture();
  const app = new Koa<AuthState>();
  app.use(sessions(app, { ...fx.sessions, store: koaSessionStore(fx.sessions.store) }));
  const auth = authentication({ backend: fx.backend });
  app.use(auth);
  const issueTicket = ticketEndpoint(fx.tickets);
  app.use(async (ctx, next) => {
    const route = `${ctx.method} ${ctx.path}`;
    if (route === 'GET /') {
      ctx.type = 'html';
      ctx.body = '<!doctype html><title>ws</title>';
    } else if (route === 'POST /login') {
      const user = fx.userOf(ctx.query.user);
      if (user === null) return void (ctx.status = 400);
      await login(ctx, user);
      ctx.status = 204;
    } else if (route === 'POST /logout') {
      await logout(ctx);
      ctx.status = 204;
    } else if (route === 'POST /token') {
      const issued = await fx.issueToken(ctx.state.user);
      if (issued === null) return void (ctx.status = 401);
      ctx.body = issued;
    } else if (route === 'POST /revoke') {
      await fx.tokens.revoke(String(ctx.query.token));
      ctx.status = 204;
    } else if (ctx.path === '/ws-ticket') {
      await issueTicket(ctx, next);
    } else await next();
  });

  return serveUpgrades(createServer(app.callback()), port, fx, { authentication: auth, requires: requires('authenticated'), session: sessionOpener(app) });
}

browserWebSocketSuite('Koa', start);
