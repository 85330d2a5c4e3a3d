import { decodeAb64, decodeBase64, encodeAb64, encodeBase64 } from './base64.js';
import { formatPhc, parseDecimal, parsePhc } from './phc.js';
import { MAX_STORED_LENGTH } from './password-bytes.js';

/** The HMAC digests PBKDF2 hashes are found with (names as in Web Crypto). */
export type Pbkdf2Digest = 'SHA-1' | 'SHA-256' | 'SHA-512';

/** The parameters of a stored PBKDF2 hash, whatever its format. */
export interface Pbkdf2Hash {
  /** The HMAC digest (`sha256`, `sha1`…). */
  readonly digest: Pbkdf2Digest;
  /** The iteration count. */
  readonly iterations: number;
  /** The salt bytes (for Django: the UTF-8 bytes of the salt text). */
  readonly salt: Uint8Array<ArrayBuffer>;
  /** The derived key. */
  readonly hash: Uint8Array<ArrayBuffer>;
}

/** Output size of each digest, in bytes. @internal */
export const DIGEST_BYTES: Readonly<Record<Pbkdf2Digest, number>> = Object.freeze({ 'SHA-1': 20, 'SHA-256': 32, 'SHA-512': 64 });

const PHC_IDS: Readonly<Record<string, Pbkdf2Digest>> = Object.freeze({
  'pbkdf2-sha1': 'SHA-1',
  'pbkdf2-sha256': 'SHA-256',
  'pbkdf2-sha512': 'SHA-512',
});
const PHC_NAMES: Readonly<Record<Pbkdf2Digest, string>> = Object.freeze({
  'SHA-1': 'pbkdf2-sha1',
  'SHA-256': 'pbkdf2-sha256',
  'SHA-512': 'pbkdf2-sha512',
});

/**
 * Parses Portcullis's PBKDF2 PHC string, `$pbkdf2-sha256$i=600000$<salt>$<hash>`
 * (also `-sha512` and `-sha1`; unpadded standard base64). The derived key must be
 * 16..64 bytes. `null` when malformed.
 *
 * @example
 * ```ts
 * parsePbkdf2('$pbkdf2-sha256$i=600000$…$…')?.iterations; // 600000
 * ```
 */
export function parsePbkdf2(stored: string): Pbkdf2Hash | null {
  const phc = parsePhc(stored);
  if (phc === null || !Object.hasOwn(PHC_IDS, phc.id) || phc.version !== undefined || phc.params.size !== 1) return null;
  const iterations = parseDecimal(phc.params.get('i'));
  if (iterations === undefined || iterations < 1) return null;
  if (phc.hash.length < 16 || phc.hash.length > 64 || phc.salt.length > 64) return null;
  return Object.freeze({ digest: PHC_IDS[phc.id] as Pbkdf2Digest, iterations, salt: phc.salt, hash: phc.hash });
}

/**
 * Writes Portcullis's PBKDF2 PHC string.
 *
 * @example
 * ```ts
 * formatPbkdf2({ digest: 'SHA-256', iterations: 600000, salt, hash }); // '$pbkdf2-sha256$i=600000$…$…'
 * ```
 */
export function formatPbkdf2(parts: Pbkdf2Hash): string {
  return formatPhc({ id: PHC_NAMES[parts.digest], params: [['i', parts.iterations]], salt: parts.salt, hash: parts.hash });
}

const PASSLIB = /^\$(pbkdf2|pbkdf2-sha256|pbkdf2-sha512)\$(0|[1-9][0-9]{0,9})\$([A-Za-z0-9./+]*)\$([A-Za-z0-9./+]+)$/;
const PASSLIB_DIGESTS: Readonly<Record<string, Pbkdf2Digest>> = Object.freeze({
  pbkdf2: 'SHA-1',
  'pbkdf2-sha256': 'SHA-256',
  'pbkdf2-sha512': 'SHA-512',
});
const PASSLIB_IDENTS: Readonly<Record<Pbkdf2Digest, string>> = Object.freeze({
  'SHA-1': 'pbkdf2',
  'SHA-256': 'pbkdf2-sha256',
  'SHA-512': 'pbkdf2-sha512',
});

