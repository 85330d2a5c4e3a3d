// @portcullis/fetch's websocket helpers for Bun, Deno and Workers, in process on plain
// Request → Response (the Chromium suite runs them in the runtimes:
// test/runtimes/websocket-browser.test.ts): the Origin wrapper, the protocol answer and
// the re-check's verdicts and timer.
import { BEARER_PROTOCOL_PREFIX, ConfigurationError, MemoryTicketStore, multi, SimpleUser, basicAuth, webSocketTickets } from '@portcullis/core';
import { negotiatedProtocol, requires, sessionOpener, ticketEndpoint, watchWebSocket, webSocketOrigins, withAuth, type RequestAuth } from '@portcullis/fetch';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { browserWsFixture } from '../../../test-support/browser-websocket-fixture.js';

const ORIGIN = 'https://app.example';
const handshake = (path: string, headers: Record<string, string> = {}) =>
  new Request(`${ORIGIN}${path}`, { headers: { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers } });
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;

describe('webSocketOrigins', () => {
  const tickets = webSocketTickets({ store: new MemoryTicketStore() });
  const passwords = new Map([['alice', 'secret']]);
  const backend = multi([
    tickets.backend({ retrieveUser: (id) => (passwords.has(id) ? new SimpleUser(id) : null) }),
    basicAuth({ verify: (u, p) => (passwords.get(u) === p ? new SimpleUser(u) : null) }),
  ]);
  const issue = ticketEndpoint(tickets);
  const inner = withAuth((_request, { user }) => new Response(`hello ${user.isAuthenticated ? user.displayName : 'you'}`), { backend });
  const app = webSocketOrigins([ORIGIN])(inner);

  it('WS-11 an upgrade from another site, or without Origin, → 403 before authentication: the ticket stays unspent', async () => {
    const res = await withAuth((request, principal) => issue(request, principal), { backend })(
      new Request(`${ORIGIN}/ws-ticket`, { method: 'POST', headers: { authorization: basic('alice', 'secret') } }),
    );
    const { ticket } = (await res.json()) as { ticket: string };
    const evil = await app(handshake(`/ws?ticket=${ticket}`, { origin: 'https://evil.example' }));
    expect([evil.status, await evil.text()]).toEqual([403, '']);
    expect((await app(handshake(`/ws?ticket=${ticket}`))).status).toBe(403);
    const own = await app(handshake(`/ws?ticket=${ticket}`, { origin: ORIGIN }));
    expect(await own.text()).toBe('hello alice');
  });

  it('WS-10 an upgrade from the app origin, and every plain request, pass to the app', async () => {
    expect(await (await app(handshake('/ws', { origin: ORIGIN, authorization: basic('alice', 'secret') }))).text()).toBe('hello alice');
    expect(await (await app(new Request(`${ORIGIN}/`, { headers: { origin: 'https://evil.example' } }))).text()).toBe('hello you');
  });

  it('WS-11 allowMissingOrigin lets a handshake without Origin (a non-browser client) through; a wrong Origin is still refused', async () => {
    const open = webSocketOrigins([ORIGIN], { allowMissingOrigin: true })(inner);
    expect(await (await open(handshake('/ws', { authorization: basic('alice', 'secret') }))).text()).toBe('hello alice');
    expect((await open(handshake('/ws', { origin: 'null' }))).status).toBe(403);
  });

  it('keeps the app: its authenticator, and its sessions for sessionOpener', () => {
    const fx = browserWsFixture();
    const withSessions = withAuth(() => new Response('ok'), { backend: fx.backend, sessions: fx.sessions });
    const wrapped = webSocketOrigins([ORIGIN])(withSessions);
    expect(wrapped.authenticator).toBe(withSessions.authenticator);
    expect(sessionOpener(wrapped)).toBeTypeOf('function');
  });

  it('a bad origin list throws ConfigurationError at startup', () => {
    expect(() => webSocketOrigins(['app.example'])).toThrow(ConfigurationError);
    expect(() => webSocketOrigins('https://app.example' as unknown as string[])).toThrow(ConfigurationError);
  });
});

describe('negotiatedProtocol', () => {
  it('the first supported offer, never a bearer carrier (any case); undefined when none', () => {
    const offer = (value: string) => handshake('/ws', { 'sec-websocket-protocol': value });
    expect(negotiatedProtocol(offer(`${BEARER_PROTOCOL_PREFIX}abc, app.v1`), ['app.v1'])).toBe('app.v1');
    expect(negotiatedProtocol(offer(`${BEARER_PROTOCOL_PREFIX}abc`), ['app.v1', `${BEARER_PROTOCOL_PREFIX}abc`])).toBeUndefined();
    expect(negotiatedProtocol(offer('Portcullis.Bearer.abc'), ['Portcullis.Bearer.abc'])).toBeUndefined();
    expect(negotiatedProtocol(offer('chat.v2, app.v1'), ['app.v1'])).toBe('app.v1');
    expect(negotiatedProtocol(handshake('/ws'), ['app.v1'])).toBeUndefined();
  });
});

describe('watchWebSocket', () => {
  afterEach(() => vi.useRealTimers());

  /** An app with sessions (fixture), its socket handler capturing the watch, and a socket. */
  async function connected(interval = 1000) {
    const fx = browserWsFixture();
    const guard = requires('authenticated');
    let watch: ReturnType<typeof watchWebSocket> | undefined;
    const app = withAuth(
      guard((request, principal: RequestAuth) => {
        watch = watchWebSocket(request, principal, { app, requires: guard, recheck: { interval } });
        return new Response('upgraded');
      }),
      { backend: fx.backend, sessions: fx.sessions },
    );
    const issued = await fx.tokens.issue(new SimpleUser('alice'));
    expect(await (await app(handshake('/ws', { origin: ORIGIN, 'sec-websocket-protocol': `app.v1, ${BEARER_PROTOCOL_PREFIX}${issued}` }))).text()).toBe('upgraded');
    const closes: { code?: number | undefined; reason?: string | undefined }[] = [];
    const socket = { close: (code?: number, reason?: string) => closes.push({ code, reason }) };
    return { fx, token: issued, watch: watch as NonNullable<typeof watch>, socket, closes };
  }

  // Real timers: each check verifies the token with Web Crypto, which fake timers do not
  // wait for (a check that has not settled within an interval closes with 1013).
  it('stays open while the credentials hold; 4401 once the token is revoked; no check after that', async () => {
    const { fx, token, watch, socket, closes } = await connected(100);
    watch.open(socket);
    await new Promise((resolve) => setTimeout(resolve, 450));
    expect(closes).toEqual([]);
    await fx.tokens.revoke(token);
    for (const until = Date.now() + 3000; closes.length === 0 && Date.now() < until; ) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(closes).toEqual([{ code: 4401, reason: 'unauthorized' }]);
    await new Promise((resolve) => setTimeout(resolve, 350));
    expect(closes).toHaveLength(1);
  });

  it('close() stops the checks: no timer is left', async () => {
    vi.useFakeTimers();
    const { watch, socket, closes } = await connected();
    watch.open(socket);
    watch.close();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(5000);
    expect(closes).toEqual([]);
  });

  it('a bad interval throws ConfigurationError when the handler builds the watch', () => {
    const fx = browserWsFixture();
    const app = withAuth(() => new Response('ok'), { backend: fx.backend });
    expect(() => watchWebSocket(handshake('/ws'), undefined, { app, recheck: { interval: 5 } })).toThrow(ConfigurationError);
  });
});
