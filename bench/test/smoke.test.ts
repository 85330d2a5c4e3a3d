import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SessionData, ThrottleRule } from '@portcullis/core';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProbes, get } from '../src/check.js';
import type { ReadyConfig } from '../src/config.js';
import { allConfigs, bareConfig } from '../src/registry.js';

/**
 * Every configuration the bench measures answers the same way: valid credentials →
 * 200 with the user's name, a wrong credential and no credential → 401 (the probes
 * the bench itself runs before measuring). This is what makes the comparison like
 * with like. No timing here: `npm run bench` measures.
 */

const open: Server[] = [];
afterAll(async () => {
  await Promise.all(open.map((s) => new Promise((resolve) => {
    s.closeAllConnections();
    s.close(resolve);
  })));
});

async function listen(config: ReadyConfig): Promise<number> {
  const server = await config.create();
  open.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const configs = allConfigs();
const ready = configs.filter((c): c is ReadyConfig => c.status === 'ready' && c.library !== 'bare');

describe('bench configurations', () => {
  it('have unique ids and cover bare, Portcullis and peers on each framework', () => {
    expect(new Set(configs.map((c) => c.id)).size).toBe(configs.length);
    for (const framework of ['express', 'koa', 'hono', 'fastify'] as const) {
      const libraries = new Set(configs.filter((c) => c.framework === framework).map((c) => c.library));
      expect(libraries.has('bare') && libraries.has('portcullis') && libraries.size > 2).toBe(true);
    }
  });

  it.each(['express', 'koa', 'hono', 'fastify'] as const)('bare %s answers 200 with or without credentials', async (framework) => {
    const port = await listen(bareConfig(framework));
    expect(await get(port, '/', {})).toEqual({ status: 200, body: 'Hello, alice' });
    expect((await get(port, '/', { authorization: 'Basic YWxpY2U6d3Jvbmc=' })).status).toBe(200);
  });

  it.each(ready.map((c) => [c.id, c] as const))('%s: valid → 200, invalid → 401, missing → 401', async (_id, config) => {
    const port = await listen(config);
    const credentials = await config.credentials(`http://127.0.0.1:${port}`);
    const statuses = new Set(credentials.probes.map((p) => p.status));
    expect(statuses).toEqual(new Set([200, 401]));
    expect(await checkProbes(port, credentials.probes)).toEqual([]);
  });
});

/**
 * What one measured session request costs besides the read: nothing written, no cookie
 * set (the claim in SESSION_NOTE). The store counts writes; the login writes once.
 */
describe('Portcullis session (hooks.session)', () => {
  it.each(['express', 'koa', 'hono', 'fastify'] as const)('%s: GET / with the session reads it and writes nothing', async (framework) => {
    const { MemorySessionStore } = await import('@portcullis/core');
    const { sessionCredentials, sessionServer } = await import('../src/sessions.js');
    const writes: string[] = [];
    class CountingStore extends MemorySessionStore {
      override async set(id: string, data: SessionData, ttlMs: number): Promise<void> {
        writes.push('set');
        return super.set(id, data, ttlMs);
      }
      override async update(id: string, data: SessionData, ttlMs: number): Promise<boolean> {
        writes.push('update');
        return super.update(id, data, ttlMs);
      }
    }
    const server = await sessionServer(framework, new CountingStore());
    open.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const credentials = await sessionCredentials(framework, `http://127.0.0.1:${port}`);
    const before = writes.length;
    expect(before).toBeGreaterThan(0); // the logins wrote: the counter sees the store
    const { request } = await import('node:http');
    const headersOf = (headers: Record<string, string>) =>
      new Promise<{ status: number; setCookie: string[] | undefined; challenge: string | undefined }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, path: '/', headers, agent: false }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode ?? 0, setCookie: res.headers['set-cookie'], challenge: res.headers['www-authenticate'] }));
        });
        req.on('error', reject);
        req.end();
      });
    for (let i = 0; i < 20; i++) {
      const answer = await headersOf(credentials.wire.headers);
      expect(answer.status).toBe(200);
      expect(answer.setCookie).toBeUndefined();
    }
    expect(writes.slice(before)).toEqual([]);
    expect(await headersOf({})).toEqual({ status: 401, setCookie: undefined, challenge: 'Cookie realm="app"' });
  });
});

/**
 * The claim behind "Portcullis Basic (cache hit) + throttling" (issue #16): a cache hit
 * never reaches the throttle, so its store sees no call once the credential is cached.
 */
describe('Portcullis Basic (cache hit) + throttling', () => {
  it.each(['express', 'koa', 'hono', 'fastify'] as const)('%s: a cache hit never calls the throttle store', async (framework) => {
    const { MemoryThrottleStore } = await import('@portcullis/core');
    const { basicCacheThrottledBackend, portcullisServer } = await import('../src/portcullis.js');
    const { basicCredentials } = await import('../src/schemes.js');
    const calls: string[] = [];
    const inner = new MemoryThrottleStore();
    const store = {
      get: (key: string) => (calls.push('get'), inner.get(key)),
      attempt: (key: string, now: number, rule: ThrottleRule) => (calls.push('attempt'), inner.attempt(key, now, rule)),
      release: (key: string, now: number, ttlMs: number) => (calls.push('release'), inner.release(key, now, ttlMs)),
    };
    const server = await portcullisServer(framework, () => basicCacheThrottledBackend(store));
    open.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const { headers } = basicCredentials().wire;
    expect(await get(port, '/', headers)).toEqual({ status: 200, body: 'Hello, alice' });
    const before = calls.length;
    expect(before).toBeGreaterThan(0); // the first request verified: the counter sees the store
    for (let i = 0; i < 20; i++) expect((await get(port, '/', headers)).status).toBe(200);
    expect(calls.slice(before)).toEqual([]);
  });
});
