import { createHash } from 'node:crypto';
import { wrappedHasher, type WrappedHasher } from '@portcullis/core/hashing';
import { bcryptHasher, type BcryptHasherOptions } from './bcrypt.js';

/** The tag in front of a layered bcrypt(md5) hash: `bcrypt_md5$$2b$10$…`. */
export const BCRYPT_MD5_PREFIX = 'bcrypt_md5$';

const md5Hex = (bytes: Uint8Array): string => createHash('md5').update(bytes).digest('hex');

/**
 * Layered legacy hashes, `bcrypt_md5$` + bcrypt(lowercase hex md5(password)): OWASP's
 * "upgrade method two" for a table of unsalted md5 digests (PWD-16). Wrap every old
 * digest once, offline, with `wrap(md5Hex)`; then list this hasher in a
 * {@link multiHasher}'s legacy list, and each user's next successful login replaces the
 * layered hash with a direct argon2id one. md5 is not in Web Crypto, so this hasher
 * lives here, on `node:crypto`.
 *
 * An attacker holding an md5 digest of the password from another leak can test it
 * against the layered hash without cracking md5 ("password shucking"): migrate, don't
 * keep these.
 *
 * @example
 * ```ts
 * import { argon2idHasher, bcryptMd5Hasher, multiHasher } from '@portcullis/hashers';
 * const legacy = bcryptMd5Hasher();
 * for (const row of await db.query('SELECT id, md5 FROM users WHERE md5 IS NOT NULL')) {
 *   await db.query('UPDATE users SET hash = $1, md5 = NULL WHERE id = $2', [await legacy.wrap(row.md5), row.id]);
 * }
 * const hasher = multiHasher([argon2idHasher(), legacy]);
 * ```
 */
export function bcryptMd5Hasher(options?: BcryptHasherOptions): WrappedHasher {
  return wrappedHasher({
    id: 'bcrypt-md5',
    prefix: BCRYPT_MD5_PREFIX,
    prehash: md5Hex,
    prehashSync: md5Hex,
    inner: bcryptHasher(options),
    maxPasswordBytes: options?.maxPasswordBytes,
  });
}
