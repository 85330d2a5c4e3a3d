// Websockets from Chromium against Fastify with @fastify/websocket (issue #15 part 3):
// session cookie + Origin, tickets, the protocol carrier and the re-check
// (test-support/browser-websocket.ts).
import websocket from '@fastify/websocket';
import Fastify from 'fastify';
import { selectProtocol } from '@portcullis/core';
import { authentication, requires, ticketEndpoint, watchWebSocket, webSocketOrigins } from '@portcullis/fastify';
import { login, logout, sessionOpener, sessions } from '@portcullis/fastify/sessions';
import { browserWebSocketSuite, browserWsFixture } from '../../../test-support/browser-websocket.js';

async function start(port: number) {
  const fx = browserWsFixture();
  const app = Fastify();
  await app.register(websocket, { options: { handleProtocols: (offered) => selectProtocol(offered, fx.protocols) } });
  app.addHook('onRequest', webSocketOrigins([`http://127.0.0.1:${port}`]));
  await app.register(sessions, fx.sessions);
  await app.register(authentication, { backend: fx.backend });
  app.get('/', async (_request, reply) => reply.type('text/html').send('<!doctype html><title>ws</title>'));
  app.post('/login', async (request, reply) => {
    const user = fx.userOf((request.query as { user?: string }).user);
    if (user === null) return reply.code(400).send();
    await login(request, user);
    return reply.code(204).send();
  });
  app.post('/logout', async (request, reply) => {
    await logout(request);
    return reply.code(204).send();
  });
  app.post('/token', async (request, reply) => {
    const issued = await fx.issueToken(request.user);
    return issued === null ? reply.code(401).send() : issued;
  });
  app.post('/revoke', async (request, reply) => {
    await fx.tokens.revoke(String((request.query as { token?: string }).token));
    return reply.code(204).send();
  });
  app.post('/ws-ticket', ticketEndpoint(fx.tickets));
  const guard = requires('authenticated');
  app.get('/ws', { websocket: true, preHandler: guard }, (socket, request) => {
    watchWebSocket(socket, request, { recheck: fx.recheck, requires: guard, session: sessionOpener(app) });
    socket.send(fx.hello(request.user, request.auth));
  });
  await app.listen({ port, host: '::' });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      for (const client of app.websocketServer.clients) client.terminate();
      await app.close();
    },
  };
}

browserWebSocketSuite('Fastify', start);
