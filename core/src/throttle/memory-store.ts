import { ConfigurationError } from '../errors.js';
import { throttleWait, type ThrottleRule } from './backoff.js';
import type { ThrottleAnswer, ThrottleRecord, ThrottleStore } from './store.js';

/** Options of {@link MemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /**
   * At most this many buckets. Beyond it one bucket is forgotten per new one: among the
   * 64 least recently counted, an expired one, else one that does not wait, else the
   * least recently counted. Default 100,000.
   */
  readonly max?: number;
}

interface Entry {
  failures: number;
  last: number;
  expiresAt: number;
  /** The rule of the latest attempt: eviction spares a bucket that still waits by it. */
  rule: ThrottleRule;
}

/** How many of the oldest buckets an eviction looks at for one that is expired or not waiting. */
const EVICTION_SCAN = 64;

/**
 * The embedded {@link ThrottleStore}: in memory, bounded, expiring by the throttle's
 * own clock. Each `attempt` and `release` runs synchronously (no `await` between its
 * read and its write), so concurrent logins in one process cannot slip past a bucket.
 * A flood of new usernames or addresses costs at most `max` entries, and evicts
 * expired or non-waiting buckets before one that still waits (a flood cannot unlock an
 * account). One process only: for several instances use `RedisThrottleStore` of
 * `@portcullis/redis`.
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

  /** How many buckets are held (expired ones included until they are counted again or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  async get(key: string): Promise<ThrottleRecord | undefined> {
    const entry = this.#entries.get(key);
    return entry === undefined ? undefined : { failures: entry.failures, last: entry.last };
  }

  async attempt(key: string, now: number, rule: ThrottleRule): Promise<ThrottleAnswer> {
    const entry = this.#entries.get(key);
    const live = entry !== undefined && now - entry.last < rule.ttlMs ? entry : undefined;
    const waitMs = throttleWait(live, now, rule);
    if (waitMs > 0) return { waitMs, failures: live!.failures, last: live!.last };
    const last = Math.max(live?.last ?? now, now);
    const next: Entry = { failures: (live?.failures ?? 0) + 1, last, expiresAt: last + rule.ttlMs, rule };
    // Re-inserted: the Map's order is the order of the latest counted attempts.
    this.#entries.delete(key);
    this.#entries.set(key, next);
    if (this.#entries.size > this.#max) this.#evict(now, key);
    return { waitMs: 0, failures: next.failures, last: next.last };
  }

  async release(key: string, now: number, ttlMs: number): Promise<void> {
    const entry = this.#entries.get(key);
    if (entry === undefined || now - entry.last >= ttlMs) return;
    if (entry.failures <= 1) this.#entries.delete(key);
    else entry.failures -= 1;
  }

  /** Forgets one bucket other than `kept` (the one just counted): an expired or non-waiting one among the oldest, else the oldest. */
  #evict(now: number, kept: string): void {
    let idle: string | undefined;
    let scanned = 0;
    for (const [key, entry] of this.#entries) {
      if (++scanned > EVICTION_SCAN) break;
      if (key === kept) continue;
      if (now >= entry.expiresAt) {
        this.#entries.delete(key);
        return;
      }
      if (idle === undefined && throttleWait(entry, now, entry.rule) === 0) idle = key;
    }
    this.#entries.delete(idle ?? (this.#entries.keys().next().value as string));
  }
}
