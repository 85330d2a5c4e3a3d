// RedisSessionStore's suite, a function of the Redis it runs on: session-store.test.ts
// runs it on the shared server, cluster.test.ts on a Redis Cluster.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/session-store.js';
import { dropKeys, type RedisTarget } from '../targets.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The behaviour of RedisSessionStore on `redis`. */
export function sessionStoreSuite(redis: RedisTarget): void {
  describe(`RedisSessionStore on a ${redis.name}`, () => {
    const prefix = `portcullis-test:${crypto.randomUUID()}:`;
    let store: RedisSessionStore;

    beforeAll(() => {
      store = new RedisSessionStore({ client: redis.client(), prefix });
    });
    afterAll(async () => {
      await dropKeys(redis, prefix);
    });

    it('get: "not found" is undefined', async () => {
      expect(await store.get('A'.repeat(43))).toBeUndefined();
    });

    it('set then get round-trips the JSON data; get returns a copy', async () => {
      const id = crypto.randomUUID();
      await store.set(id, { user_id: 'u1', next: '/x', nested: { n: 1 } }, 60_000);
      const data = await store.get(id);
      expect(data).toEqual({ user_id: 'u1', next: '/x', nested: { n: 1 } });
      (data as Record<string, unknown>).user_id = 'changed';
      expect((await store.get(id))?.user_id).toBe('u1');
    });

    it('the stored key is the hash of the id, with a millisecond TTL', async () => {
      const id = crypto.randomUUID();
      await store.set(id, { a: 1 }, 60_000);
      const keys = await redis.keys(`${prefix}*`);
      expect(keys).toContain(store.key(id));
      expect(keys.join(' ')).not.toContain(id);
      const pttl = Number(await redis.send(['PTTL', store.key(id)]));
      expect(pttl).toBeGreaterThan(50_000);
      expect(pttl).toBeLessThanOrEqual(60_000);
    });

    it('expired data is never returned', async () => {
      const id = crypto.randomUUID();
      await store.set(id, { a: 1 }, 100);
      expect(await store.get(id)).toEqual({ a: 1 });
      await sleep(200);
      expect(await store.get(id)).toBeUndefined();
    });

    it('update writes only while the id is stored (SET … XX): false and nothing written otherwise', async () => {
      const id = crypto.randomUUID();
      expect(await store.update(id, { a: 1 }, 60_000)).toBe(false);
      expect(await store.get(id)).toBeUndefined();
      await store.set(id, { a: 1 }, 60_000);
      expect(await store.update(id, { a: 2 }, 60_000)).toBe(true);
      expect(await store.get(id)).toEqual({ a: 2 });
      await store.destroy(id);
      expect(await store.update(id, { a: 3 }, 60_000)).toBe(false);
      expect(await store.get(id)).toBeUndefined();
    });

    it('destroy deletes; destroying an unknown id resolves', async () => {
      const id = crypto.randomUUID();
      await store.set(id, { a: 1 }, 60_000);
      await store.destroy(id);
      expect(await store.get(id)).toBeUndefined();
      await expect(store.destroy(id)).resolves.toBeUndefined();
    });

    it('a value that is not a JSON object reads as not found', async () => {
      const id = crypto.randomUUID();
      await redis.send(['SET', store.key(id), 'not json', 'PX', '60000']);
      expect(await store.get(id)).toBeUndefined();
      await redis.send(['SET', store.key(id), '[1,2]', 'PX', '60000']);
      expect(await store.get(id)).toBeUndefined();
    });

    it('set refuses data that is not a JSON object and a non-positive TTL', async () => {
      await expect(store.set('x', [] as never, 1000)).rejects.toThrow(TypeError);
      await expect(store.set('x', {}, 0)).rejects.toThrow(RangeError);
    });

    it('sessions spread over the keyspace: no hash tag puts them all in one slot', async () => {
      const ids = Array.from({ length: 20 }, () => crypto.randomUUID());
      for (const id of ids) await store.set(id, { a: 1 }, 60_000);
      expect(ids.every((id) => !store.key(id).includes('{'))).toBe(true);
      expect(await redis.keys(`${prefix}*`)).toEqual(expect.arrayContaining(ids.map((id) => store.key(id))));
    });
  });
}
