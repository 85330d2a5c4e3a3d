// Websocket tickets (issue #15 part 3): the endpoint (WS-12), single use, expiry, the
// stored form (a hash; the issuing credentials sealed), the memory store's bound.
import { describe, expect, it, vi } from 'vitest';
import { conn } from '../../test-support/connection.js';
import { createAuthenticator } from './authenticator.js';
import { AuthCredentials, NO_CREDENTIALS } from './credentials.js';
import { ConfigurationError } from './errors.js';
import { multi } from './multi.js';
import { hashToken } from './tokens.js';
import { ANONYMOUS, SimpleUser } from './user.js';
import { MemoryTicketStore, assertTicketStore, ticketOrigin, webSocketTickets, type TicketRecord, type TicketStore } from './ws-tickets.js';
import { recheckInit } from './ws-recheck.js';

const alice = { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated'], { via: 'session' }) };
const post = (headers: Record<string, string> = {}) => conn({ method: 'POST', target: '/ws-ticket', headers: { cookie: 'id=S1', ...headers } });

function setup(now = { t: 1_000_000 }, options: { ttl?: number; origins?: string[] } = {}) {
  const store = new MemoryTicketStore({ clock: () => now.t });
  const tickets = webSocketTickets({ store, clock: () => now.t, ...options });
  const backend = tickets.backend({ retrieveUser: (id) => (id === 'alice' ? new SimpleUser('alice') : null) });
  const authenticator = createAuthenticator({ backend: multi([backend]) });
  const upgrade = (ticket: string) => conn({ target: `/ws?ticket=${ticket}`, kind: 'websocket', headers: { upgrade: 'websocket' } });
  return { now, store, tickets, authenticator, upgrade };
}

async function ticketOf(tickets: ReturnType<typeof webSocketTickets>, headers: Record<string, string> = {}): Promise<string> {
  const res = await tickets.respond(post(headers), alice);
  expect(res.status).toBe(200);
  return (JSON.parse(res.body) as { ticket: string }).ticket;
}

describe('webSocketTickets: the endpoint', () => {
  it('answers an authenticated same-origin POST with 200 { ticket, expires_in }, never cached', async () => {
    const { tickets } = setup();
    const res = await tickets.respond(post({ 'sec-fetch-site': 'same-origin', origin: 'https://app.example' }), alice);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as { ticket: string; expires_in: number };
    expect(body.ticket).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes, base64url
    expect(body.expires_in).toBe(30);
  });

  it('WS-12 an anonymous request gets 401 with the challenges and no ticket', async () => {
    const { tickets, store } = setup();
    const res = await tickets.respond(post(), { user: ANONYMOUS, auth: NO_CREDENTIALS }, ['Cookie realm="app"']);
    expect([res.status, res.headers['www-authenticate']]).toEqual([401, 'Cookie realm="app"']);
    expect(store.size).toBe(0);
  });

  it('WS-12 a cross-site page gets 403 and no ticket, logged as websocket_ticket_cross_site', async () => {
    const log = vi.fn();
    const store = new MemoryTicketStore();
    const tickets = webSocketTickets({ store, log, origins: ['https://partner.example'] });
    const cases: Record<string, string>[] = [
      { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
      { 'sec-fetch-site': 'same-site', origin: 'https://sub.app.example' },
      { origin: 'https://evil.example', host: 'app.example' },
      { origin: 'null', host: 'app.example' },
    ];
    for (const headers of cases) {
      const res = await tickets.respond(post(headers), alice);
      expect([headers, res.status]).toEqual([headers, 403]);
    }
    expect(store.size).toBe(0);
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ event: 'authentication_failed', code: 'cross_site_request', reason: 'websocket_ticket_cross_site' }));
    // A configured origin, the own host without Sec-Fetch-Site, and a non-browser client are served.
    expect((await tickets.respond(post({ 'sec-fetch-site': 'cross-site', origin: 'https://partner.example' }), alice)).status).toBe(200);
    expect((await tickets.respond(post({ origin: 'https://app.example', host: 'app.example' }), alice)).status).toBe(200);
    expect((await tickets.respond(post(), alice)).status).toBe(200);
  });

  it('refuses other methods than POST with 405 Allow: POST', async () => {
    const { tickets, store } = setup();
    const res = await tickets.respond(conn({ method: 'GET', target: '/ws-ticket' }), alice);
    expect([res.status, res.headers.allow]).toEqual([405, 'POST']);
    expect(store.size).toBe(0);
  });
});

