// The user directory that both apps of every section of docs/migrating.md share, so
// that any difference between a "before" and an "after" app comes from the
// middleware, not from the app. A real app keeps password hashes (docs/hashing.md),
// not passwords.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SimpleUser } from '@portcullis/core';

/** An account: a Portcullis user (`displayName`, `identity`) that Passport can carry too. */
export class AppUser extends SimpleUser {
  constructor(
    readonly id: string,
    username: string,
  ) {
    super(username);
  }
}

const ACCOUNTS = [
  { id: 'u1', username: 'alice', password: 'correct horse battery staple' },
  { id: 'u2', username: 'bob', password: 'pa:ss:wörd' },
] as const;

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Looks users up; `null` when there is none. */
export const users = {
  byId(id: string): AppUser | null {
    const account = ACCOUNTS.find((a) => a.id === id);
    return account === undefined ? null : new AppUser(account.id, account.username);
  },
  /** The user whose username and password these are, or `null`; compares in constant time. */
  verify(username: string, password: string): AppUser | null {
    let found: AppUser | null = null;
    for (const account of ACCOUNTS) {
      // Every account is compared, so the time taken does not depend on which one matched.
      const sameName = timingSafeEqual(digest(username), digest(account.username));
      const samePassword = timingSafeEqual(digest(password), digest(account.password));
      if (sameName && samePassword) found = new AppUser(account.id, account.username);
    }
    return found;
  },
};
