// Websockets from Chromium against Hono on @hono/node-server (issue #15 part 3): session
// cookie + Origin, tickets, the protocol carrier and the re-check
// (test-support/browser-websocket.ts).
import type { Server } from 'node:http';
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { selectProtocol } from '@portcullis/core';
import { authentication, login, logout, requires, sessions, ticketEndpoint, watchWebSocket, webSocketOrigins, type AuthEnv } from '@portcullis/hono';
import { WebSocketServer } from 'ws';
import { browserWebSocketSuite, browserWsFixture, listenBrowserApp } from '../../../test-support/browser-websocket.js';

async function start(port: number) {
  const fx = browserWsFixture();
  const app = new Hono<AuthEnv>();
  app.use('/ws', webSocketOrigins([`http://127.0.0.1:${port}`]));
  app.use(sessions(fx.sessions));
  const auth = authentication({ backend: fx.backend });
  app.use(auth);
  app.get('/', (c) => c.html('<!doctype html><title>ws</title>'));
  app.post('/login', async (c) => {
    const user = fx.userOf(c.req.query('user'));
    if (user === null) return c.text('no such user', 400);
    await login(c, user);
    return c.body(null, 204);
  });
  app.post('/logout', async (c) => {
    await logout(c);
    return c.body(null, 204);
  });
  app.post('/token', async (c) => {
    const issued = await fx.issueToken(c.var.user);
    return issued === null ? c.text('Unauthorized', 401) : c.json(issued);
  });
  app.post('/revoke', async (c) => {
    await fx.tokens.revoke(c.req.query('token') ?? '');
    return c.body(null, 204);
  });
  app.post('/ws-ticket', ticketEndpoint(fx.tickets));
  const guard = requires('authenticated');
  app.get('/ws', guard, upgradeWebSocket((c) => {
    const watch = watchWebSocket(c, { authentication: auth, requires: guard, recheck: fx.recheck });
    const hello = fx.hello(c.var.user, c.var.auth);
    return {
      onOpen: (_event, ws) => {
        watch.open(ws);
        ws.send(hello);
      },
      onClose: () => watch.close(),
    };
  }));
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => selectProtocol(offered, fx.protocols) });
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: wss } }) as Server;
  return listenBrowserApp(server, port, wss.clients);
}

browserWebSocketSuite('Hono on Node', start);
