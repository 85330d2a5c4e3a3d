import { ConfigurationError } from '@portcullis/core';
import { digestKey, sha256 } from '@portcullis/core/adapter';
import type { KeySetStamp } from './jwks.js';
import type { Token } from './token.js';

interface Entry {
  readonly token: Token;
  /** For a key from a remote JWKS: the fetch of the key set that verified the token. */
  readonly keySet: KeySetStamp | undefined;
}

/**
 * Remembers tokens whose signature and claims were verified, keyed by the signing
 * input and the SHA-256 of the signature (see {@link VerifiedTokenCache.id}), bounded (LRU). A hit skips signature verification only:
 * the clock checks (`exp`, `nbf`, `iat`, `maxTokenAge`) and the revocation store run
 * on every request, so an expired or revoked token is never served from the cache.
 * A token verified with a remote JWKS key is cached with the key set it was verified
 * against, and is verified again once that set has been replaced or is `cacheMaxAge`
 * old, so the cache never outlives the key set (JWT-31).
 */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();

  constructor(max = 10_000) {
    if (!Number.isInteger(max) || max < 1 || max > 1_000_000) throw new ConfigurationError('jwt: cache.max must be an integer from 1 to 1 000 000');
    this.#max = max;
  }

  /** The number of cached tokens. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The id a token is cached under: its signing input (`header.payload`, as sent: not a
   * secret, the claims are readable in it) followed by the SHA-256 of its signature
   * (core's `digestKey`). Equal ids mean equal tokens, as with a digest of the whole
   * token, while only the signature (43 characters for HS256) is hashed, not the
   * whole ~250-character token; the signature itself is never kept, so the cache holds
   * nothing a client could present. Synchronous (core's `sha256`, not Web Crypto), so a
   * hit costs no promise. `token` has passed the compact-JWS shape check.
   */
  id(token: string): string {
    const dot = token.lastIndexOf('.');
    return `${token.slice(0, dot + 1)}${digestKey(sha256(token.slice(dot + 1)))}`;
  }

  /** The cached token, or `undefined`; an entry whose key set is no longer `current` is dropped. */
  get(id: string, current: (keySet: KeySetStamp) => boolean): Token | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.keySet !== undefined && !current(entry.keySet)) {
      this.#entries.delete(id);
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.token;
  }

  set(id: string, token: Token, keySet: KeySetStamp | undefined): void {
    this.#entries.delete(id);
    this.#entries.set(id, { token, keySet });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(id: string): void {
    this.#entries.delete(id);
  }

  clear(): void {
    this.#entries.clear();
  }
}
