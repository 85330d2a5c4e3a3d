import type { Hasher } from './hasher.js';
import { pbkdf2FamilyHasher, randomBytes, type Pbkdf2Options } from './pbkdf2-family.js';
import { formatPasslibPbkdf2, parsePasslibPbkdf2 } from './pbkdf2-format.js';

const PREFIX = /^\$pbkdf2(?:-sha256|-sha512)?\$[0-9]/;

/**
 * Reads (and writes) passlib's PBKDF2 hashes: `$pbkdf2-sha256$29000$<salt>$<checksum>`,
 * `$pbkdf2-sha512$…` and `$pbkdf2$…` (SHA-1), in passlib's adapted base64. Use it in
 * the legacy list of a {@link multiHasher} to migrate users of a Python app; new
 * hashes are written in passlib's format with the options' policy (SHA-256, 600,000
 * iterations by default), so a Python service sharing the table can still read them.
 *
 * @example
 * ```ts
 * import { multiHasher, passlibPbkdf2Hasher } from '@portcullis/core/hashing';
 * import { argon2idHasher } from '@portcullis/hashers';
 * const hasher = multiHasher([argon2idHasher(), passlibPbkdf2Hasher()]);
 * await hasher.verify('password', '$pbkdf2-sha256$29000$N2bMWSuFsJbSmtM6xxhDKA$…'); // { ok: true, needsRehash: true }
 * ```
 */
export function passlibPbkdf2Hasher(options?: Pbkdf2Options): Hasher {
  return pbkdf2FamilyHasher(
    {
      id: 'passlib-pbkdf2',
      name: 'passlibPbkdf2Hasher',
      identifies: (stored) => PREFIX.test(stored),
      parse: parsePasslibPbkdf2,
      format: formatPasslibPbkdf2,
      salt: randomBytes,
      digests: ['SHA-256', 'SHA-512'],
      defaultSaltLength: 16,
      minSaltLength: 16,
    },
    { ...options, keyLength: undefined },
  );
}
