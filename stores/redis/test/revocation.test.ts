import { type SimpleUser, SimpleUser as User } from '@portcullis/core';
import { createConnection } from '@portcullis/core/adapter';
import { MemoryRevocationStore, jwtAuth } from '@portcullis/jwt';
import type { createClient, createCluster } from 'redis';
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { RedisStoreClient } from '../src/client.js';
import { RedisRevocationStore, type RedisRevocationClient } from '../src/revocation.js';
import { revocationStoreSuite } from './suites/revocation.js';
import { singleServer } from './targets.js';
import { redisGate } from '../../../test-support/services.js';

const gate = await redisGate('RedisRevocationStore tests');

describe('RedisRevocationStore', () => {
  describe.runIf(gate === 'fail')('needs Redis', () => {
    it('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
      throw new Error('Redis is not reachable at 127.0.0.1:6379');
    });
  });

  describe.runIf(gate === 'run')('on 127.0.0.1:6379', () => {
    revocationStoreSuite(singleServer());
  });

  it('node-redis clients fit its client types: createClient() and createCluster()', () => {
    expectTypeOf<ReturnType<typeof createClient>>().toExtend<RedisRevocationClient>();
    expectTypeOf<ReturnType<typeof createCluster>>().toExtend<RedisStoreClient>();
    expectTypeOf<ReturnType<typeof createCluster>>().not.toExtend<RedisRevocationClient>();
  });

  describe('without a working Redis', () => {
    it('a client that is not ready → every method rejects at once (the request fails closed, 503)', async () => {
      const down: RedisRevocationClient = { isReady: false, sendCommand: () => new Promise(() => undefined) };
      const store = new RedisRevocationStore({ client: down });
      await expect(store.status('iss', 'jti', 'sub')).rejects.toThrow();
      await expect(store.revoke('iss', 'jti', 1000)).rejects.toThrow();
    });

    it('a command that hangs rejects after timeoutMs; the JWT backend answers backend_unavailable', async () => {
      const hung: RedisRevocationClient = { isReady: true, sendCommand: () => new Promise(() => undefined) };
      const store = new RedisRevocationStore({ client: hung, timeoutMs: 50 });
      const secret = new Uint8Array(32).fill(5);
      const issuer = jwtAuth<SimpleUser>({ algorithms: ['HS256'], secret, issuer: 'i', audience: 'a', retrieveUser: (t) => new User(t.sub), revocation: new MemoryRevocationStore() });
      const jwt = jwtAuth<SimpleUser>({ algorithms: ['HS256'], secret, issuer: 'i', audience: 'a', retrieveUser: (t) => new User(t.sub), revocation: store });
      const { token } = await issuer.issue('alice');
      const start = performance.now();
      await expect(
        jwt.authenticate(createConnection({ method: 'GET', target: '/', header: (n) => (n === 'authorization' ? `Bearer ${token}` : undefined) })),
      ).rejects.toMatchObject({ code: 'backend_unavailable' });
      expect(performance.now() - start).toBeLessThan(1000);
    });

    it('options are checked at construction', () => {
      expect(() => new RedisRevocationStore({ client: {} as RedisRevocationClient })).toThrow();
      expect(() => new RedisRevocationStore({ client: { isReady: true, sendCommand: async () => null }, prefix: 'a b' })).toThrow();
      expect(() => new RedisRevocationStore({ client: { isReady: true, sendCommand: async () => null }, timeoutMs: 0 })).toThrow();
    });
  });
});
