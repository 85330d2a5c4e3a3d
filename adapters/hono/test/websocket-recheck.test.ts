// watchWebSocket on Hono (@hono/node-server): the re-check authenticates the upgrade
// again as the upgrade was, its peer (client address) included.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { SimpleUser, tokenAuth } from '@portcullis/core';
import { authentication, requires, watchWebSocket, type AuthEnv } from '@portcullis/hono';
import { afterEach, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

it('Hono: the re-check sees the upgrade\'s client address, and closes with 4401 once the token is revoked', async () => {
  const valid = new Set(['tok-alice-0123456789']);
  const addresses: (string | undefined)[] = [];
  const app = new Hono<AuthEnv>();
  const auth = authentication({
    backend: tokenAuth({ verify: (token, connection) => (addresses.push(connection.clientAddress), valid.has(token) ? new SimpleUser('alice') : null) }),
  });
  app.use(auth);
  const guard = requires('authenticated');
  app.get('/ws', guard, upgradeWebSocket((c) => {
    const watch = watchWebSocket(c, { authentication: auth, requires: guard, recheck: { interval: 100 } });
    return { onOpen: (_e, ws) => watch.open(ws), onClose: () => watch.close() };
  }));
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: new WebSocketServer({ noServer: true }) } }) as Server;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/ws`, { headers: { authorization: 'Token tok-alice-0123456789' } });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  await new Promise((resolve, reject) => (ws.on('open', resolve), ws.on('error', reject)));
  while (addresses.length < 3) await new Promise((resolve) => setTimeout(resolve, 50));
  valid.clear();
  expect(await closed).toBe(4401);
  expect(addresses[0]).toMatch(/127\.0\.0\.1$/);
  expect(new Set(addresses)).toEqual(new Set([addresses[0]]));
});
