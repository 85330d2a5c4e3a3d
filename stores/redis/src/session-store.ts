import { createHash } from 'node:crypto';
import { timedCommand } from './command.js';
import { createClient } from 'redis';
import { ConfigurationError, SessionError, type SessionData, type SessionStore } from '@portcullis/core';
import { sendWithin, storeClient, type RedisClusterCommandClient, type RedisCommandClient, type RedisStoreClient, type StoreClient } from './client.js';

/** Options of {@link RedisSessionStore}. */
export interface RedisSessionStoreOptions {
  /**
   * A connected node-redis client (see {@link RedisCommandClient}) or Redis Cluster
   * client (see {@link RedisClusterCommandClient}).
   */
  readonly client: RedisStoreClient;
  /** Prefix of every key. Default `portcullis:session:`. */
  readonly prefix?: string;
  /** A command that takes longer fails (and the request fails closed, 503). Default 2000 ms. */
  readonly timeoutMs?: number;
}

/**
 * A Portcullis `SessionStore` on Redis: one store for Express (through
 * `expressSessionStore`), Koa (through `koaSessionStore`) and Hono (directly).
 * Keys are the SHA-256 of the session id (a leaked keyspace holds no usable
 * ids); values are JSON with a millisecond TTL (`SET … PX`); `update` is an
 * atomic `SET … XX`, so a save racing a logout cannot bring the session back.
 * While Redis is unreachable every method rejects at once (the client is not
 * ready) or after `timeoutMs`: requests fail closed with 503 and recover when
 * Redis returns. On a Redis Cluster (a `createCluster()` client) each session is
 * one key on the master of its slot.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisSessionStore } from '@portcullis/redis';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', () => {}); // reconnects on its own; requests answer 503 meanwhile
 * await client.connect();
 * const store = new RedisSessionStore({ client });
 * ```
 */
export class RedisSessionStore implements SessionStore {
  readonly #client: StoreClient;
  readonly #prefix: string;
  readonly #timeout: number;

  constructor(options: RedisSessionStoreOptions) {
    if (options === null || typeof options !== 'object') throw new ConfigurationError('RedisSessionStore: options are required');
    const client = storeClient(options.client, 'RedisSessionStore');
    const prefix = options.prefix ?? 'portcullis:session:';
    if (typeof prefix !== 'string' || /[\u0000-\u001f\u007f\s]/.test(prefix)) {
      throw new ConfigurationError('RedisSessionStore: prefix must be a string without spaces or control characters');
    }
    const timeout = options.timeoutMs ?? 2000;
    if (!Number.isInteger(timeout) || timeout < 1) throw new ConfigurationError('RedisSessionStore: timeoutMs must be a positive integer');
    this.#client = client;
    this.#prefix = prefix;
    this.#timeout = timeout;
  }

  /** The Redis key of a session id (hashed: ids never reach Redis). */
  key(id: string): string {
    return this.#prefix + createHash('sha256').update(id, 'utf8').digest('base64url');
  }

  async get(id: string): Promise<SessionData | undefined> {
    const raw = await this.#send(['GET', this.key(id)]);
    if (typeof raw !== 'string') return undefined;
    try {
      const data: unknown = JSON.parse(raw);
      return data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as SessionData) : undefined;
    } catch {
      return undefined;
    }
  }

  async set(id: string, data: SessionData, ttlMs: number): Promise<void> {
    await this.#send(['SET', this.key(id), serialise(data), 'PX', ttl(ttlMs)]);
  }

  async update(id: string, data: SessionData, ttlMs: number): Promise<boolean> {
    const reply = await this.#send(['SET', this.key(id), serialise(data), 'PX', ttl(ttlMs), 'XX']);
    return reply !== null && reply !== undefined;
  }

  async destroy(id: string): Promise<void> {
    await this.#send(['DEL', this.key(id)]);
  }

  async #send(args: string[]): Promise<unknown> {
    try {
      return await sendWithin(this.#client, args, this.#timeout, () => new SessionError('session_store_unavailable'));
    } catch (error) {
      throw error instanceof SessionError ? error : new SessionError('session_store_unavailable', { cause: error });
    }
  }
}

function serialise(data: SessionData): string {
  const json = JSON.stringify(data);
  if (json === undefined || !json.startsWith('{')) throw new TypeError('session data must be a JSON object');
  return json;
}

function ttl(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) throw new RangeError('ttlMs must be a positive number');
  return String(Math.ceil(ms));
}

/** Options of {@link connectRedisSessionStore}. */
export interface ConnectRedisSessionStoreOptions extends Omit<RedisSessionStoreOptions, 'client'> {
  /** `redis://host:port/db`. Default `redis://127.0.0.1:6379`. */
  readonly url?: string;
  /**
   * Called with connection errors once connected (the client keeps reconnecting).
   * A failure of the first connection is not reported here: the promise rejects.
   * Never given a session id.
   */
  readonly onError?: (error: Error) => void;
}

/** A {@link RedisSessionStore} that owns its client. */
export interface OwnedRedisSessionStore extends SessionStore {
  /** The session store on the connection this object owns. */
  readonly store: RedisSessionStore;
  /** Closes the Redis connection. */
  close(): Promise<void>;
}

/**
 * Creates a Redis client with fail-fast settings (no offline queue, 2 s connect
 * timeout), connects it, and returns a store over it. If the first connection
 * fails (refused, timed out, rejected by Redis) it rejects at once with
 * `session_store_unavailable` (the socket error in `cause`) instead of retrying:
 * a server should not start without its session store. Once connected, the
 * client reconnects on its own (every ≤ 1 s) and requests fail closed (503)
 * meanwhile.
 *
 * @example
 * ```ts
 * const sessionStore = await connectRedisSessionStore({ url: process.env.REDIS_URL });
 * app.use(sessions({ store: expressSessionStore(sessionStore), secret }));
 * process.on('SIGTERM', () => sessionStore.close());
 * ```
 */
export async function connectRedisSessionStore(options: ConnectRedisSessionStoreOptions = {}): Promise<OwnedRedisSessionStore> {
  let connected = false;
  const client = createClient({
    url: options.url ?? 'redis://127.0.0.1:6379',
    disableOfflineQueue: true,
    socket: {
      connectTimeout: 2000,
      // Returning the error stops the client: before the first connection, connect() rejects with it.
      reconnectStrategy: (retries: number, cause: Error) => (connected ? Math.min(50 * 2 ** retries, 1000) : cause),
    },
  });
  client.on('error', (error: Error) => {
    if (connected) options.onError?.(error);
  });
  try {
    await client.connect();
  } catch (error) {
    client.destroy();
    throw new SessionError('session_store_unavailable', { cause: socketError(error) });
  }
  connected = true;
  const store = new RedisSessionStore({ ...options, client: client as unknown as RedisCommandClient });
  return {
    store,
    get: (id) => store.get(id),
    set: (id, data, ms) => store.set(id, data, ms),
    update: (id, data, ms) => store.update(id, data, ms),
    destroy: (id) => store.destroy(id),
    close: async () => {
      if (client.isOpen) await client.close();
    },
  };
}

/** node-redis wraps the socket error of a stopped reconnection in a `ReconnectStrategyError`. */
function socketError(error: unknown): unknown {
  const socket: unknown = (error as { socketError?: unknown } | null)?.socketError;
  return socket instanceof Error ? socket : error;
}
