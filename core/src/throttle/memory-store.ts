import { ConfigurationError } from '../errors.js';
import { throttleWait, type ThrottleRule } from './backoff.js';
import type { ThrottleAnswer, ThrottleRecord, ThrottleStore } from './store.js';

/** Options of {@link MemoryThrottleStore}. */
export interface MemoryThrottleStoreOptions {
  /**
   * At most this many buckets, plus at most `max / 2` (rounded down, at least 1)
   * known-pair markers (buckets whose allowance is unbounded) in a separate space.
   * Beyond `max` buckets one is forgotten per new one: the least recently counted
   * bucket that cannot wait (its failures within its allowance), else, among the 64
   * least recently counted of the rest, an expired one, else one that no longer waits,
   * else the least recently counted. Beyond its cap, a new marker forgets the least
   * recently refreshed marker; markers never displace buckets. Default 100,000.
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

/** How many of the oldest over-allowance buckets an eviction looks at for one that is expired or no longer waits. */
const EVICTION_SCAN = 64;

/** Which eviction tier a bucket is in: 0 cannot wait, 1 a marker (never waits; its own capped space), 2 may wait. */
function tierOf(entry: Entry): 0 | 1 | 2 {
  if (entry.failures > entry.rule.allowance) return 2;
  return entry.rule.allowance >= Number.MAX_SAFE_INTEGER ? 1 : 0;
}

/**
 * The embedded {@link ThrottleStore}: in memory, bounded, expiring by the throttle's
 * own clock. Each `attempt` and `release` runs synchronously (no `await` between its
 * read and its write), so concurrent logins in one process cannot slip past a bucket.
 * A flood of new usernames or addresses costs at most `max` buckets plus `max / 2`
 * known-pair markers, and evicts buckets that cannot wait before any bucket over its
 * allowance: a flood cannot unlock an account while such buckets remain. Markers live
 * in their own least-recently-used space and only ever evict each other, so a store
 * full of known pairs still counts and refuses guesses. One process only: for
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
  /** One map per eviction tier; each map's order is the order of the latest counted attempts. */
  readonly #tiers = [new Map<string, Entry>(), new Map<string, Entry>(), new Map<string, Entry>()] as const;
  readonly #max: number;
  readonly #maxMarkers: number;

  constructor(options: MemoryThrottleStoreOptions = {}) {
    const max = options?.max ?? 100_000;
    if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('MemoryThrottleStore: max must be a positive integer');
    this.#max = max;
    this.#maxMarkers = Math.max(1, Math.floor(max / 2));
  }

  /** How many buckets are held (expired ones included until they are counted again or evicted). */
  get size(): number {
    return this.#tiers[0].size + this.#tiers[1].size + this.#tiers[2].size;
  }

  async get(key: string): Promise<ThrottleRecord | undefined> {
    const entry = this.#find(key);
    return entry === undefined ? undefined : { failures: entry.failures, last: entry.last };
  }

  async attempt(key: string, now: number, rule: ThrottleRule): Promise<ThrottleAnswer> {
    const entry = this.#find(key);
    const live = entry !== undefined && now - entry.last < rule.ttlMs ? entry : undefined;
    const waitMs = throttleWait(live, now, rule);
    if (waitMs > 0) return { waitMs, failures: live!.failures, last: live!.last };
    const last = Math.max(live?.last ?? now, now);
    const next: Entry = { failures: (live?.failures ?? 0) + 1, last, expiresAt: last + rule.ttlMs, rule };
    // Re-inserted: each map's order is the order of the latest counted attempts.
    this.#delete(key);
    this.#tiers[tierOf(next)].set(key, next);
    const markers = this.#tiers[1];
    if (markers.size > this.#maxMarkers) {
      // Markers evict only markers: the least recently refreshed one (never the one just counted).
      for (const old of markers.keys()) {
        if (old === key) continue;
        markers.delete(old);
        break;
      }
    }
    if (this.#tiers[0].size + this.#tiers[2].size > this.#max) this.#evict(now, key);
    return { waitMs: 0, failures: next.failures, last: next.last };
  }

  async release(key: string, now: number, ttlMs: number): Promise<void> {
    const entry = this.#find(key);
    if (entry === undefined || now - entry.last >= ttlMs) return;
    if (entry.failures <= 1) {
      this.#delete(key);
      return;
    }
    const before = tierOf(entry);
    entry.failures -= 1;
    const after = tierOf(entry);
    if (after !== before) {
      // Keeps its place by age among the buckets of its new tier only approximately: it joins as the newest.
      this.#tiers[before].delete(key);
      this.#tiers[after].set(key, entry);
    }
  }

  #find(key: string): Entry | undefined {
    return this.#tiers[0].get(key) ?? this.#tiers[1].get(key) ?? this.#tiers[2].get(key);
  }

  #delete(key: string): void {
    for (const tier of this.#tiers) if (tier.delete(key)) return;
  }

  /** Forgets one bucket (never a marker) other than `kept` (the one just counted), by the order of `MemoryThrottleStoreOptions.max`. */
  #evict(now: number, kept: string): void {
    const idleTier = this.#tiers[0];
    for (const key of idleTier.keys()) {
      if (key === kept) continue;
      idleTier.delete(key);
      return;
    }
    const waiting = this.#tiers[2];
    let idle: string | undefined;
    let oldest: string | undefined;
    let scanned = 0;
    for (const [key, entry] of waiting) {
      if (++scanned > EVICTION_SCAN) break;
      if (key === kept) continue;
      oldest ??= key;
      if (now >= entry.expiresAt) {
        waiting.delete(key);
        return;
      }
      if (idle === undefined && throttleWait(entry, now, entry.rule) === 0) idle = key;
    }
    const victim = idle ?? oldest;
    if (victim !== undefined) waiting.delete(victim);
  }
}
