// Issue #11, faults: a redis-server of the test's own (its own port), killed and
// restarted by pid, then frozen with SIGSTOP and thawed with SIGCONT, behind
// Redis sessions and Redis JWT revocation on every Node adapter. During the
// outage every credentialed request fails closed (503, the generic body; never
// 200, never 500, never anonymous), within the stores' timeouts; after it the
// app recovers within a bound.
import type { ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSessionError, multi, sessionAuth } from '@portcullis/core';
import { describeSessionError } from '@portcullis/core/adapter';
import { DemoUser, type AppSpec } from '@portcullis/conformance';
import { FUZZ_JWT_HEADER, fuzzClaims, fuzzJwt, signFuzzJwt } from '@portcullis/conformance/fuzz';
import { createReferenceServer } from '@portcullis/conformance/reference';
import { createExpressApp } from '../../../adapters/express/test/app.js';
import { createHonoApp } from '../../../adapters/hono/test/app.js';
import { createKoaApp } from '../../../adapters/koa/test/app.js';
import { RedisRevocationStore } from '../src/revocation.js';
import { RedisSessionStore } from '../src/session-store.js';
import { commands, startRedisServer, stopRedisServer, testClient, waitFor } from './redis-helpers.js';
import { freePort } from '../../../test-support/ports.js';
import { redisServerGate } from '../../../test-support/services.js';

/** The stores' command timeout: a frozen Redis answers 503 after it. */
const TIMEOUT_MS = 500;
/** How long the app may take to serve again once Redis is back. */
const RECOVERY_MS = 3000;

const serverGate = redisServerGate('Redis fault tests');

