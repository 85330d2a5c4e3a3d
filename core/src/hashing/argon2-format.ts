import { parseDecimal, parsePhc } from './phc.js';

/** The Argon2 variants. `argon2id` is the one to hash with. */
export type Argon2Variant = 'argon2id' | 'argon2i' | 'argon2d';

/** The parameters of a stored Argon2 hash. */
export interface Argon2Hash {
  /** `argon2id`, `argon2i` or `argon2d`. */
  readonly variant: Argon2Variant;
  /** 19 (0x13, current) or 16 (0x10). */
  readonly version: 16 | 19;
  /** `m`, in KiB. */
  readonly memoryCost: number;
  /** `t`, the number of passes. */
  readonly timeCost: number;
  /** `p`, the number of lanes. */
  readonly parallelism: number;
  /** The salt bytes. */
  readonly salt: Uint8Array<ArrayBuffer>;
  /** The derived key. */
  readonly hash: Uint8Array<ArrayBuffer>;
}

const VARIANTS: ReadonlySet<string> = new Set(['argon2id', 'argon2i', 'argon2d']);

/**
 * Parses an Argon2 PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, as
 * written by the reference implementation, argon2-cffi, passlib and `@node-rs/argon2`).
 * Checks the limits of RFC 9106 (m ≥ 8p, salt ≥ 8 bytes, 4 ≤ hash ≤ 64 bytes,
 * salt ≤ 48 bytes); cost limits are the hasher's job. `null` when malformed.
 *
 * @example
 * ```ts
 * parseArgon2(user.passwordHash)?.memoryCost; // 19456
 * ```
 */
export function parseArgon2(stored: string): Argon2Hash | null {
  const phc = parsePhc(stored);
  if (phc === null || !VARIANTS.has(phc.id) || (phc.version !== 16 && phc.version !== 19)) return null;
  if (phc.params.size !== 3) return null;
  const memoryCost = parseDecimal(phc.params.get('m'));
  const timeCost = parseDecimal(phc.params.get('t'));
  const parallelism = parseDecimal(phc.params.get('p'));
  if (memoryCost === undefined || timeCost === undefined || parallelism === undefined) return null;
  if (timeCost < 1 || parallelism < 1 || parallelism > 0xff_ffff || memoryCost < 8 * parallelism) return null;
  if (phc.salt.length < 8 || phc.salt.length > 48 || phc.hash.length < 4 || phc.hash.length > 64) return null;
  return Object.freeze({
    variant: phc.id as Argon2Variant,
    version: phc.version,
    memoryCost,
    timeCost,
    parallelism,
    salt: phc.salt,
    hash: phc.hash,
  });
}
