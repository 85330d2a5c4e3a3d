import { createHash } from 'node:crypto';
import { wrappedHasher, type WrappedHasher } from '@portcullis/core/hashing';
import { argon2idHasher, type Argon2idHasherOptions } from './argon2.js';
import { bcryptHasher, type BcryptHasherOptions } from './bcrypt.js';

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/**
 * Django's `Argon2PasswordHasher` format, `argon2$argon2id$v=19$m=102400,t=2,p=8$…`
 * (also the older `argon2$argon2i$…`). Use it in a {@link multiHasher}'s legacy list.
 * Options are the policy of the inner {@link argon2idHasher}.
 *
 * @example
 * ```ts
 * const hasher = multiHasher([argon2idHasher(), djangoArgon2Hasher(), djangoPbkdf2Hasher()]);
 * await hasher.verify(password, 'argon2$argon2id$v=19$m=102400,t=2,p=8$…'); // { ok: true, needsRehash: true }
 * ```
 */
export function djangoArgon2Hasher(options?: Argon2idHasherOptions): WrappedHasher {
  return wrappedHasher({ id: 'django-argon2', prefix: 'argon2', inner: argon2idHasher(options), maxPasswordBytes: options?.maxPasswordBytes });
}

/**
 * Django's `BCryptSHA256PasswordHasher` format, `bcrypt_sha256$$2b$12$…`: bcrypt over the
 * lowercase hex SHA-256 of the password, so long passwords and NUL bytes are fine. Use
 * it in a {@link multiHasher}'s legacy list.
 *
 * @example
 * ```ts
 * const hasher = multiHasher([argon2idHasher(), djangoBcryptSha256Hasher()]);
 * await hasher.verify(password, 'bcrypt_sha256$$2b$12$…'); // { ok: true, needsRehash: true }
 * ```
 */
export function djangoBcryptSha256Hasher(options?: BcryptHasherOptions): WrappedHasher {
  return wrappedHasher({
    id: 'django-bcrypt-sha256',
    prefix: 'bcrypt_sha256$',
    prehash: sha256Hex,
    prehashSync: sha256Hex,
    inner: bcryptHasher(options),
    maxPasswordBytes: options?.maxPasswordBytes,
  });
}

/**
 * Django's `BCryptPasswordHasher` format, `bcrypt$$2b$12$…` (plain bcrypt). As with
 * {@link bcryptHasher}, passwords over 72 bytes or with NUL verify as `{ ok: false }`
 * instead of being truncated. Use it in a {@link multiHasher}'s legacy list.
 *
 * @example
 * ```ts
 * const hasher = multiHasher([argon2idHasher(), djangoBcryptHasher()]);
 * await hasher.verify(password, 'bcrypt$$2b$12$…'); // { ok: true, needsRehash: true }
 * ```
 */
export function djangoBcryptHasher(options?: BcryptHasherOptions): WrappedHasher {
  return wrappedHasher({ id: 'django-bcrypt', prefix: 'bcrypt$', inner: bcryptHasher(options), maxPasswordBytes: options?.maxPasswordBytes });
}
