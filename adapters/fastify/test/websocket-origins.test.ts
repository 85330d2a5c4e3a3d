// webSocketOrigins on Fastify (@fastify/websocket): the semantics of upgradeHandler's
// `origins` (WS-10, WS-11), before authentication; other requests pass.
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance } from 'fastify';
import { ConfigurationError } from '@portcullis/core';
import { USERS, basicBackend } from '@portcullis/conformance';
import { authentication, requires, webSocketOrigins } from '@portcullis/fastify';
import { afterEach, expect, it } from 'vitest';
import { webSocketOriginSuite } from '../../../test-support/websocket-origins.js';

const apps: FastifyInstance[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

webSocketOriginSuite('Fastify', async (allowMissingOrigin) => {
  const verified = { count: 0 };
  const app = Fastify();
  apps.push(app);
  await app.register(websocket);
  app.addHook('onRequest', webSocketOrigins(['https://app.example'], { allowMissingOrigin }));
  await app.register(authentication, { backend: basicBackend('api', USERS, () => verified.count++) });
  app.get('/ws', { websocket: true, preHandler: requires('authenticated') }, (socket) => socket.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { port: (app.server.address() as { port: number }).port, verified };
});

it('Fastify: webSocketOrigins checks its origins at construction', () => {
  expect(() => webSocketOrigins(['https://app.example/path'])).toThrow(ConfigurationError);
});
