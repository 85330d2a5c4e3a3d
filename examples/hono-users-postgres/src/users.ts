import type { BaseUser } from '@portcullis/core';
import type { Hasher } from '@portcullis/core/hashing';
import { Pool, type PoolConfig, type QueryResult, type QueryResultRow } from 'pg';

/**
 * A user of the example. The password hash travels with the user (the password
 * backend reads it through `passwordHashOf`) but is a private field, so
 * `JSON.stringify(user)` or `c.json(user)` can never leak it.
 */
export class AppUser implements BaseUser {
  readonly isAuthenticated = true as const;
  readonly username: string;
  readonly #passwordHash: string;

  constructor(username: string, passwordHash: string) {
    this.username = username;
    this.#passwordHash = passwordHash;
  }

  get displayName(): string {
    return this.username;
  }

  get identity(): string {
    return this.username;
  }

  get passwordHash(): string {
    return this.#passwordHash;
  }

  toJSON(): { username: string } {
    return { username: this.username };
  }
}

/** Where users live: PostgreSQL ({@link pgUserStore}) or memory ({@link memoryUserStore}). */
export interface UserStore {
  /** Which store this is (`postgres` or `memory`), for the startup banner. */
  readonly kind: 'postgres' | 'memory';
  /** The user with exactly this username, or `null`. Throws when the store is unreachable. */
  findUser(username: string): Promise<AppUser | null>;
  /** Adds a user; `false` when the username is taken (atomic: concurrent signups cannot both win). */
  createUser(username: string, passwordHash: string): Promise<boolean>;
  /**
   * Compare-and-set: replaces the hash only if it still is `oldHash` (a password
   * change that raced the rehash wins). True when it was replaced.
   */
  updatePasswordHash(username: string, newHash: string, oldHash: string): Promise<boolean>;
}

/** The one method of `pg.Pool` / `pg.Client` the store uses (tests wrap it to count queries). */
export interface Queryable {
  query<R extends QueryResultRow = QueryResultRow>(text: string, values?: unknown[]): Promise<QueryResult<R>>;
}

/** The example's table: a name no other app in a shared `test` database is likely to use. */
export const DEFAULT_TABLE = 'portcullis_example_users';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** Checks a table name (optionally `schema.table`) and quotes it; table names cannot be query parameters. */
export function quoteTable(name: string): string {
  const parts = name.split('.');
  if (parts.length > 2 || !parts.every((p) => IDENTIFIER.test(p))) {
    throw new TypeError(`invalid table name: ${JSON.stringify(name)} (use lower-case letters, digits and _)`);
  }
  return parts.map((p) => `"${p}"`).join('.');
}

/**
 * Creates the users table if it does not exist and, when `seed` is given, adds
 * that user unless the username is taken. Returns true when the seed user was
 * inserted by this call.
 */
export async function migrate(
  db: Queryable,
  options: { table?: string; seed?: { username: string; passwordHash: string } } = {},
): Promise<boolean> {
  const table = quoteTable(options.table ?? DEFAULT_TABLE);
  await db.query(
    `CREATE TABLE IF NOT EXISTS ${table} (
       username      text PRIMARY KEY,
       password_hash text NOT NULL,
       created_at    timestamptz NOT NULL DEFAULT now()
     )`,
  );
  if (options.seed === undefined) return false;
  const result = await db.query(
    `INSERT INTO ${table} (username, password_hash) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING`,
    [options.seed.username, options.seed.passwordHash],
  );
  return result.rowCount === 1;
}

/** Users in PostgreSQL; every statement is parameterised. */
export function pgUserStore(db: Queryable, options: { table?: string } = {}): UserStore {
  const table = quoteTable(options.table ?? DEFAULT_TABLE);
  return Object.freeze({
    kind: 'postgres' as const,
    async findUser(username: string): Promise<AppUser | null> {
      const { rows } = await db.query<{ username: string; password_hash: string }>(
        `SELECT username, password_hash FROM ${table} WHERE username = $1`,
        [username],
      );
      const row = rows[0];
      return row === undefined ? null : new AppUser(row.username, row.password_hash);
    },
    async createUser(username: string, passwordHash: string): Promise<boolean> {
      const result = await db.query(
        `INSERT INTO ${table} (username, password_hash) VALUES ($1, $2) ON CONFLICT (username) DO NOTHING`,
        [username, passwordHash],
      );
      return result.rowCount === 1;
    },
    async updatePasswordHash(username: string, newHash: string, oldHash: string): Promise<boolean> {
      const result = await db.query(
        `UPDATE ${table} SET password_hash = $1 WHERE username = $2 AND password_hash = $3`,
        [newHash, username, oldHash],
      );
      return result.rowCount === 1;
    },
  });
}

/** Users in a `Map`: the fallback when `DATABASE_URL` is not set (one process, lost on restart). */
export function memoryUserStore(seed: Iterable<{ username: string; passwordHash: string }> = []): UserStore {
  const hashes = new Map<string, string>();
  for (const { username, passwordHash } of seed) hashes.set(username, passwordHash);
  return Object.freeze({
    kind: 'memory' as const,
    async findUser(username: string): Promise<AppUser | null> {
      const hash = hashes.get(username);
      return hash === undefined ? null : new AppUser(username, hash);
    },
    async createUser(username: string, passwordHash: string): Promise<boolean> {
      if (hashes.has(username)) return false;
      hashes.set(username, passwordHash);
      return true;
    },
    async updatePasswordHash(username: string, newHash: string, oldHash: string): Promise<boolean> {
      if (hashes.get(username) !== oldHash) return false;
      hashes.set(username, newHash);
      return true;
    },
  });
}

/** What {@link openUserStore} opened. */
export interface OpenedUserStore {
  readonly store: UserStore;
  /** True when the seed user was created now (false: it existed already, from an earlier run). */
  readonly seeded: boolean;
  /** The pool, in PostgreSQL mode. */
  readonly pool: Pool | undefined;
  /** Closes the pool (no-op in memory mode). */
  close(): Promise<void>;
}

/**
 * PostgreSQL when `databaseUrl` is set (creates the table, seeds the user unless
 * it exists), otherwise an in-memory store holding the seed user.
 */
export async function openUserStore(options: {
  databaseUrl?: string | undefined;
  table?: string;
  hasher: Hasher;
  seed: { username: string; password: string };
  pool?: Omit<PoolConfig, 'connectionString'>;
}): Promise<OpenedUserStore> {
  const seed = { username: options.seed.username, passwordHash: await options.hasher.hash(options.seed.password) };
  if (!options.databaseUrl) {
    return { store: memoryUserStore([seed]), seeded: true, pool: undefined, close: async () => {} };
  }
  const pool = new Pool({ connectionTimeoutMillis: 5_000, ...options.pool, connectionString: options.databaseUrl });
  // An idle client losing its connection must not crash the process; requests then fail closed (503).
  pool.on('error', (error) => console.error(`postgres: idle client error: ${error.message}`));
  try {
    const table = options.table ?? DEFAULT_TABLE;
    const seeded = await migrate(pool, { table, seed });
    return { store: pgUserStore(pool, { table }), seeded, pool, close: () => pool.end() };
  } catch (error) {
    await pool.end();
    throw error;
  }
}
