import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { request as httpRequest, type Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemorySessionStore, sessionData, type SessionStore } from '@portcullis/core';
import { parseCookies } from '@portcullis/core/adapter';
import { sessions, toConnection } from '../src/index.js';
import { requestHead } from '../src/native.js';

// sessions() opens the session from requestHead(c) (the Cookie header and the target as
// toConnection reads them) and lets a GET/HEAD that cannot be the logout path through
// without building a Connection (issue #17). These pin that nothing it decides changed.

const SECRET = 'a-session-secret-of-at-least-32-characters!';

/** What requestHead and toConnection see of the same request. */
function probe(): Hono {
  const app = new Hono();
  app.all('*', (c) => {
    const head = requestHead(c);
    const connection = toConnection(c, Date.now);
    return c.json({
      target: head.target,
      path: connection.path,
      query: connection.query,
      fromHead: [...parseCookies(head.cookie)],
      fromConnection: [...connection.cookies],
    });
  });
  return app;
}

/** sessions() in front of a route that answers what the session holds. */
function sessionApp(store: SessionStore): Hono {
  const app = new Hono();
  app.use(sessions({ secret: SECRET, store, cookie: { secure: false } }));
  app.all('*', async (c) => c.json({ method: c.req.method, data: await sessionData(toConnection(c, Date.now)) }));
  return app;
}

const COOKIES = [
  undefined,
  '',
  'id=abc',
  'a=1; id=x.y; b="quoted"',
  'id=first; id=second',
  'id=%7Bpercent%7D; bad name=1; =empty; z',
  ' id = spaced ; other=v , comma=w',
];

let server: Server;
let base: string;

beforeAll(async () => {
  const outer = new Hono();
  outer.mount('/sub', probe().fetch);
  outer.mount('/', probe().fetch);
  server = createAdaptorServer({ fetch: outer.fetch }) as Server;
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A raw HTTP/1.1 request (several Cookie lines, a target fetch would normalise). */
function raw(path: string, headers: [string, string][]): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = httpRequest({ host: url.hostname, port: url.port, path, method: 'GET', headers: [['host', url.host], ...headers].flat() as unknown as Record<string, string> });
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve(JSON.parse(body) as Record<string, unknown>));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('requestHead: the Cookie header and target toConnection reads', () => {
  it.each(COOKIES)('on @hono/node-server (the Node request), cookie %j: the same cookies, the connection path inside the target', async (cookie) => {
    for (const path of ['/x/y?q=1', '/sub/x?y=2', '/a/../logout']) {
      const seen = await raw(path, cookie === undefined ? [] : [['cookie', cookie]]);
      expect(seen.fromHead).toEqual(seen.fromConnection);
      expect(seen.target as string).toContain(seen.path as string);
    }
  });

  it('several Cookie lines on the Node request: the same cookies as the connection', async () => {
    const seen = await raw('/x', [['cookie', 'a=1'], ['cookie', 'id=v']]);
    expect(seen.fromHead).toEqual(seen.fromConnection);
    expect(seen.fromHead).toEqual([['a', '1'], ['id', 'v']]);
  });

  it.each(COOKIES)('on the Web request (app.request), cookie %j: the same cookies and target', async (cookie) => {
    const res = await probe().request('http://h.example/p/q?r=1#frag', cookie === undefined ? {} : { headers: { cookie } });
    const seen = (await res.json()) as Record<string, unknown>;
    expect(seen.fromHead).toEqual(seen.fromConnection);
    expect(seen.target).toBe('/p/q?r=1');
    expect(seen.path).toBe('/p/q');
  });
});

describe('sessions(): a safe request passed on without a Connection decides as sessionGate did', () => {
  const store = new MemorySessionStore();
  const app = sessionApp(store);

  it.each(['/logout', '/logout/', '/LogOut', '/logout?next=/', '/logout//'])('GET and HEAD %s → 405 Allow: POST (CSRF-09)', async (path) => {
    for (const method of ['GET', 'HEAD']) {
      const res = await app.request(path, { method });
      expect(res.status).toBe(405);
      expect(res.headers.get('allow')).toBe('POST');
    }
  });

  it.each(['/', '/x/logout', '/logouts', '/a?logout'])('GET %s goes on to the route', async (path) => {
    const res = await app.request(path);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ method: 'GET', data: null });
  });

  it('OPTIONS /logout goes on; a cross-site POST is refused (403), a same-origin one goes on', async () => {
    expect((await app.request('/logout', { method: 'OPTIONS' })).status).toBe(200);
    expect((await app.request('http://app.example/x', { method: 'POST', headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })).status).toBe(403);
    expect((await app.request('http://app.example/x', { method: 'POST', headers: { host: 'app.example', origin: 'http://app.example', 'sec-fetch-site': 'same-origin' } })).status).toBe(200);
  });

  it('a store that fails while loading a GET request\'s session answers 503 before the route', async () => {
    const failing = new MemorySessionStore();
    const broken = sessionApp(Object.assign(failing, { get: () => Promise.reject(new Error('down')) }));
    // A cookie that verifies: issued by an app on the same secret.
    const issuer = new Hono();
    issuer.use(sessions({ secret: SECRET, store: failing, cookie: { secure: false } }));
    issuer.post('/in', async (c) => {
      const { login } = await import('../src/index.js');
      const { SimpleUser } = await import('@portcullis/core');
      await login(c, new SimpleUser('alice'));
      return c.body(null, 204);
    });
    const issued = await issuer.request('http://app.example/in', { method: 'POST', headers: { host: 'app.example', origin: 'http://app.example', 'sec-fetch-site': 'same-origin' } });
    const cookie = (issued.headers.get('set-cookie') ?? '').split(';')[0] as string;
    expect(cookie).toMatch(/^id=/);
    const res = await broken.request('/', { headers: { cookie } });
    expect(res.status).toBe(503);
  });
});
