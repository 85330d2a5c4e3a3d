import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateSessionId, isSessionId } from './id.js';

describe('session ids', () => {
  it('SES-10 100,000 ids are unique, 43 base64url characters (256 bits from the CSPRNG)', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 100_000; i++) ids.add(generateSessionId());
    expect(ids.size).toBe(100_000);
    for (const id of [...ids].slice(0, 1000)) expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // 43 base64url characters carry 258 bits, of which 256 are random: well over 128.
    expect(Buffer.from([...ids][0] as string, 'base64url')).toHaveLength(32);
  });

  it('isSessionId accepts only that shape', () => {
    expect(isSessionId(generateSessionId())).toBe(true);
    for (const bad of ['attacker-chosen', '', 'a'.repeat(42), 'a'.repeat(44), `${'a'.repeat(42)}=`, `${'a'.repeat(42)}.`, 42, null]) {
      expect(isSessionId(bad)).toBe(false);
    }
  });

  it('SES-10 isSessionId decides as /^[A-Za-z0-9_-]{43}$/ did (differential, generated strings)', () => {
    const ID = /^[A-Za-z0-9_-]{43}$/;
    const near = (c: string) => [`${'a'.repeat(42)}${c}`, `${c}${'a'.repeat(42)}`, `${'a'.repeat(21)}${c}${'a'.repeat(21)}`];
    // Every code unit 0–0xFFFF at the ends and in the middle, a trailing newline, astral characters.
    const differ: string[] = [];
    for (let code = 0; code <= 0xffff; code++) {
      for (const value of near(String.fromCharCode(code))) if (isSessionId(value) !== ID.test(value)) differ.push(`U+${code.toString(16)}`);
    }
    expect(differ).toEqual([]);
    for (const value of [`${'a'.repeat(43)}\n`, `${'a'.repeat(41)}😀`, `${'a'.repeat(42)}😀`, '\u0130'.repeat(43)]) expect(isSessionId(value)).toBe(ID.test(value));
    const base64url = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/.~ \u0000\u00e9\u0130');
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: base64url, minLength: 41, maxLength: 45 }), fc.string(), fc.anything()), (value) => {
        expect(isSessionId(value)).toBe(typeof value === 'string' && ID.test(value));
      }),
      { numRuns: 5000 },
    );
  });
});
