import { MAX_STORED_LENGTH } from './password-bytes.js';

/** The parameters of a stored bcrypt hash. */
export interface BcryptHash {
  /** `2b` (OpenBSD, current), `2y` (PHP's name for the same), `2a` (older). */
  readonly version: '2a' | '2b' | '2y';
  /** The work factor: 2^cost rounds. */
  readonly cost: number;
}

const BCRYPT = /^\$(2[aby])\$(0[4-9]|[12][0-9]|3[01])\$[./A-Za-z0-9]{53}$/;

/**
 * Parses a modular-crypt bcrypt hash, `$2b$12$<22 salt chars><31 hash chars>`.
 * `$2x$` (the broken crypt_blowfish variant) and costs outside 4..31 are `null`.
 *
 * @example
 * ```ts
 * parseBcrypt('$2b$12$…')?.cost; // 12
 * ```
 */
export function parseBcrypt(stored: string): BcryptHash | null {
  if (typeof stored !== 'string' || stored.length > MAX_STORED_LENGTH) return null;
  const match = BCRYPT.exec(stored);
  if (match === null) return null;
  return Object.freeze({ version: match[1] as BcryptHash['version'], cost: Number(match[2]) });
}
