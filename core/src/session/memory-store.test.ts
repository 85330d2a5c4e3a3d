import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { MemorySessionStore } from './memory-store.js';
import { assertSessionStore, updateStored, type SessionStore } from './store.js';

function clocked() {
  let now = 1_000_000;
  return { clock: () => now, advance: (ms: number) => void (now += ms) };
}

describe('MemorySessionStore', () => {
  it('"not found" is undefined; data round-trips as a copy', async () => {
    const store = new MemorySessionStore();
    expect(await store.get('missing')).toBeUndefined();
    const data = { user_id: 'u1', nested: { a: 1 } };
    await store.set('s1', data, 60_000);
    data.user_id = 'changed';
    const read = await store.get('s1');
    expect(read).toEqual({ user_id: 'u1', nested: { a: 1 } });
    (read as Record<string, unknown>).user_id = 'again';
    expect((await store.get('s1'))?.user_id).toBe('u1');
  });

  it('expires entries after their TTL (frozen clock)', async () => {
    const t = clocked();
    const store = new MemorySessionStore({ clock: t.clock });
    await store.set('s', { a: 1 }, 1000);
    t.advance(999);
    expect(await store.get('s')).toEqual({ a: 1 });
    t.advance(1);
    expect(await store.get('s')).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('is bounded: the least recently used sessions go first', async () => {
    const store = new MemorySessionStore({ max: 3 });
    for (const id of ['a', 'b', 'c']) await store.set(id, { id }, 60_000);
    await store.get('a');
    await store.set('d', { id: 'd' }, 60_000);
    expect(store.size).toBe(3);
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('a')).toEqual({ id: 'a' });
    expect(await store.get('d')).toEqual({ id: 'd' });
  });

  it('a read of the newest entry keeps the order; every other read moves the entry to the end', async () => {
    const store = new MemorySessionStore({ max: 3 });
    for (const id of ['a', 'b', 'c']) await store.set(id, { id }, 60_000);
    await store.get('c'); // already the newest: order a, b, c
    await store.get('a'); // b, c, a
    await store.get('a'); // newest again
    await store.destroy('a'); // b, c
    await store.get('c'); // b, c: c is the newest once a is gone
    await store.set('a', { id: 'a' }, 60_000); // b, c, a
    await store.get('b'); // c, a, b
    await store.set('d', { id: 'd' }, 60_000); // a, b, d: c was the least recently used
    expect(await store.get('c')).toBeUndefined();
    expect(await store.get('a')).toEqual({ id: 'a' }); // b, d, a
    await store.set('e', { id: 'e' }, 60_000); // d, a, e
    expect(await store.get('b')).toBeUndefined();
    expect(await store.get('d')).toEqual({ id: 'd' });
  });

  it('expired entries are evicted before live ones', async () => {
    const t = clocked();
    const store = new MemorySessionStore({ max: 2, clock: t.clock });
    await store.set('old', {}, 10);
    await store.set('live', {}, 60_000);
    t.advance(2000);
    await store.set('new', {}, 60_000);
    expect(await store.get('live')).toEqual({});
    expect(await store.get('new')).toEqual({});
  });

  it('update writes only while the id is stored', async () => {
    const store = new MemorySessionStore();
    expect(await store.update('s', { a: 1 }, 1000)).toBe(false);
    expect(await store.get('s')).toBeUndefined();
    await store.set('s', { a: 1 }, 1000);
    expect(await store.update('s', { a: 2 }, 1000)).toBe(true);
    await store.destroy('s');
    expect(await store.update('s', { a: 3 }, 1000)).toBe(false);
    expect(await store.get('s')).toBeUndefined();
  });

  it('destroy of an unknown id resolves; clear empties', async () => {
    const store = new MemorySessionStore();
    await expect(store.destroy('nope')).resolves.toBeUndefined();
    await store.set('a', {}, 1000);
    await store.clear();
    expect(store.size).toBe(0);
  });

  it('refuses a bad TTL or data that is not a JSON object, and bad options', async () => {
    const store = new MemorySessionStore();
    await expect(store.set('s', {}, 0)).rejects.toThrow(RangeError);
    await expect(store.set('s', [] as never, 1000)).rejects.toThrow(TypeError);
    expect(() => new MemorySessionStore({ max: 0 })).toThrow(ConfigurationError);
    expect(() => new MemorySessionStore({ clock: 1 as never })).toThrow(ConfigurationError);
  });
});

describe('assertSessionStore / updateStored', () => {
  it('checks the required methods at construction', () => {
    expect(() => assertSessionStore(new MemorySessionStore(), 'x')).not.toThrow();
    expect(() => assertSessionStore(null, 'x')).toThrow(ConfigurationError);
    expect(() => assertSessionStore({ get() {}, set() {} }, 'x')).toThrow(ConfigurationError);
    expect(() => assertSessionStore({ get() {}, set() {}, destroy() {}, update: 1 }, 'x')).toThrow(ConfigurationError);
  });

  it('without update, updateStored does get then set, and never creates', async () => {
    const inner = new MemorySessionStore();
    const store: SessionStore = { get: (id) => inner.get(id), set: (id, d, t) => inner.set(id, d, t), destroy: (id) => inner.destroy(id) };
    expect(await updateStored(store, 's', { a: 1 }, 1000)).toBe(false);
    expect(await inner.get('s')).toBeUndefined();
    await inner.set('s', { a: 1 }, 1000);
    expect(await updateStored(store, 's', { a: 2 }, 1000)).toBe(true);
    expect(await inner.get('s')).toEqual({ a: 2 });
  });

  it('a read equals a fresh JSON.parse of what was stored, and shares nothing with the store or other reads (differential, generated data)', async () => {
    const store = new MemorySessionStore();
    // Deeper than the structural copy goes (64): read through JSON.parse, the same value.
    let deep: Record<string, unknown> = { leaf: 1 };
    for (let i = 0; i < 80; i++) deep = { next: deep, [`k${i}`]: [i] };
    // Larger than the 4 KiB a kept parse is allowed: parsed on every read, the parse handed out.
    const large = { big: 'x'.repeat(5000), nested: { a: [1, { b: 2 }] } };
    const cases: unknown[] = [deep, large, JSON.parse('{"__proto__":{"a":1},"constructor":2,"toString":[3],"1":4,"b":{"__proto__":null}}')];
    fc.assert(fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (data) => void cases.push(data)), { numRuns: 300 });
    for (const [i, data] of cases.entries()) {
      const id = `s${i}`;
      await store.set(id, data as Record<string, unknown>, 60_000);
      const json = JSON.stringify(data);
      for (let read = 0; read < 3; read++) {
        const got = await store.get(id);
        // Same JSON, same own keys (a "__proto__" key is data, not the prototype), same prototypes.
        expect(JSON.stringify(got)).toBe(json);
        expect(got).toStrictEqual(JSON.parse(json));
        expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
        // Changing what a read returned, deep down, changes nothing stored.
        const scribble = (value: unknown): void => {
          if (value === null || typeof value !== 'object') return;
          for (const key of Object.keys(value)) {
            scribble((value as Record<string, unknown>)[key]);
            (value as Record<string, unknown>)[key] = 'scribbled';
          }
        };
        scribble(got);
      }
      expect(JSON.stringify(await store.get(id))).toBe(json);
    }
  });
});

