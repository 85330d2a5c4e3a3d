import { formatPhc, parseDecimal, parsePhc } from './phc.js';

/** The parameters of a stored scrypt hash. */
export interface ScryptHash {
  /** N, the CPU/memory cost (a power of two); `ln` is its base-2 logarithm. */
  readonly cost: number;
  /** r, the block size. */
  readonly blockSize: number;
  /** p, the parallelisation. */
  readonly parallelization: number;
  /** The salt bytes. */
  readonly salt: Uint8Array<ArrayBuffer>;
  /** The derived key. */
  readonly hash: Uint8Array<ArrayBuffer>;
}

/**
 * Parses a scrypt PHC string, `$scrypt$ln=17,r=8,p=1$<salt>$<hash>` (passlib's
 * format; `ln` is log2 N). `null` when malformed: `ln` outside 1..63, r or p zero,
 * salt or hash outside 8..64 bytes.
 *
 * @example
 * ```ts
 * parseScrypt('$scrypt$ln=17,r=8,p=1$…$…')?.cost; // 131072
 * ```
 */
export function parseScrypt(stored: string): ScryptHash | null {
  const phc = parsePhc(stored);
  if (phc === null || phc.id !== 'scrypt' || phc.version !== undefined || phc.params.size !== 3) return null;
  const ln = parseDecimal(phc.params.get('ln'));
  const r = parseDecimal(phc.params.get('r'));
  const p = parseDecimal(phc.params.get('p'));
  if (ln === undefined || r === undefined || p === undefined) return null;
  if (ln < 1 || ln > 63 || r < 1 || p < 1) return null;
  if (phc.salt.length < 8 || phc.salt.length > 64 || phc.hash.length < 8 || phc.hash.length > 64) return null;
  return Object.freeze({ cost: 2 ** ln, blockSize: r, parallelization: p, salt: phc.salt, hash: phc.hash });
}

/**
 * Writes a scrypt PHC string (readable by passlib's `scrypt` handler).
 *
 * @example
 * ```ts
 * formatScrypt({ cost: 2 ** 17, blockSize: 8, parallelization: 1, salt, hash }); // '$scrypt$ln=17,r=8,p=1$…$…'
 * ```
 */
export function formatScrypt(parts: { cost: number; blockSize: number; parallelization: number; salt: Uint8Array; hash: Uint8Array }): string {
  return formatPhc({
    id: 'scrypt',
    params: [
      ['ln', Math.log2(parts.cost)],
      ['r', parts.blockSize],
      ['p', parts.parallelization],
    ],
    salt: parts.salt,
    hash: parts.hash,
  });
}
