// Websockets from Chromium against Koa (issue #15 part 3): session cookie + Origin,
// tickets, the protocol carrier and the re-check (test-support/browser-websocket.ts).
import { createServer } from 'node:http';
import Koa from 'koa';
import { selectProtocol } from '@portcullis/core';
import { authentication, requires, ticketEndpoint, upgradeHandler, type AuthState } from '@portcullis/koa';
import { koaSessionStore, login, logout, sessionOpener, sessions } from '@portcullis/koa/sessions';
import { WebSocketServer } from 'ws';
import { browserWebSocketSuite, browserWsFixture, listenBrowserApp } from '../../../test-support/browser-websocket.js';

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

  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => selectProtocol(offered, fx.protocols) });
  const server = createServer(app.callback());
  server.on('upgrade', upgradeHandler({
    authentication: auth,
    requires: requires('authenticated'),
    origins: [`http://127.0.0.1:${port}`],
    session: sessionOpener(app),
    recheck: fx.recheck,
    accept: (req, socket, head, principal) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        principal.watch(ws);
        ws.send(fx.hello(principal.user, principal.auth));
      }),
  }));
  return listenBrowserApp(server, port, wss.clients);
}

browserWebSocketSuite('Koa', start);
