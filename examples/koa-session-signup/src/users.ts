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
  readonly #hasher: Hasher;
  /** Checks an e-mail and password: unknown e-mails cost a dummy hash, like wrong passwords. */
  readonly passwords: PasswordBackend<User>;

  constructor(hasher: Hasher) {
    this.#hasher = hasher;
    this.passwords = passwordBackend<User>({
      findUser: (email) => this.#byEmail.get(email.toLowerCase()) ?? null,
      passwordHashOf: (user) => user.passwordHash,
      hasher,
    });
  }

  /** Creates a user; `null` when the e-mail is taken. */
  async create(name: string, email: string, password: string): Promise<User | null> {
    const key = email.toLowerCase();
    if (this.#byEmail.has(key)) return null;
    const user = new User(crypto.randomUUID(), name, key, await this.#hasher.hash(password));
    this.#byId.set(user.id, user);
    this.#byEmail.set(key, user);
    return user;
  }

  byId(id: unknown): User | null {
    return typeof id === 'string' ? (this.#byId.get(id) ?? null) : null;
  }
}
