import { bytesEqual } from './timing.js';
import { ConfigurationError } from './errors.js';
import type { MaybePromise } from './maybe-promise.js';

const encoder = new TextEncoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * The digest a token is stored and looked up by: base64url(SHA-256(token)).
 * Tokens carry ≥128 random bits, so a plain hash is enough (ASVS 5.0 6.5.2);
 * a leaked table of digests does not yield usable tokens.
 *
 * @example
 * ```ts
 * await db.insert({ digest: await hashToken(token), userId });
 * ```
 */
export async function hashToken(token: string): Promise<string> {
  return base64url(await sha256(token));
}

/**
 * A new random token: `bytes` (default 32, at least 16) from the CSPRNG,
 * base64url-encoded. Show it to the user once; store only {@link hashToken}.
 *
 * @example
 * ```ts
 * const token = issueToken(); // 43 characters, 256 bits
 * ```
 */
export function issueToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new ConfigurationError('issueToken: bytes must be an integer from 16 (128 bits) to 1024');
  }
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

/** Where tokens live, by digest. `findByDigest` returns `null`/`undefined` for an unknown or revoked token. */
export interface TokenStore<U> {
  /** The user of the token whose SHA-256 digest (base64url) is `digest`; `null` or `undefined` when unknown or revoked. */
  findByDigest(digest: string): MaybePromise<U | null | undefined>;
}

/**
 * A `verify` function for `tokenAuth` / `bearerAuth` over a store of digests: the
 * presented token is hashed and looked up by its digest, never compared in
 * plaintext.
 *
 * @example
 * ```ts
 * const backend = tokenAuth({ verify: hashedTokens({ findByDigest: (d) => db.users.byTokenDigest(d) }) });
 * ```
 */
export function hashedTokens<U>(store: TokenStore<U>): (token: string) => Promise<U | null> {
  if (typeof store?.findByDigest !== 'function') throw new ConfigurationError('hashedTokens: store.findByDigest must be a function');
  return async (token) => (await store.findByDigest(await hashToken(token))) ?? null;
}

/**
 * A `verify` function over a fixed list of tokens (service credentials from the
 * environment). Every entry is compared, in constant time, on every request.
 *
 * @example
 * ```ts
 * const backend = tokenAuth({ verify: staticTokens([[process.env.DEPLOY_TOKEN!, new SimpleUser('deploy')]]) });
 * ```
 */
export function staticTokens<U>(entries: Iterable<readonly [token: string, user: U]>): (token: string) => Promise<U | null> {
  const list = [...entries];
  for (const [token] of list) {
    if (typeof token !== 'string' || token.length < 16) {
      throw new ConfigurationError('staticTokens: every token must be a string of at least 16 characters');
    }
  }
  const digests = Promise.all(list.map(async ([token, user]) => ({ digest: await sha256(token), user })));
  return async (token) => {
    const candidate = await sha256(token);
    let found: U | null = null;
    for (const entry of await digests) {
      // No early exit: the time does not depend on which entry matched.
      if (bytesEqual(candidate, entry.digest)) found = entry.user;
    }
    return found;
  };
}

/** An issued token's record in a {@link MemoryTokenStore}. */
interface Entry<U> {
  readonly user: U;
  readonly expiresAt: number | undefined;
}

/**
 * An in-memory {@link TokenStore} holding digests only: for tests, demos and
 * single-process apps. Revocation takes effect on the next request.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore<SimpleUser>();
 * const token = await store.issue(new SimpleUser('bob'));
 * await store.revoke(token);
 * ```
 */
export class MemoryTokenStore<U> implements TokenStore<U> {
  readonly #entries = new Map<string, Entry<U>>();
  readonly #now: () => number;

  constructor(options: { clock?: () => number } = {}) {
    this.#now = options.clock ?? Date.now;
  }

  /** Issues a token for a user; returns the plaintext token (shown once). */
  async issue(user: U, options: { ttlMs?: number } = {}): Promise<string> {
    const ttl = options.ttlMs;
    // NaN would compare false forever: a token meant to expire would never do so.
    if (ttl !== undefined && (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl <= 0)) {
      throw new ConfigurationError('MemoryTokenStore: ttlMs must be a positive, finite number of milliseconds');
    }
    const token = issueToken();
    const expiresAt = ttl === undefined ? undefined : this.#now() + ttl;
    this.#entries.set(await hashToken(token), { user, expiresAt });
    return token;
  }

  /** Revokes a token; true when it existed. */
  async revoke(token: string): Promise<boolean> {
    return this.#entries.delete(await hashToken(token));
  }

  findByDigest(digest: string): U | null {
    const entry = this.#entries.get(digest);
    if (entry === undefined) return null;
    if (entry.expiresAt !== undefined && this.#now() >= entry.expiresAt) {
      this.#entries.delete(digest);
      return null;
    }
    return entry.user;
  }

  /** The stored digests (for inspection: no plaintext token is ever kept). */
  digests(): string[] {
    return [...this.#entries.keys()];
  }
}