describe('webSocketTickets: redemption', () => {
  it('a ticket opens one websocket as its user; a second use, an unknown and an expired one are refused with 401', async () => {
    const { tickets, authenticator, upgrade, now } = setup();
    const ticket = await ticketOf(tickets);
    const first = await authenticator.run(upgrade(ticket));
    expect(first.type === 'continue' && [first.user.identity, first.auth.via, first.auth.scopes]).toEqual(['alice', 'ticket', ['authenticated']]);
    const again = await authenticator.run(upgrade(ticket));
    expect(again.type === 'respond' && again.response.status).toBe(401);
    expect(((await authenticator.run(upgrade('A'.repeat(43)))) as { response: { status: number } }).response.status).toBe(401);
    const late = await ticketOf(tickets);
    now.t += 30_000;
    expect(((await authenticator.run(upgrade(late))) as { response: { status: number } }).response.status).toBe(401);
  });

  it('two concurrent redemptions of one ticket: exactly one succeeds', async () => {
    const { tickets, authenticator, upgrade } = setup();
    const ticket = await ticketOf(tickets);
    const results = await Promise.all([authenticator.run(upgrade(ticket)), authenticator.run(upgrade(ticket))]);
    expect(results.map((r) => r.type).sort()).toEqual(['continue', 'respond']);
  });

  it('is read only on websocket connections, never on HTTP requests', async () => {
    const { tickets, authenticator } = setup();
    const ticket = await ticketOf(tickets);
    const http = await authenticator.run(conn({ target: `/ws?ticket=${ticket}` }));
    expect(http.type === 'continue' && http.user.isAuthenticated).toBe(false);
  });

  it('a malformed ticket or two tickets: 400, nothing taken', async () => {
    const { tickets, authenticator, upgrade } = setup();
    const ticket = await ticketOf(tickets);
    for (const bad of ['short', `${ticket}&ticket=${ticket}`, '%00'.repeat(20)]) {
      const d = await authenticator.run(upgrade(bad));
      expect([bad, d.type === 'respond' && d.response.status]).toEqual([bad, 400]);
    }
    expect((await authenticator.run(upgrade(ticket))).type).toBe('continue');
  });

  it('the store holds the hash of the ticket and sealed credentials only; the re-check replays the issuing credentials', async () => {
    const issued: [string, TicketRecord][] = [];
    const memory = new MemoryTicketStore();
    const store: TicketStore = { issue: async (h, r, t) => { issued.push([h, r]); return memory.issue(h, r, t); }, take: (h) => memory.take(h) };
    const tickets = webSocketTickets({ store });
    const ticket = await ticketOf(tickets, { authorization: 'Bearer secret-token' });
    const [hash, record] = issued[0]!;
    expect(hash).toBe(await hashToken(ticket));
    expect(JSON.stringify(record)).not.toContain(ticket);
    expect(JSON.stringify(record)).not.toContain('S1');
    expect(JSON.stringify(record)).not.toContain('secret-token');
    expect(record).toMatchObject({ identity: 'alice', via: 'session' });
    const backend = tickets.backend({ retrieveUser: (id) => new SimpleUser(id) });
    const principal = await backend.authenticate(conn({ target: `/ws?ticket=${ticket}&x=1`, kind: 'websocket' }));
    const origin = ticketOrigin(principal!.auth);
    // A session request's ticket seals its cookie, not the Authorization it also carried.
    expect({ ...origin }).toEqual({ authorization: [], cookie: 'id=S1', headers: {} });
    const init = recheckInit({ method: 'GET', target: `/ws?ticket=${ticket}`, header: () => 'handshake' }, principal!.auth);
    expect([init.target, init.header('cookie'), init.header('authorization'), init.header('origin'), init.authorization]).toEqual([
      '/ws', 'id=S1', undefined, 'handshake', [],
    ]);
  });
});

