/**
 * The websocket-from-a-browser suite (issue #15 part 3, WS-10, WS-11, WS-12) run in
 * Debian's Chromium against every Node adapter: one fixture (users, sessions,
 * tickets, bearer tokens) and one list of scenarios, so each adapter's test file only
 * builds its app. One browser per file.
 *
 * The app every adapter builds ({@link BrowserWsApp}), served on `127.0.0.1:<port>` and
 * listening on every address (so `http://localhost:<port>` is a cross-site page):
 * - `GET /` an empty HTML page; `POST /login?user=alice` logs in (session cookie);
 *   `POST /logout`; `POST /token` a bearer token for the session's user;
 *   `POST /revoke?token=…` revokes it; `POST /ws-ticket` the ticket endpoint;
 * - `GET /ws` a websocket guarded by `requires('authenticated')`, `origins: [app origin]`,
 *   `recheck: { interval: 200 }`, protocols `['app.v1']` (`selectProtocol`), which sends
 *   `hello <user> via <auth.via>` once open.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BEARER_PROTOCOL_PREFIX, selectProtocol, type BaseUser } from '@portcullis/core';
import type { IncomingMessage, Server } from 'node:http';
import { upgradeHandler, type UpgradeOptions } from '@portcullis/node';
import { WebSocketServer } from 'ws';
import ts from 'typescript';
import { freePort } from './ports.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumGate } from './services.js';

export { WS_USERS, browserWsFixture } from './browser-websocket-fixture.js';
import type { browserWsFixture } from './browser-websocket-fixture.js';

/** A running browser app. */
export interface BrowserWsApp {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** Stops the server (and its sockets). */
  close(): Promise<void>;
}

/**
 * Listens with a Node server on `port` of every address (IPv4 and IPv6, so
 * `localhost` reaches it as a cross-site page) and returns the {@link BrowserWsApp};
 * `close` also ends open sockets (`sockets`: a `ws` server's clients).
 *
 * @example
 * ```ts
 * return listenBrowserApp(createServer(app), port, wss.clients);
 * ```
 */
export async function listenBrowserApp(server: Server, port: number, sockets: Iterable<{ terminate(): void }> = []): Promise<BrowserWsApp> {
  await new Promise<void>((resolve) => server.listen(port, resolve));
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.terminate();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/**
 * For apps whose upgrades go through `upgradeHandler` (Express, Koa, Fetch on Node):
 * the suite's `/ws` on `server` (guarded by `authenticated`, `origins` the app's own,
 * the fixture's re-check and protocols), then {@link listenBrowserApp}.
 *
 * @example
 * ```ts
 * return serveUpgrades(createServer(app), port, fx, { authentication: auth, requires: requires('authenticated'), session: sessionOpener(app) });
 * ```
 */
export function serveUpgrades(
  server: Server,
  port: number,
  fx: ReturnType<typeof browserWsFixture>,
  options: {
    readonly authentication: UpgradeOptions<BaseUser>['authentication'];
    readonly requires: NonNullable<UpgradeOptions<BaseUser>['requires']>;
    readonly session: ((req: IncomingMessage) => ReturnType<NonNullable<UpgradeOptions<BaseUser>['session']>>) | undefined;
  },
): Promise<BrowserWsApp> {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => selectProtocol(offered, fx.protocols) });
  server.on('upgrade', upgradeHandler({
    ...options,
    origins: [`http://127.0.0.1:${port}`],
    recheck: fx.recheck,
    accept: (req, socket, head, principal) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        principal.watch(ws);
        ws.send(fx.hello(principal.user, principal.auth));
      }),
  }));
  return listenBrowserApp(server, port, wss.clients);
}

/** What the page's helpers resolve: the first message, or how the socket closed. */
type Opened = { readonly ok: true; readonly message: string; readonly protocol: string } | { readonly ok: false; readonly code: number };

