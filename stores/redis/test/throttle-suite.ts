// The RedisThrottleStore's test suite as a function of a client factory, so it runs
// against the single Redis here and, unchanged, against a Redis Cluster (the store
// sends single-key commands only, each key in its own hash-tag slot).
import { SimpleUser, isAuthenticationError, loginThrottle, passwordBackend, throttleWait, type ThrottleAnswer, type ThrottleRule, type ThrottleStore } from '@portcullis/core';
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
        attempt: (key, now, rule) => store.attempt(note(key), now, rule),
        release: (key, now, ttl) => store.release(note(key), now, ttl),
      };
    });
    afterAll(async () => {
      for (const key of used) await client.sendCommand(['DEL', key]);
      await client.close();
    });

    const RULE: ThrottleRule = { allowance: 2, baseDelayMs: 1000, maxDelayMs: 8000, ttlMs: 60_000 };

    it('get() of a key never counted is undefined; attempt() counts and answers the record; release() gives one back, never below 0', async () => {
      expect(await tracked.get('a:1')).toBeUndefined();
      expect(await tracked.attempt('a:1', T0, RULE)).toEqual({ waitMs: 0, failures: 1, last: T0 });
      expect(await tracked.attempt('a:1', T0 + 10, RULE)).toEqual({ waitMs: 0, failures: 2, last: T0 + 10 });
      expect(await tracked.get('a:1')).toEqual({ failures: 2, last: T0 + 10 });
      await tracked.release('a:1', T0 + 20, RULE.ttlMs);
      expect(await tracked.get('a:1')).toEqual({ failures: 1, last: T0 + 10 });
      await tracked.release('a:1', T0 + 20, RULE.ttlMs);
      await tracked.release('a:1', T0 + 20, RULE.ttlMs);
      expect(await tracked.get('a:1')).toBeUndefined();
      await tracked.release('a:never', T0, RULE.ttlMs);
    });

    it('an attempt after the ttl (by the throttle\'s clock) starts the count again; the key expires with a PX ttl; last never moves back', async () => {
      const rule = { ...RULE, ttlMs: 1000 };
      await tracked.attempt('a:2', T0, rule);
      expect(await tracked.attempt('a:2', T0 + 1000, rule)).toEqual({ waitMs: 0, failures: 1, last: T0 + 1000 });
      const ttl = Number(await client.sendCommand(['PTTL', store.key('a:2')]));
      expect(ttl).toBeGreaterThan(0);
      expect(ttl).toBeLessThanOrEqual(1000);
      expect(await tracked.attempt('a:2', T0 + 500, rule)).toEqual({ waitMs: 0, failures: 2, last: T0 + 1000 }); // a late clock (another process)
    });

    it('a waiting bucket refuses without counting', async () => {
      for (let i = 0; i < 3; i++) await tracked.attempt('a:5', T0, RULE);
      expect(await tracked.attempt('a:5', T0 + 10, RULE)).toEqual({ waitMs: 990, failures: 3, last: T0 });
      expect(await tracked.get('a:5')).toEqual({ failures: 3, last: T0 });
    });

    it('THR-12 200 concurrent attempts on one bucket admit exactly allowance + 1 (atomic)', async () => {
      const answers = await Promise.all(Array.from({ length: 200 }, () => tracked.attempt('n:203.0.113.1', T0, RULE)));
      expect(answers.filter((a) => a.waitMs === 0)).toHaveLength(RULE.allowance + 1);
      expect(await tracked.get('n:203.0.113.1')).toEqual({ failures: RULE.allowance + 1, last: T0 });
    });

    it('the Lua script answers what core\'s throttleWait says, over a table of (failures, last, now, rule)', async () => {
      const rules: ThrottleRule[] = [
        RULE,
        { allowance: 0, baseDelayMs: 250, maxDelayMs: 900_000, ttlMs: 3_600_000 },
        { allowance: 5, baseDelayMs: 1000, maxDelayMs: 1000, ttlMs: 1000 },
      ];
      const cases: Array<[number, number, number, ThrottleRule]> = [];
      for (const rule of rules) {
        for (const failures of [1, 2, 3, 4, 6, 7, 12, 45, 60]) {
          for (const age of [0, 1, 500, 999, 1000, 1999, 7999, 8000, 59_999, 60_000, 3_600_000, -300, -3_600_000]) cases.push([failures, T0, T0 + age, rule]);
        }
      }
      let n = 0;
      const seen: Array<[ThrottleAnswer, ThrottleAnswer, string]> = [];
      for (const [failures, last, now, rule] of cases) {
        const key = `a:table:${n++}`;
        used.add(store.key(key));
        await client.sendCommand(['HSET', store.key(key), 'f', String(failures), 'l', String(last)]);
        const record = { failures, last };
        const wait = throttleWait(record, now, rule);
        const fresh = now - last >= rule.ttlMs;
        const expected: ThrottleAnswer = wait > 0 ? { waitMs: wait, failures, last } : { waitMs: 0, failures: (fresh ? 0 : failures) + 1, last: Math.max(fresh ? now : last, now) };
        seen.push([await store.attempt(key, now, rule), expected, JSON.stringify({ failures, age: now - last, rule })]);
      }
      for (const [actual, expected, label] of seen) expect(actual, label).toEqual(expected);
      expect(seen.filter(([a]) => a.waitMs > 0).length).toBeGreaterThan(50); // the table exercises the backoff
    });

    it('each bucket is one key in a hash tag of its own; nothing else is written', async () => {
      expect(store.key('n:2001:db8::/64')).toBe(`${prefix}{n:2001:db8::/64}`);
      expect(store.key('a:{x}')).toBe(`${prefix}{a:_x_}`);
      await tracked.attempt('a:3', T0, RULE);
      expect(Number(await client.sendCommand(['HLEN', store.key('a:3')]))).toBe(2);
      expect(await client.sendCommand(['HMGET', store.key('a:3'), 'f', 'l'])).toEqual(['1', String(T0)]);
    });

    it('a corrupt record fails closed (rejects) instead of letting guesses through', async () => {
      used.add(store.key('a:4'));
      await client.sendCommand(['HSET', store.key('a:4'), 'f', 'many', 'l', String(T0)]);
      await expect(store.get('a:4')).rejects.toThrow(/corrupt/);
      await expect(store.attempt('a:4', T0, RULE)).rejects.toThrow(/corrupt/);
      await expect(store.release('a:4', T0, RULE.ttlMs)).rejects.toThrow(/corrupt/);
    });

    it('THR-12 a corrupt record fails the login closed even with onStoreError: open (not an outage)', async () => {
      const user = `user-${crypto.randomUUID()}`;
      const mine: string[] = [];
      const store2: ThrottleStore = { ...tracked, attempt: (key, now, rule) => (mine.push(store.key(key)), tracked.attempt(key, now, rule)) };
      const throttle = loginThrottle({ store: store2, addressAllowance: 0, onStoreError: 'open', clock: () => T0 });
      await throttle.failed(user);
      expect(mine).toHaveLength(1);
      await client.sendCommand(['HSET', mine[0]!, 'f', 'x']);
      for (const call of [() => throttle.attempt(user), () => throttle.retryAfter(user)]) {
        const error = await call().catch((e: unknown) => e);
        expect(isAuthenticationError(error) && [error.code, error.reason]).toEqual(['backend_unavailable', 'throttle_unavailable']);
      }
      await expect(store.get('a:4')).rejects.toMatchObject({ name: 'ThrottleRecordCorrupt' });
      await expect(store.attempt('a:4', T0, RULE)).rejects.toMatchObject({ name: 'ThrottleRecordCorrupt' });
    });

    it('THR-14 clock skew between app servers: Retry-After never exceeds maxDelayMs (+1 s)', async () => {
      const user = `user-${crypto.randomUUID()}`;
      const options = { store: tracked, accountAllowance: 0, addressAllowance: 0, maxDelayMs: 900_000 };
      const ahead = loginThrottle({ ...options, clock: () => T0 + 3_600_000 }); // an hour fast
      const onTime = loginThrottle({ ...options, clock: () => T0 });
      for (let i = 0; i < 30; i++) {
        const attempt = await ahead.attempt(user);
        if (attempt.retryAfter === 0) await attempt.failed();
      }
      const waits = [(await onTime.attempt(user)).retryAfter, await onTime.retryAfter(user)];
      expect(waits.every((w) => w >= 1 && w <= 901), String(waits)).toBe(true);
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

    it('THR-12 200 parallel wrong guesses through passwordBackend: exactly allowance + 1 reach the hasher, the rest are 429', async () => {
      let verified = 0;
      const backend = passwordBackend({
        findUser: (name) => new SimpleUser(name),
        passwordHashOf: () => 'h:right',
        hasher: {
          id: 'plain',
          identifies: () => true,
          hash: async (p) => `h:${p}`,
          verify: async (p, stored) => (verified++, await new Promise((r) => setTimeout(r, 1)), { ok: stored === `h:${p}`, needsRehash: false }),
        },
        throttle: loginThrottle({ store: tracked, accountAllowance: 5, addressAllowance: 0 }),
      });
      const user = `user-${crypto.randomUUID()}`;
      const outcomes = await Promise.all(
        Array.from({ length: 200 }, (_, i) =>
          backend.verifyCredentials(user, `guess${i}`).then(
            (found) => (found === null ? 'wrong' : 'in'),
            (error: unknown) => (isAuthenticationError(error) ? error.code : 'other'),
          ),
        ),
      );
      expect(verified).toBe(6);
      expect(outcomes.filter((o) => o === 'too_many_requests')).toHaveLength(194);
    });

    it('checks its options at construction', () => {
      expect(() => new RedisThrottleStore({ client: {} as never })).toThrow(/client must be a connected node-redis client/);
      expect(() => new RedisThrottleStore({ client, prefix: 'a b' })).toThrow(/prefix/);
      expect(() => new RedisThrottleStore({ client, timeoutMs: 0 })).toThrow(/timeoutMs/);
    });
  });
}
