import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { copySessionData } from './namespace.js';
import type { SessionData } from './store.js';

/** The implementation before issue #17: a JSON round trip. */
const roundTrip = (data: unknown): unknown => JSON.parse(JSON.stringify(data)) as unknown;

/**
 * Every observable trait of a JSON structure as a string: types, numbers by
 * `Object.is` (so -0 shows), prototypes, own keys in order (`__proto__` included),
 * property descriptors, extensibility. Objects of `source` (the input) count as shared.
 */
function shape(value: unknown, source: Set<unknown>): string {
  if (value === null || typeof value !== 'object') return Object.is(value, -0) ? '-0' : `${typeof value}:${JSON.stringify(value)}`;
  const proto = Object.getPrototypeOf(value) as unknown;
  const parts = [
    source.has(value) ? 'SHARED' : '',
    Array.isArray(value) ? '[' : '{',
    proto === Object.prototype ? 'O' : proto === Array.prototype ? 'A' : proto === null ? 'N' : '?',
    Object.isExtensible(value) ? '' : 'X',
  ];
  for (const key of Reflect.ownKeys(value)) {
    const d = Object.getOwnPropertyDescriptor(value, key) as PropertyDescriptor;
    parts.push(`${String(key)}/${String(d.writable)}${String(d.enumerable)}${String(d.configurable)}${'get' in d ? 'G' : ''}=${shape(d.value, source)}`);
  }
  return `${parts.join(' ')} }`;
}

/** Every object reachable from `value`. */
function objectsOf(value: unknown, into = new Set<unknown>()): Set<unknown> {
  if (value !== null && typeof value === 'object' && !into.has(value)) {
    into.add(value);
    for (const key of Reflect.ownKeys(value)) objectsOf((value as Record<PropertyKey, unknown>)[key], into);
  }
  return into;
}

function compare(data: unknown): void {
  let expected: unknown;
  let expectedError: unknown;
  try {
    expected = roundTrip(data);
  } catch (error) {
    expectedError = error;
  }
  if (expectedError !== undefined) {
    expect(() => copySessionData(data as SessionData)).toThrow((expectedError as Error).constructor as new () => Error);
    return;
  }
  expect(shape(copySessionData(data as SessionData), objectsOf(data))).toBe(shape(expected, new Set()));
}

class Account {
  id = 'u1';
  hash = 'secret';
  get label(): string {
    return 'account';
  }
}

/** Keys that matter: `__proto__`, integer-like keys (ordered first), and ordinary ones. */
const key = fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toJSON', '0', '10', '2', '-1', '01', 'a', 'b', ''), fc.string({ maxLength: 6 }));
/** Values that are JSON, and some that the round trip converts or refuses. */
const { tree } = fc.letrec<{ tree: unknown; leaf: unknown }>((tie) => ({
  leaf: fc.oneof(
    { weight: 8, arbitrary: fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.boolean(), fc.constant(null), fc.integer(), fc.double(), fc.maxSafeInteger()) },
    { weight: 1, arbitrary: fc.constantFrom<unknown>(undefined, -0, NaN, Infinity, new Date(0), () => 1, Symbol('s'), new Account(), new Map([[1, 2]]), Object.create(null) as object, '\ud800') },
  ),
  tree: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    tie('leaf'),
    fc.array(tie('tree'), { maxLength: 5 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 6 }),
    fc.dictionary(key, tie('tree'), { maxKeys: 4, noNullPrototype: false }),
  ),
}));

describe('copySessionData', () => {
  it('equals the JSON round trip over generated values (differential), sharing nothing with its input', () => {
    fc.assert(fc.property(fc.dictionary(key, tree, { maxKeys: 8 }), (data) => compare(data)), { numRuns: 1000 });
    fc.assert(fc.property(fc.jsonValue(), (value) => compare({ value })), { numRuns: 1000 });
  });

  it('keeps own "__proto__" keys own, and sets no prototype', () => {
    const data = JSON.parse('{"__proto__":{"admin":true},"a":[{"__proto__":1}]}') as SessionData;
    const copy = copySessionData(data);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect((copy as { admin?: unknown }).admin).toBeUndefined();
    compare(data);
  });

  it('converts or refuses what JSON does: holes, -0, undefined, Dates, class instances, deep nesting, cycles, toJSON', () => {
    // eslint-disable-next-line no-sparse-arrays
    compare({ holes: [1, , 3], zero: -0, u: undefined, list: [undefined, NaN, () => 1], date: new Date(1e12), account: new Account() });
    compare({ frozen: Object.freeze({ a: Object.freeze([1]) }), nullProto: Object.assign(Object.create(null) as object, { a: 1 }) });
    const accessor = {};
    Object.defineProperty(accessor, 'v', { get: () => 42, enumerable: true });
    Object.defineProperty(accessor, 'hidden', { value: 1, enumerable: false });
    compare({ accessor, [Symbol('s')]: 1 });
    let deep: unknown = 'bottom';
    for (let i = 0; i < 200; i++) deep = i % 2 === 0 ? { d: deep } : [deep];
    compare({ deep });
    const cycle: Record<string, unknown> = { a: 1 };
    cycle.self = { cycle };
    compare({ cycle });
    compare({ n: 10n });
    compare({ own: { toJSON: () => 'x' }, notFunction: { toJSON: 'kept' } });
    const inherited = Object.create({ toJSON: () => 'replaced' }) as object;
    compare({ inherited });
  });

  it('follows an inherited toJSON on Object.prototype as JSON does', () => {
    const proto = Object.prototype as { toJSON?: () => unknown };
    proto.toJSON = () => ({ polluted: true });
    try {
      compare({ a: { b: 1 } });
    } finally {
      delete proto.toJSON;
    }
  });

  it('defines keys the prototype chain has, as JSON.parse does: a frozen constructor, a polluted setter (security review)', () => {
    const data = { uid: 'u1', constructor: 'c', toString: 's', role: 'admin', nested: { constructor: { a: 1 } } };
    const original = Object.getOwnPropertyDescriptor(Object.prototype, 'constructor') as PropertyDescriptor;
    Object.defineProperty(Object.prototype, 'constructor', { ...original, writable: false });
    let setterRan = false;
    Object.defineProperty(Object.prototype, 'role', { set() { setterRan = true; }, configurable: true });
    try {
      const copy = copySessionData(data as unknown as SessionData);
      expect(Object.keys(copy)).toEqual(['uid', 'constructor', 'toString', 'role', 'nested']);
      expect(Object.hasOwn(copy, 'role') && (copy as { role?: unknown }).role).toBe('admin');
      expect((copy.nested as { constructor: unknown }).constructor).toEqual({ a: 1 });
      expect(setterRan).toBe(false);
    } finally {
      delete (Object.prototype as { role?: unknown }).role;
      Object.defineProperty(Object.prototype, 'constructor', original);
    }
  });

  it('an array with its own toJSON goes through JSON, as JSON.stringify would call it', () => {
    const list = Object.assign([1, 2], { toJSON: () => 'X' });
    compare({ list });
  });
});
