import { createHash } from 'node:crypto';
import { ConfigurationError, type TicketRecord, type TicketStore } from '@portcullis/core';
import { storeOptions, timedCommand } from './command.js';
import type { RedisStoreClient, StoreClient } from './client.js';

/** Options of {@link RedisTicketStore}. */
export interface RedisTicketStoreOptions {
  /** A connected node-redis client, created with `disableOfflineQueue: true`. */
  readonly client: RedisStoreClient;
  /** Prefix of every key. Default `portcullis:ticket:`. */
  readonly prefix?: string;
  /** A command that takes longer fails (the upgrade is refused with 503). Default 1000 ms. */
  readonly timeoutMs?: number;
  /**
   * At most this many tickets wait for one user (`identity`); beyond it theirs are
   * refused (the endpoint answers 429). Default 10. Counted in one key per user,
   * `<prefix>pending:{<SHA-256 of the identity>}`: a sorted set of the pending tickets by
   * expiry, so a ticket left unredeemed gives its place back when it expires.
   */
  readonly perIdentity?: number;
}

/**
 * The websocket tickets' `TicketStore` (`webSocketTickets` of `@portcullis/core`) on
 * Redis, shared by every process: a ticket issued by one instance is redeemed on
 * another. One key per ticket, `<prefix>{<hash>}` (the hash in a hash tag: one slot
 * in a Redis Cluster), written with `SET … PX … NX` and taken with `GETDEL`
 * (Redis ≥ 6.2), atomic: of two redemptions racing on two instances, one gets the
 * record. Only the ticket's hash and the sealed record are stored, and a counter of
 * each user's pending tickets (`perIdentity`, by expiry). While Redis is
 * unreachable every method rejects at once or after `timeoutMs` (fail closed).
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { webSocketTickets } from '@portcullis/core';
 * import { RedisTicketStore } from '@portcullis/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', () => {});
 * await client.connect();
 * const tickets = webSocketTickets({ store: new RedisTicketStore({ client }) });
 * ```
 */
/**
 * Admits a ticket for one user, atomically: drops the user's expired tickets, refuses
 * at the cap, else records the ticket until its expiry. KEYS[1] the user's sorted set;
 * ARGV: the ticket's hash, its ttl (ms), the cap. Redis's own clock (`TIME`).
 */
const ADMIT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1`;

export class RedisTicketStore implements TicketStore {
  readonly #client: StoreClient;
  readonly #prefix: string;
  readonly #timeout: number;
  readonly #perIdentity: number;

  constructor(options: RedisTicketStoreOptions) {
    const { client, prefix, timeout } = storeOptions('RedisTicketStore', options, { prefix: 'portcullis:ticket:', noBraces: true });
    const perIdentity = options.perIdentity ?? 10;
    if (!Number.isInteger(perIdentity) || perIdentity < 1) throw new ConfigurationError('RedisTicketStore: perIdentity must be a positive integer');
    this.#client = client;
    this.#prefix = prefix;
    this.#timeout = timeout;
    this.#perIdentity = perIdentity;
  }

  async issue(hash: string, record: TicketRecord, ttlMs: number): Promise<boolean> {
    const ttl = String(Math.ceil(ttlMs));
    // The user's pending tickets, a sorted set by expiry: expired ones leave it before the
    // count, so tickets abandoned unredeemed (or refused attempts) never hold a place.
    const admitted = await this.#command(['EVAL', ADMIT, '1', this.#pendingKey(record.identity), hash, ttl, String(this.#perIdentity)]);
    if (Number(admitted) !== 1) return false;
    await this.#command(['SET', this.#key(hash), JSON.stringify(record), 'PX', ttl, 'NX']);
    return true;
  }

  async take(hash: string): Promise<TicketRecord | undefined> {
    const reply = await this.#command(['GETDEL', this.#key(hash)]);
    if (reply === null || reply === undefined) return undefined;
    const record = JSON.parse(String(reply)) as TicketRecord;
    // A record of another shape fails closed (the upgrade is refused), never as a ticket.
    if (typeof record?.identity !== 'string' || typeof record.origin !== 'string') throw new Error('RedisTicketStore: corrupt record');
    // One pending ticket fewer (a place it no longer holds anyway once expired).
    await this.#command(['ZREM', this.#pendingKey(record.identity), hash]).catch(() => undefined);
    return record;
  }

  #pendingKey(identity: string): string {
    return `${this.#prefix}pending:{${createHash('sha256').update(identity).digest('base64url')}}`;
  }

  #key(hash: string): string {
    return `${this.#prefix}{${hash}}`;
  }

  #command(args: string[]): Promise<unknown> {
    return timedCommand(this.#client, args, this.#timeout, 'RedisTicketStore');
  }
}
