import { ConfigurationError } from '@portcullis/core';

/**
 * One refresh-token family: every token rotated from one login. Rotation replaces
 * the current token; the family keeps its subject, scopes and absolute expiry.
 */
export interface RefreshFamily {
  /** The family's id: 22 base64url characters (128 random bits), also the first part of each of its tokens. */
  readonly id: string;
  /** The subject (`sub`) its access tokens are issued for. */
  readonly subject: string;
  /** The scopes originally granted; a refresh may narrow them, never widen them (RFC 6749 §6). */
  readonly scopes: readonly string[];
  /** When the family was created (the login), in ms since the epoch. */
  readonly createdAt: number;
  /** The absolute expiry, in ms since the epoch: no rotation extends it. */
  readonly expiresAt: number;
}

/**
 * What {@link RefreshTokenStore.rotate} found:
 * - `rotated`: the token was the family's current one; `next` replaced it.
 * - `reused`: the token is one the family had rotated away — a replay (RFC 9700 §4.14.2).
 *   The store has already deleted the whole family.
 * - `unknown`: no live family with that token (never issued, expired, revoked, or evicted).
 */
export type RotateResult =
  | {
      /** The token was current; the next one replaced it. */
      readonly outcome: 'rotated';
      /** The family it belongs to. */
      readonly family: RefreshFamily;
    }
  | {
      /** The token was rotated away before: a replay; the family is deleted. */
      readonly outcome: 'reused';
      /** The family it belonged to (for the failure log). */
      readonly family: RefreshFamily;
    }
  | {
      /** No live family holds the token. */
      readonly outcome: 'unknown';
    };

/**
 * Where refresh-token families live. Tokens are stored only as hashes (`tokenHash`:
 * the base64url SHA-256 of the token); the raw token never reaches a store.
 *
 * Every method is **required**, returns a promise, and takes `now` from the
 * backend's clock (never its own), so idle and absolute lifetimes follow one clock.
 * A family is dead once `now >= expiresAt` or `now >= ` its idle deadline; a store
 * may drop it any time after that. "Not found" is `undefined` (`family`) or
 * `{ outcome: 'unknown' }` (`rotate`). A store that throws makes the token endpoint
 * answer 503 `temporarily_unavailable`; the token is left as it was.
 *
 * `rotate` must be **atomic**: of two concurrent calls with one token, exactly one
 * gets `rotated`; the other sees a rotated token and gets `reused` (the family dies).
 *
 * @example
 * ```ts
 * const store: RefreshTokenStore = new MemoryRefreshTokenStore();              // one process
 * const shared: RefreshTokenStore = new RedisRefreshTokenStore({ client });    // @portcullis/redis
 * const oauth2 = oauth2PasswordBearer({ ..., refreshTokens: { store: shared, idleTtl: 86_400, absoluteTtl: 2_592_000 } });
 * ```
 */
export interface RefreshTokenStore {
  /**
   * Required. Creates `family` with `tokenHash` as its current token, idle until
   * `idleUntil` (ms since the epoch; never after `family.expiresAt`).
   */
  create(family: RefreshFamily, tokenHash: string, idleUntil: number): Promise<void>;
  /** Required. The live family `familyId` at `now`, or `undefined`. Reads only: checks no token. */
  family(familyId: string, now: number): Promise<RefreshFamily | undefined>;
  /**
   * Required, atomic. If `tokenHash` is the current token of the live family
   * `familyId`: makes `nextHash` current, remembers `tokenHash` as rotated, moves the
   * idle deadline to `min(now + idleTtlMs, expiresAt)`, and answers `rotated`. If
   * `tokenHash` is a token the family rotated away: deletes the family, answers
   * `reused`. Otherwise `unknown`.
   */
  rotate(familyId: string, tokenHash: string, nextHash: string, now: number, idleTtlMs: number): Promise<RotateResult>;
  /** Required. Deletes the family (logout, revocation); a family that is not there is not an error. */
  revoke(familyId: string): Promise<void>;
  /**
   * Required, atomic. Deletes the family `familyId` only when `tokenHash` is its
   * current token or one it rotated away (and still remembers): a revocation must
   * prove it holds a token, not just know the family id. Answers whether it deleted.
   */
  revokeToken(familyId: string, tokenHash: string): Promise<boolean>;
  /**
   * Required. "Log out everywhere" (JWT-30): every family of `subject` created before
   * `notBefore` (ms since the epoch) is dead. Remembered until `until` (ms since the
   * epoch: `notBefore` plus the absolute lifetime, when no such family can live
   * anyway); a later cut-off replaces an earlier one, never the reverse.
   */
  revokeSubject(subject: string, notBefore: number, until: number): Promise<void>;
  /** Required. The live cut-off of `subject` at `now` ({@link revokeSubject}), or `undefined`. */
  subjectNotBefore(subject: string, now: number): Promise<number | undefined>;
}

const METHODS = ['create', 'family', 'rotate', 'revoke', 'revokeToken', 'revokeSubject', 'subjectNotBefore'] as const;

/** Checks that a value implements {@link RefreshTokenStore} (at construction). */
export function checkRefreshTokenStore(store: unknown, who: string): RefreshTokenStore {
  const s = store as Partial<RefreshTokenStore> | null;
  for (const method of METHODS) {
    if (s === null || typeof s !== 'object' || typeof s[method] !== 'function') {
      throw new ConfigurationError(`${who}: refreshTokens.store must implement ${METHODS.map((m) => `${m}()`).join(', ')} (see RefreshTokenStore)`);
    }
  }
  return s as RefreshTokenStore;
}

