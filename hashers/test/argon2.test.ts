import * as argon2 from '@node-rs/argon2';
import { parseArgon2 } from '@portcullis/core/hashing';
import { ConfigurationError } from '@portcullis/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { argon2idHasher } from '../src/argon2.js';
import { NUL_PASSWORDS, UNICODE_PASSWORDS } from './helpers.js';

vi.mock('@node-rs/argon2', async (importOriginal) => {
  const original = await importOriginal<typeof import('@node-rs/argon2')>();
  return {
    ...original,
    hash: vi.fn(original.hash),
    hashSync: vi.fn(original.hashSync),
    verify: vi.fn(original.verify),
    verifySync: vi.fn(original.verifySync),
  };
});

/** Cheap parameters for most tests; the defaults are tested where they are the point. */
const cheap = { memoryCost: 1024, timeCost: 1 };
const hashWith = (options: Parameters<typeof argon2idHasher>[0], password = 'pw') => argon2idHasher(options).hash(password);

afterEach(() => {
  vi.clearAllMocks();
});

describe('argon2idHasher', () => {
  it('PWD-01 defaults: $argon2id$v=19$m=19456,t=2,p=1, 16-byte salt, 32-byte hash', async () => {
    const hasher = argon2idHasher();
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    const parsed = parseArgon2(stored);
    expect(parsed?.salt.length).toBeGreaterThanOrEqual(16);
    expect(parsed?.hash.length).toBe(32);
    expect(await hasher.verify('correct horse battery staple', stored)).toEqual({ ok: true, needsRehash: false });
    expect(hasher.id).toBe('argon2id');
  });

  it('PWD-10 round-trips Unicode, NFC vs NFD, case, colons and NUL bytes exactly', async () => {
    const hasher = argon2idHasher(cheap);
    const passwords = [...UNICODE_PASSWORDS, ...NUL_PASSWORDS, '', '\u0000', 'x'.repeat(1024)];
    const hashes = await Promise.all(passwords.map((p) => hasher.hash(p)));
    for (const [i, password] of passwords.entries()) {
      for (const [j, stored] of hashes.entries()) {
        expect((await hasher.verify(password, stored)).ok, `${JSON.stringify(password)} vs #${j}`).toBe(i === j);
      }
    }
    // Unlike PBKDF2 and scrypt (HMAC keys), trailing NULs count.
    expect((await hasher.verify('pw\u0000', await hasher.hash('pw'))).ok).toBe(false);
  });

  it('PWD-19 the same password twice gives different salts and hashes', async () => {
    const hasher = argon2idHasher(cheap);
    const [a, b] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
    expect(a).not.toBe(b);
    expect(parseArgon2(a)?.salt).not.toEqual(parseArgon2(b)?.salt);
  });

  it('PWD-15 needsRehash matrix against the policy m=19456, t=2, p=1', async () => {
    const policy = argon2idHasher();
    const cases: Array<[string, Parameters<typeof argon2idHasher>[0], boolean]> = [
      ['m=4096,t=3 (weaker)', { memoryCost: 4096, timeCost: 3 }, true],
      ['m=19456,t=1 (fewer passes)', { memoryCost: 19456, timeCost: 1 }, true],
      ['m=7168,t=5 (an OWASP line with less memory)', { memoryCost: 7168, timeCost: 5 }, true],
      ['m=19456,t=2 (the policy)', {}, false],
      ['m=47104,t=1 (the OWASP line with more memory and an equal cost)', { memoryCost: 47104, timeCost: 1 }, false],
      ['m=19456,t=2,p=2 (more lanes)', { parallelism: 2 }, false],
    ];
    for (const [label, options, expected] of cases) {
      expect(await policy.verify('pw', await hashWith(options)), label).toEqual({ ok: true, needsRehash: expected });
    }
    expect(await policy.verify('wrong', await hashWith({ memoryCost: 4096, timeCost: 3 }))).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-22 a hash stronger than the policy is never rewritten', async () => {
    const policy = argon2idHasher();
    expect(await policy.verify('pw', await hashWith({ memoryCost: 65536, timeCost: 3 }))).toEqual({ ok: true, needsRehash: false });
    expect(await policy.verify('pw', await hashWith({ memoryCost: 19456, timeCost: 4 }))).toEqual({ ok: true, needsRehash: false });
  });

  it('PWD-15 argon2i, argon2d and v=16 verify, and need a rehash to argon2id v=19', async () => {
    const policy = argon2idHasher(cheap);
    for (const [algorithm, version] of [[1, 1], [0, 1], [2, 0]] as const) {
      const stored = await argon2.hash('pw', { memoryCost: 1024, timeCost: 1, algorithm, version });
      expect(await policy.verify('pw', stored), stored.slice(0, 16)).toEqual({ ok: true, needsRehash: true });
      expect((await policy.verify('px', stored)).ok).toBe(false);
    }
  });

  it('PWD-12 / DOS-01 a password over the cap: verify false in ms, hash throws password_too_long, the KDF never runs', async () => {
    const hasher = argon2idHasher(cheap);
    const stored = await hasher.hash('pw');
    vi.clearAllMocks();
    const huge = 'a'.repeat(1024 * 1024);
    const started = performance.now();
    expect(await hasher.verify(huge, stored)).toEqual({ ok: false, needsRehash: false });
    expect(hasher.verifySync?.(huge, stored)).toEqual({ ok: false, needsRehash: false });
    expect(performance.now() - started).toBeLessThan(50);
    await expect(hasher.hash(huge)).rejects.toMatchObject({ name: 'HashingError', code: 'password_too_long' });
    expect(() => hasher.hashSync?.(huge)).toThrow(expect.objectContaining({ code: 'password_too_long' }));
    await expect(hasher.hash('\u00e9'.repeat(513))).rejects.toMatchObject({ code: 'password_too_long' });
    expect(argon2.hash).not.toHaveBeenCalled();
    expect(argon2.hashSync).not.toHaveBeenCalled();
    expect(argon2.verify).not.toHaveBeenCalled();
    expect(argon2.verifySync).not.toHaveBeenCalled();
  });

  it('DOS-13 crafted stored parameters (m > 1 GiB, t > 10, p > 16) are refused before computing', async () => {
    const hasher = argon2idHasher(cheap);
    const tail = '$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    const crafted = [
      `$argon2id$v=19$m=1048577,t=1,p=1${tail}`,
      `$argon2id$v=19$m=4294967295,t=1,p=1${tail}`,
      `$argon2id$v=19$m=19456,t=11,p=1${tail}`,
      `$argon2id$v=19$m=19456,t=4294967295,p=1${tail}`,
      `$argon2id$v=19$m=19456,t=2,p=17${tail}`,
      `$argon2id$v=19$m=19456,t=2,p=255${tail}`,
    ];
    const started = performance.now();
    for (const stored of crafted) {
      expect(await hasher.verify('pw', stored), stored).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
      expect(hasher.verifySync?.('pw', stored)).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
    }
    expect(performance.now() - started).toBeLessThan(50);
    expect(argon2.verify).not.toHaveBeenCalled();
    expect(argon2.verifySync).not.toHaveBeenCalled();
    // At the limit it computes (a wrong hash, so false): the limit is the only gate.
    await hasher.verify('pw', `$argon2id$v=19$m=1024,t=10,p=16${tail}`);
    expect(argon2.verify).toHaveBeenCalledTimes(1);
  });

  it('malformed or unknown stored values verify as false and never throw (no plaintext compare)', async () => {
    const hasher = argon2idHasher(cheap);
    const values = [
      'pw',
      '',
      '$argon2id$',
      '$argon2id$v=19$m=1024,t=1,p=1$!!!$abc',
      '$argon2id$v=19$m=4,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2g', // m < 8p: the binding would throw
      '$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaA', // 4-byte hash
      '$argon2id$m=1024,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNo', // no version
      '$2b$10$abcdefghijklmnopqrstuuabcdefghijklmnopqrstuvwxyzabcde',
      null,
      undefined,
      12,
    ];
    for (const stored of values) {
      expect(await hasher.verify('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
      expect(hasher.verifySync?.('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it('has sync variants that agree with the async ones', async () => {
    const hasher = argon2idHasher(cheap);
    const stored = hasher.hashSync?.('p\u00e4ss') as string;
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=1024,t=1,p=1\$/);
    expect(await hasher.verify('p\u00e4ss', stored)).toEqual({ ok: true, needsRehash: false });
    expect(hasher.verifySync?.('p\u00e4ss', await hasher.hash('p\u00e4ss'))).toEqual({ ok: true, needsRehash: false });
    expect(hasher.verifySync?.('pass', stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('wraps a failing KDF in hash_failed without the password', async () => {
    const hasher = argon2idHasher(cheap);
    vi.mocked(argon2.hash).mockRejectedValueOnce(Object.assign(new Error('out of memory'), { code: 'GenericFailure' }));
    const error: unknown = await hasher.hash('S3cr3t!Pw').catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'HashingError', code: 'hash_failed' });
    expect(String(error)).not.toContain('S3cr3t');
  });

  it.each([
    [{ memoryCost: 1048577 }],
    [{ memoryCost: 7 }],
    [{ timeCost: 0 }],
    [{ timeCost: 11 }],
    [{ parallelism: 17 }],
    [{ hashLength: 8 }],
    [{ memoryCost: 1.5 }],
    [{ limits: { maxTimeCost: 0 } }],
  ])('refuses unusable options at construction: %j', (options) => {
    expect(() => argon2idHasher(options as never)).toThrow(ConfigurationError);
  });
});
