import type { Server } from 'node:http';
import { createAdaptorServer, upgradeWebSocket } from '@hono/node-server';
import { Hono } from 'hono';
import { WebSocketServer } from 'ws';
import type { AppSpec } from '@portcullis/conformance';
import type { AuthEnv } from '@portcullis/hono';
import { mountSpec, type SpecUpgradeWebSocket } from './spec-app.js';

/**
 * The conformance spec as a Hono 4 app on @hono/node-server, websockets through
 * its own `upgradeWebSocket` (greeting on open).
 */
export function createHonoApp(spec: AppSpec): Server {
  const app = new Hono<AuthEnv>();
  mountSpec(app, spec, { upgradeWebSocket: upgradeWebSocket as unknown as SpecUpgradeWebSocket, greet: 'open' });
  return createAdaptorServer({ fetch: app.fetch, websocket: { server: new WebSocketServer({ noServer: true }) } }) as Server;
}
