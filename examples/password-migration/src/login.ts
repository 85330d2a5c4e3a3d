import { SimpleUser, passwordBackend } from '@portcullis/core';
import type { Hasher } from '@portcullis/core/hashing';
import type { UserTable } from './user-table.js';

/** What a login did. */
export interface LoginResult {
  readonly ok: boolean;
  /** The stored hash was replaced with one made by the current policy. */
  readonly upgraded: boolean;
}

/** A user row seen as a Portcullis user. */
class Account extends SimpleUser {
  readonly passwordHash: string;
  constructor(username: string, passwordHash: string) {
    super(username);
    this.passwordHash = passwordHash;
  }
}

/**
 * A login that migrates, through the core's `passwordBackend`: verify; on success
 * with `needsRehash`, `onRehash` stores the fresh hash with a compare-and-set. A
 * failed login writes nothing; unknown users are verified against a dummy hash, so
 * they cost what a wrong password costs. The same backend serves Basic auth
 * (`authentication({ backend })`) and login forms (`verifyCredentials`).
 */
export function createLogin(table: UserTable, hasher: Hasher): (username: string, password: string) => Promise<LoginResult> {
  // Accounts are made per login, so this tells which login's rehash was stored.
  const upgraded = new WeakSet<Account>();
  const backend = passwordBackend({
    findUser(username) {
      const row = table.find(username);
      return row === undefined ? null : new Account(row.username, row.passwordHash);
    },
    passwordHashOf: (account) => account.passwordHash,
    hasher,
    onRehash(account, fresh, old) {
      // If someone else changed the hash meanwhile (a reset), theirs stays.
      if (table.compareAndSet(account.username, old, fresh)) upgraded.add(account);
    },
  });
  return async function login(username, password) {
    const user = await backend.verifyCredentials(username, password);
    return { ok: user !== null, upgraded: user !== null && upgraded.has(user) };
  };
}
