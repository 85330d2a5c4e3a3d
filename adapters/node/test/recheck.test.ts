// upgradeHandler's re-check (issue #15 part 3) on a real Node server with `ws`: 4401 when
// the credential is revoked, 4403 when the guard now denies, nothing left behind by a
// socket that closed (no timer), and the protocol carrier never echoed.
import { createServer, type Server } from 'node:http';
import { connect as netConnect, type AddressInfo } from 'node:net';
import { BEARER_PROTOCOL_PREFIX, SimpleUser, bearerAuth, selectProtocol, tokenAuth, type BaseUser } from '@portcullis/core';
import { createAuthenticator, createGuard } from '@portcullis/core/adapter';
import { upgradeHandler, type UpgradeOptions } from '@portcullis/node';
import { afterEach, describe, expect, it, vi } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';

const servers: Server[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const valid = new Map<string, string>();
const admins = new Set<string>();
const authentication = {
  authenticator: createAuthenticator({
    backend: tokenAuth({ verify: (t) => (valid.has(t) ? new SimpleUser(valid.get(t)!) : null), scopes: (u) => (admins.has(u.identity) ? ['authenticated', 'admin'] : ['authenticated']) }),
  }),
};

async function serve(options: Partial<UpgradeOptions<BaseUser>> = {}) {
  const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => selectProtocol(offered, ['app.v1']) });
  const server = createServer();
  servers.push(server);
  server.on('upgrade', upgradeHandler({
    authentication,
    requires: { guard: createGuard('admin') },
    recheck: { interval: 150 },
    ...options,
    accept: (req, socket, head, principal) => wss.handleUpgrade(req, socket, head, (ws) => {
      principal.watch(ws);
      ws.send('open');
    }),
  }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`;
}

/** A handshake written by hand, to read the server's 101 byte for byte. */
async function rawHandshake(port: number, protocols: string) {
  const socket = netConnect(port, '127.0.0.1');
  let data = '';
  socket.setEncoding('latin1');
  socket.on('data', (chunk: string) => (data += chunk));
  socket.write(['GET /ws HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', `Sec-WebSocket-Protocol: ${protocols}`, '', ''].join('\r\n'));
  await vi.waitFor(() => expect(data).toContain('\r\n\r\n'), { timeout: 2000 });
  return { socket, head: data.slice(0, data.indexOf('\r\n\r\n') + 2), data: () => data };
}

function connect(url: string, headers: Record<string, string>, protocols?: string[]) {
  const ws = new WebSocket(url, protocols, { headers });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('message', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
  });
  return { ws, closed, opened };
}

describe('upgradeHandler: recheck', () => {
  it('closes with 4401 once the token is revoked, and with 4403 once the guard denies', async () => {
    valid.set('tok-alice-0123456789', 'alice');
    valid.set('tok-bob-0123456789', 'bob');
    admins.add('alice').add('bob');
    const url = await serve();
    const alice = connect(url, { authorization: 'Token tok-alice-0123456789' });
    const bob = connect(url, { authorization: 'Token tok-bob-0123456789' });
    await Promise.all([alice.opened, bob.opened]);
    valid.delete('tok-alice-0123456789');
    admins.delete('bob');
    expect(await alice.closed).toEqual({ code: 4401, reason: 'unauthorized' });
    expect(await bob.closed).toEqual({ code: 4403, reason: 'forbidden' });
  });

  it('a socket the client closes leaves no re-check timer behind', async () => {
    valid.set('tok-carol-0123456789', 'carol');
    admins.add('carol');
    const live = new Set<unknown>();
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    vi.spyOn(globalThis, 'setTimeout').mockImplementation(((fn: () => void, ms?: number) => {
      if (ms !== 150) return realSet(fn, ms);
      const handle: unknown = realSet(() => {
        live.delete(handle);
        fn();
      }, ms);
      live.add(handle);
      return handle;
    }) as typeof setTimeout);
    vi.spyOn(globalThis, 'clearTimeout').mockImplementation(((handle: Parameters<typeof clearTimeout>[0]) => {
      live.delete(handle);
      realClear(handle);
    }) as typeof clearTimeout);
    const url = await serve();
    const socket = connect(url, { authorization: 'Token tok-carol-0123456789' });
    await socket.opened;
    await new Promise((resolve) => realSet(resolve, 400)); // a few checks ran, the socket stayed open
    expect(live.size).toBe(1);
    socket.ws.close(1000);
    expect((await socket.closed).code).toBe(1000);
    await new Promise((resolve) => realSet(resolve, 50));
    expect(live.size).toBe(0);
  });

  it('the protocol carrier authenticates; the server answers the app protocol, never the token', async () => {
    const store = new Map([['tok-dave-0123456789', new SimpleUser('dave')]]);
    const url = await serve({
      authentication: { authenticator: createAuthenticator({ backend: bearerAuth({ webSocketProtocol: true, verify: (t) => store.get(t) ?? null, scopes: ['authenticated', 'admin'] }) }) },
    });
    const socket = connect(url, {}, ['app.v1', `${BEARER_PROTOCOL_PREFIX}tok-dave-0123456789`]);
    await socket.opened;
    expect(socket.ws.protocol).toBe('app.v1');
    socket.ws.close();
    const two = connect(url, {}, [`${BEARER_PROTOCOL_PREFIX}tok-dave-0123456789`, `${BEARER_PROTOCOL_PREFIX}tok-other-0123456789`]);
    await expect(two.opened).rejects.toThrow('refused 400');
  });

  it('with ws defaults (no handleProtocols) and the carrier offered first, the raw 101 never names the token; the re-check still reads it', async () => {
    const store = new Map([['tok-erin-0123456789', new SimpleUser('erin')]]);
    const wss = new WebSocketServer({ noServer: true }); // ws's default: answers the FIRST offered protocol
    const server = createServer();
    servers.push(server);
    server.on('upgrade', upgradeHandler({
      authentication: { authenticator: createAuthenticator({ backend: bearerAuth({ webSocketProtocol: true, verify: (t) => store.get(t) ?? null }) }) },
      recheck: { interval: 100 },
      accept: (req, socket, head, principal) => wss.handleUpgrade(req, socket, head, (ws) => {
        principal.watch(ws);
      }),
    }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const raw = await rawHandshake((server.address() as AddressInfo).port, `${BEARER_PROTOCOL_PREFIX}tok-erin-0123456789, app.v1`);
    expect(raw.head).toMatch(/^HTTP\/1\.1 101 /);
    expect(raw.head).not.toContain('tok-erin');
    expect(raw.head).toMatch(/\r\nsec-websocket-protocol: app\.v1\r\n/i);
    store.delete('tok-erin-0123456789'); // revoked: the re-check authenticates the original offer
    await vi.waitFor(() => expect(raw.data()).toContain(Buffer.from([0x11, 0x31]).toString('latin1')), { timeout: 2000 }); // close 4401
    raw.socket.destroy();
  });

  it('recheck is checked when the handler is made', () => {
    expect(() => upgradeHandler({ authentication, recheck: { interval: 10 }, accept: () => undefined })).toThrow(/recheck/);
  });
});
