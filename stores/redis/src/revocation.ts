import { storeOptions, timedCommand } from './command.js';
import type { RedisCommandClient, RedisStoreClient, StoreClient } from './client.js';

/**
 * What the revocation store needs from a single Redis server's client: the same as
 * {@link RedisCommandClient} (a cluster client fits too: see {@link RedisStoreClient}).
 */
export type RedisRevocationClient = RedisCommandClient;

/** Options of {@link RedisRevocationStore}. */
export interface RedisRevocationStoreOptions {
  /** A connected node-redis client or Redis Cluster client (see {@link RedisStoreClient}). */
  readonly client: RedisStoreClient;
  /** Prefix of every key. Default `portcullis:revoked:`. */
  readonly prefix?: string;
  /** A command that takes longer fails (and the request fails closed, 503). Default 1000 ms. */
  readonly timeoutMs?: number;
}

/** What a revocation store knows about one token (the shape `@portcullis/jwt` reads). */
export interface RedisRevocationStatus {
  /** Whether the token's `jti` is revoked. */
  readonly revoked: boolean;
  /** Tokens of the subject issued before this time (seconds since the epoch) are revoked; `undefined` when none. */
  readonly notBefore: number | undefined;
}

/**
 * The `RevocationStore` of `@portcullis/jwt` on Redis, shared by every process of
 * the app. Revoked tokens are keyed by `(iss, jti)` — never by a hash of the token,
 * so re-encoded or malleated copies stay revoked (JWT-29) — and kept with a
 * millisecond TTL (`SET … PX`) until the token would have expired anyway. A
 * subject's cut-off (password change, "log out everywhere") is one key per
 * `(iss, sub)`. The per-request check is one `MGET` (on a Redis Cluster, where
 * the two keys live in different slots, two `GET`s sent together). While Redis is unreachable
 * every method rejects at once (the client is not ready) or after `timeoutMs`:
 * requests fail closed with 503.
 *
 * @example
 * ```ts
 * import { createClient } from 'redis';
 * import { RedisRevocationStore } from '@portcullis/redis';
 * import { jwtAuth } from '@portcullis/jwt';
 *
 * const client = createClient({ url: process.env.REDIS_URL, disableOfflineQueue: true });
 * client.on('error', () => {}); // reconnects on its own; requests answer 503 meanwhile
 * await client.connect();
 * const jwt = jwtAuth({ ...options, revocation: new RedisRevocationStore({ client }) });
 * ```
 */
export class RedisRevocationStore {
  readonly #client: StoreClient;
  readonly #prefix: string;
  readonly #timeout: number;

  constructor(options: RedisRevocationStoreOptions) {
    const { client, prefix, timeout } = storeOptions('RedisRevocationStore', options, { prefix: 'portcullis:revoked:' });
    this.#client = client;
    this.#prefix = prefix;
    this.#timeout = timeout;
  }

  /** Denylists `(issuer, jti)` for `ttlMs`. */
  async revoke(issuer: string, jti: string, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) return;
    await this.#command(['SET', this.#jtiKey(issuer, jti), '1', 'PX', String(Math.ceil(ttlMs))]);
  }

  /** Refuses the subject's tokens issued before `notBefore` (ms since the epoch), remembered for `ttlMs`. */
  async revokeSubject(issuer: string, subject: string, notBefore: number, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) return;
    if (!Number.isFinite(notBefore)) throw new TypeError('RedisRevocationStore: notBefore must be a finite number');
    await this.#command(['SET', this.#subjectKey(issuer, subject), String(Math.trunc(notBefore)), 'PX', String(Math.ceil(ttlMs))]);
  }

  /** One round trip: is `(issuer, jti)` revoked, and what is the subject's cut-off? */
  async status(issuer: string, jti: string, subject: string): Promise<RedisRevocationStatus> {
    const keys = [this.#jtiKey(issuer, jti), this.#subjectKey(issuer, subject)] as const;
    // On a cluster the two keys live in different slots (one MGET would be refused,
    // CROSSSLOT): two GETs, sent together, cost the same round trip.
    const reply = this.#client.cluster
      ? await Promise.all(keys.map((key) => this.#command(['GET', key])))
      : await this.#command(['MGET', ...keys]);
    if (!Array.isArray(reply) || reply.length !== 2) throw new Error('RedisRevocationStore: unexpected MGET reply');
    const [denied, cut] = reply as unknown[];
    let notBefore: number | undefined;
    if (cut !== null && cut !== undefined) {
      notBefore = Number(String(cut));
      // A value that is not a number fails closed rather than letting old tokens through.
      if (!Number.isFinite(notBefore)) throw new Error('RedisRevocationStore: corrupt subject cut-off');
    }
    return { revoked: denied !== null && denied !== undefined, notBefore };
  }

  // encodeURIComponent keeps ":" out of the parts, so ("a:b", "c") and ("a", "b:c") never share a key.
  #jtiKey(issuer: string, jti: string): string {
    return `${this.#prefix}jti:${encodeURIComponent(issuer)}:${encodeURIComponent(jti)}`;
  }

  #subjectKey(issuer: string, subject: string): string {
    return `${this.#prefix}sub:${encodeURIComponent(issuer)}:${encodeURIComponent(subject)}`;
  }

  #command(args: string[]): Promise<unknown> {
    return timedCommand(this.#client, args, this.#timeout, 'RedisRevocationStore');
  }
}
