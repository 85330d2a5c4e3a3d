import { ConfigurationError } from '@portcullis/core';

/** What a revocation store knows about one token. */
export interface RevocationStatus {
  /** `(iss, jti)` is on the denylist. */
  readonly revoked: boolean;
  /**
   * The subject's cut-off, in ms since the epoch: tokens of `(iss, sub)` issued
   * before it are refused (password change, "log out everywhere"). `undefined` when none.
   */
  readonly notBefore: number | undefined;
}

/**
 * Where revoked tokens are remembered until they expire. The denylist key is
 * `(iss, jti)`, never a hash of the token: a re-encoded or (ECDSA) malleated copy of a
 * revoked token has the same `jti` and is refused too (JWT-29).
 *
 * Every method is **required** and returns a promise. Stores hold nothing past the
 * TTLs they are given; "not found" is `{ revoked: false, notBefore: undefined }`.
 * A store that throws makes the request fail closed with 503.
 *
 * @example
 * ```ts
 * const store: RevocationStore = new MemoryRevocationStore();          // one process
 * const shared: RevocationStore = redisRevocationStore({ client });    // @portcullis/redis
 * const jwt = jwtAuth({ ..., revocation: shared });
 * ```
 */
export interface RevocationStore {
  /** Denylists `(issuer, jti)` for `ttlMs` (the token's remaining lifetime plus leeway). */
  revoke(issuer: string, jti: string, ttlMs: number): Promise<void>;
  /**
   * Refuses the subject's tokens issued before `notBefore` (ms since the epoch),
   * remembered for `ttlMs` (the longest lifetime a token of the subject can have).
   * A later call replaces an earlier one.
   */
  revokeSubject(issuer: string, subject: string, notBefore: number, ttlMs: number): Promise<void>;
  /** One lookup per request, also when the token came from the verified-token cache. */
  status(issuer: string, jti: string, subject: string): Promise<RevocationStatus>;
}

/** Checks that a value implements {@link RevocationStore} (at construction). */
export function checkRevocationStore(store: unknown): RevocationStore {
  const s = store as Partial<RevocationStore> | null;
  if (s === null || typeof s !== 'object' || typeof s.revoke !== 'function' || typeof s.revokeSubject !== 'function' || typeof s.status !== 'function') {
    throw new ConfigurationError('jwt: revocation must implement revoke(), revokeSubject() and status()');
  }
  return s as RevocationStore;
}

interface Timed<T> {
  readonly value: T;
  readonly until: number;
}

/**
 * An in-memory {@link RevocationStore}, for one process (tests, demos, a single
 * server). Entries are dropped once their TTL has passed. For several processes use
 * a shared store (`redisRevocationStore` in `@portcullis/redis`).
 *
 * @example
 * ```ts
 * const revocation = new MemoryRevocationStore();
 * const jwt = jwtAuth({ algorithms: ['HS256'], secret, issuer, audience, retrieveUser, revocation });
 * await jwt.revoke(token);          // this token only
 * await jwt.revokeSubject('alice');  // every token alice holds now
 * ```
 */
export class MemoryRevocationStore implements RevocationStore {
  readonly #jtis = new Map<string, Timed<true>>();
  readonly #subjects = new Map<string, Timed<number>>();
  readonly #now: () => number;
  #sweepAt = 1024;

  constructor(options: { clock?: () => number } = {}) {
    const clock = options.clock ?? Date.now;
    if (typeof clock !== 'function') throw new ConfigurationError('MemoryRevocationStore: clock must be a function');
    this.#now = clock;
  }

  async revoke(issuer: string, jti: string, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) return;
    this.#jtis.set(key(issuer, jti), { value: true, until: this.#now() + ttlMs });
    this.#sweep();
  }

  async revokeSubject(issuer: string, subject: string, notBefore: number, ttlMs: number): Promise<void> {
    if (!(ttlMs > 0)) return;
    this.#subjects.set(key(issuer, subject), { value: notBefore, until: this.#now() + ttlMs });
    this.#sweep();
  }

  async status(issuer: string, jti: string, subject: string): Promise<RevocationStatus> {
    const now = this.#now();
    const denied = live(this.#jtis, key(issuer, jti), now);
    const cut = live(this.#subjects, key(issuer, subject), now);
    return { revoked: denied !== undefined, notBefore: cut?.value };
  }

  /** The number of live entries (for inspection). */
  get size(): number {
    return this.#jtis.size + this.#subjects.size;
  }

  #sweep(): void {
    if (this.#jtis.size + this.#subjects.size < this.#sweepAt) return;
    const now = this.#now();
    for (const map of [this.#jtis, this.#subjects] as Map<string, Timed<unknown>>[]) {
      for (const [k, entry] of map) if (entry.until <= now) map.delete(k);
    }
    this.#sweepAt = Math.max(1024, 2 * (this.#jtis.size + this.#subjects.size));
  }
}

/** Length-prefixed, so ("a:b", "c") and ("a", "b:c") never share a key. */
function key(a: string, b: string): string {
  return `${a.length}:${a}:${b}`;
}

function live<T>(map: Map<string, Timed<T>>, k: string, now: number): Timed<T> | undefined {
  const entry = map.get(k);
  if (entry === undefined) return undefined;
  if (entry.until <= now) {
    map.delete(k);
    return undefined;
  }
  return entry;
}
