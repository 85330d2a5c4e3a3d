// connectionFromNode's peer address (issue #17): read once per socket, as Node reports it.
import type { IncomingMessage } from 'node:http';
import { connectionFromNode } from '@portcullis/node';
import { describe, expect, it } from 'vitest';

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
