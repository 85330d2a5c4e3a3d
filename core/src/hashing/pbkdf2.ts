import type { Hasher } from './hasher.js';
import { pbkdf2FamilyHasher, randomBytes, type Pbkdf2Options } from './pbkdf2-family.js';
import { formatPbkdf2, parsePbkdf2 } from './pbkdf2-format.js';

/** Options of {@link pbkdf2Hasher}. */
export interface Pbkdf2HasherOptions extends Pbkdf2Options {
  /** Derived key length in bytes (16..64). Default: the digest size (32 for SHA-256). */
  keyLength?: number;
}

const PREFIX = /^\$pbkdf2-(?:sha1|sha256|sha512)\$i=/;

/**
 * PBKDF2-HMAC on Web Crypto: the password hasher that runs everywhere, including edge
 * runtimes. Defaults are OWASP's: SHA-256, 600,000 iterations, a 16-byte salt, stored
 * as `$pbkdf2-sha256$i=600000$<salt>$<hash>`. Verifies the same format with SHA-256,
 * SHA-512 or SHA-1 and reports `needsRehash` when the stored hash is weaker than the
 * policy (SHA-1, or fewer iterations relative to OWASP's minimum for its digest) —
 * never for a stronger one.
 *
 * On Cloudflare Workers the platform caps PBKDF2 at 100,000 iterations: construction
 * throws a `ConfigurationError` unless you set `iterations` ≤ 100,000 yourself (PWD-05).
 *
 * @throws {ConfigurationError} on unusable options, at construction.
 * @example
 * ```ts
 * import { pbkdf2Hasher } from '@portcullis/core/hashing';
 * const hasher = pbkdf2Hasher();                                            // Node, Deno, Bun
 * const edge = pbkdf2Hasher({ runtime: 'workers', iterations: 100_000 });   // Workers: explicit downgrade
 * const stored = await hasher.hash('correct horse battery staple');
 * const { ok, needsRehash } = await hasher.verify('correct horse battery staple', stored);
 * ```
 */
export function pbkdf2Hasher(options?: Pbkdf2HasherOptions): Hasher {
  return pbkdf2FamilyHasher(
    {
      id: 'pbkdf2',
      name: 'pbkdf2Hasher',
      identifies: (stored) => PREFIX.test(stored),
      parse: parsePbkdf2,
      format: formatPbkdf2,
      salt: randomBytes,
      digests: ['SHA-256', 'SHA-512'],
      defaultSaltLength: 16,
      minSaltLength: 16,
    },
    options,
  );
}
