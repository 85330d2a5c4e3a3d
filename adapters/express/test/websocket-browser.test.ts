// Websockets from Chromium against Express (issue #15 part 3): session cookie + Origin,
// tickets, the protocol carrier and the re-check (test-support/browser-websocket.ts).
import { createServer } from 'node:http';
import express from 'express';
import { selectProtocol } from '@portcullis/core';
import { authentication, requires, ticketEndpoint, upgradeHandler } from '@portcullis/express';
import { expressSessionStore, login, logout, sessionOpener, sessions } from '@portcullis/express/sessions';
import { WebSocketServer } from 'ws';
import { browserWebSocketSuite, browserWsFixture, listenBrowserApp } from '../../../test-support/browser-websocket.js';

async function start(port: number) {
  const fx = browserWsFixture();
  const app = express();
  app.use(sessions({ ...fx.sessions, store: expressSessionStore(fx.sessions.store) }));
  const auth = authentication({ backend: fx.backend });
  app.use(auth);
  app.get('/', (_req, res) => {
    res.type('html').send('<!doctype html><title>ws</title>');
  });
  app.post('/login', async (req, res) => {
    const user = fx.userOf(req.query.user);
    if (user === null) return void res.sendStatus(400);
    await login(req, user);
    res.sendStatus(204);
  });
  app.post('/logout', async (req, res) => {
    await logout(req);
    res.sendStatus(204);
  });
  app.post('/token', async (req, res) => {
    const issued = await fx.issueToken(req.user);
    if (issued === null) return void res.sendStatus(401);
    res.json(issued);
  });
  app.post('/revoke', async (req, res) => {
    await fx.tokens.revoke(String(req.query.token));
    res.sendStatus(204);
  });
  app.post('/ws-ticket', ticketEndpoint(fx.tickets));

  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => selectProtocol(offered, fx.protocols) });
  const server = createServer(app);
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

browserWebSocketSuite('Express', start);