describe('webSocketTickets: configuration', () => {
  it('checks the store, the ttl (1 s to 5 min) and the origins at construction', () => {
    const store = new MemoryTicketStore();
    expect(() => webSocketTickets({ store: {} as TicketStore })).toThrow(ConfigurationError);
    expect(() => assertTicketStore({ issue() {} }, 'x')).toThrow(/take/);
    for (const ttl of [0, 999, 300_001, 1.5, Number.NaN]) expect(() => webSocketTickets({ store, ttl })).toThrow(ConfigurationError);
    expect(webSocketTickets({ store, ttl: 300_000 }).ttl).toBe(300_000);
    expect(() => webSocketTickets({ store, origins: ['https://a.example/path'] })).toThrow(ConfigurationError);
    expect(() => webSocketTickets({ store }).backend({} as never)).toThrow(ConfigurationError);
  });

  it('MemoryTicketStore is bounded: a full store refuses new tickets and drops none of the waiting ones', async () => {
    const now = { t: 0 };
    const store = new MemoryTicketStore({ max: 2, clock: () => now.t });
    const record = (identity: string) => ({ identity, via: null, origin: '', scopes: [] });
    expect(await store.issue('h1', record('a'), 1000)).toBe(true);
    expect(await store.issue('h2', record('b'), 1000)).toBe(true);
    expect(await store.issue('h3', record('c'), 1000)).toBe(false);
    expect(store.size).toBe(2);
    expect(await store.take('h1')).toEqual(record('a'));
    expect(await store.issue('h3', record('c'), 1000)).toBe(true);
    now.t = 1000; // expired ones make room
    expect(await store.issue('h4', record('d'), 1000)).toBe(true);
    expect(() => new MemoryTicketStore({ perIdentity: 0 })).toThrow(ConfigurationError);
  });
});

