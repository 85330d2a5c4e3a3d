// On Node, @portcullis/node's upgradeHandler given the app withAuth returns: the app's
// sessions are opened by withAuth for fetch requests only, so an upgrade's connection
// has no session port. With `sessions` the upgrade fails closed (session_not_configured,
// the backend's failure, refused 503, never accepted) even for a valid session cookie: documented in the README.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionStore, sessionAuth, SimpleUser } from '@portcullis/core';
import { login, requires, withAuth } from '@portcullis/fetch';
import { upgradeHandler } from '@portcullis/node';
import { rawRequest, upgradeRequest } from '@portcullis/conformance';

const app = withAuth(
  async (request) => {
    if (new URL(request.url).pathname === '/login') await login(request, new SimpleUser('alice'), { user_id: 'alice' });
    return new Response('ok');
  },
  {
    ...sessionAuth({ retrieveUser: (session: { user_id: string }) => new SimpleUser(session.user_id), mode: 'optional' }),
    sessions: { secret: 'a'.repeat(32), store: new MemorySessionStore() },
  },
);

describe("upgradeHandler with withAuth's app that has sessions (on Node)", () => {
  let server: Server;
  let port = 0;
  let accepted = 0;
  beforeAll(async () => {
    server = createServer();
    server.on('upgrade', upgradeHandler({ authentication: app, requires: requires('authenticated'), accept: (_req, socket) => { accepted += 1; socket.destroy(); } }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fails closed: a valid session cookie or none, the upgrade is refused 503 (the backend finds no session port), never accepted', async () => {
    const signedIn = await app(new Request('https://app.example/login', { method: 'POST', headers: { host: 'app.example', origin: 'https://app.example', 'sec-fetch-site': 'same-origin' } }));
    const cookie = (signedIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/=/);
    for (const lines of [[`Cookie: ${cookie}`, 'Origin: https://app.example'], []]) {
      const res = await rawRequest(port, upgradeRequest('/ws', lines));
      expect([res.status, res.body]).toEqual([503, '']);
    }
    expect(accepted).toBe(0);
  });
});
