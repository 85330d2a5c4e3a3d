import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimpleUser, tokenAuth } from '@portcullis/core';
import { authentication, toConnection, type AuthEnv } from '../src/index.js';

// On @hono/node-server the adapter reads the Node request (c.env.incoming) instead of
// building a Headers object; these pin that it sees exactly what the Web path sees.
const backend = tokenAuth({ verify: (t) => (t === 'good' ? new SimpleUser('alice') : null) });

function subApp(): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();
  app.use(authentication({ backend, mode: 'required', exclude: ['/public'] }));
  app.get('/public', (c) => c.text(`public ${c.var.user.displayName}`));
  app.get('/where', (c) => {
    const connection = toConnection(c, Date.now);
    return c.json({ path: connection.path, query: connection.query, authorization: connection.authorization });
  });
  return app;
}

let server: Server;
let base: string;

beforeAll(async () => {
  const root = subApp();
  // The outer app lets /sub/* through itself; the mounted app authenticates.
  const outer = new Hono();
  outer.mount('/sub', subApp().fetch);
  outer.mount('/', root.fetch);
  server = createAdaptorServer({ fetch: outer.fetch }) as Server;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('Hono on @hono/node-server: the Connection from the Node request', () => {
  it('path, query and every Authorization line come from the request as sent', async () => {
    const res = await fetch(`${base}/where?x=1`, { headers: { authorization: 'Token good' } });
    expect(await res.json()).toEqual({ path: '/where', query: 'x=1', authorization: ['Token good'] });
  });

  it('a mounted sub-app sees its own path (app.mount rewrites the URL): exclude still matches /public', async () => {
    const res = await fetch(`${base}/sub/public`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('public ');
    const where = await fetch(`${base}/sub/where?y=2`, { headers: { authorization: 'Token good' } });
    expect(await where.json()).toEqual({ path: '/where', query: 'y=2', authorization: ['Token good'] });
  });

  it('without the mount prefix the same path is not excluded: anonymous → 401', async () => {
    expect((await fetch(`${base}/where`)).status).toBe(401);
  });
});
