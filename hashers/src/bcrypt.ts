import { hash as bcryptHash, hashSync as bcryptHashSync, verify as bcryptVerify, verifySync as bcryptVerifySync } from '@node-rs/bcrypt';
import {
  DEFAULT_MAX_PASSWORD_BYTES,
  encodePassword,
  HashingError,
  parseBcrypt,
  type BcryptHash,
  type Hasher,
  type VerifyOutcome,
} from '@portcullis/core/hashing';
import { bytesForVerify, FAILED, integerOption, isOutcome, kdfFailure, REFUSED } from './internal.js';
import { resolveBound, withBound, type BoundOption } from './bound.js';

/** bcrypt reads at most this many password bytes; Portcullis refuses longer passwords instead of truncating. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

/** Options of {@link bcryptHasher}. */
export interface BcryptHasherOptions {
  /** The work factor of new hashes (2^cost rounds), 10..`maxCost`. Default 12. */
  cost?: number;
  /** Stored hashes with a higher cost are refused before computing (DOS-13). Default 16. */
  maxCost?: number;
  /** Passwords over this many UTF-8 bytes are refused before hashing. Default 1024 (bcrypt's own 72 applies too). */
  maxPasswordBytes?: number;
  /**
   * At most this many hashes at once and in line (a full queue refuses with
   * `hasher_busy`, nothing hashed): a `hashingBound(...)` to share, `{ concurrency, queue }`,
   * or `false` for none. Default: the process-wide `nodeHashingBound()` (libuv's pool size, 4×
   * that in line).
   */
  bound?: BoundOption;
}

/** What bcrypt would not hash exactly, or null. */
function bcryptRefusal(bytes: Uint8Array): 'password_too_long_for_algorithm' | 'password_contains_nul' | null {
  if (bytes.length > BCRYPT_MAX_PASSWORD_BYTES) return 'password_too_long_for_algorithm';
  if (bytes.includes(0)) return 'password_contains_nul';
  return null;
}

/**
 * bcrypt through `@node-rs/bcrypt` (native, on libuv's thread pool), for legacy systems
 * and migrations: argon2id is the default. New hashes are `$2b$`, cost 12 (at least 10,
 * ASVS 2.4.4). Passwords over 72 UTF-8 bytes or containing NUL are refused — `hash`
 * throws `password_too_long_for_algorithm` / `password_contains_nul`, `verify` answers
 * `{ ok: false }` — instead of being silently truncated (PWD-06; policy 4). Verifies
 * `$2a$`, `$2b$` and `$2y$` (which are the same algorithm for such passwords);
 * `needsRehash` is true when the stored cost is below the policy's. Stored costs over
 * `maxCost` (16) verify as `{ ok: false, refused: 'hash_parameters_refused' }` without computing.
 *
 * @throws {ConfigurationError} on unusable options, at construction.
 * @example
 * ```ts
 * import { bcryptHasher } from '@portcullis/hashers';
 * const hasher = bcryptHasher({ cost: 12 });
 * await hasher.verify('correct horse battery staple', '$2b$10$…'); // { ok: true, needsRehash: true }
 * ```
 */
export function bcryptHasher(options: BcryptHasherOptions = {}): Hasher {
  const where = 'bcryptHasher';
  const bound = resolveBound(where, options.bound);
  const maxCost = integerOption(where, 'maxCost', options.maxCost ?? 16, 10, 31);
  const cost = integerOption(where, 'cost', options.cost ?? 12, 10, maxCost);
  const maxPasswordBytes = integerOption(where, 'maxPasswordBytes', options.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES, 1, 2 ** 30);
  const params = cost;
  // @node-rs/bcrypt 1.10 labels its output $2y$; $2y$ and $2b$ are the same algorithm
  // (both fixed the 2011 8-bit bug), and $2b$ is what every other producer writes.
  const as2b = (hash: string): string => (hash.startsWith('$2y$') ? `$2b$${hash.slice(4)}` : hash);

  function hashable(password: string): Uint8Array<ArrayBuffer> {
    const bytes = encodePassword(password, maxPasswordBytes);
    const refusal = bcryptRefusal(bytes);
    if (refusal !== null) throw new HashingError(refusal);
    return bytes;
  }

  /** The password and the stored hash, if they may be computed; else the answer (`REFUSED` over `maxCost`). */
  function verifiable(password: string, stored: string): [Uint8Array<ArrayBuffer>, BcryptHash] | VerifyOutcome {
    const bytes = bytesForVerify(password, maxPasswordBytes);
    if (bytes === null || bcryptRefusal(bytes) !== null) return FAILED;
    const parsed = parseBcrypt(stored);
    if (parsed === null) return FAILED;
    if (parsed.cost > maxCost) return REFUSED;
    return [bytes, parsed];
  }

  const result = (ok: boolean, stored: BcryptHash): VerifyOutcome =>
    ok ? Object.freeze({ ok: true, needsRehash: stored.cost < cost }) : FAILED;

  return withBound(Object.freeze({
    id: 'bcrypt',
    maxPasswordBytes: Math.min(maxPasswordBytes, BCRYPT_MAX_PASSWORD_BYTES),
    identifies: (stored: string) => typeof stored === 'string' && /^\$2[abxy]\$/.test(stored),
    async hash(password: string): Promise<string> {
      const bytes = hashable(password);
      try {
        return as2b(await bcryptHash(bytes, params));
      } catch (cause) {
        throw kdfFailure(cause);
      }
    },
    async verify(password: string, stored: string): Promise<VerifyOutcome> {
      const input = verifiable(password, stored);
      if (isOutcome(input)) return input;
      try {
        return result(await bcryptVerify(input[0], stored), input[1]);
      } catch (cause) {
        throw kdfFailure(cause);
      }
    },
    hashSync(password: string): string {
      const bytes = hashable(password);
      try {
        return as2b(bcryptHashSync(bytes, params));
      } catch (cause) {
        throw kdfFailure(cause);
      }
    },
    verifySync(password: string, stored: string): VerifyOutcome {
      const input = verifiable(password, stored);
      if (isOutcome(input)) return input;
      try {
        return result(bcryptVerifySync(input[0], stored), input[1]);
      } catch (cause) {
        throw kdfFailure(cause);
      }
    },
  }), bound);
}
