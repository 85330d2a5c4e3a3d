import { ConfigurationError, type TicketRecord, type TicketStore } from '@portcullis/core';
import { timedCommand, type RedisClientLike } from './command.js';

/** Options of {@link RedisTicketStore}. */
export interface RedisTicketStoreOptions {
  /** A connected node-redis client, created with `disableOfflineQueue: true`. */
  readonly client: RedisClientLike;
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
    if (options === null || typeof options !== 'object') throw new ConfigurationError('RedisTicketStore: options are required');
    const { client } = options;
    if (client === null || typeof client !== 'object' || typeof client.sendCommand !== 'function') {
      throw new ConfigurationError('RedisTicketStore: client must be a node-redis client');
    }
    const prefix = options.prefix ?? 'portcullis:ticket:';
    if (typeof prefix !== 'string' || /[\u0000-\u001f\u007f\s{}]/.test(prefix)) {
      throw new ConfigurationError('RedisTicketStore: prefix must be a string without spaces, braces or control characters');
    }
    const timeout = options.timeoutMs ?? 1000;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
      throw new ConfigurationError('RedisTicketStore: timeoutMs must be an integer from 1 to 60000');
    }
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
