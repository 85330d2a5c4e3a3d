import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import {
  ConfigurationError,
  DEFAULT_MAX_PASSWORD_BYTES,
  encodePassword,
  formatScrypt,
  parseScrypt,
  type Hasher,
  type ScryptHash,
  type VerifyOutcome,
} from '@portcullis/core/hashing';
import { bytesForVerify, FAILED, integerOption, isOutcome, kdfFailure, REFUSED } from './internal.js';
import { resolveBound, withBound, type BoundOption } from './bound.js';

/** Stored parameters above these are refused before computing (DOS-13). */
export interface ScryptLimits {
  /** Largest memory (128·N·r bytes) accepted. Default 1 GiB. */
  maxMemory?: number;
  /** Largest p accepted. Default 16. */
  maxParallelization?: number;
}

/** Options of {@link scryptHasher} (names as in Node's `crypto.scrypt`). Defaults are OWASP's headline line. */
export interface ScryptHasherOptions {
  /** N, a power of two. Default 2^17 (128 MiB with r=8). */
  cost?: number;
  /** r. Default 8. */
  blockSize?: number;
  /** p. Default 1. */
  parallelization?: number;
  /** Derived key length in bytes (16..64). Default 32. */
  keyLength?: number;
  /** Salt length in bytes (16..64). Default 16. */
  saltLength?: number;
  /** Passwords over this many UTF-8 bytes are refused before hashing. Default 1024. */
  maxPasswordBytes?: number;
  /** Refusal limits for stored hashes. */
  limits?: ScryptLimits;
  /**
   * At most this many hashes at once and in line (a full queue refuses with
   * `hasher_busy`, nothing hashed): a `hashingBound(...)` to share, `{ concurrency, queue }`,
   * or `false` for none. Default: the process-wide `nodeHashingBound()` (libuv's pool size, 4×
   * that in line).
   */
  bound?: BoundOption;
}

/**
 * The `maxmem` to pass: what scrypt needs (OpenSSL counts 128·r·(N+2) for V plus
 * 128·r·p for B) and 32 MiB of headroom; it is a ceiling, not an allocation. Node's
 * default, 32 MiB, is below OWASP's N=2^17, r=8, which needs 128 MiB (PWD-02).
 */
function maxmemFor(n: number, r: number, p: number): number {
  return 128 * r * (n + 2 + p) + 32 * 1024 * 1024;
}

/** Node reports unusable parameters with these codes: that is a `{ ok: false }`, not a failure. */
function isInputError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === 'string' && (code.startsWith('ERR_CRYPTO_INVALID') || code === 'ERR_OUT_OF_RANGE' || code === 'ERR_INVALID_ARG_VALUE');
}

