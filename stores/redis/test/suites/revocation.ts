// RedisRevocationStore's suite, a function of the Redis it runs on: revocation.test.ts
// runs it on the shared server, cluster.test.ts on a Redis Cluster.
import { randomUUID } from 'node:crypto';
import { type SimpleUser, SimpleUser as User } from '@portcullis/core';
import { createConnection } from '@portcullis/core/adapter';
import { jwtAuth, type RevocationStore } from '@portcullis/jwt';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRevocationStore } from '../../src/revocation.js';
import { dropKeys, type RedisTarget } from '../targets.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The behaviour of RedisRevocationStore on `redis`. */
export function revocationStoreSuite(redis: RedisTarget): void {
  describe(`RedisRevocationStore on a ${redis.name}`, () => {
    const PREFIX = `portcullis:test:${randomUUID()}:`;
    let store: RedisRevocationStore;

    beforeAll(() => {
      store = new RedisRevocationStore({ client: redis.client(), prefix: PREFIX });
    });
    afterAll(async () => {
      await dropKeys(redis, PREFIX);
    });

    it('is a RevocationStore of @portcullis/jwt', () => {
      const asStore: RevocationStore = store;
      expect(asStore).toBe(store);
      expect(redis.client().isReady).toBe(true);
    });

    it('revoke() denylists (iss, jti) with a PX TTL; status() reads it back; unknown pairs are not revoked', async () => {
      await store.revoke('https://issuer.example', 'jti-1', 60_000);
      expect(await store.status('https://issuer.example', 'jti-1', 'alice')).toEqual({ revoked: true, notBefore: undefined });
      expect(await store.status('https://issuer.example', 'jti-2', 'alice')).toEqual({ revoked: false, notBefore: undefined });
      const key = `${PREFIX}jti:${encodeURIComponent('https://issuer.example')}:jti-1`;
      const ttl = Number(await redis.send(['PTTL', key]));
      expect(ttl).toBeGreaterThan(59_000);
      expect(ttl).toBeLessThanOrEqual(60_000);
    });

    it('JWT-29 keys are (iss, jti) — never a hash of the token — and parts cannot collide across ":"', async () => {
      await store.revoke('a:b', 'c', 60_000);
      expect((await store.status('a:b', 'c', 's')).revoked).toBe(true);
      expect((await store.status('a', 'b:c', 's')).revoked).toBe(false);
      const keys = await redis.keys(`${PREFIX}jti:*`);
      expect(keys).toContain(`${PREFIX}jti:a%3Ab:c`);
      for (const k of keys) expect(k).toMatch(new RegExp(`^${escape(PREFIX)}jti:[^:]+:[^:]+$`));
    });

    it('a "{…}" in an issuer, jti or subject is escaped: a token cannot choose the slot of its keys', async () => {
      await store.revoke('{iss}', '{jti}', 60_000);
      await store.revokeSubject('{iss}', '{sub}', 1_767_225_600_000, 60_000);
      expect(await store.status('{iss}', '{jti}', '{sub}')).toEqual({ revoked: true, notBefore: 1_767_225_600_000 });
      const keys = await redis.keys(`${PREFIX}*%7Biss%7D*`);
      expect(keys).toHaveLength(2);
      for (const k of keys) expect(k).not.toMatch(/[{}]/);
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
          revocation: new RedisRevocationStore({ client: redis.client(), prefix: PREFIX }),
        });
      const a = make();
      const b = make();
      const { token, claims } = await a.issue('alice');
      const conn = () => createConnection({ method: 'GET', target: '/', header: (n) => (n === 'authorization' ? `Bearer ${token}` : undefined) });
      await expect(b.authenticate(conn())).resolves.toMatchObject({ user: { username: 'alice' } });
      await a.revoke(claims);
      await expect(b.authenticate(conn())).rejects.toMatchObject({ code: 'invalid_credentials', challenge: 'Bearer realm="api", error="invalid_token", error_description="revoked"' });
      // The denylist entry lives until the token expires (plus leeway), no longer.
      const ttl = Number(await redis.send(['PTTL', `${PREFIX}jti:${encodeURIComponent('https://issuer.example')}:${claims.jti as string}`]));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual((claims.exp - Math.floor(Date.now() / 1000) + 2) * 1000);
    });

    it('a corrupt cut-off value fails closed (status rejects)', async () => {
      await redis.send(['SET', `${PREFIX}sub:iss:mallory`, 'not-a-number']);
      await expect(store.status('iss', 'x', 'mallory')).rejects.toThrow();
    });
  });
}
