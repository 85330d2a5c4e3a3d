import type { ChildProcess } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, SimpleUser, isSessionError, sessionAuth } from '@portcullis/core';
import { describeSessionError } from '@portcullis/core/adapter';
import type { AppSpec } from '@portcullis/conformance';
import { createReferenceServer } from '@portcullis/conformance/reference';
import { createExpressApp } from '../../../adapters/express/test/app.js';
import { createHonoApp } from '../../../adapters/hono/test/app.js';
import { createKoaApp } from '../../../adapters/koa/test/app.js';
import type { RedisCommandClient } from '../src/client.js';
import { RedisSessionStore, connectRedisSessionStore } from '../src/session-store.js';
import { commands, startRedisServer, stopRedisServer, testClient, waitFor } from './redis-helpers.js';
import { sessionStoreSuite } from './suites/session-store.js';
import { singleServer } from './targets.js';
import { freePort } from '../../../test-support/ports.js';
import { redisGate, redisServerGate } from '../../../test-support/services.js';

const gate = await redisGate('RedisSessionStore tests');
const prefix = `portcullis-test:${crypto.randomUUID()}:`;

describe('RedisSessionStore: construction (no server needed)', () => {
  const ready: RedisCommandClient = { isReady: true, sendCommand: async () => null };

  it('checks its options at construction', () => {
    expect(() => new RedisSessionStore({} as never)).toThrow(ConfigurationError);
    expect(() => new RedisSessionStore({ client: { isReady: true } } as never)).toThrow(ConfigurationError);
    expect(() => new RedisSessionStore({ client: ready, prefix: 'a b' })).toThrow(ConfigurationError);
    expect(() => new RedisSessionStore({ client: ready, timeoutMs: 0 })).toThrow(ConfigurationError);
    expect(() => new RedisSessionStore({ client: ready })).not.toThrow();
  });

  it('rejects at once with session_store_unavailable while the client is not ready', async () => {
    let sent = 0;
    const store = new RedisSessionStore({ client: { isReady: false, sendCommand: async () => void sent++ } });
    for (const call of [() => store.get('x'), () => store.set('x', {}, 1000), () => store.destroy('x'), () => store.update('x', {}, 1000)]) {
      const error = await call().then(() => undefined, (e: unknown) => e);
      expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
    }
    expect(sent).toBe(0);
  });

  it('a command slower than timeoutMs rejects with session_store_unavailable (fail closed, 503)', async () => {
    const store = new RedisSessionStore({ client: { isReady: true, sendCommand: () => new Promise(() => {}) }, timeoutMs: 50 });
    const started = Date.now();
    const error = await store.get('x').then(() => undefined, (e: unknown) => e);
    expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('a client error becomes session_store_unavailable, with the cause kept and no id in the message', async () => {
    const id = 'S'.repeat(43);
    const store = new RedisSessionStore({ client: { isReady: true, sendCommand: async () => Promise.reject(new Error('READONLY')) } });
    const error = await store.get(id).then(() => undefined, (e: unknown) => e);
    expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
    expect((error as Error).cause).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain(id);
  });

  it('keys are the SHA-256 of the id under the prefix: the id never reaches Redis', async () => {
    const sent: string[][] = [];
    const store = new RedisSessionStore({ client: { isReady: true, sendCommand: async (args: ReadonlyArray<string>) => void sent.push([...args]) }, prefix: 'p:' });
    const id = 'A'.repeat(43);
    await store.set(id, { a: 1 }, 1000);
    expect(sent[0]?.[1]).toMatch(/^p:[A-Za-z0-9_-]{43}$/);
    expect(sent.flat().join(' ')).not.toContain(id);
    expect(sent[0]?.slice(3)).toEqual(['PX', '1000']);
  });
});

describe.runIf(gate === 'fail')('RedisSessionStore needs Redis', () => {
  it('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
    throw new Error('Redis is not reachable at 127.0.0.1:6379');
  });
});

describe.runIf(gate === 'run')('on 127.0.0.1:6379', () => {
  sessionStoreSuite(singleServer());

  it('connectRedisSessionStore connects with fail-fast settings and closes', async () => {
    const owned = await connectRedisSessionStore({ url: 'redis://127.0.0.1:6379', prefix });
    const id = crypto.randomUUID();
    await owned.set(id, { ok: true }, 60_000);
    expect(await owned.get(id)).toEqual({ ok: true });
    expect(await owned.update?.(id, { ok: false }, 60_000)).toBe(true);
    await owned.destroy(id);
    await owned.close();
    const error = await owned.get(id).then(() => undefined, (e: unknown) => e);
    expect(isSessionError(error) && error.code).toBe('session_store_unavailable');
  });
});

// ---------------------------------------------------------------------------
// SES-14 with a real outage: a redis-server of the test's own is killed and restarted.
// ---------------------------------------------------------------------------

const serverGate = redisServerGate('SES-14 outage test');

describe.runIf(serverGate === 'run')('SES-14 a Redis outage: 503 on every adapter, never anonymous access, then recovery', () => {
  const adapters = [
    ['express', createExpressApp],
    ['koa', createKoaApp],
    ['hono', createHonoApp],
    ['reference', createReferenceServer],
  ] as const;
  let port: number;
  let child: ChildProcess;
  let client: Awaited<ReturnType<typeof testClient>>;
  const servers = new Map<string, { server: Server; url: string }>();

  function spec(store: RedisSessionStore): AppSpec {
    return {
      backend: sessionAuth({ retrieveUser: (s) => (typeof s.name === 'string' ? new SimpleUser(s.name) : null), exclude: ['/login'] }),
      mode: 'required',
      exclude: ['/login'],
      sessions: { store, secret: 'redis-outage-test-secret-0123456789abcdef', cookie: { secure: false } },
      routes: [
        {
          method: 'POST',
          path: '/login',
          handler: async (view) => {
            try {
              await view.login?.(new SimpleUser('alice'), { name: 'alice' });
              return { text: 'in' };
            } catch (error) {
              if (isSessionError(error)) return { description: describeSessionError(error, view.connection) };
              throw error;
            }
          },
        },
        { method: 'GET', path: '/user', handler: (view) => ({ text: view.user.displayName }) },
      ],
    };
  }

  beforeAll(async () => {
    port = await freePort();
    child = await startRedisServer(port);
    client = await testClient(port);
    const store = new RedisSessionStore({ client: commands(client), timeoutMs: 500 });
    for (const [name, createApp] of adapters) {
      const server = await createApp(spec(store));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.set(name, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    }
  }, 20_000);

  afterAll(async () => {
    for (const { server } of servers.values()) {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    if (client?.isOpen) await client.close().catch(() => {});
    if (child) await stopRedisServer(child);
  });

  it('SES-14 logged in → Redis killed → 503 generic body → Redis restarted → the app recovers', async () => {
    const cookies = new Map<string, string>();
    for (const [name, { url }] of servers) {
      const res = await request(url).post('/login').set('Sec-Fetch-Site', 'same-origin');
      expect(res.status, name).toBe(200);
      const line = (res.headers['set-cookie'] as unknown as string[])[0] as string;
      cookies.set(name, line.split(';')[0] as string);
      expect((await request(url).get('/user').set('Cookie', cookies.get(name) as string)).text, name).toBe('alice');
    }

    await stopRedisServer(child);
    await waitFor(() => !client.isReady);
    for (const [name, { url }] of servers) {
      const started = Date.now();
      const res = await request(url).get('/user').set('Cookie', cookies.get(name) as string);
      expect(res.status, name).toBe(503);
      expect(res.text, name).toBe('Service Unavailable');
      expect(Date.now() - started, name).toBeLessThan(2000);
      const json = await request(url).get('/user').set('Cookie', cookies.get(name) as string).set('Accept', 'application/json');
      expect(json.body, name).toEqual({ error: 'backend_unavailable' });
      const login = await request(url).post('/login').set('Sec-Fetch-Site', 'same-origin');
      expect(login.status, name).toBe(503);
      expect(login.headers['set-cookie'], name).toBeUndefined();
      // Without a cookie the request is simply anonymous: 401, not access.
      expect((await request(url).get('/user')).status, name).toBe(401);
    }

    child = await startRedisServer(port);
    await waitFor(() => client.isReady, 10_000);
    for (const [name, { url }] of servers) {
      // The restarted Redis kept nothing (--save ''): the old session is gone, not served.
      expect((await request(url).get('/user').set('Cookie', cookies.get(name) as string)).status, name).toBe(401);
      const res = await request(url).post('/login').set('Sec-Fetch-Site', 'same-origin');
      expect(res.status, name).toBe(200);
      const fresh = ((res.headers['set-cookie'] as unknown as string[])[0] as string).split(';')[0] as string;
      expect((await request(url).get('/user').set('Cookie', fresh)).text, name).toBe('alice');
    }
  }, 30_000);
});
