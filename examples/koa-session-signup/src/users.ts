import { passwordBackend, type BaseUser, type Hasher, type PasswordBackend } from '@portcullis/core';

/** A user of the example: `{ id, name, email }` in JSON, and a password hash that never leaves the server. */
export class User implements BaseUser {
  readonly isAuthenticated = true as const;
  constructor(
    readonly id: string,
    readonly name: string,
    readonly email: string,
    readonly passwordHash: string,
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
  /** Checks an e-mail and password: unknown e-mails cost a dummy hash, like wrong passwords. */
  readonly passwords: PasswordBackend<User>;

  constructor(hasher: Hasher) {
    this.passwords = passwordBackend<User>({
      findUser: (email) => this.#byEmail.get(email.toLowerCase()) ?? null,
      passwordHashOf: (user) => user.passwordHash,
      hasher,
      // An outdated hash (another algorithm, an old pepper) is replaced after a successful login.
      onRehash: (user, fresh, old) => {
        this.#replace(user.id, fresh, old);
      },
    });
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

  /** Replaces a user's password hash; the updated user, or `null` when the user is gone. */
  changePassword(id: string, passwordHash: string): User | null {
    const user = this.#byId.get(id);
    return user === undefined ? null : this.#replace(id, passwordHash, user.passwordHash);
  }

  /** Compare-and-set on the hash: `null` when it is no longer `old`. */
  #replace(id: string, passwordHash: string, old: string): User | null {
    const user = this.#byId.get(id);
    if (user === undefined || user.passwordHash !== old) return null;
    const updated = new User(user.id, user.name, user.email, passwordHash);
    this.#byId.set(id, updated);
    this.#byEmail.set(user.email, updated);
    return updated;
  }

  byId(id: unknown): User | null {
    return typeof id === 'string' ? (this.#byId.get(id) ?? null) : null;
  }
}
