import { ConfigurationError } from './errors.js';
import { keyedIndex } from './sha256.js';

/** Options of {@link VerificationCache}. */
export interface VerificationCacheOptions {
  /** How long a successful verification is remembered, in ms. Default 60 000. */
  ttlMs?: number;
  /** At most this many entries; the least recently used go first. Default 10 000. */
  max?: number;
}

// Assigned by the class's static block (which alone reaches its private members); declared
// first, so the block does not run into the binding's temporal dead zone.
// eslint-disable-next-line prefer-const
export let headerEntries: HeaderEntries;

interface Entry<U> {
  readonly user: U;
  readonly username: string;
  readonly expiresAt: number;
}

/**
 * Remembers successful Basic verifications so a repeated request with the same
 * credentials skips the slow password hash (what Apache's `mod_authn_socache`
 * does). Entries are keyed by a keyed hash of the username and password under a
 * random per-cache key (HMAC-SHA256's inner hash, truncated to 128 bits: see
 * `keyedIndex` for why that is enough for an index) — never the password itself —
 * bounded (LRU) and expiring. `get` and `set` are synchronous (the hash is computed in
 * plain JavaScript), so a cache hit answers without a promise.
 *
 * The trade-off: within `ttlMs`, a password that was changed elsewhere still
 * works, unless the app calls {@link invalidate} (the password backend does so
 * itself when it rehashes). Call `invalidate(username)` on every password change,
 * account lock or role change. Failed verifications are never cached.
 *
 * @example
 * ```ts
 * const cache = new VerificationCache<AppUser>({ ttlMs: 60_000, max: 10_000 });
 * const backend = passwordBackend({ findUser, passwordHashOf: (u) => u.hash, hasher, cache });
 * // after a password change:
 * cache.invalidate('alice');
 * ```
 */
export class VerificationCache<U> {
  readonly #ttl: number;
  readonly #max: number;
  readonly #entries = new Map<string, Entry<U>>();
  /**
   * The header index (`basicAuth` only): entries under the keyed hash of a whole
   * `Authorization` value, bounded and expiring like `#entries` and removed with them.
   */
  readonly #headers = new Map<string, Entry<U>>();
  readonly #byUser = new Map<string, Set<string>>();
  /**
   * Counts invalidate()/clear() calls. A verification remembers the count when it
   * starts; it is not stored if its user was invalidated, or the cache cleared, since.
   */
  #tick = 0;
  readonly #invalidatedAt = new Map<string, number>();
  #clearedAt = 0;
  /**
   * The keyed hash under a random per-cache key (`keyedIndex`: one SHA-256 compression
   * for a typical value, synchronous). Made on first use: Workers refuse random values in
   * global scope, where apps construct their cache.
   */
  #index: ((message: string, from?: number, tag?: number) => string) | undefined;
  /**
   * The entry inserted last into either index, so the last in its `Map`'s order: a hit
   * on it needs no move to the end (a delete and a set, and with one entry a shrink and
   * a regrow of the table). Every insertion replaces it.
   */
  #newest: Entry<U> | undefined;

  constructor(options: VerificationCacheOptions = {}) {
    const ttl = options.ttlMs ?? 60_000;
    const max = options.max ?? 10_000;
    if (!Number.isFinite(ttl) || ttl <= 0) throw new ConfigurationError('VerificationCache: ttlMs must be a positive number');
    if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('VerificationCache: max must be a positive integer');
    this.#ttl = ttl;
    this.#max = max;
  }

  /** The number of live entries (expired ones are dropped when next touched). */
  get size(): number {
    return this.#entries.size;
  }

  /** The cached user for these credentials, or `undefined`. */
  get(username: string, password: string, now: number): U | undefined {
    return this.#lookup(this.#entries, this.#id(username, password), now);
  }