/** Helpers installed in every page: sockets kept by name, their first message and their close code. */
const PAGE_HELPERS = `
window.__sockets = {};
window.openSocket = (name, url, protocols) => new Promise((resolve) => {
  const ws = protocols === undefined ? new WebSocket(url) : new WebSocket(url, protocols);
  let closed;
  const entry = { ws, closed: new Promise((r) => { closed = r; }) };
  window.__sockets[name] = entry;
  ws.onmessage = (e) => resolve({ ok: true, message: String(e.data), protocol: ws.protocol });
  ws.onclose = (e) => { closed({ code: e.code, reason: e.reason }); resolve({ ok: false, code: e.code }); };
});
window.closeOf = (name, ms) => Promise.race([window.__sockets[name].closed, new Promise((r) => setTimeout(() => r(null), ms))]);
window.post = async (path) => { const r = await fetch(path, { method: 'POST' }); const t = await r.text(); return { status: r.status, body: t }; };
`;

/** The docs' browser snippet (test-support/websocket-client.ts) as a page script: `window.portcullisClient`. */
function clientScript(): string {
  const source = readFileSync(new URL('./websocket-client.ts', import.meta.url), 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } });
  return `(() => { const exports = {}; ${outputText}\nwindow.portcullisClient = exports; })();`;
}

/**
 * Runs the browser scenarios against an adapter's app (`start` builds and listens).
 *
 * @example
 * ```ts
 * browserWebSocketSuite('Express', startExpressApp);
 * ```
 */
