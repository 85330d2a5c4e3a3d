import { createHash } from 'node:crypto';
import { ConfigurationError } from '@portcullis/core';
import { storeOptions, timedCommand } from './command.js';
import type { RedisStoreClient, StoreClient } from './client.js';

/**
 * What the refresh-token store needs from a Redis client: a single server's
 * (`createClient()`, created with `disableOfflineQueue: true`) or a Redis Cluster's
 * (`createCluster()`): every command of the store names keys of one family only, all
 * in one hash slot (`{familyId}`), or the one key of a subject's cut-off.
 */
export type RedisRefreshClient = RedisStoreClient;

/** Options of {@link RedisRefreshTokenStore}. */
export interface RedisRefreshTokenStoreOptions {
  /** A connected node-redis client (see {@link RedisRefreshClient}). */
  readonly client: RedisRefreshClient;
  /** Prefix of every key. Default `portcullis:refresh:`. */
  readonly prefix?: string;
  /** A command that takes longer fails (and the token endpoint answers 503). Default 1000 ms. */
  readonly timeoutMs?: number;
  /** At most this many rotated tokens are remembered per family (for reuse detection); the oldest go first. Default 1000, as the memory store. */
  readonly maxRotated?: number;
}

/** A family as `@portcullis/jwt` reads it (the `RefreshFamily` shape). */
export interface RedisRefreshFamily {
  /** The family id (its tokens' first part). */
  readonly id: string;
  /** The subject its access tokens are issued for. */
  readonly subject: string;
  /** The scopes originally granted. */
  readonly scopes: readonly string[];
  /** The login, in ms since the epoch. */
  readonly createdAt: number;
  /** The absolute expiry, in ms since the epoch. */
  readonly expiresAt: number;
}

/** What a rotation found (the `RotateResult` shape of `@portcullis/jwt`). */
export type RedisRotateResult =
  | {
      /** The token was current; the next one replaced it. */
      readonly outcome: 'rotated';
      /** The family it belongs to. */
      readonly family: RedisRefreshFamily;
    }
  | {
      /** The token was rotated away before: a replay; the family is deleted. */
      readonly outcome: 'reused';
      /** The family it belonged to. */
      readonly family: RedisRefreshFamily;
    }
  | {
      /** No live family holds the token. */
      readonly outcome: 'unknown';
    };

/**
 * The family's hash (KEYS[1]: cur, sub, scope, created, exp, idle) and its list of
 * rotated token hashes (KEYS[2], oldest first, at most ARGV[5] kept), both under one
 * hash tag. ARGV: token hash, next hash, now (ms, the backend's clock), idle TTL (ms),
 * max rotated. Answers {outcome, sub, scope, created, exp}. Dead families (past `exp`
 * or `idle` on the caller's clock) are deleted.
 */
const ROTATE = `
local f = redis.call('HMGET', KEYS[1], 'cur', 'sub', 'scope', 'created', 'exp', 'idle')
if not f[1] then return {'unknown'} end
local now = tonumber(ARGV[3])
local exp = tonumber(f[5])
if now >= exp or now >= tonumber(f[6]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'unknown'}
end
if f[1] == ARGV[1] then
  local idle = math.min(now + tonumber(ARGV[4]), exp)
  redis.call('HSET', KEYS[1], 'cur', ARGV[2], 'idle', string.format('%d', idle))
  redis.call('RPUSH', KEYS[2], ARGV[1])
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[5]), -1)
  local ttl = string.format('%d', idle - now)
  redis.call('PEXPIRE', KEYS[1], ttl)
  redis.call('PEXPIRE', KEYS[2], ttl)
  return {'rotated', f[2], f[3], f[4], f[5]}
end
if redis.call('LPOS', KEYS[2], ARGV[1]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return {'reused', f[2], f[3], f[4], f[5]}
end
return {'unknown'}
`;

/** Deletes KEYS[1]/KEYS[2] when ARGV[1] is the family's current or a remembered rotated token hash; answers 1 if it did. */
const REVOKE_TOKEN = `
local cur = redis.call('HGET', KEYS[1], 'cur')
if not cur then return 0 end
if cur == ARGV[1] or redis.call('LPOS', KEYS[2], ARGV[1]) then
  redis.call('DEL', KEYS[1], KEYS[2])
  return 1
end
return 0
`;

/** A subject's cut-off (KEYS[1], its own slot): ARGV[1] notBefore (ms), ARGV[2] TTL (ms). Only a later cut-off replaces it. */
const REVOKE_SUBJECT = `
local old = tonumber(redis.call('GET', KEYS[1]))
if old and old >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
`;

