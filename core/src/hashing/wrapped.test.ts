import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../errors.js';
import type { Hasher } from './hasher.js';
import { multiHasher } from './multi.js';
import { pbkdf2Hasher } from './pbkdf2.js';
import { wrappedHasher } from './wrapped.js';

async function sha256Hex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return [...digest].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const inner = pbkdf2Hasher({ iterations: 1000 });
const layered = wrappedHasher({ id: 'sha256-pbkdf2', prefix: 'sha256_pbkdf2$', prehash: sha256Hex, inner });

describe('wrappedHasher', () => {
  it('PWD-16 verifies a tagged layered hash by applying the pre-hash, then the inner hasher', async () => {
    const stored = await layered.hash('p\u00e4ss:w\u00f6rd');
    expect(stored.startsWith('sha256_pbkdf2$$pbkdf2-sha256$i=1000$')).toBe(true);
    expect(await layered.verify('p\u00e4ss:w\u00f6rd', stored)).toEqual({ ok: true, needsRehash: false });
    expect((await layered.verify('p\u00e4ss:w\u00f6r', stored)).ok).toBe(false);
    // The password is the pre-image: the digest itself is not a password.
    expect((await layered.verify(await sha256Hex(new TextEncoder().encode('p\u00e4ss:w\u00f6rd')), stored)).ok).toBe(false);
  });

  it('PWD-16 wrap() upgrades an old digest without the password ("upgrade method two")', async () => {
    const legacyDigest = await sha256Hex(new TextEncoder().encode('hunter2'));
    const stored = await layered.wrap(legacyDigest);
    expect((await layered.verify('hunter2', stored)).ok).toBe(true);
    expect((await layered.verify('hunter3', stored)).ok).toBe(false);
  });

  it('PWD-16 the next successful login through a multiHasher replaces it with a direct hash', async () => {
    const hasher = multiHasher([pbkdf2Hasher({ iterations: 1000 }), layered]);
    const stored = await layered.wrap(await sha256Hex(new TextEncoder().encode('hunter2')));
    expect(await hasher.verify('hunter2', stored)).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('hunter3', stored)).toEqual({ ok: false, needsRehash: false });
    const fresh = await hasher.hash('hunter2');
    expect(fresh.startsWith('$pbkdf2-sha256$')).toBe(true);
    expect(await hasher.verify('hunter2', fresh)).toEqual({ ok: true, needsRehash: false });
  });

  it('reads only tagged values: an untagged inner hash is not a layered one', async () => {
    const direct = await inner.hash('hunter2');
    expect(layered.identifies(direct)).toBe(false);
    expect(await layered.verify('hunter2', direct)).toEqual({ ok: false, needsRehash: false });
    expect(layered.identifies('sha256_pbkdf2$garbage')).toBe(false);
    expect(await layered.verify('hunter2', 'sha256_pbkdf2$garbage')).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-12 caps the password before the pre-hash runs', async () => {
    const prehash = vi.fn(sha256Hex);
    const wrapped = wrappedHasher({ id: 'w', prefix: 'w$', prehash, inner });
    const stored = await wrapped.hash('pw');
    prehash.mockClear();
    expect(await wrapped.verify('x'.repeat(1025), stored)).toEqual({ ok: false, needsRehash: false });
    await expect(wrapped.hash('x'.repeat(1025))).rejects.toMatchObject({ code: 'password_too_long' });
    expect(prehash).not.toHaveBeenCalled();
  });

  it('without a pre-hash it is a pure format tag', async () => {
    const tagged = wrappedHasher({ id: 'tagged', prefix: 'tag', inner });
    const stored = await tagged.hash('pw');
    expect(stored.startsWith('tag$pbkdf2-sha256$')).toBe(true);
    expect((await tagged.verify('pw', stored)).ok).toBe(true);
  });

  it('has sync variants when the pre-hash and the inner hasher do', () => {
    const syncInner: Hasher = {
      id: 'plain',
      identifies: (s) => s.startsWith('plain:'),
      hash: async (p) => `plain:${p}`,
      verify: async (p, s) => ({ ok: s === `plain:${p}`, needsRehash: false }),
      hashSync: (p) => `plain:${p}`,
      verifySync: (p, s) => ({ ok: s === `plain:${p}`, needsRehash: false }),
    };
    const upper = (bytes: Uint8Array) => new TextDecoder().decode(bytes).toUpperCase();
    const w = wrappedHasher({ id: 'w', prefix: 'up$', prehash: upper, prehashSync: upper, inner: syncInner });
    expect(w.hashSync?.('ab')).toBe('up$plain:AB');
    expect(w.verifySync?.('ab', 'up$plain:AB')).toEqual({ ok: true, needsRehash: false });
    expect(wrappedHasher({ id: 'w', prefix: 'up$', prehash: upper, inner: syncInner }).hashSync).toBeUndefined();
    expect(layered.hashSync).toBeUndefined();
  });

  it.each([
    ['an empty prefix', { id: 'w', prefix: '', inner }],
    ['no inner hasher', { id: 'w', prefix: 'w$' }],
    ['no id', { prefix: 'w$', inner }],
    ['a prehash that is not a function', { id: 'w', prefix: 'w$', inner, prehash: 'md5' }],
  ])('refuses %s at construction', (_, options) => {
    expect(() => wrappedHasher(options as never)).toThrow(ConfigurationError);
  });
});
