// Websockets from Chromium against Hono on @hono/node-server (issue #15 part 3): session
// cookie + Origin, tickets, the protocol carrier and the re-check
// (test-support/browser-websocket.ts).
import type { Server } from 'node:http';
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { selectProtocol } from '@portcullis/core';
import { authentication, requires, sessions, watchWebSocket, webSocketOrigins, type AuthEnv } from '@portcullis/hono';
import { WebSocketServer } from 'ws';
import { browserWebSocketSuite, browserWsFixture, listenBrowserApp } from '../../../test-support/browser-websocket.js';
import { mountBrowserRoutes } from './runtimes/browser-app.js';

async function start(port: number) {
  const fx = browserWsFixture();
  const app = new Hono<AuthEnv>();
  app.use('/ws', webSocketOrigins([`http://127.0.0.1:${port}`]));
  app.use(sessions(fx.sessions));
  const auth = authentication({ backend: fx.backend });
  app.use(auth);
  mountBrowserRoutes(app, fx);
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
