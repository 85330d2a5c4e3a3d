import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { configError } from '../../../test-support/connection.js';
import { djangoPbkdf2Hasher } from './django-pbkdf2.js';
import type { Hasher } from './hasher.js';
import { multiHasher } from './multi.js';
import { pbkdf2Hasher } from './pbkdf2.js';
import { PEPPER_PREFIX, pepperedHasher } from './pepper.js';
import { wrappedHasher } from './wrapped.js';

const inner = pbkdf2Hasher({ iterations: 1000 });
const PEPPER_A = 'pepper A: 32 bytes or more, from a vault';
const PEPPER_B = crypto.getRandomValues(new Uint8Array(32));
const peppered = (peppers: Record<string, string | Uint8Array>, current: string, of: Hasher = inner) =>
  pepperedHasher({ inner: of, peppers, current });

/** What the inner hasher is given: base64(HMAC-SHA256(pepper, password)), computed by node:crypto. */
const hmacBase64 = (pepper: string | Uint8Array, password: string): string =>
  createHmac('sha256', pepper).update(password, 'utf8').digest('base64');

describe('pepperedHasher', () => {
  it('PWD-20 stores pepper$<id>$ + the inner hash of base64(HMAC-SHA256(pepper, password)); the pepper is not stored', async () => {
    const hasher = peppered({ a: PEPPER_A }, 'a');
    const stored = await hasher.hash('p\u00e4ss:w\u00f6rd');
    expect(stored.startsWith(`${PEPPER_PREFIX}a$$pbkdf2-sha256$i=1000$`)).toBe(true);
    // The inner hash is a hash of the HMAC, as node:crypto computes it: the pre-hash is the documented one.
    const innerHash = stored.slice('pepper$a$'.length);
    expect((await inner.verify(hmacBase64(PEPPER_A, 'p\u00e4ss:w\u00f6rd'), innerHash)).ok).toBe(true);
    expect((await inner.verify('p\u00e4ss:w\u00f6rd', innerHash)).ok).toBe(false);
    // Neither the pepper nor anything derived from it alone is in the stored value.
    expect(stored).not.toContain(PEPPER_A);
    expect(stored).not.toContain(btoa(PEPPER_A).slice(0, 20));
    expect(stored).not.toContain(hmacBase64(PEPPER_A, 'p\u00e4ss:w\u00f6rd'));
    expect(await hasher.verify('p\u00e4ss:w\u00f6rd', stored)).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify('p\u00e4ss:w\u00f6r', stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-20 verifying with the wrong pepper is false', async () => {
    const stored = await peppered({ a: PEPPER_A }, 'a').hash('correct horse');
    const wrong = peppered({ a: 'another pepper of at least 32 bytes!!' }, 'a');
    expect(await wrong.verify('correct horse', stored)).toEqual({ ok: false, needsRehash: false });
    // Without the pepper (the inner hasher alone, as an attacker with the table has it): false.
    expect((await inner.verify('correct horse', stored.slice('pepper$a$'.length))).ok).toBe(false);
  });

  it('PWD-20 rotation: an old pepper still verifies, with needsRehash; the rehash uses the current one', async () => {
    const before = peppered({ a: PEPPER_A }, 'a');
    const old = await before.hash('correct horse');
    const rotated = peppered({ a: PEPPER_A, b: PEPPER_B }, 'b');
    expect(await rotated.verify('correct horse', old)).toEqual({ ok: true, needsRehash: true });
    expect(await rotated.verify('wrong horse', old)).toEqual({ ok: false, needsRehash: false });
    const fresh = await rotated.hash('correct horse');
    expect(fresh.startsWith('pepper$b$$pbkdf2-sha256$')).toBe(true);
    expect(await rotated.verify('correct horse', fresh)).toEqual({ ok: true, needsRehash: false });
    // Once "a" is retired, its hashes no longer verify: only the id is stored, never the pepper.
    const retired = peppered({ b: PEPPER_B }, 'b');
    expect(await retired.verify('correct horse', old)).toEqual({ ok: false, needsRehash: false });
    expect(retired.identifies(old)).toBe(false);
    expect(await retired.verify('correct horse', fresh)).toEqual({ ok: true, needsRehash: false });
  });

  it('an outdated inner hash under the current pepper needs a rehash too', async () => {
    const weak = peppered({ a: PEPPER_A }, 'a', pbkdf2Hasher({ iterations: 500 }));
    const stored = await weak.hash('correct horse');
    expect(await peppered({ a: PEPPER_A }, 'a').verify('correct horse', stored)).toEqual({ ok: true, needsRehash: true });
  });

  it('unpeppered legacy hashes keep verifying through a multiHasher, and are upgraded', async () => {
    const legacy = await inner.hash('correct horse');
    const hasher = multiHasher([peppered({ a: PEPPER_A }, 'a'), inner]);
    expect(await hasher.verify('correct horse', legacy)).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('wrong horse', legacy)).toEqual({ ok: false, needsRehash: false });
    const upgraded = await hasher.hash('correct horse');
    expect(upgraded.startsWith('pepper$a$')).toBe(true);
    expect(await hasher.verify('correct horse', upgraded)).toEqual({ ok: true, needsRehash: false });
    // A peppered hash is never read as an unpeppered one (the tag comes first).
    expect(inner.identifies(upgraded)).toBe(false);
  });

  it('a peppered hasher behind an unpeppered one in a multiHasher is a startup error: logins would strip the pepper', async () => {
    const pepperedOne = peppered({ a: PEPPER_A }, 'a');
    expect(pepperedOne.peppered).toBe(true);
    expect(inner.peppered).toBeUndefined();
    const detail = configError(() => multiHasher([inner, pepperedOne])).detail;
    expect(detail).toMatch(/hashers\[1\] \(peppered-pbkdf2\) is peppered but hashers\[0\] \(pbkdf2\) is not/);
    expect(detail).toMatch(/put the pepperedHasher first/);
    expect(detail).not.toContain(PEPPER_A);
    // Nested or wrapped, the pepper is still seen.
    configError(() => multiHasher([inner, multiHasher([pepperedOne, inner])]));
    configError(() => multiHasher([inner, pbkdf2Hasher({ iterations: 500 }), wrappedHasher({ id: 'tagged', prefix: 'tag$', inner: pepperedOne })]));
    // Peppered first: fine, also when another peppered member follows (a new inner algorithm under the pepper).
    const other = peppered({ a: PEPPER_A }, 'a', djangoPbkdf2Hasher({ iterations: 1000 }));
    expect(multiHasher([pepperedOne, inner]).peppered).toBe(true);
    expect(multiHasher([pepperedOne, other, inner]).peppered).toBe(true);
    expect(multiHasher([inner]).peppered).toBe(false);
  });

  it('passes a 72-byte-limited inner hasher 44 ASCII bytes: long passwords and NUL bytes are hashed, not truncated', async () => {
    const seen: string[] = [];
    const bcryptLike: Hasher = {
      ...inner,
      id: 'bcrypt-like',
      maxPasswordBytes: 72,
      async hash(password) {
        seen.push(password);
        if (new TextEncoder().encode(password).length > 72 || password.includes('\0')) throw new Error('bcrypt would truncate');
        return inner.hash(password);
      },
    };
    const hasher = peppered({ a: PEPPER_A }, 'a', bcryptLike);
    expect(hasher.maxPasswordBytes).toBe(1024);
    const long = 'a'.repeat(72);
    const stored = await hasher.hash(`${long}X`);
    expect(await hasher.verify(`${long}X`, stored)).toEqual({ ok: true, needsRehash: false });
    expect((await hasher.verify(`${long}Y`, stored)).ok).toBe(false);
    await hasher.hash('nul\0byte');
    expect(seen.every((s) => /^[A-Za-z0-9+/]{43}=$/.test(s))).toBe(true);
  });

  it('PWD-12 the cap applies before the HMAC: over 1024 bytes, hash throws and verify is false, the inner hasher not called', async () => {
    const spy = { ...inner, hash: vi.fn(inner.hash), verify: vi.fn(inner.verify) };
    const hasher = peppered({ a: PEPPER_A }, 'a', spy);
    const stored = await hasher.hash('correct horse');
    spy.hash.mockClear();
    await expect(hasher.hash('a'.repeat(1025))).rejects.toMatchObject({ code: 'password_too_long' });
    expect(await hasher.verify('a'.repeat(1024 * 1024), stored)).toEqual({ ok: false, needsRehash: false });
    expect(spy.hash).not.toHaveBeenCalled();
    expect(spy.verify).not.toHaveBeenCalled();
  });

  it('has sync variants when the inner hasher has them', () => {
    const sync: Hasher = {
      id: 'plain-test',
      maxPasswordBytes: 1024,
      identifies: (s) => s.startsWith('plain:'),
      hash: async (p) => `plain:${p}`,
      verify: async (p, s) => ({ ok: s === `plain:${p}`, needsRehash: false }),
      hashSync: (p) => `plain:${p}`,
      verifySync: (p, s) => ({ ok: s === `plain:${p}`, needsRehash: false }),
    };
    const hasher = peppered({ a: PEPPER_A }, 'a', sync);
    const stored = hasher.hashSync!('correct horse');
    expect(stored).toBe(`pepper$a$plain:${hmacBase64(PEPPER_A, 'correct horse')}`);
    expect(hasher.verifySync!('correct horse', stored)).toEqual({ ok: true, needsRehash: false });
    expect(peppered({ a: PEPPER_A }, 'a').verifySync).toBeUndefined();
  });

  it('misconfiguration throws at construction, naming the pepper id, never the secret', () => {
    const short = configError(() => peppered({ a: 'too short secret' }, 'a')).detail;
    expect(short).toMatch(/pepper a must be .* at least 32 bytes/);
    expect(short).not.toContain('too short secret');
    configError(() => peppered({ a: new Uint8Array(31) }, 'a'));
    configError(() => peppered({ a: 42 as unknown as string }, 'a'));
    expect(configError(() => peppered({ a: PEPPER_A }, 'b')).detail).toMatch(/current must be the id of one of the peppers \(a\)/);
    configError(() => peppered({ 'a$b': PEPPER_A }, 'a$b'));
    configError(() => peppered({ toString: PEPPER_A }, 'constructor'));
    configError(() => peppered({}, 'a'));
    configError(() => pepperedHasher({ inner: {} as Hasher, peppers: { a: PEPPER_A }, current: 'a' }));
    configError(() => peppered({ a: PEPPER_A }, 'a', { ...inner, maxPasswordBytes: 40 }));
  });

  it('copies its Uint8Array pepper: changing the caller\'s array later changes nothing', async () => {
    const key = crypto.getRandomValues(new Uint8Array(32));
    const copy = key.slice();
    const hasher = peppered({ k: key }, 'k');
    key.fill(0);
    const stored = await hasher.hash('correct horse');
    expect((await inner.verify(hmacBase64(copy, 'correct horse'), stored.slice('pepper$k$'.length))).ok).toBe(true);
  });
});