/**
 * Parses passlib's PBKDF2 hashes: `$pbkdf2-sha256$<rounds>$<salt>$<checksum>`,
 * `$pbkdf2-sha512$…` and `$pbkdf2$…` (SHA-1), with salt and checksum in passlib's
 * "adapted base64" (`.` for `+`, no padding). The checksum must be the digest's full
 * size, as passlib writes it. `null` when malformed.
 *
 * @example
 * ```ts
 * parsePasslibPbkdf2('$pbkdf2-sha256$29000$N2bMWSuFsJbSmtM6xxhDKA$ULHT…')?.iterations; // 29000
 * ```
 */
export function parsePasslibPbkdf2(stored: string): Pbkdf2Hash | null {
  if (typeof stored !== 'string' || stored.length > MAX_STORED_LENGTH) return null;
  const match = PASSLIB.exec(stored);
  if (match === null) return null;
  const digest = PASSLIB_DIGESTS[match[1] as string] as Pbkdf2Digest;
  const iterations = parseDecimal(match[2]);
  const salt = decodeAb64(match[3] as string);
  const hash = decodeAb64(match[4] as string);
  if (iterations === undefined || iterations < 1 || salt === null || hash === null) return null;
  if (hash.length !== DIGEST_BYTES[digest] || salt.length > 256) return null;
  return Object.freeze({ digest, iterations, salt, hash });
}

/**
 * Writes passlib's PBKDF2 format (readable by `passlib.hash.pbkdf2_sha256` and friends).
 *
 * @example
 * ```ts
 * formatPasslibPbkdf2({ digest: 'SHA-256', iterations: 29000, salt, hash }); // '$pbkdf2-sha256$29000$…$…'
 * ```
 */
export function formatPasslibPbkdf2(parts: Pbkdf2Hash): string {
  return `$${PASSLIB_IDENTS[parts.digest]}$${parts.iterations}$${encodeAb64(parts.salt)}$${encodeAb64(parts.hash)}`;
}

const DJANGO = /^pbkdf2_(sha256|sha1)\$(0|[1-9][0-9]{0,9})\$([^$]{1,128})\$([A-Za-z0-9+/=]+)$/;
const encoder = new TextEncoder();

/**
 * Parses Django's PBKDF2 hashes: `pbkdf2_sha256$<iterations>$<salt>$<hash>` (and
 * `pbkdf2_sha1$…`), the salt used as text (its UTF-8 bytes), the hash in padded
 * standard base64 and the digest's full size. `null` when malformed.
 *
 * @example
 * ```ts
 * parseDjangoPbkdf2('pbkdf2_sha256$260000$QwEY…$Kz1…=')?.iterations; // 260000
 * ```
 */
export function parseDjangoPbkdf2(stored: string): Pbkdf2Hash | null {
  if (typeof stored !== 'string' || stored.length > MAX_STORED_LENGTH) return null;
  const match = DJANGO.exec(stored);
  if (match === null) return null;
  const digest: Pbkdf2Digest = match[1] === 'sha1' ? 'SHA-1' : 'SHA-256';
  const iterations = parseDecimal(match[2]);
  const hash = decodeBase64(match[4] as string);
  if (iterations === undefined || iterations < 1 || hash === null || hash.length !== DIGEST_BYTES[digest]) return null;
  return Object.freeze({ digest, iterations, salt: encoder.encode(match[3] as string), hash });
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Writes Django's PBKDF2 format (readable by `django.contrib.auth.hashers`). The salt
 * must be UTF-8 text without `$`, as Django's own salts are.
 *
 * @example
 * ```ts
 * formatDjangoPbkdf2({ digest: 'SHA-256', iterations: 600000, salt: new TextEncoder().encode(salt), hash });
 * ```
 */
export function formatDjangoPbkdf2(parts: Pbkdf2Hash): string {
  if (parts.digest === 'SHA-512') throw new RangeError('Django has no pbkdf2_sha512 hasher');
  const salt = decoder.decode(parts.salt);
  if (salt.includes('$') || salt.length === 0) throw new RangeError('a Django salt is non-empty text without "$"');
  return `pbkdf2_${parts.digest === 'SHA-1' ? 'sha1' : 'sha256'}$${parts.iterations}$${salt}$${encodeBase64(parts.hash)}`;
}
