import type { Hasher } from './hasher.js';
import { pbkdf2FamilyHasher, type Pbkdf2Options } from './pbkdf2-family.js';
import { formatDjangoPbkdf2, parseDjangoPbkdf2 } from './pbkdf2-format.js';

const PREFIX = /^pbkdf2_(?:sha256|sha1)\$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const encoder = new TextEncoder();

/** A Django-style salt: `length` random characters of [a-zA-Z0-9], without modulo bias. */
function djangoSalt(length: number): Uint8Array<ArrayBuffer> {
  let salt = '';
  while (salt.length < length) {
    for (const byte of crypto.getRandomValues(new Uint8Array(length * 2))) {
      if (byte < 248 && salt.length < length) salt += ALPHABET[byte % 62];
    }
  }
  return encoder.encode(salt);
}

/**
 * Reads (and writes) Django's PBKDF2 hashes, `pbkdf2_sha256$<iterations>$<salt>$<hash>`
 * (and `pbkdf2_sha1$…` for verification). Use it in the legacy list of a
 * {@link multiHasher} to migrate users of a Django app. New hashes are written in
 * Django's format with the options' policy (600,000 iterations and a 22-character
 * salt by default), so a Django service sharing the table can still read them.
 *
 * @example
 * ```ts
 * import { djangoPbkdf2Hasher, multiHasher, pbkdf2Hasher } from '@portcullis/core/hashing';
 * const hasher = multiHasher([pbkdf2Hasher(), djangoPbkdf2Hasher()]);
 * await hasher.verify('password', 'pbkdf2_sha256$260000$Wm1TUrbT…$FvJh…='); // { ok: true, needsRehash: true }
 * ```
 */
export function djangoPbkdf2Hasher(options?: Omit<Pbkdf2Options, 'digest'>): Hasher {
  return pbkdf2FamilyHasher(
    {
      id: 'django-pbkdf2',
      name: 'djangoPbkdf2Hasher',
      identifies: (stored) => PREFIX.test(stored),
      parse: parseDjangoPbkdf2,
      format: formatDjangoPbkdf2,
      salt: djangoSalt,
      digests: ['SHA-256'],
      defaultSaltLength: 22,
      minSaltLength: 12,
    },
    { ...options, digest: 'SHA-256', keyLength: undefined },
  );
}
