import { SimpleUser, passwordBackend } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import {
  argon2idHasher,
  bcryptHasher,
  bcryptMd5Hasher,
  defaultHasher,
  djangoBcryptHasher,
  djangoBcryptSha256Hasher,
  multiHasher,
  passwordPolicy,
  pepperedHasher,
  scryptHasher,
} from '../src/index.js';

// Cheap parameters: the tests are about lengths and peppers, not cost.
const argon2 = argon2idHasher({ memoryCost: 1024, timeCost: 1 });
const bcrypt = bcryptHasher({ cost: 10 });
const PEPPER_2026A = 'the 2026a pepper, 32 bytes or more!';
const PEPPER_2026B = 'the 2026b pepper, 32 bytes or more!';

describe('the policy counts as the Node hashers count', () => {
  it('PWD-11 maxLength defaults to what the hasher takes: 1024 UTF-8 bytes, or less when the hasher says so', () => {
    for (const hasher of [argon2, scryptHasher({ cost: 1024 }), defaultHasher(), djangoBcryptSha256Hasher(), bcryptMd5Hasher()]) {
      expect(passwordPolicy({ hasher }).maxLength, hasher.id).toBe(1024);
    }
    expect(passwordPolicy({ hasher: argon2idHasher({ maxPasswordBytes: 256 }) }).maxLength).toBe(256);
    expect(passwordPolicy({ hasher: multiHasher([argon2, bcrypt]) }).maxLength).toBe(1024);
  });

  it('PWD-11 plain bcrypt (72 bytes) is a startup error: 64 characters must fit (ASVS 5.0 6.2.9), and the message names the fix', () => {
    for (const hasher of [bcrypt, djangoBcryptHasher(), multiHasher([bcrypt, argon2])]) {
      expect(() => passwordPolicy({ hasher })).toThrow(/accepts only 72 UTF-8 bytes.*argon2idHasher.*legacy hashes.*pepperedHasher.*44-byte/);
    }
    expect(() => passwordPolicy({ hasher: bcrypt, maxLength: 256 })).toThrow(/accepts only 72/);
  });

  it('PWD-06 bcrypt serves new passwords only behind a pepper: 64 characters of any script are accepted and hashed whole', async () => {
    const hasher = pepperedHasher({ inner: bcrypt, peppers: { '2026a': PEPPER_2026A }, current: '2026a' });
    const policy = passwordPolicy({ hasher });
    for (const password of ['\u00e4'.repeat(64), '🔑'.repeat(64), `${'a'.repeat(72)}X`]) {
      expect(await policy.check(password)).toEqual({ ok: true });
    }
    const stored = await hasher.hash(`${'a'.repeat(72)}X`);
    expect((await hasher.verify(`${'a'.repeat(72)}Y`, stored)).ok).toBe(false);
    // Plain bcrypt would refuse what the policy accepts: that is why it cannot be the policy's hasher.
    await expect(bcrypt.hash('\u00e4'.repeat(64))).rejects.toMatchObject({ code: 'password_too_long_for_algorithm' });
  });
});

describe('pepperedHasher over the Node hashers', () => {
  it('PWD-20 bcrypt with a pepper takes long passwords whole: no truncation at 72 bytes, no NUL problem', async () => {
    const hasher = pepperedHasher({ inner: bcrypt, peppers: { '2026a': PEPPER_2026A }, current: '2026a' });
    expect(passwordPolicy({ hasher }).maxLength).toBe(1024);
    const stored = await hasher.hash(`${'a'.repeat(72)}X`);
    expect(stored).toMatch(/^pepper\$2026a\$\$2b\$10\$/);
    expect((await hasher.verify(`${'a'.repeat(72)}X`, stored)).ok).toBe(true);
    expect((await hasher.verify(`${'a'.repeat(72)}Y`, stored)).ok).toBe(false); // PWD-06 holds
    const nul = await hasher.hash('nul\0byte');
    expect((await hasher.verify('nul\0byte', nul)).ok).toBe(true);
    expect((await hasher.verify('nul', nul)).ok).toBe(false);
  });

  it('PWD-20 argon2id with the wrong pepper is false', async () => {
    const stored = await pepperedHasher({ inner: argon2, peppers: { a: PEPPER_2026A }, current: 'a' }).hash('correct horse');
    const wrong = pepperedHasher({ inner: argon2, peppers: { a: PEPPER_2026B }, current: 'a' });
    expect(await wrong.verify('correct horse', stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-20 through passwordBackend: legacy and old-pepper hashes are upgraded on login, a failed login writes nothing', async () => {
    const before = pepperedHasher({ inner: argon2, peppers: { '2026a': PEPPER_2026A }, current: '2026a' });
    const table = new Map<string, string>([
      ['legacy', await argon2.hash('legacy password')], // from before the pepper
      ['old', await before.hash('old pepper password')], // under the retiring pepper
      ['current', ''],
    ]);
    const hasher = multiHasher([
      pepperedHasher({ inner: argon2, peppers: { '2026a': PEPPER_2026A, '2026b': PEPPER_2026B }, current: '2026b' }),
      argon2,
    ]);
    table.set('current', await hasher.hash('current password'));
    const writes: string[] = [];
    const backend = passwordBackend({
      findUser: (name) => (table.has(name) ? new SimpleUser(name) : null),
      passwordHashOf: (user) => table.get(user.identity),
      hasher,
      onRehash(user, fresh, old) {
        if (table.get(user.identity) === old) table.set(user.identity, fresh);
        writes.push(user.identity);
      },
    });

    const legacyHash = table.get('legacy');
    expect(await backend.verifyCredentials('legacy', 'wrong password')).toBeNull();
    expect(await backend.verifyCredentials('old', 'wrong password')).toBeNull();
    expect(writes).toEqual([]);
    expect(table.get('legacy')).toBe(legacyHash);

    expect(await backend.verifyCredentials('legacy', 'legacy password')).not.toBeNull();
    expect(await backend.verifyCredentials('old', 'old pepper password')).not.toBeNull();
    expect(await backend.verifyCredentials('current', 'current password')).not.toBeNull();
    expect(writes).toEqual(['legacy', 'old']);
    for (const name of ['legacy', 'old', 'current']) expect(table.get(name)).toMatch(/^pepper\$2026b\$\$argon2id\$/);
    expect(await backend.verifyCredentials('legacy', 'legacy password')).not.toBeNull();
    expect(writes).toHaveLength(2);
    // Neither pepper is in the table.
    for (const hash of table.values()) {
      expect(hash).not.toContain(PEPPER_2026A);
      expect(hash).not.toContain(PEPPER_2026B);
    }
  });
});
