import { describe, expect, it } from 'vitest';
import { RedisRefreshTokenStore, type RedisRefreshClient } from '../src/index.js';
import type { RedisCommandClient } from '../src/client.js';
import { dropPrefix, testClient } from './redis-helpers.js';
import { redisRefreshStoreSuite } from './refresh-store-suite.js';
import { redisGate } from '../../../test-support/services.js';

const gate = await redisGate('RedisRefreshTokenStore');

describe('RedisRefreshTokenStore configuration', () => {
  const client = { isReady: true, sendCommand: async () => null } as RedisRefreshClient;
  it('refuses a missing client, a prefix with braces (they would break the hash tag), an unusable timeout', () => {
    expect(() => new RedisRefreshTokenStore({ client: undefined as never })).toThrow(/client/);
    expect(() => new RedisRefreshTokenStore({ client, prefix: 'a{b}:' })).toThrow(/braces/);
    expect(() => new RedisRefreshTokenStore({ client, timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('a client that is not ready → every method rejects at once', async () => {
    const store = new RedisRefreshTokenStore({ client: { isReady: false, sendCommand: async () => null } });
    await expect(store.family('abc', 0)).rejects.toThrow(/not connected/);
  });
});

describe.runIf(gate !== 'run')('RedisRefreshTokenStore on 127.0.0.1:6379', () => {
  it.skipIf(gate === 'skip')('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
    throw new Error('Redis is not reachable at 127.0.0.1:6379');
  });
});

if (gate === 'run') {
  const clients: Awaited<ReturnType<typeof testClient>>[] = [];
  const connect = async () => {
    const client = await testClient();
    clients.push(client);
    return client as unknown as RedisCommandClient;
  };
  redisRefreshStoreSuite('Redis 127.0.0.1:6379', {
    connect,
    async dump(prefix) {
      const client = clients[0] ?? (await testClient());
      const keys = (await client.sendCommand(['KEYS', `${prefix}*`])) as string[];
      return Promise.all(
        keys.map(async (key) => {
          const type = String(await client.sendCommand(['TYPE', key]));
          const reply: unknown = type === 'hash' ? await client.sendCommand(['HGETALL', key]) : type === 'list' ? await client.sendCommand(['LRANGE', key, '0', '-1']) : await client.sendCommand(['GET', key]);
          const values = Array.isArray(reply) ? reply : reply !== null && typeof reply === 'object' ? Object.entries(reply).flat() : [reply];
          return { key, values: values.map(String), pttl: Number(await client.sendCommand(['PTTL', key])) };
        }),
      );
    },
    async drop(prefix) {
      if (clients[0] !== undefined) await dropPrefix(clients[0], prefix);
    },
    async close() {
      await Promise.all(clients.map((c) => c.close()));
    },
  });
}
