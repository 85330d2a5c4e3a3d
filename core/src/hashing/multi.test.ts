import { describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { djangoPbkdf2Hasher } from './django-pbkdf2.js';
import type { Hasher, VerifyOutcome } from './hasher.js';
import { multiHasher } from './multi.js';
import { passlibPbkdf2Hasher } from './passlib-pbkdf2.js';
import { pbkdf2Hasher } from './pbkdf2.js';

/** A transparent fake hasher: `<tag>:<password>`, spy-able. */
function fake(tag: string, options: { needsRehash?: boolean; sync?: boolean } = {}): Hasher & { hash: ReturnType<typeof vi.fn>; verify: ReturnType<typeof vi.fn> } {
  const verifyNow = (password: string, stored: string): VerifyOutcome => {
    const ok = stored === `${tag}:${password}`;
    return { ok, needsRehash: ok && (options.needsRehash ?? false) };
  };
  const hasher = {
    id: tag,
    identifies: (stored: string) => stored.startsWith(`${tag}:`),
    hash: vi.fn(async (password: string) => `${tag}:${password}`),
    verify: vi.fn(async (password: string, stored: string) => verifyNow(password, stored)),
    ...(options.sync ? { hashSync: (password: string) => `${tag}:${password}`, verifySync: verifyNow } : {}),
  };
  return hasher;
}

describe('multiHasher', () => {
  it('hashes with the first hasher and verifies with the one that identifies the stored value', async () => {
    const current = fake('new');
    const legacy = fake('old');
    const hasher = multiHasher([current, legacy]);
    expect(hasher.id).toBe('new');
    expect(hasher.current).toBe(current);
    expect(await hasher.hash('pw')).toBe('new:pw');
    expect(await hasher.verify('pw', 'old:pw')).toEqual({ ok: true, needsRehash: true });
    expect(legacy.verify).toHaveBeenCalledTimes(1);
    expect(current.verify).not.toHaveBeenCalled();
    expect(hasher.identify('old:x')).toBe(legacy);
    expect(hasher.identifies('old:x')).toBe(true);
  });

  it('PWD-13 a legacy hash needs a rehash after a successful login; PWD-14 a failed one reports nothing to write', async () => {
    const hasher = multiHasher([fake('new'), fake('old')]);
    expect(await hasher.verify('pw', 'old:pw')).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('wrong', 'old:pw')).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-15 a current-algorithm hash follows the current hasher: weaker → rehash, policy → no write', async () => {
    expect(await multiHasher([fake('new', { needsRehash: true })]).verify('pw', 'new:pw')).toEqual({ ok: true, needsRehash: true });
    expect(await multiHasher([fake('new')]).verify('pw', 'new:pw')).toEqual({ ok: true, needsRehash: false });
  });

  it('PWD-22 never downgrades: a stronger hash of the current algorithm is not rewritten', async () => {
    const hasher = multiHasher([pbkdf2Hasher({ iterations: 1000 }), djangoPbkdf2Hasher({ iterations: 1000 })]);
    const stronger = await pbkdf2Hasher({ iterations: 3000 }).hash('pw');
    const weaker = await pbkdf2Hasher({ iterations: 500 }).hash('pw');
    expect(await hasher.verify('pw', stronger)).toEqual({ ok: true, needsRehash: false });
    expect(await hasher.verify('pw', weaker)).toEqual({ ok: true, needsRehash: true });
  });

  it('dispatches in order: the first hasher that identifies the value decides', async () => {
    const a = fake('x');
    const b = fake('x');
    const hasher = multiHasher([fake('new'), a, b]);
    expect(await hasher.verify('pw', 'x:pw')).toEqual({ ok: true, needsRehash: true });
    expect(a.verify).toHaveBeenCalledTimes(1);
    expect(b.verify).not.toHaveBeenCalled();
  });

  it('unknown, malformed or non-string stored values verify as false and never throw (no plaintext compare)', async () => {
    const current = fake('new');
    const hasher = multiHasher([current, fake('old')]);
    for (const stored of ['pw', '', 'plain:pw', null, undefined, 7, {}]) {
      expect(await hasher.verify('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
    }
    expect(current.verify).not.toHaveBeenCalled();
    expect(hasher.identifies(undefined as unknown as string)).toBe(false);
  });

  it('PWD-12 / DOS-01 caps the password before any member runs (the KDF spies are not called)', async () => {
    const current = fake('new');
    const legacy = fake('old');
    const hasher = multiHasher([current, legacy]);
    const huge = 'p'.repeat(1024 * 1024);
    const started = performance.now();
    expect(await hasher.verify(huge, `old:${huge}`)).toEqual({ ok: false, needsRehash: false });
    expect(performance.now() - started).toBeLessThan(50);
    await expect(hasher.hash(huge)).rejects.toMatchObject({ name: 'HashingError', code: 'password_too_long' });
    await expect(hasher.hash('a\ud800')).rejects.toMatchObject({ code: 'invalid_password' });
    expect(current.hash).not.toHaveBeenCalled();
    expect(current.verify).not.toHaveBeenCalled();
    expect(legacy.verify).not.toHaveBeenCalled();
    const small = multiHasher([current], { maxPasswordBytes: 4 });
    await expect(small.hash('12345')).rejects.toMatchObject({ code: 'password_too_long' });
    expect(await small.hash('1234')).toBe('new:1234');
  });

  it('returns outcomes as fresh frozen values (no shared state between logins)', async () => {
    const hasher = multiHasher([fake('new'), fake('old')]);
    const [a, b] = await Promise.all([hasher.verify('pw', 'old:pw'), hasher.verify('pw', 'new:pw')]);
    expect(a).toEqual({ ok: true, needsRehash: true });
    expect(b).toEqual({ ok: true, needsRehash: false });
    expect(Object.isFrozen(a)).toBe(true);
    expect(Object.isFrozen(hasher)).toBe(true);
  });

  it('has sync variants only where its members do', () => {
    const noSync = multiHasher([fake('new'), fake('old')]);
    expect(noSync.hashSync).toBeUndefined();
    expect(noSync.verifySync).toBeUndefined();
    const partly = multiHasher([fake('new', { sync: true }), fake('old')]);
    expect(partly.hashSync?.('pw')).toBe('new:pw');
    expect(partly.verifySync).toBeUndefined();
    const all = multiHasher([fake('new', { sync: true }), fake('old', { sync: true })]);
    expect(all.verifySync?.('pw', 'old:pw')).toEqual({ ok: true, needsRehash: true });
    expect(all.verifySync?.('pw', 'new:pw')).toEqual({ ok: true, needsRehash: false });
    expect(all.verifySync?.('x'.repeat(2000), 'new:pw')).toEqual({ ok: false, needsRehash: false });
    expect(() => all.hashSync?.('x'.repeat(2000))).toThrow(expect.objectContaining({ code: 'password_too_long' }));
  });

  it('reads passlib and Django PBKDF2 next to its own (every PBKDF2 format, on Web Crypto)', async () => {
    const hasher = multiHasher([pbkdf2Hasher({ iterations: 1000 }), passlibPbkdf2Hasher({ iterations: 1000 }), djangoPbkdf2Hasher({ iterations: 1000 })]);
    const passlib = await passlibPbkdf2Hasher({ iterations: 1000 }).hash('pw');
    const django = await djangoPbkdf2Hasher({ iterations: 1000 }).hash('pw');
    expect(await hasher.verify('pw', passlib)).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('pw', django)).toEqual({ ok: true, needsRehash: true });
    expect(await hasher.verify('pw', await hasher.hash('pw'))).toEqual({ ok: true, needsRehash: false });
  });

  it.each([
    ['no hashers', []],
    ['not an array', 'pbkdf2'],
    ['a member that is not a hasher', [{ id: 'x', hash: () => '' }]],
  ])('refuses %s at construction', (_, hashers) => {
    expect(() => multiHasher(hashers as never)).toThrow(ConfigurationError);
  });

  it('refuses a bad maxPasswordBytes at construction', () => {
    expect(() => multiHasher([fake('a')], { maxPasswordBytes: 0 })).toThrow(ConfigurationError);
  });
});