/** Replaces KEYS[1]/KEYS[2] with a new family. ARGV: cur, sub, scope, created, exp, idle, TTL (ms). */
const CREATE = `
redis.call('DEL', KEYS[1], KEYS[2])
redis.call('HSET', KEYS[1], 'cur', ARGV[1], 'sub', ARGV[2], 'scope', ARGV[3], 'created', ARGV[4], 'exp', ARGV[5], 'idle', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
return 1
`;

/** A script and its SHA-1 (EVALSHA first; EVAL on NOSCRIPT). */
const script = (source: string) => ({ source, sha: createHash('sha1').update(source).digest('hex') });
const SCRIPTS = { rotate: script(ROTATE), revokeToken: script(REVOKE_TOKEN), revokeSubject: script(REVOKE_SUBJECT) };

const FAMILY_ID = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * The `RefreshTokenStore` of `@portcullis/jwt` on Redis, shared by every process of
 * the app. A family is two keys under one hash tag, `<prefix>{<familyId>}:f` (a hash:
 * the current token's SHA-256, subject, scopes, creation, absolute and idle
 * deadlines) and `<prefix>{<familyId>}:r` (the list of the last `maxRotated` rotated
 * token hashes); a subject's "log out everywhere" cut-off is `<prefix>subject:{<subject>}`, so every
 * command stays in one slot of a Redis Cluster. Raw tokens never reach Redis.
 * Rotation is one Lua script: of two concurrent refreshes with one token exactly one
 * rotates; the other finds a rotated token and the family is deleted (RFC 9700
 * §4.14.2). Keys expire with the family's idle or absolute deadline (`PEXPIRE`).
 * While Redis is unreachable every method rejects at once (the client is not ready)
 * or after `timeoutMs`: the token endpoint answers 503.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisRefreshTokenStore } from '@portcullis/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', () => {});
 * await client.connect();
 * const oauth2 = oauth2PasswordBearer({
 *   ...options,
 *   refreshTokens: { store: new RedisRefreshTokenStore({ client }), idleTtl: 86_400, absoluteTtl: 30 * 86_400 },
 * });
 * ```
 */
export class RedisRefreshTokenStore {
  readonly #client: StoreClient;
  readonly #prefix: string;
  readonly #timeout: number;
  readonly #maxRotated: string;

  constructor(options: RedisRefreshTokenStoreOptions) {
    const { client, prefix, timeout } = storeOptions('RedisRefreshTokenStore', options, { prefix: 'portcullis:refresh:', noBraces: true });
    const maxRotated = options.maxRotated ?? 1000;
    if (!Number.isInteger(maxRotated) || maxRotated < 1) throw new ConfigurationError('RedisRefreshTokenStore: maxRotated must be a positive integer');
    this.#client = client;
    this.#prefix = prefix;
    this.#timeout = timeout;
    this.#maxRotated = String(maxRotated);
  }

  /** Creates the family with `tokenHash` current, idle until `idleUntil` (ms since the epoch). */
  async create(family: RedisRefreshFamily, tokenHash: string, idleUntil: number): Promise<void> {
    const idle = Math.min(idleUntil, family.expiresAt);
    const ttl = Math.max(1, Math.ceil(idle - family.createdAt));
    // One script: the hash and its expiry are written together (a crash never leaves a family without a TTL).
    await this.#command([
      'EVAL',
      CREATE,
      '2',
      ...this.#keys(family.id),
      tokenHash,
      family.subject,
      family.scopes.join(' '),
      String(Math.trunc(family.createdAt)),
      String(Math.trunc(family.expiresAt)),
      String(Math.trunc(idle)),
      String(ttl),
    ]);
  }

  /** The live family at `now`, or `undefined`. */
  async family(familyId: string, now: number): Promise<RedisRefreshFamily | undefined> {
    if (!FAMILY_ID.test(familyId)) return undefined;
    const [key] = this.#keys(familyId);
    const reply = await this.#command(['HMGET', key, 'sub', 'scope', 'created', 'exp', 'idle']);
    if (!Array.isArray(reply) || reply.length !== 5) throw new Error('RedisRefreshTokenStore: unexpected HMGET reply');
    const [sub, scope, created, exp, idle] = reply.map((v: unknown) => (v === null || v === undefined ? undefined : String(v)));
    if (sub === undefined) return undefined;
    if (now >= Number(exp) || now >= Number(idle)) return undefined;
    return familyOf(familyId, [sub, scope, created, exp]);
  }

  /** Atomic (one Lua script): rotated, reused (the family is deleted) or unknown. */
  async rotate(familyId: string, tokenHash: string, nextHash: string, now: number, idleTtlMs: number): Promise<RedisRotateResult> {
    if (!FAMILY_ID.test(familyId)) return { outcome: 'unknown' };
    const args = ['2', ...this.#keys(familyId), tokenHash, nextHash, String(Math.trunc(now)), String(Math.trunc(idleTtlMs)), this.#maxRotated];
    const reply = await this.#script(SCRIPTS.rotate, args);
    if (!Array.isArray(reply) || reply.length === 0) throw new Error('RedisRefreshTokenStore: unexpected script reply');
    const [outcome, ...fields] = reply.map((v: unknown) => String(v));
    if (outcome === 'unknown') return { outcome: 'unknown' };
    if (outcome !== 'rotated' && outcome !== 'reused') throw new Error('RedisRefreshTokenStore: unexpected script reply');
    return { outcome, family: familyOf(familyId, fields) };
  }

  /** Deletes the family (both keys, one slot). */
  async revoke(familyId: string): Promise<void> {
    if (!FAMILY_ID.test(familyId)) return;
    await this.#command(['DEL', ...this.#keys(familyId)]);
  }

  /** Deletes the family only if `tokenHash` is its current or a remembered rotated token (one script, one slot). */
  async revokeToken(familyId: string, tokenHash: string): Promise<boolean> {
    if (!FAMILY_ID.test(familyId)) return false;
    return Number(await this.#script(SCRIPTS.revokeToken, ['2', ...this.#keys(familyId), tokenHash])) === 1;
  }

  /**
   * Every family of `subject` created before `notBefore` is dead. One key, its own slot,
   * expiring `until - notBefore` ms from now on Redis's clock (the absolute lifetime): by
   * then every family that exists now has expired.
   */
  async revokeSubject(subject: string, notBefore: number, until: number): Promise<void> {
    const ttl = String(Math.max(1, Math.ceil(until - notBefore)));
    await this.#script(SCRIPTS.revokeSubject, ['1', this.#subjectKey(subject), String(Math.trunc(notBefore)), ttl]);
  }

  /** The subject's cut-off (ms), or `undefined`; Redis expires it (`now` is not needed). */
  async subjectNotBefore(subject: string, _now: number): Promise<number | undefined> {
    const reply = await this.#command(['GET', this.#subjectKey(subject)]);
    if (reply === null || reply === undefined) return undefined;
    const notBefore = Number(reply);
    // A corrupt cut-off fails closed (503) rather than reviving families.
    if (!Number.isFinite(notBefore)) throw new Error('RedisRefreshTokenStore: corrupt subject cut-off');
    return notBefore;
  }

  /** The family's two keys: one hash tag, so one slot. `:r` is the list of rotated hashes. */
  #keys(familyId: string): [string, string] {
    return [`${this.#prefix}{${familyId}}:f`, `${this.#prefix}{${familyId}}:r`];
  }

  /** A subject's key: its own hash tag (encoded, so no brace of the subject reaches it). */
  #subjectKey(subject: string): string {
    return `${this.#prefix}subject:{${encodeURIComponent(subject)}}`;
  }

  async #script(script: { source: string; sha: string }, args: string[]): Promise<unknown> {
    try {
      return await this.#command(['EVALSHA', script.sha, ...args]);
    } catch (error) {
      if (!/NOSCRIPT/.test(String((error as Error)?.message))) throw error;
      return this.#command(['EVAL', script.source, ...args]);
    }
  }

  #command(args: string[]): Promise<unknown> {
    return timedCommand(this.#client, args, this.#timeout, 'RedisRefreshTokenStore');
  }
}

function familyOf(id: string, [sub, scope, created, exp]: (string | undefined)[]): RedisRefreshFamily {
  const createdAt = Number(created);
  const expiresAt = Number(exp);
  // A corrupt record fails closed (503) rather than living forever.
  if (sub === undefined || !Number.isFinite(createdAt) || !Number.isFinite(expiresAt)) throw new Error('RedisRefreshTokenStore: corrupt family');
  return Object.freeze({ id, subject: sub, scopes: Object.freeze(scope === undefined || scope === '' ? [] : scope.split(' ')), createdAt, expiresAt });
}
