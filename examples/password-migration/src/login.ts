import type { Hasher } from '@portcullis/core/hashing';
import type { UserTable } from './user-table.js';

/** What a login did. */
export interface LoginResult {
  readonly ok: boolean;
  /** The stored hash was replaced with one made by the current policy. */
  readonly upgraded: boolean;
}

/**
 * A login that migrates: verify; on success with `needsRehash`, hash the password
 * again with the current policy and store it with compare-and-set. A failed login
 * writes nothing. Unknown users are verified against a dummy hash, so they cost what a
 * wrong password costs. (`passwordBackend({ findUser, hasher, onRehash })` in
 * `@portcullis/core` does the same for Basic auth and login forms.)
 */
export function createLogin(table: UserTable, hasher: Hasher): (username: string, password: string) => Promise<LoginResult> {
  let dummy: Promise<string> | undefined;
  return async function login(username, password) {
    const row = table.find(username);
    if (row === undefined) {
      await hasher.verify(password, await (dummy ??= hasher.hash(crypto.randomUUID())));
      return { ok: false, upgraded: false };
    }
    const { ok, needsRehash } = await hasher.verify(password, row.passwordHash);
    if (!ok) return { ok: false, upgraded: false };
    if (!needsRehash) return { ok: true, upgraded: false };
    const fresh = await hasher.hash(password);
    return { ok: true, upgraded: table.compareAndSet(username, row.passwordHash, fresh) };
  };
}