export function browserWebSocketSuite(name: string, start: (port: number) => Promise<BrowserWsApp>): void {
  const gate = chromiumGate(`${name} websocket browser test`);
  describe.runIf(gate === 'fail')(`${name}: the websocket browser test needs chromium`, () => {
    it(`${CHROMIUM} is available (required when CI is set)`, () => {
      throw new Error(`${CHROMIUM} is missing`);
    });
  });

  describe.runIf(gate === 'run')(`${name}: websockets from Chromium`, () => {
    let app: BrowserWsApp;
    let context: BrowserContext;
    let profile: string;
    let page: Page;
    let wsUrl: string;

    beforeAll(async () => {
      app = await start(await freePort());
      wsUrl = `${app.url.replace(/^http/, 'ws')}/ws`;
      profile = mkdtempSync(join(tmpdir(), 'portcullis-chromium-'));
      context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
      await context.addInitScript({ content: PAGE_HELPERS });
      await context.addInitScript({ content: clientScript() });
      page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`${app.url}/`);
    }, 30_000);

    afterAll(async () => {
      await context?.close();
      await app?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
    });

    const open = (p: Page, socket: string, url: string, protocols?: string[]): Promise<Opened> =>
      p.evaluate(([s, u, pr]) => (window as unknown as { openSocket(n: string, u: string, p?: string[]): Promise<Opened> }).openSocket(s, u, pr), [socket, url, protocols] as const);
    const post = (path: string): Promise<{ status: number; body: string }> =>
      page.evaluate((p) => (window as unknown as { post(p: string): Promise<{ status: number; body: string }> }).post(p), path);
    const closeOf = (socket: string, ms = 3000): Promise<{ code: number; reason: string } | null> =>
      page.evaluate(([s, m]) => (window as unknown as { closeOf(n: string, ms: number): Promise<{ code: number; reason: string } | null> }).closeOf(s, m), [socket, ms] as const);
    const login = async (user = 'alice') => expect((await post(`/login?user=${user}`)).status).toBeLessThan(300);

    it('WS-10 a logged-in page opens the socket with its session cookie; anonymous is refused', async () => {
      expect(await open(page, 'anonymous', wsUrl)).toEqual({ ok: false, code: 1006 });
      await login();
      expect(await open(page, 'cookie', wsUrl)).toEqual({ ok: true, message: 'hello alice via session', protocol: '' });
    });

    it('WS-11 a cross-site page is refused by Origin, even with a valid ticket, which stays unspent', async () => {
      await login();
      const { ticket } = JSON.parse((await post('/ws-ticket')).body) as { ticket: string };
      const evil = await context.newPage();
      await evil.goto(app.url.replace('127.0.0.1', 'localhost') + '/');
      expect(await open(evil, 'cross', wsUrl)).toEqual({ ok: false, code: 1006 });
      expect(await open(evil, 'cross-ticket', `${wsUrl}?ticket=${ticket}`)).toEqual({ ok: false, code: 1006 });
      // The cross-site page cannot have a ticket issued either (WS-12): refused (403), unreadable.
      const status = await evil.evaluate((u) => fetch(`${u}/ws-ticket`, { method: 'POST', credentials: 'include' }).then((r) => r.status, () => 0), app.url);
      expect(status).toBe(0);
      await evil.close();
      // Refused before authentication: the same ticket still opens a socket from the app's own page.
      expect(await open(page, 'after-cross', `${wsUrl}?ticket=${ticket}`)).toEqual({ ok: true, message: 'hello alice via ticket', protocol: '' });
    });

    it('WS-12 a ticket from the endpoint opens one socket; its second use is refused; anonymous gets 401', async () => {
      await post('/logout');
      expect((await post('/ws-ticket')).status).toBe(401);
      await login();
      const issued = await post('/ws-ticket');
      expect(issued.status).toBe(200);
      const { ticket, expires_in } = JSON.parse(issued.body) as { ticket: string; expires_in: number };
      expect(expires_in).toBe(30);
      expect(await open(page, 'ticket', `${wsUrl}?ticket=${ticket}`)).toEqual({ ok: true, message: 'hello alice via ticket', protocol: '' });
      expect(await open(page, 'ticket-again', `${wsUrl}?ticket=${ticket}`)).toEqual({ ok: false, code: 1006 });
    });

    it('the Sec-WebSocket-Protocol carrier authenticates; ws.protocol is the app protocol, never the token', async () => {
      await login('bob');
      const { token } = JSON.parse((await post('/token')).body) as { token: string };
      await post('/logout'); // the carrier alone authenticates
      expect(await open(page, 'carrier', wsUrl, ['app.v1', `${BEARER_PROTOCOL_PREFIX}${token}`])).toEqual({
        ok: true, message: 'hello bob via bearer', protocol: 'app.v1',
      });
      expect(await open(page, 'carrier-bad', wsUrl, ['app.v1', `${BEARER_PROTOCOL_PREFIX}nope`])).toEqual({ ok: false, code: 1006 });
      // Revoked while connected: closed with 4401 within the interval.
      expect((await post(`/revoke?token=${token}`)).status).toBeLessThan(300);
      expect(await closeOf('carrier')).toEqual({ code: 4401, reason: 'unauthorized' });
    });

    it('the browser snippet of docs/websockets.md opens sockets with a ticket and with a token', async () => {
      await login('bob');
      const { token } = JSON.parse((await post('/token')).body) as { token: string };
      const results = await page.evaluate(async (t) => {
        type Client = { openWithTicket(p: string): Promise<WebSocket>; openWithToken(p: string, t: string): WebSocket };
        const client = (window as unknown as { portcullisClient: Client }).portcullisClient;
        const first = (ws: WebSocket) => new Promise<string>((resolve) => {
          ws.onmessage = (e) => { resolve(`${String(e.data)} [${ws.protocol}]`); ws.close(); };
          ws.onclose = (e) => resolve(`closed ${e.code}`);
        });
        return [await first(await client.openWithTicket('/ws')), await first(client.openWithToken('/ws', t))];
      }, token);
      expect(results).toEqual(['hello bob via ticket []', 'hello bob via bearer [app.v1]']);
    });

    it('a logout while connected closes the cookie socket and the ticket socket with 4401', async () => {
      await login();
      expect(await open(page, 'live', wsUrl)).toMatchObject({ ok: true });
      const { ticket } = JSON.parse((await post('/ws-ticket')).body) as { ticket: string };
      expect(await open(page, 'live-ticket', `${wsUrl}?ticket=${ticket}`)).toMatchObject({ ok: true, message: 'hello alice via ticket' });
      expect(await closeOf('live', 500)).toBeNull(); // still open across re-checks
      await post('/logout');
      expect(await closeOf('live')).toEqual({ code: 4401, reason: 'unauthorized' });
      expect(await closeOf('live-ticket')).toEqual({ code: 4401, reason: 'unauthorized' });
    });
  });
}
