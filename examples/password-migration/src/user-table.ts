/** A row of the users table. */
export interface UserRow {
  readonly username: string;
  readonly passwordHash: string;
}

/**
 * An in-memory users table with the one write a migration needs: compare-and-set on
 * the hash. In SQL that is
 * `UPDATE users SET password_hash = $new WHERE username = $user AND password_hash = $old`,
 * so a rehash never overwrites a password the user changed in the meantime.
 */
export class UserTable {
  readonly #rows = new Map<string, UserRow>();

  constructor(rows: Iterable<UserRow>) {
    for (const row of rows) this.#rows.set(row.username, { username: row.username, passwordHash: row.passwordHash });
  }

  find(username: string): UserRow | undefined {
    return this.#rows.get(username);
  }

  /** Replaces the hash only if it is still `expected`; true when it did. */
  compareAndSet(username: string, expected: string, next: string): boolean {
    const row = this.#rows.get(username);
    if (row === undefined || row.passwordHash !== expected) return false;
    this.#rows.set(username, { username, passwordHash: next });
    return true;
  }

  /** Every row, for display and tests. */
  rows(): UserRow[] {
    return [...this.#rows.values()];
  }
}
