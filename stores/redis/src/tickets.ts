import type { TicketRecord, TicketStore } from '@portcullis/core';
import { storeConfig, timedCommand, type RedisClientLike } from './command.js';
import type { RedisCommandClient } from './session-store.js';

/** Options of {@link RedisTicketStore}. */
export interface RedisTicketStoreOptions {
  /** A connected node-redis client, created with `disableOfflineQueue: true`. */
  readonly client: RedisCommandClient;
  /** Prefix of every key. Default `portcullis:ticket:`. */
  readonly prefix?: string;
  /** A command that takes longer fails (the upgrade is refused with 503). Default 1000 ms. */
  readonly timeoutMs?: number;
}

/**
 * The websocket tickets' `TicketStore` (`webSocketTickets` of `@portcullis/core`) on
 * Redis, shared by every process: a ticket issued by one instance is redeemed on
 * another. One key per ticket, `<prefix>{<hash>}` (the hash in a hash tag: one slot
 * in a Redis Cluster), written with `SET … PX … NX` and taken with `GETDEL`
 * (Redis ≥ 6.2), atomic: of two redemptions racing on two instances, one gets the
 * record. Only the ticket's hash and the sealed record are stored. While Redis is
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
export class RedisTicketStore implements TicketStore {
  readonly #client: RedisClientLike;
  readonly #prefix: string;
  readonly #timeout: number;

  constructor(options: RedisTicketStoreOptions) {
    const { client, prefix, timeout } = storeConfig(options, 'RedisTicketStore', 'portcullis:ticket:', '{}');
    this.#client = client;
    this.#prefix = prefix;
    this.#timeout = timeout;
  }

  async issue(hash: string, record: TicketRecord, ttlMs: number): Promise<void> {
    await this.#command(['SET', this.#key(hash), JSON.stringify(record), 'PX', String(Math.ceil(ttlMs)), 'NX']);
  }

  async take(hash: string): Promise<TicketRecord | undefined> {
    const reply = await this.#command(['GETDEL', this.#key(hash)]);
    if (reply === null || reply === undefined) return undefined;
    const record = JSON.parse(String(reply)) as TicketRecord;
    // A record of another shape fails closed (the upgrade is refused), never as a ticket.
    if (typeof record?.identity !== 'string' || typeof record.origin !== 'string') throw new Error('RedisTicketStore: corrupt record');
    return record;
  }

  #key(hash: string): string {
    return `${this.#prefix}{${hash}}`;
  }

  #command(args: string[]): Promise<unknown> {
    return timedCommand(this.#client, args, this.#timeout, 'RedisTicketStore');
  }
}
