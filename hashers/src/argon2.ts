import { hash as argon2Hash, hashSync as argon2HashSync, verify as argon2Verify, verifySync as argon2VerifySync } from '@node-rs/argon2';
import type { Algorithm, Options, Version } from '@node-rs/argon2';
import {
  DEFAULT_MAX_PASSWORD_BYTES,
  encodePassword,
  parseArgon2,
  type Argon2Hash,
  type Hasher,
  type VerifyOutcome,
} from '@portcullis/core/hashing';
import { bytesForVerify, FAILED, integerOption, isOutcome, kdfFailure, REFUSED } from './internal.js';
import { resolveBound, withBound, type BoundOption } from './bound.js';

/** Stored parameters above these are refused before computing (DOS-13). */
export interface Argon2Limits {
  /** Largest `m` accepted, in KiB. Default 1048576 (1 GiB). */
  maxMemoryCost?: number;
  /** Largest `t` accepted. Default 10. */
  maxTimeCost?: number;
  /** Largest `p` accepted. Default 16. */
  maxParallelism?: number;
}

/** Options of {@link argon2idHasher}. Defaults are OWASP's headline line. */
export interface Argon2idHasherOptions {
  /** `m` in KiB. Default 19456 (19 MiB). */
  memoryCost?: number;
  /** `t`, passes over memory. Default 2. */
  timeCost?: number;
  /** `p`, lanes. Default 1. */
  parallelism?: number;
  /** Output length in bytes (16..64). Default 32. */
  hashLength?: number;
  /** Passwords over this many UTF-8 bytes are refused before hashing. Default 1024. */
  maxPasswordBytes?: number;
  /** Refusal limits for stored hashes. */
  limits?: Argon2Limits;
  /**
   * At most this many hashes at once and in line (a full queue refuses with
   * `hasher_busy`, nothing hashed): a `hashingBound(...)` to share, `{ concurrency, queue }`,
   * or `false` for none. Default: the process-wide `nodeHashingBound()` (libuv's pool size, 4×
   * that in line).
   */
  bound?: BoundOption;
}

// `Algorithm` and `Version` are const enums in the declarations, which isolated
// modules can't read: their values are spelled out here.
const ARGON2ID = 2 as Algorithm;
const V0x13 = 1 as Version;

/** The binding reports malformed input as `InvalidArg`: that is a `{ ok: false }`, not a failure. */
function isInputError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'InvalidArg';
}

/**
 * Argon2id through `@node-rs/argon2` (native, on libuv's thread pool: the event loop
 * stays free). Defaults are OWASP's: m=19456 KiB, t=2, p=1, a 16-byte salt, a 32-byte
 * hash, stored as `$argon2id$v=19$m=19456,t=2,p=1$…$…`. Verifies argon2id, argon2i and
 * argon2d (v=19 and v=16) from any producer (argon2-cffi, passlib, libsodium…).
 * `needsRehash` is true for another variant or version, a smaller `m`, or a smaller
 * `m·t` than the policy — never for a stronger hash (PWD-22). Stored parameters over
 * the limits (m > 1 GiB, t > 10, p > 16) verify as `{ ok: false, refused: 'hash_parameters_refused' }`
 * without computing.
 *
 * @throws {ConfigurationError} on unusable options, at construction.
 * @example
 * ```ts
 * import { argon2idHasher } from '@portcullis/hashers';
 * const hasher = argon2idHasher();
 * const stored = await hasher.hash('correct horse battery staple');
 * const { ok, needsRehash } = await hasher.verify('correct horse battery staple', stored);
 * ```
 */
export function argon2idHasher(options: Argon2idHasherOptions = {}): Hasher {
  const where = 'argon2idHasher';
  const bound = resolveBound(where, options.bound);
  const limits = options.limits ?? {};
  const maxMemoryCost = integerOption(where, 'limits.maxMemoryCost', limits.maxMemoryCost ?? 1_048_576, 8, 0xffff_ffff);
  const maxTimeCost = integerOption(where, 'limits.maxTimeCost', limits.maxTimeCost ?? 10, 1, 0xffff_ffff);
  const maxParallelism = integerOption(where, 'limits.maxParallelism', limits.maxParallelism ?? 16, 1, 255);
  const parallelism = integerOption(where, 'parallelism', options.parallelism ?? 1, 1, maxParallelism);
  const memoryCost = integerOption(where, 'memoryCost', options.memoryCost ?? 19_456, 8 * parallelism, maxMemoryCost);
  const timeCost = integerOption(where, 'timeCost', options.timeCost ?? 2, 1, maxTimeCost);
  const hashLength = integerOption(where, 'hashLength', options.hashLength ?? 32, 16, 64);
  const maxPasswordBytes = integerOption(where, 'maxPasswordBytes', options.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES, 1, 2 ** 30);
  const params: Options = Object.freeze({ memoryCost, timeCost, parallelism, outputLen: hashLength, algorithm: ARGON2ID, version: V0x13 });

  /** The stored hash, if it may be computed; else the answer: `FAILED` when malformed, `REFUSED` over the limits. */
  function admissible(stored: string): Argon2Hash | VerifyOutcome {
    const parsed = parseArgon2(stored);
    if (parsed === null) return FAILED;
    if (parsed.memoryCost > maxMemoryCost || parsed.timeCost > maxTimeCost || parsed.parallelism > maxParallelism) return REFUSED;
    return parsed;
  }

  function weaker(stored: Argon2Hash): boolean {
    return (
      stored.variant !== 'argon2id' ||
      stored.version !== 19 ||
      stored.memoryCost < memoryCost ||
      stored.memoryCost * stored.timeCost < memoryCost * timeCost
    );
  }

  function result(ok: boolean, stored: Argon2Hash): VerifyOutcome {
    return ok ? Object.freeze({ ok: true, needsRehash: weaker(stored) }) : FAILED;
  }

  return withBound(Object.freeze({
    id: 'argon2id',
    maxPasswordBytes,
    identifies: (stored: string) => typeof stored === 'string' && /^\$argon2(?:id|i|d)\$/.test(stored),
    async hash(password: string): Promise<string> {
      const bytes = encodePassword(password, maxPasswordBytes);
      try {
        return await argon2Hash(bytes, params);
      } catch (cause) {
        throw kdfFailure(cause);
      }
    },
    async verify(password: string, stored: string): Promise<VerifyOutcome> {
      const bytes = bytesForVerify(password, maxPasswordBytes);
      if (bytes === null) return FAILED;
      const parsed = admissible(stored);
      if (isOutcome(parsed)) return parsed;
      try {
        return result(await argon2Verify(stored, bytes), parsed);
      } catch (cause) {
        if (isInputError(cause)) return FAILED;
        throw kdfFailure(cause);
      }
    },
    hashSync(password: string): string {
      const bytes = encodePassword(password, maxPasswordBytes);
      try {
        return argon2HashSync(bytes, params);
      } catch (cause) {
        throw kdfFailure(cause);
      }
    },
    verifySync(password: string, stored: string): VerifyOutcome {
      const bytes = bytesForVerify(password, maxPasswordBytes);
      if (bytes === null) return FAILED;
      const parsed = admissible(stored);
      if (isOutcome(parsed)) return parsed;
      try {
        return result(argon2VerifySync(stored, bytes), parsed);
      } catch (cause) {
        if (isInputError(cause)) return FAILED;
        throw kdfFailure(cause);
      }
    },
  }), bound);
}
