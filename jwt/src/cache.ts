import { ConfigurationError, digestKey, sha256 } from '@portcullis/core';
import type { Token } from './token.js';

interface Entry {
  readonly token: Token;
  /** Wall-clock ms after which a key fetched from a remote JWKS must be looked up again. */
  readonly keyDeadline: number | undefined;
}

/**
 * Remembers tokens whose signature and claims were verified, keyed by the
 * SHA-256 of the token, bounded (LRU). A hit skips signature verification only:
 * the clock checks (`exp`, `nbf`, `maxTokenAge`) and the revocation store run on
 * every request, so an expired or revoked token is never served from the cache.
 * Tokens verified with a remote JWKS key are re-verified once the JWKS cache age
 * has passed, so a key removed from the set stops working (JWT-31).
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
   * The id a token is cached under: its SHA-256 as a 16-character key (core's
   * `digestKey`). Synchronous (core's `sha256`, not Web Crypto), so a hit costs no
   * promise.
   */
  id(token: string): string {
    return digestKey(sha256(token));
  }

  get(id: string): Token | undefined {
    const entry = this.#entries.get(id);
    if (entry === undefined) return undefined;
    if (entry.keyDeadline !== undefined && Date.now() >= entry.keyDeadline) {
      this.#entries.delete(id);
      return undefined;
    }
    this.#entries.delete(id);
    this.#entries.set(id, entry);
    return entry.token;
  }

  set(id: string, token: Token, keyDeadline: number | undefined): void {
    this.#entries.delete(id);
    this.#entries.set(id, { token, keyDeadline });
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
