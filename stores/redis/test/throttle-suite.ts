// The RedisThrottleStore's test suite as a function of a client factory, so it runs
// against the single Redis here and, unchanged, against a Redis Cluster (the store
// sends single-key commands only, each key in its own hash-tag slot).
import { loginThrottle, type ThrottleStore } from '@portcullis/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisThrottleStore } from '../src/throttle.js';
import type { RedisCommandClient } from '../src/client.js';

/** What the suite needs of a client: commands, and a way to close it. */
export interface ThrottleSuiteClient extends RedisCommandClient {
  /** Closes the connection (node-redis's `close()`/`quit()`). */
  close(): Promise<unknown>;
}

const T0 = Date.UTC(2026, 0, 1);

/**
 * Registers the RedisThrottleStore tests under `name`, on clients from `connect`
 * (a node-redis client or cluster client). Every key lives under a fresh prefix,
 * deleted afterwards key by key (no multi-key command, no FLUSHDB).
 */
export function throttleStoreSuite(name: string, connect: () => Promise<ThrottleSuiteClient>): void {
  describe(`RedisThrottleStore on ${name}`, () => {
    const prefix = `portcullis-test:throttle:${crypto.randomUUID()}:`;
    const used = new Set<string>();
    let client: ThrottleSuiteClient;
    let store: RedisThrottleStore;
    /** The store, remembering every key it touched for the clean-up. */
    let tracked: ThrottleStore;

    beforeAll(async () => {
      client = await connect();
      store = new RedisThrottleStore({ client, prefix });
      const note = (key: string): string => (used.add(store.key(key)), key);
      tracked = {
        get: (key) => store.get(note(key)),
        hit: (key, now, ttl) => store.hit(note(key), now, ttl),
        reset: (key) => store.reset(note(key)),
      };
    });
    afterAll(async () => {
      for (const key of used) await client.sendCommand(['DEL', key]);
      await client.close();
    });

    it('get() of a key never hit is undefined; hit() counts and answers the record; reset() forgets', async () => {
      expect(await tracked.get('a:1')).toBeUndefined();
      expect(await tracked.hit('a:1', T0, 60_000)).toEqual({ failures: 1, last: T0 });
      expect(await tracked.hit('a:1', T0 + 10, 60_000)).toEqual({ failures: 2, last: T0 + 10 });
      expect(await tracked.get('a:1')).toEqual({ failures: 2, last: T0 + 10 });
      await tracked.reset('a:1');
      expect(await tracked.get('a:1')).toBeUndefined();
      await tracked.reset('a:never');
    });

    it('a failure after the ttl (by the throttle\'s clock) starts the count again; the key expires with a PX ttl', async () => {
      await tracked.hit('a:2', T0, 1000);
      expect(await tracked.hit('a:2', T0 + 1000, 1000)).toEqual({ failures: 1, last: T0 + 1000 });
      const ttl = Number(await client.sendCommand(['PTTL', store.key('a:2')]));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1000);
    });

    it('concurrent hits all count (atomic): 50 at once make 50', async () => {
      await Promise.all(Array.from({ length: 50 }, () => tracked.hit('n:203.0.113.1', T0, 60_000)));
      expect(await tracked.get('n:203.0.113.1')).toEqual({ failures: 50, last: T0 });
    });

    it('each bucket is one key in a hash tag of its own; nothing else is written', async () => {
      expect(store.key('n:2001:db8::/64')).toBe(`${prefix}{n:2001:db8::/64}`);
      expect(store.key('a:{x}')).toBe(`${prefix}{a:_x_}`);
      await tracked.hit('a:3', T0, 60_000);
      expect(Number(await client.sendCommand(['HLEN', store.key('a:3')]))).toBe(2);
      expect(await client.sendCommand(['HMGET', store.key('a:3'), 'f', 'l'])).toEqual(['1', String(T0)]);
    });

    it('a corrupt record fails closed (rejects) instead of letting guesses through', async () => {
      used.add(store.key('a:4'));
      await client.sendCommand(['HSET', store.key('a:4'), 'f', 'many', 'l', String(T0)]);
      await expect(store.get('a:4')).rejects.toThrow(/corrupt/);
    });

    it('THR-12 THR-14 behind loginThrottle: the account backs off across addresses, then is accepted again', async () => {
      let now = T0;
      const throttle = loginThrottle({ store: tracked, accountAllowance: 2, addressAllowance: 0, clock: () => now });
      const user = `user-${crypto.randomUUID()}`;
      for (let i = 0; i < 3; i++) await throttle.failed(user);
      expect(await throttle.retryAfter(user.toUpperCase())).toBe(1);
      now += 1000;
      expect(await throttle.retryAfter(user)).toBe(0);
    });

    it('checks its options at construction', () => {
      expect(() => new RedisThrottleStore({ client: {} as never })).toThrow(/client must be a connected node-redis client/);
      expect(() => new RedisThrottleStore({ client, prefix: 'a b' })).toThrow(/prefix/);
      expect(() => new RedisThrottleStore({ client, timeoutMs: 0 })).toThrow(/timeoutMs/);
    });
  });
}
