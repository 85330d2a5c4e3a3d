// Websockets from Chromium against a Fetch app (withAuth) on Node, upgrades through
// @portcullis/node's upgradeHandler (issue #15 part 3): session cookie + Origin, tickets,
// the protocol carrier and the re-check (test-support/browser-websocket.ts).
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { requires, sessionOpener, withAuth } from '@portcullis/fetch';
import { browserWebSocketSuite, browserWsFixture, serveUpgrades } from '../../../test-support/browser-websocket.js';
import { browserRoutes } from './runtimes/browser-app.js';

async function start(port: number) {
  const fx = browserWsFixture();
  const app = withAuth(browserRoutes(fx, () => new Response('Not Found', { status: 404 })), {
    backend: fx.backend,
    sessions: fx.sessions,
  });

  return serveUpgrades(createAdaptorServer({ fetch: app }) as Server, port, fx, { authentication: app, requires: requires('authenticated'), session: sessionOpener(app) });
}

browserWebSocketSuite('Fetch on Node', start);