describe('webSocketTickets: review fixes', () => {
  const sealedBy = async (backends: Parameters<typeof webSocketTickets>[0]['backends'], via: string, headers: Record<string, string>) => {
    const tickets = webSocketTickets({ store: new MemoryTicketStore(), backends });
    const state = { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated'], { via }) };
    const res = await tickets.respond(post(headers), state);
    if (res.status !== 200) return res.status;
    const { ticket } = JSON.parse(res.body) as { ticket: string };
    const principal = await tickets.backend({ retrieveUser: (id) => new SimpleUser(id) }).authenticate(conn({ target: `/ws?ticket=${ticket}`, kind: 'websocket' }));
    return { ...ticketOrigin(principal!.auth)!, headers: { ...ticketOrigin(principal!.auth)!.headers } };
  };

  it('seals only what the authenticating backend reads: its named cookie, not the others nor a Basic password', async () => {
    const backends = [{ name: 'jwtCookie', reads: ['cookie:jwt'] }, { name: 'apiKey', reads: ['header:x-api-key'] }];
    const basicPassword = `Basic ${btoa('alice:hunter2')}`;
    expect(await sealedBy(backends, 'jwtCookie', { cookie: 'jwt=J1; other=O1; id=S1', authorization: basicPassword, 'x-api-key': 'K1' })).toEqual({ authorization: [], cookie: 'jwt=J1', headers: {} });
    // An API-key client's ticket replays its header (its re-check no longer closes 4401).
    expect(await sealedBy(backends, 'apiKey', { cookie: 'id=S1', 'x-api-key': 'K1' })).toEqual({ authorization: [], cookie: undefined, headers: { 'x-api-key': 'K1' } });
    // Default (no backends): by via, a Basic request's ticket carries no cookie.
    expect(await sealedBy(undefined, 'basic', { cookie: 'id=S1; other=O1', authorization: basicPassword })).toEqual({ authorization: [basicPassword], cookie: undefined, headers: {} });
  });

  it('a backend reading what the re-check cannot replay: ConfigurationError at startup; a request by a backend not listed gets 403 and no ticket', async () => {
    expect(() => webSocketTickets({ store: new MemoryTicketStore(), backends: [{ name: 'apiKey', reads: ['header:x-api-key', 'query:key'] }] })).toThrow(ConfigurationError);
    expect(() => webSocketTickets({ store: new MemoryTicketStore(), backends: [{ reads: ['authorization'] }] })).toThrow(ConfigurationError);
    expect(await sealedBy([{ name: 'session', reads: ['session'] }], 'apiKey', { 'x-api-key': 'K1' })).toBe(403);
  });

  it('the re-check of an API-key ticket replays the sealed header over the handshake\'s', async () => {
    const tickets = webSocketTickets({ store: new MemoryTicketStore(), backends: [{ name: 'apiKey', reads: ['header:x-api-key'] }] });
    const state = { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated'], { via: 'apiKey' }) };
    const { ticket } = JSON.parse((await tickets.respond(post({ 'x-api-key': 'K1' }), state)).body) as { ticket: string };
    const principal = await tickets.backend({ retrieveUser: (id) => new SimpleUser(id) }).authenticate(conn({ target: `/ws?ticket=${ticket}`, kind: 'websocket' }));
    const init = recheckInit({ method: 'GET', target: `/ws?ticket=${ticket}`, header: () => undefined }, principal!.auth);
    expect([init.header('x-api-key'), init.header('cookie')]).toEqual(['K1', undefined]);
  });

  it('one user cannot flood the store: beyond perIdentity pending tickets, 429 with Retry-After (logged as websocket_ticket_limit); others still get theirs', async () => {
    const log = vi.fn();
    const store = new MemoryTicketStore({ perIdentity: 3 });
    const tickets = webSocketTickets({ store, log });
    for (let i = 0; i < 3; i++) expect((await tickets.respond(post(), alice)).status).toBe(200);
    const refused = await tickets.respond(post(), alice);
    expect([refused.status, refused.headers['retry-after']]).toEqual([429, '30']);
    expect(log).toHaveBeenCalledWith(expect.objectContaining({ code: 'too_many_requests', reason: 'websocket_ticket_limit' }));
    expect(store.size).toBe(3);
    const bob = { user: new SimpleUser('bob'), auth: alice.auth };
    expect((await tickets.respond(post(), bob)).status).toBe(200);
    await expect(tickets.issue(post(), alice)).rejects.toMatchObject({ code: 'too_many_requests' });
  });

  it('the sealed record is capped: oversized issuing credentials get 431 and no ticket', async () => {
    const store = new MemoryTicketStore();
    const tickets = webSocketTickets({ store });
    const res = await tickets.respond(post({ cookie: `id=${'x'.repeat(10_000)}` }), alice);
    expect(res.status).toBe(431);
    expect(store.size).toBe(0);
  });

  it('the socket gets no scope the issuing request lacked (a read-only token of an admin mints no admin socket)', async () => {
    const store = new MemoryTicketStore();
    const tickets = webSocketTickets({ store });
    const backend = tickets.backend({ retrieveUser: (id) => new SimpleUser(id), scopes: ['authenticated', 'admin'] });
    const authenticator = createAuthenticator({ backend: multi([backend]) });
    const readOnly = { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated', 'read'], { via: 'bearer' }) };
    const res = await tickets.respond(post(), readOnly);
    const { ticket } = JSON.parse(res.body) as { ticket: string };
    const decision = await authenticator.run(conn({ target: `/ws?ticket=${ticket}`, kind: 'websocket' }));
    expect(decision.type === 'continue' && decision.auth.scopes).toEqual(['authenticated']);
  });

  it('a record without the issuing scopes (an older shape) is refused', async () => {
    const { tickets, authenticator, upgrade, store } = setup();
    const ticket = await ticketOf(tickets);
    const hash = await hashToken(ticket);
    const record = (await store.take(hash)) as TicketRecord;
    const { scopes: _dropped, ...old } = record;
    await store.issue(hash, old as unknown as TicketRecord, 30_000);
    const decision = await authenticator.run(upgrade(ticket));
    expect(decision.type === 'respond' && decision.response.status).toBe(401);
  });
});
