// The websocket-from-a-browser app (test-support/browser-websocket.ts's contract) on
// Hono INSIDE Bun, Deno or workerd: webSocketOrigins before authentication, Web
// sessions, the ticket route, and `/ws` behind `requires('authenticated')` upgraded
// with the runtime's own API (the Fetch app's UPGRADES), naming the negotiated
// protocol, re-checked by watchWebSocket(c). Not Hono's helpers: hono/bun's
// `upgradeWebSocket` passes Bun no headers, and Bun then echoes the client's FIRST
// offer (a carrier offered first would come back in the 101); hono/deno's takes one
// fixed protocol.
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
} from '@portcullis/hono';
import { UPGRADES, bunWebSocket } from '../../../fetch/test/runtimes/browser-app.js';
import { browserWsFixture } from '../../../../test-support/browser-websocket-fixture.js';
import type { BrowserRuntime, BrowserRuntimeApp } from '../../../../test-support/browser-runtime-host.js';

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

/** Hono's app of the browser suite for `origin`, in `runtime`. */
export function createBrowserApp(origin: string, runtime: BrowserRuntime): BrowserRuntimeApp {
  const fx = browserWsFixture();
  const app = new Hono<AuthEnv>();
  app.use('/ws', webSocketOrigins([origin]));
  app.use(sessions(fx.sessions));
  const auth = authentication({ backend: fx.backend });
  app.use(auth);
  mountBrowserRoutes(app, fx);
  const guard = requires('authenticated');
  const upgrade = UPGRADES[runtime];
  app.get('/ws', guard, (c) => {
    if (!isWebSocketUpgrade(c.req.raw)) return c.text('Bad Request', 400);
    const watch = watchWebSocket(c, { authentication: auth, requires: guard, recheck: fx.recheck });
    const protocol = selectProtocol(c.req.header('sec-websocket-protocol'), fx.protocols) || undefined;
    return upgrade(c.req.raw, { watch, hello: fx.hello(c.var.user, c.var.auth), protocol }, [c.env]);
  });
  const fetch = async (request: Request, env: unknown) => app.fetch(request, env as object);
  return runtime === 'bun' ? { fetch, websocket: bunWebSocket } : { fetch };
}
