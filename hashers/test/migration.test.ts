import { formatPbkdf2 } from '@portcullis/core/hashing';
import { describe, expect, it } from 'vitest';
import { argon2idHasher } from '../src/argon2.js';
import { bcryptMd5Hasher } from '../src/bcrypt-md5.js';
import { defaultHasher } from '../src/default.js';
import { FIXTURES } from './helpers.js';
import { createHash } from 'node:crypto';

const hasher = defaultHasher();
const byId = (id: string) => {
  const vector = FIXTURES.vectors.find((v) => v.id === id);
  if (vector === undefined) throw new Error(`no vector ${id}`);
  return vector;
};

/** A login against a one-row table: verify, then rehash and compare-and-set on success. */
async function login(row: { hash: string }, password: string): Promise<boolean> {
  const before = row.hash;
  const { ok, needsRehash } = await hasher.verify(password, before);
  if (ok && needsRehash) {
    const fresh = await hasher.hash(password);
    if (row.hash === before) row.hash = fresh; // compare-and-set
  }
  return ok;
}

describe('migration through defaultHasher (argon2id current, everything else legacy)', () => {
  it.each([
    ['PWD-13 bcrypt $2b$', 'pyca-bcrypt-2b-cost-10'],
    ['PWD-13 Django pbkdf2_sha256 (Django 3.2 default iterations)', 'django-pbkdf2-sha256-default-iterations'],
    ['PWD-13 passlib $pbkdf2-sha256$ (passlib default rounds)', 'passlib-pbkdf2-sha256-default-rounds'],
    ['PWD-13 Django bcrypt_sha256', 'django-bcrypt-sha256-ascii'],
    ['PWD-13 passlib scrypt', 'passlib-scrypt-default'],
    ['PWD-16 bcrypt over md5, tagged', 'bcrypt-md5-ascii'],
  ])('%s: a successful login leaves an argon2id hash; a failed one changes nothing (PWD-14)', async (_, id) => {
    const vector = byId(id);
    const row = { hash: vector.hash };
    expect(await login(row, vector.wrong[0] as string)).toBe(false);
    expect(row.hash).toBe(vector.hash); // PWD-14
    expect(await login(row, vector.password)).toBe(true);
    expect(row.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/); // PWD-13
    expect(await hasher.verify(vector.password, row.hash)).toEqual({ ok: true, needsRehash: false });
    const upgraded = row.hash;
    expect(await login(row, vector.password)).toBe(true);
    expect(row.hash).toBe(upgraded); // current hashes are not rewritten
  });

  it('PWD-15 $argon2id$v=19$m=4096,t=3,p=1 under the default policy is upgraded', async () => {
    const weak = await argon2idHasher({ memoryCost: 4096, timeCost: 3 }).hash('pw');
    expect(weak).toMatch(/^\$argon2id\$v=19\$m=4096,t=3,p=1\$/);
    const row = { hash: weak };
    expect(await login(row, 'pw')).toBe(true);
    expect(row.hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('PWD-22 a stronger-than-policy argon2id hash is never rewritten to weaker parameters', async () => {
    const strong = byId('argon2-cffi-default'); // m=102400, t=2, p=8
    const row = { hash: strong.hash };
    expect(await login(row, strong.password)).toBe(true);
    expect(row.hash).toBe(strong.hash);
    const mine = await argon2idHasher({ memoryCost: 65536, timeCost: 3 }).hash('pw');
    expect(await hasher.verify('pw', mine)).toEqual({ ok: true, needsRehash: false });
  });

  it('PWD-16 wrap() turns a table of unsalted md5 digests into bcrypt_md5 hashes that verify and migrate', async () => {
    const legacy = bcryptMd5Hasher({ cost: 10 });
    const md5 = createHash('md5').update('hunter2', 'utf8').digest('hex');
    const row = { hash: await legacy.wrap(md5) };
    expect(row.hash).toMatch(/^bcrypt_md5\$\$2b\$10\$/);
    expect(await login(row, md5)).toBe(false); // the digest is not the password
    expect(await login(row, 'hunter2')).toBe(true);
    expect(row.hash).toMatch(/^\$argon2id\$/);
  });

  it('an unknown format (plaintext, md5 hex, garbage) verifies as false: never a plaintext compare', async () => {
    for (const stored of ['hunter2', createHash('md5').update('hunter2').digest('hex'), '$1$abc$def', '$5$rounds=5000$x$y', 'sha1$salt$hash']) {
      expect(await hasher.verify('hunter2', stored)).toEqual({ ok: false, needsRehash: false });
      expect(hasher.identifies(stored)).toBe(false);
    }
  });

  it('DOS-13 crafted parameters in any format are refused quickly', async () => {
    const salt = new Uint8Array(16);
    const crafted = [
      '$argon2id$v=19$m=4294967295,t=4294967295,p=255$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      '$scrypt$ln=40,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      `$2b$31$${'a'.repeat(53)}`,
      formatPbkdf2({ digest: 'SHA-256', iterations: 2 ** 31, salt, hash: new Uint8Array(32) }),
      `$pbkdf2-sha256$2147483648$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(43)}`,
      `pbkdf2_sha256$2147483648$salt$${'A'.repeat(43)}=`,
      'argon2$argon2id$v=19$m=4294967295,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
      `bcrypt_md5$$2b$31$${'a'.repeat(53)}`,
    ];
    const started = performance.now();
    for (const stored of crafted) {
      const outcome = await hasher.verify('pw', stored);
      // Every format's over-limit parameters are a logged refusal (hash_parameters_refused).
      expect(outcome, stored).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
    }
    expect(performance.now() - started).toBeLessThan(100);
  });
});