function scryptAsync(password: Uint8Array, salt: Uint8Array, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

/**
 * scrypt through Node's `crypto.scrypt` (on libuv's thread pool: the event loop stays
 * free), with `maxmem` raised to what the parameters need. Defaults are OWASP's: N=2^17,
 * r=8, p=1, a 16-byte salt, a 32-byte key, stored as `$scrypt$ln=17,r=8,p=1$…$…`
 * (passlib's format, which it verifies too). `needsRehash` is true when the stored
 * memory (N·r) or work (N·r·p) is below the policy's. Stored parameters over the
 * limits (128·N·r > 1 GiB, p > 16) verify as `{ ok: false, refused: 'hash_parameters_refused' }`
 * without computing.
 *
 * @throws {ConfigurationError} on unusable options, at construction.
 * @example
 * ```ts
 * import { scryptHasher } from '@portcullis/hashers';
 * const hasher = scryptHasher();
 * const stored = await hasher.hash('correct horse battery staple');  // '$scrypt$ln=17,r=8,p=1$…'
 * await hasher.verify('correct horse battery staple', stored);       // { ok: true, needsRehash: false }
 * ```
 */
export function scryptHasher(options: ScryptHasherOptions = {}): Hasher {
  const where = 'scryptHasher';
  const bound = resolveBound(where, options.bound);
  const limits = options.limits ?? {};
  const maxMemory = integerOption(where, 'limits.maxMemory', limits.maxMemory ?? 2 ** 30, 1024, 2 ** 40);
  const maxParallelization = integerOption(where, 'limits.maxParallelization', limits.maxParallelization ?? 16, 1, 1024);
  const cost = integerOption(where, 'cost', options.cost ?? 2 ** 17, 2, 2 ** 40);
  if (!Number.isInteger(Math.log2(cost))) throw new ConfigurationError(`${where}: cost must be a power of two`);
  const blockSize = integerOption(where, 'blockSize', options.blockSize ?? 8, 1, 1024);
  const parallelization = integerOption(where, 'parallelization', options.parallelization ?? 1, 1, maxParallelization);
  const keyLength = integerOption(where, 'keyLength', options.keyLength ?? 32, 16, 64);
  const saltLength = integerOption(where, 'saltLength', options.saltLength ?? 16, 16, 64);
  const maxPasswordBytes = integerOption(where, 'maxPasswordBytes', options.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES, 1, 2 ** 30);
  if (128 * cost * blockSize > maxMemory) throw new ConfigurationError(`${where}: 128 * cost * blockSize exceeds limits.maxMemory`);
  const policy = Object.freeze({ N: cost, r: blockSize, p: parallelization, maxmem: maxmemFor(cost, blockSize, parallelization) });

  /** The stored hash, if it may be computed; else the answer: `FAILED` when malformed, `REFUSED` over the limits. */
  function admissible(stored: string): ScryptHash | VerifyOutcome {
    const parsed = parseScrypt(stored);
    if (parsed === null) return FAILED;
    if (128 * parsed.cost * parsed.blockSize > maxMemory || parsed.parallelization > maxParallelization) return REFUSED;
    return parsed;
  }

  function paramsOf(stored: ScryptHash): ScryptOptions {
    const { cost: N, blockSize: r, parallelization: p } = stored;
    return { N, r, p, maxmem: maxmemFor(N, r, p) };
  }

  function result(derived: Uint8Array, stored: ScryptHash): VerifyOutcome {
    if (!timingSafeEqual(derived, stored.hash)) return FAILED;
    const memory = stored.cost * stored.blockSize;
    const needsRehash = memory < cost * blockSize || memory * stored.parallelization < cost * blockSize * parallelization;
    return Object.freeze({ ok: true, needsRehash });
  }

  return withBound(Object.freeze({
    id: 'scrypt',
    maxPasswordBytes,
    identifies: (stored: string) => typeof stored === 'string' && stored.startsWith('$scrypt$'),
    async hash(password: string): Promise<string> {
      const bytes = encodePassword(password, maxPasswordBytes);
      const salt = randomBytes(saltLength);
      let key: Buffer;
      try {
        key = await scryptAsync(bytes, salt, keyLength, policy);
      } catch (cause) {
        throw kdfFailure(cause);
      }
      return formatScrypt({ cost, blockSize, parallelization, salt, hash: key });
    },
    async verify(password: string, stored: string): Promise<VerifyOutcome> {
      const bytes = bytesForVerify(password, maxPasswordBytes);
      if (bytes === null) return FAILED;
      const parsed = admissible(stored);
      if (isOutcome(parsed)) return parsed;
      try {
        return result(await scryptAsync(bytes, parsed.salt, parsed.hash.length, paramsOf(parsed)), parsed);
      } catch (cause) {
        if (isInputError(cause)) return FAILED;
        throw kdfFailure(cause);
      }
    },
    hashSync(password: string): string {
      const bytes = encodePassword(password, maxPasswordBytes);
      const salt = randomBytes(saltLength);
      let key: Buffer;
      try {
        key = scryptSync(bytes, salt, keyLength, policy);
      } catch (cause) {
        throw kdfFailure(cause);
      }
      return formatScrypt({ cost, blockSize, parallelization, salt, hash: key });
    },
    verifySync(password: string, stored: string): VerifyOutcome {
      const bytes = bytesForVerify(password, maxPasswordBytes);
      if (bytes === null) return FAILED;
      const parsed = admissible(stored);
      if (isOutcome(parsed)) return parsed;
      try {
        return result(scryptSync(bytes, parsed.salt, parsed.hash.length, paramsOf(parsed)), parsed);
      } catch (cause) {
        if (isInputError(cause)) return FAILED;
        throw kdfFailure(cause);
      }
    },
  }), bound);
}
