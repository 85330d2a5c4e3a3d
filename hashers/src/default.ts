import {
  djangoPbkdf2Hasher,
  multiHasher,
  passlibPbkdf2Hasher,
  pbkdf2Hasher,
  type MultiHasher,
} from '@portcullis/core/hashing';
import { argon2idHasher, type Argon2idHasherOptions } from './argon2.js';
import { bcryptHasher } from './bcrypt.js';
import { bcryptMd5Hasher } from './bcrypt-md5.js';
import { djangoArgon2Hasher, djangoBcryptHasher, djangoBcryptSha256Hasher } from './django.js';
import { scryptHasher } from './scrypt.js';
import { resolveBound, withBound, type BoundOption } from './bound.js';

/** Options of {@link defaultHasher}. */
export interface DefaultHasherOptions {
  /** The policy of new hashes (argon2id). Default: OWASP's m=19456 KiB, t=2, p=1. */
  argon2?: Argon2idHasherOptions;
  /** Passwords over this many UTF-8 bytes are refused before any hashing. Default 1024. */
  maxPasswordBytes?: number;
  /**
   * One limit for every member, PBKDF2 (Node's Web Crypto) included: a
   * `hashingBound(...)`, `{ concurrency, queue }`, or `false` for none. Default: the
   * process-wide `nodeHashingBound()`. A full queue refuses with `hasher_busy` at once.
   */
  bound?: BoundOption;
}

/**
 * Argon2id for new hashes, and every format Portcullis reads for verification, in this
 * dispatch order: argon2 (`$argon2id$`, `$argon2i$`, `$argon2d$`), scrypt (`$scrypt$`),
 * bcrypt (`$2a$`/`$2b$`/`$2y$`), PBKDF2 (`$pbkdf2-sha256$i=`), passlib PBKDF2, Django
 * PBKDF2, Django argon2 / bcrypt_sha256 / bcrypt, and `bcrypt_md5$`. Anything not
 * argon2id at the policy's strength reports `needsRehash` after a successful login.
 * Every member shares one bound (default `nodeHashingBound()`: libuv's pool size at
 * once, four times that in line, `hasher_busy` beyond), so a login flood pins at most
 * that many hashes' memory.
 *
 * @example
 * ```ts
 * import { defaultHasher } from '@portcullis/hashers';
 * import { passwordBackend } from '@portcullis/core';
 * const backend = passwordBackend({ findUser, passwordHashOf: (u) => u.hash, hasher: defaultHasher(), onRehash });
 * ```
 */
export function defaultHasher(options: DefaultHasherOptions = {}): MultiHasher {
  const maxPasswordBytes = options.maxPasswordBytes;
  // Resolved once: `{ concurrency, queue }` makes one bound that every member shares.
  const bound = resolveBound('defaultHasher', options.bound);
  const node = { maxPasswordBytes, bound };
  return multiHasher(
    [
      argon2idHasher({ ...node, ...options.argon2 }),
      scryptHasher(node),
      bcryptHasher(node),
      withBound(pbkdf2Hasher({ maxPasswordBytes }), bound),
      withBound(passlibPbkdf2Hasher({ maxPasswordBytes }), bound),
      withBound(djangoPbkdf2Hasher({ maxPasswordBytes }), bound),
      djangoArgon2Hasher(node),
      djangoBcryptSha256Hasher(node),
      djangoBcryptHasher(node),
      bcryptMd5Hasher(node),
    ],
    { maxPasswordBytes },
  );
}