/** Options of {@link MemoryRefreshTokenStore}. */
export interface MemoryRefreshTokenStoreOptions {
  /** At most this many families are kept; the least recently used goes first. Default 10 000. */
  maxFamilies?: number;
  /** At most this many rotated tokens are remembered per family (for reuse detection); the oldest go first. Default 1000. */
  maxRotated?: number;
}

interface Entry {
  readonly family: RefreshFamily;
  current: string;
  idleUntil: number;
  readonly rotated: Set<string>;
}

/**
 * An in-memory {@link RefreshTokenStore}, for one process (tests, demos, a single
 * server), bounded: at most `maxFamilies` families (the least recently used are
 * evicted: their holders sign in again) and `maxRotated` remembered rotated tokens
 * per family (an older replay reads as unknown: `invalid_grant`, no revocation).
 * A `revokeSubject` cut-off leaves the subject's older families in place until one is
 * presented (refused, deleted and logged by the grant), evicted or expired, as the
 * Redis store does. For several processes use a shared store (`RedisRefreshTokenStore` in `@portcullis/redis`).
 *
 * @example
 * ```ts
 * const oauth2 = oauth2PasswordBearer({
 *   ...options,
 *   refreshTokens: { store: new MemoryRefreshTokenStore({ maxFamilies: 50_000 }), idleTtl: 86_400, absoluteTtl: 30 * 86_400 },
 * });
 * ```
 */
export class MemoryRefreshTokenStore implements RefreshTokenStore {
  readonly #families = new Map<string, Entry>();
  /** Subject → its cut-off and how long it is kept; expired ones are swept as new ones arrive. */
  readonly #subjects = new Map<string, { notBefore: number; until: number }>();
  readonly #maxFamilies: number;
  readonly #maxRotated: number;

  constructor(options: MemoryRefreshTokenStoreOptions = {}) {
    const maxFamilies = options.maxFamilies ?? 10_000;
    const maxRotated = options.maxRotated ?? 1000;
    if (!Number.isInteger(maxFamilies) || maxFamilies < 1) throw new ConfigurationError('MemoryRefreshTokenStore: maxFamilies must be a positive integer');
    if (!Number.isInteger(maxRotated) || maxRotated < 1) throw new ConfigurationError('MemoryRefreshTokenStore: maxRotated must be a positive integer');
    this.#maxFamilies = maxFamilies;
    this.#maxRotated = maxRotated;
  }

  async create(family: RefreshFamily, tokenHash: string, idleUntil: number): Promise<void> {
    const frozen = Object.freeze({ ...family, scopes: Object.freeze([...family.scopes]) });
    this.#families.delete(family.id);
    this.#families.set(family.id, { family: frozen, current: tokenHash, idleUntil: Math.min(idleUntil, family.expiresAt), rotated: new Set() });
    while (this.#families.size > this.#maxFamilies) this.#families.delete(this.#families.keys().next().value as string);
  }

  async family(familyId: string, now: number): Promise<RefreshFamily | undefined> {
    return this.#live(familyId, now)?.family;
  }

  async rotate(familyId: string, tokenHash: string, nextHash: string, now: number, idleTtlMs: number): Promise<RotateResult> {
    const entry = this.#live(familyId, now);
    if (entry === undefined) return { outcome: 'unknown' };
    if (entry.current === tokenHash) {
      entry.rotated.add(tokenHash);
      if (entry.rotated.size > this.#maxRotated) entry.rotated.delete(entry.rotated.values().next().value as string);
      entry.current = nextHash;
      entry.idleUntil = Math.min(now + idleTtlMs, entry.family.expiresAt);
      // Most recently used last: eviction takes the family unused the longest.
      this.#families.delete(familyId);
      this.#families.set(familyId, entry);
      return { outcome: 'rotated', family: entry.family };
    }
    if (entry.rotated.has(tokenHash)) {
      this.#families.delete(familyId);
      return { outcome: 'reused', family: entry.family };
    }
    return { outcome: 'unknown' };
  }

  async revoke(familyId: string): Promise<void> {
    this.#families.delete(familyId);
  }

  async revokeToken(familyId: string, tokenHash: string): Promise<boolean> {
    const entry = this.#families.get(familyId);
    if (entry === undefined || (entry.current !== tokenHash && !entry.rotated.has(tokenHash))) return false;
    this.#families.delete(familyId);
    return true;
  }

  async revokeSubject(subject: string, notBefore: number, until: number): Promise<void> {
    const kept = this.#subjects.get(subject);
    if (kept === undefined || kept.notBefore < notBefore) this.#subjects.set(subject, { notBefore, until: Math.max(until, kept?.until ?? until) });
    // Its families stay until presented (the grant refuses, deletes and logs them:
    // refresh_token_subject_revoked), evicted or expired, as in the Redis store.
    // Not bounded by eviction (forgetting a cut-off would revive families): expired ones go.
    for (const [name, cut] of this.#subjects) if (cut.until <= notBefore) this.#subjects.delete(name);
  }

  async subjectNotBefore(subject: string, now: number): Promise<number | undefined> {
    const cut = this.#subjects.get(subject);
    if (cut === undefined) return undefined;
    if (now >= cut.until) {
      this.#subjects.delete(subject);
      return undefined;
    }
    return cut.notBefore;
  }

  /** The number of families kept (for inspection). */
  get size(): number {
    return this.#families.size;
  }

  #live(familyId: string, now: number): Entry | undefined {
    const entry = this.#families.get(familyId);
    if (entry === undefined) return undefined;
    if (now >= entry.family.expiresAt || now >= entry.idleUntil) {
      this.#families.delete(familyId);
      return undefined;
    }
    return entry;
  }
}
