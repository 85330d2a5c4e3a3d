import { passwordBackend, type BaseUser, type Hasher, type PasswordBackend } from '@portcullis/core';

/**
 * A user of the example: `{ id, name, email }` in JSON, and a password hash that never
 * leaves the server. Immutable: each change of the hash makes a new `User`.
 */
export class User implements BaseUser {
  readonly isAuthenticated = true as const;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly email: string,
    readonly passwordHash: string,
    /** When the password was last changed (ms): sessions logged in before then are ended. 0: never. */
    readonly passwordChangedAt = 0,
  ) {}
  get displayName(): string {
    return this.name;
  }
  get identity(): string {
    return this.id;
  }
  toJSON(): { id: string; name: string; email: string } {
    return { id: this.id, name: this.name, email: this.email };
  }
}

/** An in-memory user table (a database in a real app). */
export class Users {
  readonly #byId = new Map<string, User>();
  readonly #byEmail = new Map<string, User>();
  /** A `User` whose outdated hash a login replaced → the `User` with the new hash (same password). */
  readonly #rehashed = new WeakMap<User, User>();
  /** Checks an e-mail and password: unknown e-mails cost a dummy hash, like wrong passwords. */
  readonly passwords: PasswordBackend<User>;

  constructor(hasher: Hasher) {
    this.passwords = passwordBackend<User>({
      findUser: (email) => this.#byEmail.get(email.toLowerCase()) ?? null,
      passwordHashOf: (user) => user.passwordHash,
      hasher,
      // An outdated hash (another algorithm, an old pepper) is replaced after a successful
      // login. The password is the same, so the user's sessions stay.
      onRehash: (user, fresh, old) => {
        const updated = this.#replace(user.id, fresh, old, user.passwordChangedAt);
        if (updated !== null) this.#rehashed.set(user, updated);
      },
    });
  }

  /**
   * Checks `user`'s current password for a password change. Returns the hash it was
   * verified against (the one `changePassword` must still find), or `null` when it is
   * wrong. When the login check upgraded that hash on the way (`onRehash`), the upgraded
   * hash is returned: it holds the same password.
   */
  async verifiedHash(user: User, password: string): Promise<string | null> {
    // `verified` is the User that findUser returned: the version whose hash was checked.
    const verified = await this.passwords.verifyCredentials(user.email, password);
    if (verified === null || verified.id !== user.id) return null;
    return (this.#rehashed.get(verified) ?? verified).passwordHash;
  }

  /** Creates a user with a password hash; `null` when the e-mail is taken. */
  create(name: string, email: string, passwordHash: string): User | null {
    const key = email.toLowerCase();
    if (this.#byEmail.has(key)) return null;
    const user = new User(crypto.randomUUID(), name, key, passwordHash);
    this.#byId.set(user.id, user);
    this.#byEmail.set(key, user);
    return user;
  }

  /**
   * Replaces a user's password with a compare-and-set: only while the stored hash is
   * still `expected`, the one the current password was verified against
   * ({@link verifiedHash}). The updated user, or `null` when the user is gone or the
   * password changed in between (a concurrent change made with the same old password).
   * The user's sessions logged in before now are ended (`passwordChangedAt`).
   */
  changePassword(id: string, passwordHash: string, expected: string): User | null {
    return this.#replace(id, passwordHash, expected, Date.now());
  }

  /** Compare-and-set on the hash: `null` when it is no longer `old`. */
  #replace(id: string, passwordHash: string, old: string, passwordChangedAt: number): User | null {
    const user = this.#byId.get(id);
    if (user === undefined || user.passwordHash !== old) return null;
    const updated = new User(user.id, user.name, user.email, passwordHash, passwordChangedAt);
    this.#byId.set(id, updated);
    this.#byEmail.set(user.email, updated);
    return updated;
  }

  byId(id: unknown): User | null {
    return typeof id === 'string' ? (this.#byId.get(id) ?? null) : null;
  }
}
