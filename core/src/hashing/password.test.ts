import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword, defaultWebHasher } from './password.js';
import { pbkdf2Hasher } from './pbkdf2.js';
import { djangoPbkdf2Hasher } from './django-pbkdf2.js';

describe('hashPassword / verifyPassword (Web-standard defaults)', () => {
  it('PWD-04 hash with PBKDF2-SHA256 at 600,000 iterations by default and verify', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=600000\$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toEqual({ ok: true, needsRehash: false });
    expect(defaultWebHasher()).toBe(defaultWebHasher());
  });

  it('take a hasher, and read Django hashes by default (flagged for rehash)', async () => {
    const hasher = pbkdf2Hasher({ iterations: 1000 });
    const stored = await hashPassword('pw', { hasher });
    expect(await verifyPassword('pw', stored, { hasher })).toEqual({ ok: true, needsRehash: false });
    const django = await djangoPbkdf2Hasher({ iterations: 1000 }).hash('pw');
    expect(await verifyPassword('pw', django)).toEqual({ ok: true, needsRehash: true });
    expect(await verifyPassword('nope', django)).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-12 hashPassword throws password_too_long over 1024 bytes; verifyPassword answers false', async () => {
    await expect(hashPassword('x'.repeat(1025))).rejects.toMatchObject({ name: 'HashingError', code: 'password_too_long' });
    expect(await verifyPassword('x'.repeat(1025), '$pbkdf2-sha256$i=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).toEqual({
      ok: false,
      needsRehash: false,
    });
  });
});
