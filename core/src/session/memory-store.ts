import { ConfigurationError } from '../errors.js';
import { NOT_PLAIN, copyJson } from './namespace.js';
import type { SessionData, SessionStore } from './store.js';

/** Options of {@link MemorySessionStore}. */
export interface MemorySessionStoreOptions {
  /** At most this many sessions; beyond it the least recently used are evicted. Default 10,000. */
  readonly max?: number;
  /** The clock for expiry, in ms since the epoch. Default `Date.now`; tests freeze it. */
  readonly clock?: () => number;
}

/**
 * Records up to this many characters of JSON keep their parse for the next reads; larger
 * ones are parsed on every read. Bounds the memory the kept parse adds per session (a
 * small record's parse is about half its JSON's size again; see the class's doc).
 */
const KEEP_PARSED_MAX = 4096;

interface Entry {
  readonly json: string;
  readonly expiresAt: number;
  /**
   * `JSON.parse(json)`, parsed at the first read and never handed out: each read returns
   * a structural copy of it (`copyJson`), equal to a fresh parse and sharing nothing with
   * it, for less than the parse costs (issue #17). `NOT_PLAIN` (nesting beyond the
   * copy's depth): every read parses.
   */
  parsed?: unknown;
}

/**
 * The embedded session store: in memory, bounded (least recently used sessions
 * are evicted first), with expiry. One process only: sessions are lost on restart
 * and are not shared between instances — use `@portcullis/redis` for that.
 * Data is kept as JSON, so callers never share objects with the store (a read returns
 * a fresh copy, a write stores what `JSON.stringify` makes of the data). A record of at
 * most 4 KiB of JSON also keeps its parse once read, which a read copies (cheaper than
 * parsing again): such a session holds about 1.5 times the memory it held before; an
 * expired session holds it until its id is read again or the store evicts it.
 *
 * @example
 * ```ts
 * import { MemorySessionStore } from '@portcullis/core';
 * const store = new MemorySessionStore({ max: 50_000 });
 * app.use(sessions({ store, secret: process.env.SESSION_SECRET! }));
 * ```
 */
export class MemorySessionStore implements SessionStore {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;
  readonly #clock: () => number;
  #sweepAt = 0;
  /**
   * The id last put at the end of the map (written or read). While it is in the map it
   * is the most recently used: a read of it needs no move (a `delete` + `set` of the
   * newest key changes no order, and on a small map each `delete` shrinks the table
   * and each `set` grows it again: two table allocations per read).
   */
  #newest: string | undefined;

  constructor(options: MemorySessionStoreOptions = {}) {
    const max = options.max ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('MemorySessionStore: max must be a positive integer');
    const clock = options.clock ?? Date.now;
    if (typeof clock !== 'function') throw new ConfigurationError('MemorySessionStore: clock must be a function');
    this.#max = max;
    this.#clock = clock;
  }

  /** How many sessions are held (expired ones included until swept). */
  get size(): number {
    return this.#entries.size;
  }

  async get(id: string): Promise<SessionData | undefined> {
    const entry = this.#live(id);
    if (entry === undefined) return undefined;
    // Least recently used goes first: a read refreshes the position.
    if (id !== this.#newest) {
      this.#entries.delete(id);
      this.#entries.set(id, entry);
      this.#newest = id;
    }
    let parsed = entry.parsed;
    if (parsed === undefined) {
      parsed = JSON.parse(entry.json) as unknown;
      // A large record is parsed on every read, as before: its parse is handed out and nothing more is kept.
      if (entry.json.length > KEEP_PARSED_MAX) return parsed as SessionData;
      entry.parsed = parsed;
    }
    if (parsed !== NOT_PLAIN) {
      // What JSON.parse made is plain JSON (and no -0: `json` came from JSON.stringify), so its copy is the same value.
      const copy = copyJson(parsed, 0);
      if (copy !== NOT_PLAIN) return copy as SessionData;
      entry.parsed = NOT_PLAIN;
    }
    return JSON.parse(entry.json) as SessionData;
  }

  async set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    this.#write(id, data, ttlMs);
  }

  async update(id: string, data: SessionData, ttlMs: number): Promise<boolean> {
    if (this.#live(id) === undefined) return false;
    this.#write(id, data, ttlMs);
    return true;
  }

  async destroy(id: string): Promise<void> {
    this.#entries.delete(id);
  }

  /** Removes every session. */
  async clear(): Promise<void> {
    this.#entries.clear();
  }

  #live(id: string): Entry | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.#clock()) {
      this.#entries.delete(id);
      return undefined;
    }
    return entry;
  }

  #write(id: string, data: SessionData, ttlMs: number): void {
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError('ttlMs must be a positive number');
    const json = JSON.stringify(data);
    if (json === undefined || !json.startsWith('{')) throw new TypeError('session data must be a JSON object');
    const now = this.#clock();
    this.#entries.delete(id);
    if (this.#entries.size >= this.#max) this.#evict(now);
    this.#entries.set(id, { json, expiresAt: now + ttlMs, parsed: undefined });
    this.#newest = id;
  }

  #evict(now: number): void {
    if (now >= this.#sweepAt) {
      this.#sweepAt = now + 1000;
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#entries.delete(key);
    }
    while (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next();
      if (oldest.done) break;
      this.#entries.delete(oldest.value);
    }
  }
}
