// Websockets from Chromium against a Fetch app (withAuth) on Node, upgrades through
// @portcullis/node's upgradeHandler (issue #15 part 3): session cookie + Origin, tickets,
// the protocol carrier and the re-check (test-support/browser-websocket.ts).
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { login, logout, requires, sessionOpener, ticketEndpoint, withAuth } from '@portcullis/fetch';
import { browserWebSocketSuite, browserWsFixture, serveUpgrades } from '../../../test-support/browser-websocket.js';

async function start(port: number) {
  const fx = browserWsFixture();
  const issueTicket = ticketEndpoint(fx.tickets);
  const app = withAuth(async (request, principal) => {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /') return new Response('<!doctype html><title>ws</title>', { headers: { 'content-type': 'text/html' } });
    if (route === 'POST /login') {
      const user = fx.userOf(url.searchParams.get('user'));
      if (user === null) return new Response('no such user', { status: 400 });
      await login(request, user);
      return new Response(null, { status: 204 });
    }
    if (route === 'POST /logout') {
      await logout(request);
      return new Response(null, { status: 204 });
    }
    if (route === 'POST /token') {
      const issued = await fx.issueToken(principal.user);
      return issued === null ? new Response('Unauthorized', { status: 401 }) : Response.json(issued);
    }
    if (route === 'POST /revoke') {
      await fx.tokens.revoke(url.searchParams.get('token') ?? '');
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/ws-ticket') return issueTicket(request, principal);
    return new Response('Not Found', { status: 404 });
  }, { backend: fx.backend, sessions: fx.sessions });

  return serveUpgrades(createAdaptorServer({ fetch: app }) as Server, port, fx, { authentication: app, requires: requires('authenticated'), session: sessionOpener(app) });
}

browserWebSocketSuite('Fetch on Node', start);
