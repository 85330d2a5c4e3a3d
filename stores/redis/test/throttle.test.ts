// RedisThrottleStore on the shared Redis (127.0.0.1:6379, a unique prefix), and a
// Redis of the test's own, killed by pid: a login fails closed (503) while it is away.
import type { ChildProcess } from 'node:child_process';
import { MemoryThrottleStore, SimpleUser, loginThrottle, passwordBackend, type ThrottleStore } from '@portcullis/core';
import { createAuthenticator, createConnection } from '@portcullis/core/adapter';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisThrottleStore } from '../src/throttle.js';
import { commands, startRedisServer, stopRedisServer, testClient } from './redis-helpers.js';
import { throttleStoreSuite } from './throttle-suite.js';
import { freePort } from '../../../test-support/ports.js';
import { redisGate, redisServerGate } from '../../../test-support/services.js';

const gate = await redisGate('RedisThrottleStore tests');
describe.runIf(gate === 'fail')('RedisThrottleStore', () => {
  it('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
    throw new Error('Redis is not reachable at 127.0.0.1:6379');
  });
});
if (gate === 'run') throttleStoreSuite('a single Redis', async () => testClient(6379));

const serverGate = redisServerGate('RedisThrottleStore outage test');

describe.runIf(serverGate === 'run')('RedisThrottleStore outage: logins fail closed, or open when configured', () => {
  let child: ChildProcess;
  let client: Awaited<ReturnType<typeof testClient>>;
  let store: ThrottleStore;

  beforeAll(async () => {
    const port = await freePort();
    child = await startRedisServer(port);
    client = await testClient(port);
    store = new RedisThrottleStore({ client: commands(client), timeoutMs: 300 });
  });
  afterAll(async () => {
    await stopRedisServer(child);
    await client.destroy();
  });

  const basic = (password: string) =>
    createConnection({
      method: 'GET',
      target: '/me',
      peerAddress: '203.0.113.1',
      header: (name) => (name === 'authorization' ? `Basic ${Buffer.from(`alice:${password}`).toString('base64')}` : undefined),
    });

  it('up: a wrong password is 401 and counted; killed (by pid): 503 without hashing, never 200; open: the login goes on', async () => {
    let verified = 0;
    const backendWith = (throttleStore: ThrottleStore, onStoreError?: 'open') =>
      createAuthenticator({
        backend: passwordBackend({
          findUser: (name) => new SimpleUser(name),
          passwordHashOf: () => 'h:alicepwd',
          hasher: {
            id: 'plain',
            identifies: () => true,
            hash: async (p) => `h:${p}`,
            verify: async (p, s) => (verified++, { ok: s === `h:${p}`, needsRehash: false }),
          },
          throttle: loginThrottle({ store: throttleStore, ...(onStoreError === undefined ? {} : { onStoreError }) }),
        }),
      });
    const closed = backendWith(store);
    const open = backendWith(store, 'open');
    const first = await closed.run(basic('nope'));
    expect(first.type === 'respond' && first.response.status).toBe(401);
    expect(await store.get('n:203.0.113.1')).toEqual({ failures: 1, last: expect.any(Number) });

    await stopRedisServer(child);
    const before = verified;
    for (const password of ['alicepwd', 'nope']) {
      const down = await closed.run(basic(password));
      expect(down.type === 'respond' && [down.response.status, down.response.body]).toEqual([503, 'Service Unavailable']);
    }
    expect(verified).toBe(before);
    const through = await open.run(basic('alicepwd'));
    expect(through.type).toBe('continue');
  });

  it('the memory store needs no server (the default for one process)', async () => {
    expect(await new MemoryThrottleStore().get('a:x')).toBeUndefined();
  });
});
