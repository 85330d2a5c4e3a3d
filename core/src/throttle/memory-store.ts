import { ConfigurationError } from '../errors.js';
import type { ThrottleRecord, ThrottleStore } from './store.js';

/** Options of {@link MemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /** At most this many buckets; beyond it the least recently failed are forgotten. Default 100,000. */
  readonly max?: number;
}

interface Entry {
  failures: number;
  last: number;
  expiresAt: number;
}

/**
 * The embedded {@link ThrottleStore}: in memory, bounded (the buckets that failed
 * least recently are forgotten first, so a flood of new usernames or addresses costs
 * at most `max` entries), expiring by the throttle's own clock. One process only: for
 * several instances use `RedisThrottleStore` of `@portcullis/redis`.
 *
 * @example
 * ```ts
 * import { MemoryThrottleStore, loginThrottle } from '@portcullis/core';
 *
 * const throttle = loginThrottle({ store: new MemoryThrottleStore({ max: 50_000 }) });
 * ```
 */
export class MemoryThrottleStore implements ThrottleStore {
  readonly #entries = new Map<string, Entry>();
  readonly #max: number;

  constructor(options: MemoryThrottleStoreOptions = {}) {
    const max = options?.max ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('MemoryThrottleStore: max must be a positive integer');
    this.#max = max;
  }

  /** How many buckets are held (expired ones included until they are hit again or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<ThrottleRecord | undefined> {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : { failures: entry.failures, last: entry.last };
  }

  async hit(key: string, now: number, ttlMs: number): Promise<ThrottleRecord> {
    const entry = this.#entries.get(key);
    const live = entry !== undefined && now < entry.expiresAt;
    const next: Entry = { failures: live ? entry.failures + 1 : 1, last: now, expiresAt: now + ttlMs };
    // Re-inserted: the Map's order is the order of the latest failures.
    this.#entries.delete(key);
    this.#entries.set(key, next);
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    return { failures: next.failures, last: next.last };
  }

  async reset(key: string): Promise<void> {
    this.#entries.delete(key);
  }
}
