/**
 * The cases every `RefreshTokenStore` (of `@portcullis/jwt`) must pass, as a function
 * of a store factory: the memory store runs them in jwt/test, the Redis store in
 * stores/redis/test (on one Redis, and on a Redis Cluster by whoever has one: pass a
 * factory that builds the store on a cluster client).
 */
import { describe, expect, it } from 'vitest';
import type { RefreshFamily, RefreshTokenStore } from '@portcullis/jwt';

/** What {@link refreshStoreSuite} needs: a fresh, empty store per call (a unique key prefix on a shared server), with the store's own `maxRotated` when given. */
export type RefreshStoreFactory = (options?: { maxRotated?: number }) => RefreshTokenStore | Promise<RefreshTokenStore>;

const T0 = Date.UTC(2026, 0, 1);
const HOUR = 3_600_000;
let n = 0;

/** A family id of the right shape (22 base64url characters), unique per call. */
export function familyId(): string {
  n++;
  return `fam${String(n).padStart(6, '0')}${crypto.randomUUID().replace(/-/g, '').slice(0, 13)}`;
}

/** A family created at T0 that lives 24 h. */
export function family(overrides: Partial<RefreshFamily> = {}): RefreshFamily {
  return { id: familyId(), subject: 'alice', scopes: ['read', 'write'], createdAt: T0, expiresAt: T0 + 24 * HOUR, ...overrides };
}

/** A token hash of the right shape (43 base64url characters). */
export const hash = (label: string): string => `${label}-`.repeat(43).slice(0, 43);

/**
 * Registers the port's cases under `describe(name)`: create/family/rotate/revoke,
 * idle and absolute lifetimes on the caller's clock, reuse detection that deletes the
 * family, and exactly one winner among concurrent rotations of one token.
 */
