import type { ThrottleAnswer, ThrottleRecord, ThrottleRule, ThrottleStore } from '@portcullis/core';
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
 * One attempt on a bucket, atomically: core's `throttleWait` re-implemented (a test
 * compares the two over a table of records). A record whose last failure is ttl old
 * counts as none. A waiting bucket answers its wait and changes nothing; otherwise the
 * count grows by one (pending the login's outcome), `l` becomes max(`l`, now) (a late
 * clock never moves it back), and the key expires ttl after `l`. A wait never exceeds
 * the delay from now: an `l` in the future (a server whose clock runs ahead wrote it)
 * cannot stretch it beyond maxDelayMs.
 * ARGV: now, allowance, baseDelayMs, maxDelayMs, ttlMs. Answers { wait, failures, last }.
 */
const ATTEMPT = `local r = redis.call('HMGET', KEYS[1], 'f', 'l')
local now = tonumber(ARGV[1])
local allowance = tonumber(ARGV[2])
local base = tonumber(ARGV[3])
local cap = tonumber(ARGV[4])
local ttl = tonumber(ARGV[5])
local f = 0
local l = ARGV[1]
if r[1] and r[2] then
  local of = tonumber(r[1])
  local ol = tonumber(r[2])
  if of == nil or ol == nil then return redis.error_reply('ThrottleRecordCorrupt') end
  if now - ol < ttl then
    f = of
    l = r[2]
  end
end
if f > allowance then
  local e = f - allowance - 1
  if e > 40 then e = 40 end
  local delay = base * 2 ^ e
  if delay > cap then delay = cap end
  local wait = tonumber(l) + delay - now
  if wait > delay then wait = delay end
  if wait > 0 then return {wait, f, l} end
end
f = f + 1
if tonumber(l) < now then l = ARGV[1] end
redis.call('HSET', KEYS[1], 'f', f, 'l', l)
redis.call('PEXPIRE', KEYS[1], ttl + tonumber(l) - now)
return {0, f, l}`;

/**
 * Gives one pending failure back, atomically, never below 0 (the key is deleted at 0);
 * `l` stays. A record whose last failure is ttl old is left alone. ARGV: now, ttlMs.
 */
const RELEASE = `local r = redis.call('HMGET', KEYS[1], 'f', 'l')
if not r[1] or not r[2] then return 0 end
local f = tonumber(r[1])
local l = tonumber(r[2])
if f == nil or l == nil then return redis.error_reply('ThrottleRecordCorrupt') end
if tonumber(ARGV[1]) - l >= tonumber(ARGV[2]) then return 0 end
if f <= 1 then redis.call('DEL', KEYS[1]) else redis.call('HSET', KEYS[1], 'f', f - 1) end
return 1`;

/**
 * The `ThrottleStore` of core's `loginThrottle` on Redis, shared by every process of
 * the app. One hash per bucket (`f`: failures, `l`: the last one, ms), expiring
 * `forgetAfterMs` after its last failure. An attempt (admitted and counted, or refused
 * without counting) is one atomic `EVAL` per bucket, a success's release another, a
 * peek one `HMGET`. Every command touches one key, and each key carries its
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
    // A corrupt record fails closed, even with onStoreError 'open'.
    if (!Number.isSafeInteger(failures) || failures < 0 || !Number.isFinite(last)) throw corrupt();
    return { failures, last };
  }

  async attempt(key: string, now: number, rule: ThrottleRule): Promise<ThrottleAnswer> {
    const args = [now, rule.allowance, rule.baseDelayMs, rule.maxDelayMs, rule.ttlMs].map((n) => String(Math.max(0, Math.trunc(n))));
    const reply = await this.#eval(['EVAL', ATTEMPT, '1', this.key(key), ...args]);
    if (!Array.isArray(reply) || reply.length !== 3) throw new Error('RedisThrottleStore: unexpected EVAL reply');
    const [waitMs, failures, last] = (reply as unknown[]).map((v) => Number(String(v)));
    return { waitMs: waitMs as number, failures: failures as number, last: last as number };
  }

  async release(key: string, now: number, ttlMs: number): Promise<void> {
    await this.#eval(['EVAL', RELEASE, '1', this.key(key), String(Math.trunc(now)), String(Math.max(1, Math.trunc(ttlMs)))]);
  }

  /** An `EVAL`: the scripts' corrupt-record error reply becomes the corrupt-record error core fails closed on. */
  async #eval(args: string[]): Promise<unknown> {
    try {
      return await this.#send(args);
    } catch (error) {
      if (error instanceof Error && error.message.includes('ThrottleRecordCorrupt')) throw corrupt(error);
      throw error;
    }
  }

  #send(args: string[]): Promise<unknown> {
    return timedCommand(this.#client, args, this.#timeout, 'RedisThrottleStore');
  }
}

/** The error core's `loginThrottle` fails closed on, even with `onStoreError: 'open'` (see `ThrottleStore`). */
function corrupt(cause?: unknown): Error {
  const error = new Error('RedisThrottleStore: corrupt record', { cause });
  error.name = 'ThrottleRecordCorrupt';
  return error;
}
