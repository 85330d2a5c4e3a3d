import { describe, expect, it } from 'vitest';
import { MemoryRefreshTokenStore } from '../src/index.js';
import { ConfigurationError } from '@portcullis/core';
import { family, hash, refreshStoreSuite } from '../../test-support/refresh-stores.js';

refreshStoreSuite('MemoryRefreshTokenStore', (options) => new MemoryRefreshTokenStore(options));

describe('MemoryRefreshTokenStore bounds', () => {
  const T0 = Date.UTC(2026, 0, 1);
  const HOUR = 3_600_000;

  it('keeps at most maxFamilies families: the least recently used is evicted first', async () => {
    const store = new MemoryRefreshTokenStore({ maxFamilies: 2 });
    const [a, b, c] = [family(), family(), family()];
    await store.create(a, hash('a'), T0 + HOUR);
    await store.create(b, hash('b'), T0 + HOUR);
    await store.rotate(a.id, hash('a'), hash('a2'), T0, HOUR); // a is now the most recently used
    await store.create(c, hash('c'), T0 + HOUR);
    expect(store.size).toBe(2);
    expect(await store.family(b.id, T0)).toBeUndefined();
    expect(await store.family(a.id, T0)).toEqual(a);
  });

  it('remembers at most maxRotated rotated tokens per family: an older replay reads as unknown', async () => {
    const store = new MemoryRefreshTokenStore({ maxRotated: 2 });
    const f = family();
    await store.create(f, hash('t0'), T0 + HOUR);
    for (let i = 0; i < 3; i++) await store.rotate(f.id, hash(`t${i}`), hash(`t${i + 1}`), T0, HOUR);
    expect(await store.rotate(f.id, hash('t0'), hash('x'), T0, HOUR)).toEqual({ outcome: 'unknown' });
    expect(await store.rotate(f.id, hash('t1'), hash('x'), T0, HOUR)).toMatchObject({ outcome: 'reused' });
  });

  it('refuses unusable bounds at construction', () => {
    expect(() => new MemoryRefreshTokenStore({ maxFamilies: 0 })).toThrow(ConfigurationError);
    expect(() => new MemoryRefreshTokenStore({ maxFamilies: 0 })).toThrow(/maxFamilies/);
    expect(() => new MemoryRefreshTokenStore({ maxRotated: 1.5 })).toThrow(/maxRotated/);
  });
});