export function refreshStoreSuite(name: string, create: RefreshStoreFactory): void {
  describe(`RefreshTokenStore: ${name}`, () => {
    it('create() then family() reads the family back; an unknown id is undefined', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      expect(await store.family(f.id, T0)).toEqual(f);
      expect(await store.family(familyId(), T0)).toBeUndefined();
    });

    it('RT-11 rotate() with the current token → rotated; the old token is then a rotated one, the new one current', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      expect(await store.rotate(f.id, hash('a'), hash('b'), T0 + 1000, HOUR)).toEqual({ outcome: 'rotated', family: f });
      expect(await store.rotate(f.id, hash('b'), hash('c'), T0 + 2000, HOUR)).toEqual({ outcome: 'rotated', family: f });
      expect(await store.family(f.id, T0 + 3000)).toEqual(f);
    });

    it('RFC 9700 §4.14.2 a rotated token again → reused, and the whole family is gone (its current token too)', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      await store.rotate(f.id, hash('a'), hash('b'), T0 + 1000, HOUR);
      expect(await store.rotate(f.id, hash('a'), hash('x'), T0 + 2000, HOUR)).toEqual({ outcome: 'reused', family: f });
      expect(await store.family(f.id, T0 + 2000)).toBeUndefined();
      expect(await store.rotate(f.id, hash('b'), hash('y'), T0 + 3000, HOUR)).toEqual({ outcome: 'unknown' });
    });

    it('a token the family never had → unknown, and the family lives on', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      expect(await store.rotate(f.id, hash('z'), hash('b'), T0 + 1000, HOUR)).toEqual({ outcome: 'unknown' });
      expect(await store.rotate(f.id, hash('a'), hash('b'), T0 + 2000, HOUR)).toMatchObject({ outcome: 'rotated' });
    });

    it('the idle deadline: unused past it → unknown; each rotation moves it (never past the absolute expiry)', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      expect(await store.rotate(f.id, hash('a'), hash('b'), T0 + HOUR - 1, HOUR)).toMatchObject({ outcome: 'rotated' });
      // Idle until T0 + 2h - 1 now.
      expect(await store.family(f.id, T0 + 2 * HOUR - 2)).toEqual(f);
      expect(await store.rotate(f.id, hash('b'), hash('c'), T0 + 2 * HOUR - 1, HOUR)).toEqual({ outcome: 'unknown' });
      expect(await store.family(f.id, T0 + 2 * HOUR - 1)).toBeUndefined();
    });

    it('the absolute expiry: no rotation extends it', async () => {
      const store = await create();
      const f = family({ expiresAt: T0 + 90 * 60_000 });
      await store.create(f, hash('a'), T0 + HOUR);
      expect(await store.rotate(f.id, hash('a'), hash('b'), T0 + 50 * 60_000, HOUR)).toMatchObject({ outcome: 'rotated' });
      expect(await store.family(f.id, T0 + 89 * 60_000)).toEqual(f);
      expect(await store.rotate(f.id, hash('b'), hash('c'), T0 + 90 * 60_000, HOUR)).toEqual({ outcome: 'unknown' });
    });

    it('RT-12 revoke() deletes the family; revoking an unknown family is not an error', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      await store.revoke(f.id);
      expect(await store.family(f.id, T0)).toBeUndefined();
      expect(await store.rotate(f.id, hash('a'), hash('b'), T0, HOUR)).toEqual({ outcome: 'unknown' });
      await expect(store.revoke(familyId())).resolves.toBeUndefined();
    });

    it('families are independent: rotating or revoking one leaves another alone', async () => {
      const store = await create();
      const f = family();
      const g = family({ subject: 'bob', scopes: [] });
      await store.create(f, hash('a'), T0 + HOUR);
      await store.create(g, hash('a'), T0 + HOUR);
      await store.revoke(f.id);
      expect(await store.family(g.id, T0)).toEqual(g);
      expect(await store.rotate(g.id, hash('a'), hash('b'), T0, HOUR)).toEqual({ outcome: 'rotated', family: g });
    });

    it('maxRotated bounds the remembered rotated tokens: the oldest go first (a replay of one reads as unknown), newer ones still revoke', async () => {
      const store = await create({ maxRotated: 2 });
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      for (const [from, to] of [['a', 'b'], ['b', 'c'], ['c', 'd']]) await store.rotate(f.id, hash(from as string), hash(to as string), T0 + 1000, HOUR);
      // Remembered: b and c; a was dropped.
      expect(await store.rotate(f.id, hash('a'), hash('x'), T0 + 2000, HOUR)).toEqual({ outcome: 'unknown' });
      expect(await store.revokeToken(f.id, hash('a'))).toBe(false);
      expect(await store.family(f.id, T0 + 2000)).toEqual(f);
      expect(await store.rotate(f.id, hash('b'), hash('x'), T0 + 2000, HOUR)).toEqual({ outcome: 'reused', family: f });
    });

    it('RT-12 revokeToken() deletes the family only for its current or a rotated token; a family id with another secret revokes nothing', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      await store.rotate(f.id, hash('a'), hash('b'), T0 + 1000, HOUR);
      expect(await store.revokeToken(f.id, hash('z'))).toBe(false);
      expect(await store.revokeToken(familyId(), hash('b'))).toBe(false);
      expect(await store.family(f.id, T0 + 1000)).toEqual(f);
      expect(await store.revokeToken(f.id, hash('b'))).toBe(true);
      expect(await store.family(f.id, T0 + 1000)).toBeUndefined();
      const g = family();
      await store.create(g, hash('a'), T0 + HOUR);
      await store.rotate(g.id, hash('a'), hash('b'), T0 + 1000, HOUR);
      expect(await store.revokeToken(g.id, hash('a'))).toBe(true); // a rotated token still proves the holder
      expect(await store.family(g.id, T0 + 1000)).toBeUndefined();
    });

    it('JWT-30 revokeSubject() keeps the subject\'s cut-off until `until`; only a later cut-off replaces it; other subjects have none', async () => {
      const store = await create();
      const subject = `alice-${familyId()}`;
      expect(await store.subjectNotBefore(subject, T0)).toBeUndefined();
      await store.revokeSubject(subject, T0 + 1000, T0 + HOUR);
      expect(await store.subjectNotBefore(subject, T0 + 2000)).toBe(T0 + 1000);
      await store.revokeSubject(subject, T0 + 500, T0 + HOUR);
      expect(await store.subjectNotBefore(subject, T0 + 2000)).toBe(T0 + 1000);
      await store.revokeSubject(subject, T0 + 3000, T0 + 2 * HOUR);
      expect(await store.subjectNotBefore(subject, T0 + 4000)).toBe(T0 + 3000);
      expect(await store.subjectNotBefore(`bob-${familyId()}`, T0)).toBeUndefined();
    });

    it('refresh replay and races: 8 concurrent rotations of one token → exactly one rotated, the others reused (the family dies)', async () => {
      const store = await create();
      const f = family();
      await store.create(f, hash('a'), T0 + HOUR);
      const results = await Promise.all(Array.from({ length: 8 }, (_, i) => store.rotate(f.id, hash('a'), hash(`n${i}`), T0 + 1000, HOUR)));
      const outcomes = results.map((r) => r.outcome).sort();
      expect(outcomes.filter((o) => o === 'rotated')).toHaveLength(1);
      // The first loser finds the token rotated (reused) and deletes the family; later ones find nothing.
      expect(outcomes.filter((o) => o === 'reused')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'unknown')).toHaveLength(6);
      expect(await store.family(f.id, T0 + 1000)).toBeUndefined();
    });
  });
}
