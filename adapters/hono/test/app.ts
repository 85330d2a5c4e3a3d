import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono } from 'hono';
import type { AppSpec } from '@portcullis/conformance';
import type { AuthEnv } from '@portcullis/hono';
import { mountSpec } from './spec-app.js';

/** The conformance spec as a Hono 4 app on @hono/node-server, websockets through @hono/node-ws (greeting on open). */
export function createHonoApp(spec: AppSpec): Server {
  const app = new Hono<AuthEnv>();
  const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });
  mountSpec(app, spec, { upgradeWebSocket, greet: 'open' });
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  injectWebSocket(server);
  return server;
}