describe.runIf(serverGate === 'run')('Redis faults on every Node adapter: fail closed during the outage, recover after it', () => {
  const adapters = [
    ['express', createExpressApp],
    ['koa', createKoaApp],
    ['hono', createHonoApp],
    ['reference', createReferenceServer],
  ] as const;
  const prefix = `portcullis-faults:${crypto.randomUUID()}:`;
  let port: number;
  let child: ChildProcess;
  let client: Awaited<ReturnType<typeof testClient>>;
  const servers = new Map<string, { server: Server; url: string }>();
  const bearer = `Bearer ${signFuzzJwt(FUZZ_JWT_HEADER, fuzzClaims('alice'))}`;

  function spec(sessions: RedisSessionStore, revocation: RedisRevocationStore): AppSpec {
    const jwt = fuzzJwt({ revocation });
    return {
      backend: multi([jwt, sessionAuth({ retrieveUser: (s) => (s.name === 'carol' ? new DemoUser('carol') : null) })]),
      mode: 'required',
      exclude: ['/login'],
      sessions: { store: sessions, secret: 'redis-faults-test-secret-0123456789abcdef', cookie: { secure: false } },
      routes: [
        {
          method: 'POST',
          path: '/login',
          handler: async (view) => {
            try {
              await view.login?.(new DemoUser('carol'), { name: 'carol' });
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

  /** Logs carol in on every adapter; the session cookies by adapter. */
  async function loginAll(): Promise<Map<string, string>> {
    const cookies = new Map<string, string>();
    for (const [name, { url }] of servers) {
      const res = await request(url).post('/login').set('Sec-Fetch-Site', 'same-origin');
      expect(res.status, name).toBe(200);
      cookies.set(name, ((res.headers['set-cookie'] as unknown as string[])[0] as string).split(';')[0] as string);
    }
    return cookies;
  }

  /** Every credentialed request answers 503 with the generic body, quickly; a request without credentials 401. */
  async function expectFailClosed(cookies: Map<string, string>, within: number): Promise<void> {
    for (const [name, { url }] of servers) {
      for (const [what, header, value] of [
        ['session', 'Cookie', cookies.get(name) as string],
        ['bearer', 'Authorization', bearer],
      ] as const) {
        const started = Date.now();
        const res = await request(url).get('/user').set(header, value).timeout(within + 2000);
        expect(res.status, `${name} ${what}`).toBe(503);
        expect(res.text, `${name} ${what}`).toBe('Service Unavailable');
        expect(Date.now() - started, `${name} ${what}: answered within the store's timeout`).toBeLessThan(within);
        const json = await request(url).get('/user').set(header, value).set('Accept', 'application/json').timeout(within + 2000);
        expect(json.status, `${name} ${what}`).toBe(503);
        expect(json.body, `${name} ${what}`).toEqual({ error: 'backend_unavailable' });
      }
      // A login cannot start a session it cannot store.
      const login = await request(url).post('/login').set('Sec-Fetch-Site', 'same-origin').timeout(within + 2000);
      expect(login.status, name).toBe(503);
      expect(login.headers['set-cookie'], name).toBeUndefined();
      expect((await request(url).get('/user')).status, `${name}: no credentials`).toBe(401);
    }
  }

  /** Waits until every adapter serves the bearer token and a fresh login again; returns how long it took. */
  async function recovery(): Promise<number> {
    const started = Date.now();
    for (const [name, { url }] of servers) {
      await waitFor(async () => (await request(url).get('/user').set('Authorization', bearer).timeout(RECOVERY_MS)).status === 200, RECOVERY_MS + 2000).catch(() => {
        throw new Error(`${name}: the bearer token was not served again within ${RECOVERY_MS + 2000} ms`);
      });
    }
    const cookies = await loginAll();
    for (const [name, { url }] of servers) expect((await request(url).get('/user').set('Cookie', cookies.get(name) as string)).text, name).toBe('carol');
    return Date.now() - started;
  }

  beforeAll(async () => {
    port = await freePort();
    child = await startRedisServer(port);
    client = await testClient(port);
    const sessions = new RedisSessionStore({ client: commands(client), prefix: `${prefix}s:`, timeoutMs: TIMEOUT_MS });
    const revocation = new RedisRevocationStore({ client: commands(client), prefix: `${prefix}r:`, timeoutMs: TIMEOUT_MS });
    for (const [name, createApp] of adapters) {
      const server = await createApp(spec(sessions, revocation));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.set(name, { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    }
  }, 20_000);

  afterAll(async () => {
    for (const { server } of servers.values()) {
      server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    // Thaw first: a stopped process does not act on SIGKILL until it is continued on every platform.
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) process.kill(child.pid, 'SIGCONT');
    if (client?.isOpen) await client.close().catch(() => {});
    if (child) await stopRedisServer(child);
  });

  it('SES-14 SIGKILL by pid → 503 fail-closed for sessions and JWT revocation → restart on the same port → recovery within 3 s', async () => {
    const cookies = await loginAll();
    for (const [name, { url }] of servers) expect((await request(url).get('/user').set('Authorization', bearer)).text, name).toBe('alice');

    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    process.kill(child.pid as number, 'SIGKILL');
    await exited;
    await waitFor(() => !client.isReady);
    // Not ready: the stores refuse at once.
    await expectFailClosed(cookies, 1000);

    child = await startRedisServer(port);
    expect(await recovery()).toBeLessThan(RECOVERY_MS);
  }, 40_000);

  it('SIGSTOP by pid → 503 within the stores’ timeout, no hang → SIGCONT → recovery within 3 s', async () => {
    const cookies = await loginAll();
    process.kill(child.pid as number, 'SIGSTOP');
    try {
      // The connection stays open and commands get no answer: the timeout decides.
      await expectFailClosed(cookies, TIMEOUT_MS + 1000);
    } finally {
      process.kill(child.pid as number, 'SIGCONT');
    }
    expect(await recovery()).toBeLessThan(RECOVERY_MS);
    // The sessions from before the freeze are still there (nothing was lost).
    for (const [name, { url }] of servers) expect((await request(url).get('/user').set('Cookie', cookies.get(name) as string)).text, name).toBe('carol');
  }, 40_000);
});
