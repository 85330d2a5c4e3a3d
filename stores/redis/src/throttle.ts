import type { ThrottleRecord, ThrottleStore } from '@portcullis/core';
import { storeOptions, timedCommand } from './command.js';
import type { RedisStoreClient, StoreClient } from './client.js';

/** Options of {@link RedisThrottleStore}. */
export interface RedisThrottleStoreOptions {
  /** A connected node-redis client, created with `disableOfflineQueue: true` (see `RedisCommandClient`). */
  readonly client: RedisStoreClient;
  /** Prefix of every key. Default `portcullis:throttle:`. */
  readonly prefix?: string;
  /** A command that takes longer fails (the login fails closed, 503, unless the throttle fails open). Default 1000 ms. */
  readonly timeoutMs?: number;
}

/**
 * One failure, atomically: the count grows while the previous failure is younger than
 * the ttl and starts again at 1 otherwise; the record expires ttl after it.
 */
const HIT = `local r = redis.call('HMGET', KEYS[1], 'f', 'l')
local now = tonumber(ARGV[1])
local ttl = tonumber(ARGV[2])
local n = 1
if r[1] and r[2] and now - tonumber(r[2]) < ttl then n = tonumber(r[1]) + 1 end
redis.call('HSET', KEYS[1], 'f', n, 'l', ARGV[1])
redis.call('PEXPIRE', KEYS[1], ttl)
return n`;

/**
 * The `ThrottleStore` of core's `loginThrottle` on Redis, shared by every process of
 * the app. One hash per bucket (`f`: failures, `l`: the last one, ms), expiring
 * `forgetAfterMs` after its last failure. A failure is one atomic `EVAL`; a check is
 * one `HMGET` per bucket. Every command touches one key, and each key carries its
 * bucket in a hash tag (`portcullis:throttle:{a:…}`), so the store runs unchanged on
 * Redis Cluster. While Redis is unreachable every method rejects at once (the client
 * is not ready) or after `timeoutMs`: logins fail closed with 503 unless the throttle
 * says `onStoreError: 'open'`.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { loginThrottle, passwordBackend } from '@portcullis/core';
 * import { RedisThrottleStore } from '@portcullis/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', () => {}); // reconnects on its own; logins answer 503 meanwhile
 * await client.connect();
 * const throttle = loginThrottle({ store: new RedisThrottleStore({ client }) });
 * const backend = passwordBackend({ findUser, passwordHashOf: (u) => u.hash, hasher, throttle });
 * ```
 */
export class RedisThrottleStore implements ThrottleStore {
  readonly #client: StoreClient;
  readonly #prefix: string;
  readonly #timeout: number;

  constructor(options: RedisThrottleStoreOptions) {
    const { client, prefix, timeout } = storeOptions('RedisThrottleStore', options, { prefix: 'portcullis:throttle:', noBraces: true });
    this.#client = client;
    this.#prefix = prefix;
    this.#timeout = timeout;
  }

  /** The Redis key of a bucket: the bucket in a hash tag, so each key has a slot of its own. */
  key(bucket: string): string {
    return `${this.#prefix}{${bucket.replace(/[{}]/g, '_')}}`;
  }

  async get(key: string): Promise<ThrottleRecord | undefined> {
    const reply = await this.#send(['HMGET', this.key(key), 'f', 'l']);
    if (!Array.isArray(reply) || reply.length !== 2) throw new Error('RedisThrottleStore: unexpected HMGET reply');
    const [f, l] = reply as unknown[];
    if (f === null || f === undefined || l === null || l === undefined) return undefined;
    const failures = Number(String(f));
    const last = Number(String(l));
    // A corrupt record fails closed (an outage) rather than letting guesses through.
    if (!Number.isSafeInteger(failures) || failures < 0 || !Number.isFinite(last)) throw new Error('RedisThrottleStore: corrupt record');
    return { failures, last };
  }

  async hit(key: string, now: number, ttlMs: number): Promise<ThrottleRecord> {
    const reply = await this.#send(['EVAL', HIT, '1', this.key(key), String(Math.trunc(now)), String(Math.max(1, Math.ceil(ttlMs)))]);
    const failures = Number(reply);
    if (!Number.isSafeInteger(failures) || failures < 1) throw new Error('RedisThrottleStore: unexpected EVAL reply');
    return { failures, last: Math.trunc(now) };
  }

  async reset(key: string): Promise<void> {
    await this.#send(['DEL', this.key(key)]);
  }

  #send(args: string[]): Promise<unknown> {
    return timedCommand(this.#client, args, this.#timeout, 'RedisThrottleStore');
  }
}
