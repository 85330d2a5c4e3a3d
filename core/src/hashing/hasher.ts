/**
 * The result of a password verification, returned as a value (no shared state), so
 * concurrent logins cannot read each other's "needs update" flag.
 */
export interface VerifyOutcome {
  /** The password matches the stored hash. */
  readonly ok: boolean;
  /**
   * The stored hash should be replaced (another algorithm, or weaker parameters than
   * the current policy). Only meaningful when `ok` is true.
   */
  readonly needsRehash: boolean;
  /**
   * Set when the stored hash was refused without computing because its parameters
   * exceed the hasher's safe maxima (DOS-13): a security event, logged as
   * `hash_parameters_refused`. `ok` is then false.
   */
  readonly refused?: 'hash_parameters_refused';
}

/**
 * A password hasher. Hashes are stored as PHC strings (or a format the hasher
 * documents). Malformed, unknown or over-expensive stored values verify as
 * `{ ok: false }`; they never throw and never fall back to a plaintext compare.
 *
 * @example
 * ```ts
 * const stored = await hasher.hash('correct horse');
 * const { ok, needsRehash } = await hasher.verify('correct horse', stored);
 * ```
 */
export interface Hasher {
  /** A stable identifier of the algorithm and format (`argon2id`, `pbkdf2-sha256`, …). */
  readonly id: string;
  /** Hashes a password with a fresh salt and the current parameters. */
  hash(password: string): Promise<string>;
  /** Verifies a password against a stored hash. */
  verify(password: string, stored: string): Promise<VerifyOutcome>;
  /**
   * The longest password `hash` accepts, in UTF-8 bytes, as the algorithm counts it
   * (bcrypt: 72; the others: their `maxPasswordBytes` cap, default 1024). A
   * `passwordPolicy({ hasher })` takes its maximum from here. Optional for custom hashers.
   */
  readonly maxPasswordBytes?: number;
  /**
   * True when this hasher's hashes depend on a secret pepper: set by `pepperedHasher`,
   * and passed on by a `multiHasher` whose current member is peppered and by a
   * `wrappedHasher` around a peppered one. A `multiHasher` refuses a peppered member
   * behind an unpeppered current one, which would rehash peppered hashes without the
   * pepper. Optional for custom hashers.
   */
  readonly peppered?: boolean;
  /** True when `stored` is in a format this hasher reads (used by multi-hashers to dispatch). */
  identifies(stored: string): boolean;
  /** Synchronous variants, where the algorithm allows it (they block the event loop). */
  hashSync?(password: string): string;
  /** The same check without a promise, for hashers that can run it synchronously (cheap or cached verifications). */
  verifySync?(password: string, stored: string): VerifyOutcome;
}
