// The websocket-from-a-browser app (test-support/browser-websocket.ts's contract) on
// Hono INSIDE Bun: webSocketOrigins before authentication, Web sessions, the ticket
// route, and `/ws` behind `requires('authenticated')` upgraded with Bun's own
// `server.upgrade`, naming the negotiated protocol (hono/bun's `upgradeWebSocket`
// passes no headers, and Bun then echoes the client's FIRST offer: a carrier offered
// first would come back in the 101), re-checked by watchWebSocket.
// Bundled by test-support/browser-runtimes.ts.
import { Hono } from 'hono';
import { selectProtocol } from '@portcullis/core';
import {
  authentication,
  isWebSocketUpgrade,
  login,
  logout,
  requires,
  sessions,
  ticketEndpoint,
  watchWebSocket,
  webSocketOrigins,
  type AuthEnv,
  type WebSocketWatch,
} from '@portcullis/hono';
import { browserWsFixture } from '../../../../test-support/browser-websocket-fixture.js';
import type { BrowserRuntime, BrowserRuntimeApp } from '../../../../test-support/browser-runtime-host.js';

/** What Bun's socket carries from the upgrade (`ws.data`). */
interface Accepted {
  readonly watch: WebSocketWatch;
  readonly hello: string;
}
interface BunSocket {
  readonly data: Accepted;
  send(text: string): void;
  close(code?: number, reason?: string): void;
}
interface BunServer {
  upgrade(request: Request, options: { data: Accepted; headers: Record<string, string> }): boolean;
}

/**
 * The suite's HTTP routes (the page, login, logout, token, revoke, the ticket route) on
 * `app`, behind its `sessions` and `authentication`: shared by this app and the Node one
 * (../websocket-browser.test.ts).
 */
export function mountBrowserRoutes(app: Hono<AuthEnv>, fx: ReturnType<typeof browserWsFixture>): void {
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
}

/** Hono's app of the browser suite for `origin`, in Bun. */
export function createBrowserApp(origin: string, runtime: BrowserRuntime): BrowserRuntimeApp {
  if (runtime !== 'bun') throw new Error(`this Hono browser app runs in Bun, not ${runtime}`);
  const fx = browserWsFixture();
  const app = new Hono<AuthEnv>();
  app.use('/ws', webSocketOrigins([origin]));
  app.use(sessions(fx.sessions));
  const auth = authentication({ backend: fx.backend });
  app.use(auth);
  mountBrowserRoutes(app, fx);
  const guard = requires('authenticated');
  app.get('/ws', guard, (c) => {
    if (!isWebSocketUpgrade(c.req.raw)) return c.text('Bad Request', 400);
    const watch = watchWebSocket(c, { authentication: auth, requires: guard, recheck: fx.recheck });
    const protocol = selectProtocol(c.req.header('sec-websocket-protocol'), fx.protocols) || '';
    const data = { watch, hello: fx.hello(c.var.user, c.var.auth) };
    return (c.env as BunServer).upgrade(c.req.raw, { data, headers: { 'Sec-WebSocket-Protocol': protocol } }) ? new Response(null) : c.text('Bad Request', 400);
  });
  const websocket = {
    open(ws: BunSocket) {
      ws.data.watch.open(ws);
      ws.send(ws.data.hello);
    },
    close(ws: BunSocket) {
      ws.data.watch.close();
    },
  };
  return { fetch: async (request, server) => app.fetch(request, server as BunServer), websocket };
}
