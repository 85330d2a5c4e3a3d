import { ConfigurationError } from '@portcullis/core';
import { digestKey, sha256 } from '@portcullis/core/adapter';
import type { KeySetStamp } from './jwks.js';
import { flatCopy } from './strings.js';
import type { Token } from './token.js';

interface Entry {
  /**
   * The token's signing input and its second dot (`header.payload.`), as a string of its
   * own: never a slice of the request's header, which would keep the whole token, signature
   * included, reachable from the cache (see {@link VerifiedTokenCache.set}).
   */
  readonly input: string;
  readonly token: Token;
  /** For a key from a remote JWKS: the fetch of the key set that verified the token. */
  readonly keySet: KeySetStamp | undefined;
}

/**
 * What can follow a compact JWS's second dot and be worth a lookup: base64url of at most
 * 1,024 bytes (an RS/PS signature under an 8,192-bit key). Anything else is no cached token,
 * and is not hashed before the shape check refuses it (a security review measured an 8 KiB
 * non-ASCII tail at 20× the cost of the check that refuses it).
 */
const SIGNATURE = /^[A-Za-z0-9_-]{1,1366}$/;

/**
 * Remembers tokens whose signature and claims were verified, bounded (LRU). An entry is
 * found by the SHA-256 of the token's signature ({@link VerifiedTokenCache.key}) and is a
 * hit only when the token also starts with the entry's signing input: a hit is the very
 * token that was verified (see {@link VerifiedTokenCache.get}). A hit skips signature
 * verification only: the clock checks (`exp`, `nbf`, `iat`, `maxTokenAge`) and the
 * revocation store run on every request, so an expired or revoked token is never served
 * from the cache. A token verified with a remote JWKS key is cached with the key set it
 * was verified against, and is verified again once that set has been replaced or is
 * `cacheMaxAge` old, so the cache never outlives the key set (JWT-31).
 *
 * The cache holds nothing a client could present: the signing input (`header.payload`, not
 * a secret, the claims are readable in it) and the digest of the signature, never the
 * signature itself.
 */
export class VerifiedTokenCache {
  readonly #max: number;
  readonly #entries = new Map<string, Entry>();
  /** The most recently used entry: a hit on it (one token sent again and again) moves nothing in the LRU order. */
  #newest: Entry | undefined;

  constructor(max = 10_000) {
    if (!Number.isInteger(max) || max < 1 || max > 1_000_000) throw new ConfigurationError('jwt: cache.max must be an integer from 1 to 1 000 000');
    this.#max = max;
  }

  /** The number of cached tokens. */
  get size(): number {
    return this.#entries.size;
  }

  /**
   * The key a token is looked up and cached under: the SHA-256 of what follows its second
   * dot (its signature; core's `sha256`, synchronous, so a hit costs no promise) as 16
   * characters (core's `digestKey`); `undefined` for a string with fewer than two dots, or
   * whose signature is not 1–1,366 base64url characters: no compact JWS this cache holds. Only the signature is hashed (one SHA-256
   * block for HS256), not the ~250-character token, and the `Map` hashes a 16-character
   * key, not the ~260-character id of a signing input and a digest.
   *
   * The key alone does not identify a token (the same signature can be pasted under
   * another payload): {@link get} also compares the signing input. May run before the
   * token's shape is checked: it decodes nothing and hashes at most 1,366 ASCII characters.
   */
  key(token: string): string | undefined {
    const first = token.indexOf('.');
    const second = first === -1 ? -1 : token.indexOf('.', first + 1);
    if (second === -1) return undefined;
    const signature = token.slice(second + 1);
    // Hashing runs before the shape check: only what can be a signature is hashed (DOS-07).
    if (!SIGNATURE.test(signature)) return undefined;
    return digestKey(sha256(signature));
  }

  /**
   * The cached token that `token` is, or `undefined`; an entry whose key set is no longer
   * `current` is dropped.
   *
   * **A hit is the very token that was verified.** The entry under `key` holds the signing
   * input `header.payload.` of a verified token (two dots, the last at its end). When
   * `token` starts with it (the `slice` of its length equals it), the token's second dot is that last one, so `key` was computed
   * from the rest of `token`, and that rest has the SHA-256 of the verified signature.
   * That signature is base64url (ASCII), whose UTF-8 bytes are its characters; any other
   * string's UTF-8 differs from them (a non-ASCII character, a lone surrogate included,
   * encodes to bytes ≥ 0x80), so equal digests mean equal signatures (SHA-256 collision
   * resistance): equal key and signing input ⇔ equal tokens. A token that hits has
   * therefore passed the compact-JWS shape check and the verification once already.
   */
  get(token: string, key: string, current: (keySet: KeySetStamp) => boolean): Token | undefined {
    const entry = this.#entries.get(key);
    // `slice` + `===` (a sliced string compared by its flat content), not `startsWith`: about a
    // third of its time on a ~200-character input in a micro-benchmark.
    if (entry === undefined || token.slice(0, entry.input.length) !== entry.input) return undefined;
    if (entry.keySet !== undefined && !current(entry.keySet)) {
      this.delete(key);
      return undefined;
    }
    if (entry !== this.#newest) {
      this.#entries.delete(key);
      this.#entries.set(key, entry);
      this.#newest = entry;
    }
    return entry.token;
  }

  /**
   * Caches the verified `token` (a compact JWS that passed the shape check) under its
   * {@link key}, replacing any entry there. The signing input is stored as a string of its
   * own (decoded from its bytes): a `slice` of the token could keep the request's whole
   * header value, signature included, alive in memory.
   */
  set(token: string, key: string, claims: Token, keySet: KeySetStamp | undefined): void {
    const second = token.indexOf('.', token.indexOf('.') + 1);
    const entry: Entry = { input: flatCopy(token.slice(0, second + 1)), token: claims, keySet };
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    this.#newest = entry;
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
    this.#newest = undefined;
  }

  clear(): void {
    this.#entries.clear();
    this.#newest = undefined;
  }
}
