// Websockets from Chromium against Express (issue #15 part 3): session cookie + Origin,
// tickets, the protocol carrier and the re-check (test-support/browser-websocket.ts).
import { createServer } from 'node:http';
import express from 'express';
import { authentication, requires, ticketEndpoint } from '@portcullis/express';
import { expressSessionStore, login, logout, sessionOpener, sessions } from '@portcullis/express/sessions';
import { browserWebSocketSuite, browserWsFixture, serveUpgrades } from '../../../test-support/browser-websocket.js';

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

  return serveUpgrades(createServer(app), port, fx, { authentication: auth, requires: requires('authenticated'), session: sessionOpener(app) });
}

browserWebSocketSuite('Express', start);
