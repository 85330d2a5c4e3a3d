// webSocketOrigins on Hono (@hono/node-server): the semantics of upgradeHandler's `origins`
// (WS-10, WS-11), before authentication; other requests pass.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { ConfigurationError } from '@portcullis/core';
import { USERS, basicBackend } from '@portcullis/conformance';
import { authentication, requires, webSocketOrigins, type AuthEnv } from '@portcullis/hono';
import { afterEach, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { webSocketOriginSuite } from '../../../test-support/websocket-origins.js';

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

webSocketOriginSuite('Hono', async (allowMissingOrigin) => {
  const verified = { count: 0 };
  const app = new Hono<AuthEnv>();
  app.use('/ws', webSocketOrigins(['https://app.example'], { allowMissingOrigin }));
  app.use(authentication({ backend: basicBackend('api', USERS, () => verified.count++) }));
  app.get('/ws', requires('authenticated'), upgradeWebSocket(() => ({ onOpen: (_e, ws) => ws.close() })));
  const server = createAdaptorServer({ fetch: app.fetch, websocket: { server: new WebSocketServer({ noServer: true }) } }) as Server;
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as AddressInfo).port, verified };
});

it('Hono: webSocketOrigins checks its origins at construction', () => {
  expect(() => webSocketOrigins(['https://app.example/path'])).toThrow(ConfigurationError);
});
