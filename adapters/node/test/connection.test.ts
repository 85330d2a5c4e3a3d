// connectionFromNode's peer address (issue #17): read once per socket, as Node reports it.
import type { IncomingMessage } from 'node:http';
import { addressingOf, authorizationFromRawHeaders, compileTrustedProxies, createConnection, socketPeerAddress, type SessionPort, type TrustedProxies } from '@portcullis/core/adapter';
import { connectionFromNode } from '@portcullis/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectSameConnection } from '../../../test-support/connection.js';

/** A request on `socket`: just what connectionFromNode reads. */
const request = (socket: unknown): IncomingMessage =>
  ({ method: 'GET', headers: {}, rawHeaders: [], socket }) as unknown as IncomingMessage;

/** A socket whose `remoteAddress` getter counts its calls. */
const countingSocket = (address: string | undefined) => {
  const socket = {
    reads: 0,
    get remoteAddress(): string | undefined {
      socket.reads++;
      return address;
    },
  };
  return socket;
};

describe('connectionFromNode: the peer address', () => {
  it('is the socket\'s, read from the socket once for every request it serves', () => {
    const socket = countingSocket('::ffff:10.0.0.7');
    for (let i = 0; i < 3; i++) expect(connectionFromNode(request(socket), '/', Date.now).peerAddress).toBe('10.0.0.7');
    expect(socket.reads).toBe(1);
    // Another socket has its own peer.
    expect(connectionFromNode(request(countingSocket('127.0.0.1')), '/', Date.now).peerAddress).toBe('127.0.0.1');
  });

  it('a socket that reports no address (closed before it was read) is asked again, and a request without a socket has none', () => {
    const socket = countingSocket(undefined);
    expect(connectionFromNode(request(socket), '/', Date.now).peerAddress).toBeUndefined();
    expect(connectionFromNode(request(socket), '/', Date.now).peerAddress).toBeUndefined();
    expect(socket.reads).toBe(2);
    expect(connectionFromNode(request(null), '/', Date.now).peerAddress).toBeUndefined();
    expect(connectionFromNode(request(undefined), '/', Date.now).peerAddress).toBeUndefined();
  });
});

describe('connectionFromNode: the headers (issue #17, review)', () => {
  it('reads Authorization now from rawHeaders, every other header from req.headers when asked (a replacement is seen)', () => {
    const req = {
      method: 'GET',
      headers: { accept: 'application/json', authorization: 'Token a', 'x-many': ['1', '2'] },
      rawHeaders: ['Authorization', 'Token a', 'Accept', 'application/json'],
      socket: null,
    } as unknown as IncomingMessage & { headers: Record<string, unknown>; rawHeaders: string[] };
    const connection = connectionFromNode(req, '/', Date.now);
    req.rawHeaders = ['Authorization', 'Token b'];
    req.headers = { accept: 'text/html', authorization: 'Token b', 'x-many': ['3', '4'] };
    expect(connection.authorization).toEqual(['Token a']);
    expect(connection.header('accept')).toBe('text/html');
    expect(connection.header('x-many')).toBe('3, 4');
  });
});

/**
 * connectionFromNode as it was before issue #17's fifth round: an init object and a header
 * closure per request, handed to createConnection. The reference of the differential below.
 */
function connectionFromNodeBefore(req: IncomingMessage, target: string, now: () => number, kind?: 'http' | 'websocket', session?: SessionPort, trustedProxies?: TrustedProxies) {
  return createConnection({
    kind,
    method: req.method ?? 'GET',
    target,
    header(name) {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
    authorization: authorizationFromRawHeaders(req.rawHeaders),
    now,
    session,
    peerAddress: socketPeerAddress(req.socket),
    trustedProxies,
  });
}

describe('connectionFromNode without an init object or a header closure (issue #17, fifth round)', () => {
  const session = { hasCookie: false } as unknown as SessionPort;
  const clock = () => 7;
  /** Names asked of both: odd case, not field names, inherited ones, absent ones. */
  const NAMES = ['authorization', 'Authorization', 'cookie', 'Cookie', 'upgrade', 'x-many', 'X-MANY', 'accept', 'x-forwarded-for', 'forwarded', 'constructor', 'toString', '__proto__', 'bad name', '', 'x-absent'];
  const line = fc.tuple(
    fc.constantFrom('Authorization', 'authorization', 'AUTHORIZATION', 'Cookie', 'Upgrade', 'Accept', 'X-Forwarded-For', 'Forwarded', 'X-Many', 'Host'),
    fc.constantFrom('Token a', 'Basic dTpw', 'websocket', 'WebSocket', 'h2c', 'id=A; x=1', 'id=A, id=B', '203.0.113.9, 10.0.0.1', 'for=203.0.113.8', ''),
  );
  const nodeRequest = fc.record({
    method: fc.constantFrom(undefined, 'GET', 'get', 'POST', 'm-search', 'opt\u0131ons'),
    target: fc.constantFrom('/', '/a?b=1', '/a#f?x', 'http://h.example/x?y#z', '*', ''),
    lines: fc.array(line, { maxLength: 6 }),
    many: fc.option(fc.array(fc.constantFrom('1', '2', 'websocket'), { minLength: 1, maxLength: 3 }), { nil: undefined }),
    replaced: fc.boolean(),
    kind: fc.constantFrom(undefined, 'http' as const, 'websocket' as const),
    now: fc.constantFrom(Date.now, clock),
    session: fc.constantFrom(undefined, session),
    peer: fc.constantFrom(undefined, '::ffff:10.0.0.1', '10.0.0.2', '203.0.113.5', 'fe80::1%eth0'),
    proxies: fc.constantFrom(undefined, 1, 2, '10.0.0.0/8'),
  });

  it('builds the same connection as before (differential, generated Node requests, a replaced req.headers included)', () => {
    fc.assert(
      fc.property(nodeRequest, (r) => {
        // req.headers as Node's parser builds it: lower-case names, the first line of a repeated name.
        const headers: Record<string, string | string[]> = {};
        const rawHeaders: string[] = [];
        for (const [name, value] of r.lines) {
          rawHeaders.push(name, value);
          headers[name.toLowerCase()] ??= value;
        }
        if (r.many !== undefined) headers['x-many'] = r.many;
        const socket = { remoteAddress: r.peer };
        const req = { method: r.method, headers, rawHeaders, socket } as unknown as IncomingMessage & { headers: Record<string, unknown> };
        const proxies = r.proxies === undefined ? undefined : compileTrustedProxies(typeof r.proxies === 'number' ? r.proxies : [r.proxies]);
        const after = connectionFromNode(req, r.target, r.now, r.kind, r.session, proxies);
        const before = connectionFromNodeBefore(req, r.target, r.now, r.kind, r.session, proxies);
        // A middleware replaces req.headers after the authentication step: both see it.
        if (r.replaced) req.headers = { accept: 'text/late', upgrade: 'websocket', cookie: 'late=1', 'x-forwarded-for': '198.51.100.1' };
        expectSameConnection(after, before, NAMES, addressingOf);
      }),
      { numRuns: 3000 },
    );
  });
});