  #lookup(entries: Map<string, Entry<U>>, id: string, now: number): U | undefined {
    const entry = entries.get(id);
    if (entry === undefined) return undefined;
    if (now >= entry.expiresAt) {
      this.#remove(id, entry.username);
      return undefined;
    }
    // Most recently used goes to the end (where the newest already is).
    if (entry !== this.#newest) {
      entries.delete(id);
      entries.set(id, entry);
      this.#newest = entry;
    }
    return entry.user;
  }

  /** A token to pass to {@link set}: a verification started before an `invalidate` is not stored. */
  generation(username: string): number {
    void username; // One counter for all users; the parameter keeps call sites explicit.
    return this.#tick;
  }

  /** Remembers a successful verification. */
  set(username: string, password: string, user: U, now: number, generation = this.generation(username)): void {
    this.#store(this.#entries, this.#id(username, password), username, user, now, generation);
  }

  #store(entries: Map<string, Entry<U>>, id: string, username: string, user: U, now: number, generation: number): void {
    if (generation < this.#clearedAt || generation < (this.#invalidatedAt.get(username) ?? 0)) return;
    const entry = { user, username, expiresAt: now + this.#ttl };
    entries.delete(id);
    entries.set(id, entry);
    this.#newest = entry;
    let ids = this.#byUser.get(username);
    if (ids === undefined) this.#byUser.set(username, (ids = new Set()));
    ids.add(id);
    while (entries.size > this.#max) {
      const [oldest, old] = entries.entries().next().value as [string, Entry<U>];
      this.#remove(oldest, old.username);
    }
  }

  /** Forgets every entry of a user: the next request verifies the password again. */
  invalidate(username: string): void {
    this.#invalidatedAt.set(username, ++this.#tick);
    if (this.#newest?.username === username) this.#newest = undefined;
    const ids = this.#byUser.get(username);
    if (ids === undefined) return;
    for (const id of ids) {
      this.#entries.delete(id);
      this.#headers.delete(id);
    }
    this.#byUser.delete(username);
  }

  /** Forgets everything. */
  clear(): void {
    // Also users without an entry yet: their first verification may be in flight.
    this.#clearedAt = ++this.#tick;
    this.#invalidatedAt.clear();
    this.#entries.clear();
    this.#headers.clear();
    this.#byUser.clear();
    this.#newest = undefined;
  }

  /**
   * Removes entry `id` from whichever index holds it. The ids of the two indexes never
   * coincide but by a 2^-128 chance (their messages differ in the first byte: a digit
   * against `B` or `R`), and a coincidence would only end an entry early.
   */
  #remove(id: string, username: string): void {
    if (this.#newest?.username === username) this.#newest = undefined;
    this.#entries.delete(id);
    this.#headers.delete(id);
    const ids = this.#byUser.get(username);
    if (ids === undefined) return;
    ids.delete(id);
    if (ids.size === 0) this.#byUser.delete(username);
  }

  #id(username: string, password: string): string {
    // Length-prefixed, so ("ab", "c") and ("a", "bc") never share a key.
    return this.#key(`${username.length}:${username}:${password}`, 0, -1);
  }

  /**
   * The id of a whole `Authorization` field value. Its own domain: a message that starts
   * with `B` or `R` is never a length-prefixed pair (those start with a digit). The usual
   * `Basic ` prefix is dropped, so the message of a typical credential fits one block; the
   * value is hashed in place from an offset, after a tag byte (no sliced or joined string).
   */
  #headerId(value: string): string {
    return value.startsWith('Basic ') ? this.#key(value, 6, 0x42 /* B */) : this.#key(value, 0, 0x52 /* R */);
  }

  #key(message: string, from: number, tag: number): string {
    this.#index ??= keyedIndex(crypto.getRandomValues(new Uint8Array(32)));
    return this.#index(message, from, tag);
  }

  static {
    headerEntries = {
      get: (cache, value, now) => cache.#lookup(cache.#headers, cache.#headerId(value), now),
      set: (cache, value, username, user, now, generation) => cache.#store(cache.#headers, cache.#headerId(value), username, user, now, generation),
    };
  }
}

/**
 * The cache's second index, for `basicAuth` only (not exported from the package): the
 * keyed hash of the raw `Authorization` value, so a hit skips parsing and decoding.
 * `set` is called only with a value that was parsed strictly and verified; the entry
 * belongs to its user (`invalidate`, `clear`, the TTL and the LRU bound apply to it as
 * to every entry), and the value itself is never stored, only its keyed hash.
 */
export interface HeaderEntries {
  get<U>(cache: VerificationCache<U>, value: string, now: number): U | undefined;
  set<U>(cache: VerificationCache<U>, value: string, username: string, user: U, now: number, generation: number): void;
}

