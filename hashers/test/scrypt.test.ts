import * as nodeCrypto from 'node:crypto';
import { ConfigurationError } from '@portcullis/core';
import { formatScrypt, parseScrypt } from '@portcullis/core/hashing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { scryptHasher } from '../src/scrypt.js';
import { NUL_PASSWORDS, UNICODE_PASSWORDS } from './helpers.js';

vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, scrypt: vi.fn(original.scrypt), scryptSync: vi.fn(original.scryptSync), timingSafeEqual: vi.fn(original.timingSafeEqual) };
});

const cheap = { cost: 2 ** 10 };

afterEach(() => {
  vi.clearAllMocks();
});

describe('scryptHasher', () => {
  it('PWD-02 OWASP defaults N=2^17, r=8, p=1 succeed: maxmem is raised above Node\'s 32 MiB', async () => {
    const hasher = scryptHasher();
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$scrypt\$ln=17,r=8,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(await hasher.verify('correct horse battery staple', stored)).toEqual({ ok: true, needsRehash: false });
    const options = vi.mocked(nodeCrypto.scrypt).mock.calls[0]?.[3] as nodeCrypto.ScryptOptions;
    expect(options).toMatchObject({ N: 2 ** 17, r: 8, p: 1 });
    expect(options.maxmem).toBeGreaterThanOrEqual(160 * 1024 * 1024); // Node's default, 32 MiB, throws here
  });

  it('PWD-10 round-trips Unicode, NFC vs NFD, case, colons and NUL bytes exactly', async () => {
    const hasher = scryptHasher(cheap);
    const passwords = [...UNICODE_PASSWORDS, ...NUL_PASSWORDS, '', 'x'.repeat(1024)];
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    for (const [i, password] of passwords.entries()) {
      for (const [j, stored] of hashes.entries()) {
        expect((await hasher.verify(password, stored)).ok, `${JSON.stringify(password)} vs #${j}`).toBe(i === j);
      }
    }
  });

  it('PWD-10 known scrypt property: trailing NUL bytes do not count (its PBKDF2-HMAC step zero-pads the key), as in passlib', async () => {
    // Documented in docs/hashing.md; argon2id (the default) has no such equivalence.
    const hasher = scryptHasher(cheap);
    expect((await hasher.verify('pw\u0000', await hasher.hash('pw'))).ok).toBe(true);
    expect((await hasher.verify('p\u0000w', await hasher.hash('pw'))).ok).toBe(false);
  });

  it('PWD-19 the same password twice gives different salts and hashes', async () => {
    const hasher = scryptHasher(cheap);
    const [a, b] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
    expect(a).not.toBe(b);
    expect(parseScrypt(a)?.salt).not.toEqual(parseScrypt(b)?.salt);
  });

  it('PWD-21 compares the derived key with crypto.timingSafeEqual on equal lengths', async () => {
    const hasher = scryptHasher(cheap);
    const stored = await hasher.hash('pw');
    expect((await hasher.verify('px', stored)).ok).toBe(false);
    expect(nodeCrypto.timingSafeEqual).toHaveBeenCalledTimes(1);
    const [a, b] = vi.mocked(nodeCrypto.timingSafeEqual).mock.calls[0] as [Uint8Array, Uint8Array];
    expect(a.length).toBe(b.length);
  });

  it('PWD-15 needsRehash when memory (N·r) or work (N·r·p) is below the policy; PWD-22 never for a stronger hash', async () => {
    const policy = scryptHasher({ cost: 2 ** 12 });
    const check = async (options: Parameters<typeof scryptHasher>[0]) => policy.verify('pw', await scryptHasher(options).hash('pw'));
    expect(await check({ cost: 2 ** 11 })).toEqual({ ok: true, needsRehash: true });
    expect(await check({ cost: 2 ** 11, parallelization: 2 })).toEqual({ ok: true, needsRehash: true }); // same work, less memory
    expect(await check({ cost: 2 ** 12 })).toEqual({ ok: true, needsRehash: false });
    expect(await check({ cost: 2 ** 13 })).toEqual({ ok: true, needsRehash: false });
    expect(await check({ cost: 2 ** 12, parallelization: 2 })).toEqual({ ok: true, needsRehash: false });
  });

  it('PWD-12 / DOS-01 a password over the cap: the KDF never runs', async () => {
    const hasher = scryptHasher(cheap);
    const stored = await hasher.hash('pw');
    vi.clearAllMocks();
    const huge = 'a'.repeat(1024 * 1024);
    expect(await hasher.verify(huge, stored)).toEqual({ ok: false, needsRehash: false });
    expect(hasher.verifySync?.(huge, stored)).toEqual({ ok: false, needsRehash: false });
    await expect(hasher.hash(huge)).rejects.toMatchObject({ code: 'password_too_long' });
    expect(() => hasher.hashSync?.(huge)).toThrow(expect.objectContaining({ code: 'password_too_long' }));
    expect(nodeCrypto.scrypt).not.toHaveBeenCalled();
    expect(nodeCrypto.scryptSync).not.toHaveBeenCalled();
  });

  it('DOS-13 crafted stored parameters (128·N·r > 1 GiB, p > 16) are refused before computing', async () => {
    const hasher = scryptHasher(cheap);
    const salt = new Uint8Array(16);
    const hash = new Uint8Array(32);
    const crafted = [
      formatScrypt({ cost: 2 ** 21, blockSize: 8, parallelization: 1, salt, hash }), // 2 GiB
      formatScrypt({ cost: 2 ** 17, blockSize: 128, parallelization: 1, salt, hash }), // 2 GiB
      formatScrypt({ cost: 2 ** 63, blockSize: 8, parallelization: 1, salt, hash }),
      formatScrypt({ cost: 2 ** 10, blockSize: 8, parallelization: 17, salt, hash }),
      '$scrypt$ln=10,r=4294967295,p=4294967295$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ];
    for (const stored of crafted) {
      expect(await hasher.verify('pw', stored), stored).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
      expect(hasher.verifySync?.('pw', stored)).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
    }
    expect(nodeCrypto.scrypt).not.toHaveBeenCalled();
    expect(nodeCrypto.scryptSync).not.toHaveBeenCalled();
  });

  it('malformed stored values, and parameters Node refuses, verify as false and never throw', async () => {
    const hasher = scryptHasher(cheap);
    const values = [
      'pw',
      '$scrypt$',
      '$scrypt$ln=10,r=8$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      // N must be < 2^(128·r/8): with r=1, ln=16 is refused by Node itself.
      '$scrypt$ln=16,r=1,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      undefined,
    ];
    for (const stored of values) {
      expect(await hasher.verify('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
      expect(hasher.verifySync?.('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it('has sync variants that agree with the async ones', async () => {
    const hasher = scryptHasher(cheap);
    const stored = hasher.hashSync?.('pw') as string;
    expect(await hasher.verify('pw', stored)).toEqual({ ok: true, needsRehash: false });
    expect(hasher.verifySync?.('pw', await hasher.hash('pw'))).toEqual({ ok: true, needsRehash: false });
  });

  it.each([[{ cost: 1000 }], [{ cost: 1 }], [{ blockSize: 0 }], [{ parallelization: 17 }], [{ keyLength: 8 }], [{ saltLength: 4 }], [{ cost: 2 ** 21 }]])(
    'refuses unusable options at construction: %j',
    (options) => {
      expect(() => scryptHasher(options)).toThrow(ConfigurationError);
    },
  );
});
