// Vectors from the real producers: Debian's python3-passlib, python3-django,
// python3-argon2 and python3-bcrypt (see fixtures/make-fixtures.py).
import {
  djangoPbkdf2Hasher,
  passlibPbkdf2Hasher,
  type Hasher,
} from '@portcullis/core/hashing';
import { describe, expect, it } from 'vitest';
import { argon2idHasher } from '../src/argon2.js';
import { bcryptHasher } from '../src/bcrypt.js';
import { bcryptMd5Hasher } from '../src/bcrypt-md5.js';
import { defaultHasher } from '../src/default.js';
import { djangoArgon2Hasher, djangoBcryptHasher, djangoBcryptSha256Hasher } from '../src/django.js';
import { scryptHasher } from '../src/scrypt.js';
import { FIXTURES } from './helpers.js';

const SCHEMES: Record<string, Hasher> = {
  'passlib-pbkdf2': passlibPbkdf2Hasher(),
  'django-pbkdf2': djangoPbkdf2Hasher(),
  scrypt: scryptHasher(),
  argon2: argon2idHasher(),
  bcrypt: bcryptHasher(),
  'bcrypt-md5': bcryptMd5Hasher(),
  'django-argon2': djangoArgon2Hasher(),
  'django-bcrypt-sha256': djangoBcryptSha256Hasher(),
  'django-bcrypt': djangoBcryptHasher(),
};
const all = defaultHasher();

describe('vectors from the real producers', () => {
  it('cover every producer, scheme and the hard passwords', () => {
    expect(FIXTURES.producers).toMatchObject({ passlib: '1.7.4', django: '3.2.25', 'argon2-cffi': '21.1.0', bcrypt: '3.2.2' });
    const schemes = new Set(FIXTURES.vectors.map((v) => v.scheme));
    expect([...schemes].sort()).toEqual(Object.keys(SCHEMES).sort());
    const passwords = new Set(FIXTURES.vectors.map((v) => v.password));
    for (const p of ['p\u00e4ssw\u00f6rd', 'pa\u0308sswo\u0308rd', 'pass:word:with:colons', 'nul\u0000byte', '\u{1f511}'.repeat(8)]) {
      expect(passwords.has(p), JSON.stringify(p)).toBe(true);
    }
    expect(FIXTURES.vectors.length).toBeGreaterThan(100);
  });

  it.each(FIXTURES.vectors.map((v) => [v.id, v] as const))('%s: right password true, wrong ones false', async (_, vector) => {
    const hasher = SCHEMES[vector.scheme] as Hasher;
    expect(hasher.identifies(vector.hash)).toBe(true);
    expect((await hasher.verify(vector.password, vector.hash)).ok).toBe(true);
    expect((await all.verify(vector.password, vector.hash)).ok).toBe(true);
    for (const wrong of vector.wrong) {
      expect((await hasher.verify(wrong, vector.hash)).ok, JSON.stringify(wrong)).toBe(false);
    }
    // Accepted by the producer only because bcrypt truncates at 72 bytes (PWD-06):
    for (const overlong of vector.overlong) {
      expect((await hasher.verify(overlong, vector.hash)).ok, JSON.stringify(overlong)).toBe(false);
      expect((await all.verify(overlong, vector.hash)).ok).toBe(false);
    }
  });

  it('PWD-13 through defaultHasher every legacy vector needs a rehash, except argon2id at least as strong as the policy (PWD-22)', async () => {
    for (const vector of FIXTURES.vectors) {
      const { ok, needsRehash } = await all.verify(vector.password, vector.hash);
      expect(ok, vector.id).toBe(true);
      const strongArgon2id = /^\$argon2id\$v=19\$m=102400,t=2,p=8\$/.test(vector.hash);
      expect(needsRehash, vector.id).toBe(!strongArgon2id);
    }
  });
});
