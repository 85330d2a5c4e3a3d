import { randomUUID } from 'node:crypto';
import { type SimpleUser, SimpleUser as User } from '@portcullis/core';
import { createConnection } from '@portcullis/core/adapter';
import { MemoryRevocationStore, jwtAuth, type RevocationStore } from '@portcullis/jwt';
import { createClient } from 'redis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisRevocationStore, type RedisRevocationClient } from '../src/revocation.js';
import { serviceGate } from '../../../test-support/services.js';

const URL = 'redis://127.0.0.1:6379';
const PREFIX = `portcullis:test:${randomUUID()}:`;

/** Connects to the local Redis, or returns undefined when it is unreachable. */
async function connect() {
  const client = createClient({ url: URL, disableOfflineQueue: true, socket: { connectTimeout: 1000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.ping();
    return client;
  } catch {
    await client.destroy?.();
    return undefined;
  }
}

const client = await connect();
const reachable = client !== undefined;
const gate = serviceGate(reachable, `RedisRevocationStore tests: Redis is not reachable at ${URL}`);

afterAll(async () => {
  if (client === undefined) return;
  for await (const keys of client.scanIterator({ MATCH: `${PREFIX}*`, COUNT: 100 })) {
    if (keys.length > 0) await client.del(keys);
  }
  await client.close();
});

describe('RedisRevocationStore', () => {
  it.runIf(gate === 'fail')('Redis is reachable at 127.0.0.1:6379 (required when CI is set)', () => {
    expect(reachable, `Redis is unreachable at ${URL}`).toBe(true);
  });

  describe.skipIf(!reachable)('on a real Redis', () => {
    // Built only when Redis is reachable (the body of a skipped describe still runs).
    const redis = client as NonNullable<typeof client>;
    const store = reachable ? new RedisRevocationStore({ client: redis, prefix: PREFIX }) : (undefined as unknown as RedisRevocationStore);
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

    it('is a RevocationStore of @portcullis/jwt, and the node-redis client fits its client type', () => {
      const asStore: RevocationStore = store;
      const asClient: RedisRevocationClient = redis;
      expect(asStore).toBe(store);
      expect(asClient.isReady).toBe(true);
    });

    it('revoke() denylists (iss, jti) with a PX TTL; status() reads it back; unknown pairs are not revoked', async () => {
      await store.revoke('https://issuer.example', 'jti-1', 60_000);
      expect(await store.status('https://issuer.example', 'jti-1', 'alice')).toEqual({ revoked: true, notBefore: undefined });
      expect(await store.status('https://issuer.example', 'jti-2', 'alice')).toEqual({ revoked: false, notBefore: undefined });
      const key = `${PREFIX}jti:${encodeURIComponent('https://issuer.example')}:jti-1`;
      const ttl = await redis.pTTL(key);
      expect(ttl).toBeGreaterThan(59_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('JWT-29 keys are (iss, jti) — never a hash of the token — and parts cannot collide across ":"', async () => {
      await store.revoke('a:b', 'c', 60_000);
      expect((await store.status('a:b', 'c', 's')).revoked).toBe(true);
      expect((await store.status('a', 'b:c', 's')).revoked).toBe(false);
      const keys: string[] = [];
      for await (const batch of redis.scanIterator({ MATCH: `${PREFIX}jti:*`, COUNT: 100 })) keys.push(...batch);
      expect(keys).toContain(`${PREFIX}jti:a%3Ab:c`);
      for (const k of keys) expect(k).toMatch(new RegExp(`^${PREFIX.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}jti:[^:]+:[^:]+$`));
    });

    it('entries expire with their TTL', async () => {
      await store.revoke('iss', 'short', 150);
      expect((await store.status('iss', 'short', 's')).revoked).toBe(true);
      await sleep(300);
      expect((await store.status('iss', 'short', 's')).revoked).toBe(false);
      await store.revoke('iss', 'past', 0);
      expect((await store.status('iss', 'past', 's')).revoked).toBe(false);
    });

    it('JWT-30 revokeSubject() stores the cut-off for (iss, sub); a later call replaces it', async () => {
      await store.revokeSubject('iss', 'alice', 1_767_225_600_000, 60_000);
      expect((await store.status('iss', 'any', 'alice')).notBefore).toBe(1_767_225_600_000);
      expect((await store.status('iss', 'any', 'bob')).notBefore).toBeUndefined();
      await store.revokeSubject('iss', 'alice', 1_767_225_700_000, 60_000);
      expect((await store.status('iss', 'any', 'alice')).notBefore).toBe(1_767_225_700_000);
    });

    it('TOK-07 across processes: a token revoked through one backend is refused by another at once', async () => {
      const secret = new Uint8Array(32).fill(5);
      const make = () =>
        jwtAuth<SimpleUser>({
          algorithms: ['HS256'],
          secret,
          issuer: 'https://issuer.example',
          audience: 'api',
          retrieveUser: (t) => new User(t.sub),
          revocation: new RedisRevocationStore({ client: redis, prefix: PREFIX }),
        });
      const a = make();
      const b = make();
      const { token, claims } = await a.issue('alice');
      const conn = () => createConnection({ method: 'GET', target: '/', header: (n) => (n === 'authorization' ? `Bearer ${token}` : undefined) });
      await expect(b.authenticate(conn())).resolves.toMatchObject({ user: { username: 'alice' } });
      await a.revoke(claims);
      await expect(b.authenticate(conn())).rejects.toMatchObject({ code: 'invalid_credentials', challenge: 'Bearer realm="api", error="invalid_token", error_description="revoked"' });
      // The denylist entry lives until the token expires (plus leeway), no longer.
      const ttl = await redis.pTTL(`${PREFIX}jti:${encodeURIComponent('https://issuer.example')}:${claims.jti as string}`);
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual((claims.exp - Math.floor(Date.now() / 1000) + 2) * 1000);
    });

    it('a corrupt cut-off value fails closed (status rejects)', async () => {
      await redis.set(`${PREFIX}sub:iss:mallory`, 'not-a-number');
      await expect(store.status('iss', 'x', 'mallory')).rejects.toThrow();
    });
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
