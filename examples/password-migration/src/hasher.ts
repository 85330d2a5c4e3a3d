import { djangoPbkdf2Hasher, passlibPbkdf2Hasher } from '@portcullis/core/hashing';
import { argon2idHasher, bcryptHasher, bcryptMd5Hasher, multiHasher } from '@portcullis/hashers';

/**
 * The migration policy: argon2id (OWASP's m=19456 KiB, t=2, p=1) for every new hash;
 * the formats this table already holds are read, and reported as `needsRehash`.
 * (`defaultHasher()` from `@portcullis/hashers` reads these and a few more.)
 */
export const hasher = multiHasher([
  argon2idHasher(),
  bcryptHasher(), // $2a$ / $2b$ / $2y$
  djangoPbkdf2Hasher(), // pbkdf2_sha256$… and pbkdf2_sha1$…
  passlibPbkdf2Hasher(), // $pbkdf2-sha256$…, $pbkdf2-sha512$…, $pbkdf2$…
  bcryptMd5Hasher(), // bcrypt_md5$$2b$… (old md5 digests, wrapped offline)
]);
