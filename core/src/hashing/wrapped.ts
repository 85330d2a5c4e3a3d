import { ConfigurationError } from '../errors.js';
import { HashingError } from './errors.js';
import type { Hasher, VerifyOutcome } from './hasher.js';
import { FAILED } from './outcome.js';
import { DEFAULT_MAX_PASSWORD_BYTES, passwordBytesOrCode } from './password-bytes.js';
import type { MaybePromise } from '../maybe-promise.js';

/** Options of {@link wrappedHasher}. */
export interface WrappedHasherOptions {
  /** The hasher's `id` (`bcrypt-md5`, `django-bcrypt-sha256`…). */
  id: string;
  /**
   * The tag written in front of the inner hash, verbatim: `'bcrypt_md5$'` gives
   * `bcrypt_md5$$2b$12$…`. It must not be empty: an untagged layered hash would be
   * indistinguishable from a direct one.
   */
  prefix: string;
  /**
   * Turns the password's UTF-8 bytes into the string the inner hasher sees (a hex
   * digest). Omit it for a pure format tag (Django's `bcrypt$…`): the password passes unchanged.
   */
  prehash?: (password: Uint8Array<ArrayBuffer>) => MaybePromise<string>;
  /** The synchronous form of `prehash`, which enables `hashSync`/`verifySync` when the inner hasher has them. */
  prehashSync?: (password: Uint8Array<ArrayBuffer>) => string;
  /** The hasher of the inner hash. */
  inner: Hasher;
  /** Passwords over this many UTF-8 bytes are refused before hashing. Default 1024. */
  maxPasswordBytes?: number;
}

/** A layered ("wrapped") hasher; `wrap` upgrades an old digest without its password. */
export interface WrappedHasher extends Hasher {
  /**
   * Hashes an existing legacy digest (e.g. the md5 hex stored in your table) into this
   * format, without knowing the password: OWASP's "upgrade method two". Run it over the
   * whole table once; each user's next login then replaces the layered hash with a
   * direct one.
   */
  wrap(digest: string): Promise<string>;
}

const decoder = new TextDecoder();

/**
 * A tagged layered hash: `prefix + inner.hash(prehash(password))`, such as
 * `bcrypt(md5(password))` (see `bcryptMd5Hasher` in `@portcullis/hashers`) or Django's
 * `bcrypt_sha256$…`. Only values starting with `prefix` are read, so a layered hash can
 * never be mistaken for a direct one. `needsRehash` is the inner hasher's; put wrapped
 * hashers in the legacy list of a {@link multiHasher}, which rehashes them on the next
 * successful login.
 *
 * @throws {ConfigurationError} on an empty prefix or a missing inner hasher.
 * @example
 * ```ts
 * const sha256Hex = async (bytes: Uint8Array<ArrayBuffer>) =>
 *   [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
 * const legacy = wrappedHasher({ id: 'sha256-pbkdf2', prefix: 'sha256_pbkdf2$', prehash: sha256Hex, inner: pbkdf2Hasher() });
 * const migrated = await legacy.wrap(row.sha256Hex);    // offline, for every row
 * await legacy.verify(password, migrated);              // { ok: true, needsRehash: false }
 * ```
 */
export function wrappedHasher(options: WrappedHasherOptions): WrappedHasher {
  const { id, prefix, prehash, prehashSync, inner } = options ?? ({} as WrappedHasherOptions);
  if (typeof id !== 'string' || id === '') throw new ConfigurationError('wrappedHasher: id must be a non-empty string');
  if (typeof prefix !== 'string' || prefix === '') throw new ConfigurationError('wrappedHasher: prefix must be a non-empty string');
  if (typeof inner?.hash !== 'function' || typeof inner.verify !== 'function' || typeof inner.identifies !== 'function') {
    throw new ConfigurationError('wrappedHasher: inner must be a Hasher');
  }
  if (prehash !== undefined && typeof prehash !== 'function') throw new ConfigurationError('wrappedHasher: prehash must be a function');
  if (prehashSync !== undefined && typeof prehashSync !== 'function') throw new ConfigurationError('wrappedHasher: prehashSync must be a function');
  const max = options.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES;
  if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('wrappedHasher: maxPasswordBytes must be a positive integer');
  const transform = prehash ?? ((bytes: Uint8Array<ArrayBuffer>) => decoder.decode(bytes));
  const transformSync = prehashSync ?? (prehash === undefined ? (bytes: Uint8Array<ArrayBuffer>) => decoder.decode(bytes) : undefined);

  const identifies = (stored: string): boolean =>
    typeof stored === 'string' && stored.startsWith(prefix) && inner.identifies(stored.slice(prefix.length));

  const wrapped: WrappedHasher = {
    id,
    // Without a prehash the inner hasher sees the password itself, and its limit applies too.
    maxPasswordBytes: prehash === undefined ? Math.min(max, inner.maxPasswordBytes ?? max) : max,
    // The inner hash, and so this one, needs the inner hasher's pepper.
    peppered: inner.peppered === true,
    identifies,
    async hash(password) {
      const bytes = passwordBytesOrCode(password, max);
      if (typeof bytes === 'string') throw new HashingError(bytes);
      return prefix + (await inner.hash(await transform(bytes)));
    },
    async verify(password, stored): Promise<VerifyOutcome> {
      const bytes = passwordBytesOrCode(password, max);
      if (typeof bytes === 'string' || !identifies(stored)) return FAILED;
      return inner.verify(await transform(bytes), stored.slice(prefix.length));
    },
    async wrap(digest) {
      return prefix + (await inner.hash(digest));
    },
  };
  const { hashSync, verifySync } = inner;
  if (transformSync !== undefined && hashSync !== undefined) {
    wrapped.hashSync = (password) => {
      const bytes = passwordBytesOrCode(password, max);
      if (typeof bytes === 'string') throw new HashingError(bytes);
      return prefix + hashSync.call(inner, transformSync(bytes));
    };
  }
  if (transformSync !== undefined && verifySync !== undefined) {
    wrapped.verifySync = (password, stored) => {
      const bytes = passwordBytesOrCode(password, max);
      if (typeof bytes === 'string' || !identifies(stored)) return FAILED;
      return verifySync.call(inner, transformSync(bytes), stored.slice(prefix.length));
    };
  }
  return Object.freeze(wrapped);
}
