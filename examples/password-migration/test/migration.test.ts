import { parseArgon2 } from '@portcullis/core/hashing';
import { describe, expect, it } from 'vitest';
import { runDemo, schemeOf } from '../src/demo.js';
import { hasher } from '../src/hasher.js';
import { LEGACY_USERS } from '../src/legacy-users.js';
import { createLogin } from '../src/login.js';
import { UserTable } from '../src/user-table.js';

const snapshot = (table: UserTable) => table.rows().map((r) => ({ ...r }));

describe('password migration: Django, passlib and bcrypt hashes to argon2id', () => {
  it('starts from a mix of real Django, passlib, bcrypt and bcrypt(md5) hashes', () => {
    const schemes = LEGACY_USERS.map((u) => schemeOf(u.passwordHash));
    expect(schemes).toEqual([
      'django pbkdf2_sha256$260000',
      'passlib $pbkdf2-sha256$29000',
      'bcrypt $2b$10$',
      'bcrypt $2y$10$',
      'bcrypt_md5 (bcrypt over md5)',
      'django pbkdf2_sha1$100000',
    ]);
  });

  it('PWD-14 a failed login changes nothing, for every user and for unknown users', async () => {
    const table = new UserTable(LEGACY_USERS);
    const login = createLogin(table, hasher);
    const before = snapshot(table);
    for (const user of LEGACY_USERS) {
      for (const wrong of [`${user.password}!`, user.password.toUpperCase() === user.password ? 'x' : user.password.toUpperCase(), '']) {
        expect(await login(user.username, wrong)).toEqual({ ok: false, upgraded: false });
      }
    }
    expect(await login('mallory', 'anything')).toEqual({ ok: false, upgraded: false });
    expect(snapshot(table)).toEqual(before);
  });

  it('PWD-13 every successful login leaves an argon2id hash behind, at the policy, which verifies', async () => {
    const table = new UserTable(LEGACY_USERS);
    const login = createLogin(table, hasher);
    for (const user of LEGACY_USERS) {
      expect(await login(user.username, user.password)).toEqual({ ok: true, upgraded: true });
      const stored = table.find(user.username)?.passwordHash ?? '';
      expect(parseArgon2(stored)).toMatchObject({ variant: 'argon2id', version: 19, memoryCost: 19456, timeCost: 2, parallelism: 1 });
      expect(await hasher.verify(user.password, stored)).toEqual({ ok: true, needsRehash: false });
      // Once migrated, nothing more to do.
      expect(await login(user.username, user.password)).toEqual({ ok: true, upgraded: false });
      expect(table.find(user.username)?.passwordHash).toBe(stored);
    }
    expect(table.rows().every((r) => r.passwordHash.startsWith('$argon2id$'))).toBe(true);
  });

  it('stores atomically: a rehash never overwrites a hash that changed meanwhile (a password reset)', async () => {
    const table = new UserTable(LEGACY_USERS);
    const user = LEGACY_USERS[0] ?? expect.unreachable();
    const reset = await hasher.hash('a brand new password');
    // The reset lands between the verification and the rehash's write.
    const realHash = hasher.hash.bind(hasher);
    const racing = {
      ...hasher,
      hash: async (password: string) => {
        const fresh = await realHash(password);
        table.compareAndSet(user.username, user.passwordHash, reset);
        return fresh;
      },
    };
    expect(await createLogin(table, racing)(user.username, user.password)).toEqual({ ok: true, upgraded: false });
    expect(table.find(user.username)?.passwordHash).toBe(reset);
  });

  it('the runnable demo migrates every user', async () => {
    const lines: string[] = [];
    const table = await runDemo((line) => lines.push(line));
    expect(table.rows().map((r) => schemeOf(r.passwordHash))).toEqual(LEGACY_USERS.map(() => '$argon2id$v=19$m=19456,t=2,p=1'));
    expect(lines.filter((l) => l.includes('wrong password: ok=false; right password: ok=true, upgraded=true; again: upgraded=false'))).toHaveLength(
      LEGACY_USERS.length,
    );
  });
});
