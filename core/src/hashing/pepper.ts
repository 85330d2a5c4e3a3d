import { ConfigurationError } from '../errors.js';
import { hmacSha256 } from '../sha256.js';
import { encodeBase64 } from './base64.js';
import type { Hasher } from './hasher.js';
import { multiHasher } from './multi.js';
import { DEFAULT_MAX_PASSWORD_BYTES } from './password-bytes.js';
import { wrappedHasher } from './wrapped.js';

/** Options of {@link pepperedHasher}. */
export interface PepperedHasherOptions {
  /** The hasher of the peppered value (argon2id on Node; any hasher works). */
  inner: Hasher;
  /**
   * The peppers by id: secrets of at least 32 bytes (a string counts its UTF-8 bytes),
   * kept outside the database (a secret manager, the environment). Ids are 1–32 of
   * `A–Z a–z 0–9 _ -`; only the id is written into the stored hash. Keep an old
   * pepper here until no stored hash names it.
   */
  peppers: Readonly<Record<string, string | Uint8Array>>;
  /** The id of the pepper new hashes use. */
  current: string;
  /** Passwords over this many UTF-8 bytes are refused before any HMAC. Default 1024. */
  maxPasswordBytes?: number;
}

/** The tag in front of a peppered hash: `pepper$<id>$` + the inner hash. */
export const PEPPER_PREFIX = 'pepper$';

const PEPPER_ID = /^[A-Za-z0-9_-]{1,32}$/;
const MIN_PEPPER_BYTES = 32;
/** What the inner hasher receives: base64 of a 32-byte HMAC. */
const PEPPERED_LENGTH = 44;
const encoder = new TextEncoder();

/**
 * A pepper (OWASP Password Storage Cheat Sheet, "Peppering"; ASVS 4.0 2.4.5): the
 * password goes through HMAC-SHA256 keyed with a secret pepper before the inner hasher
 * sees it, so a stolen table alone can't be cracked, and stored as
 * `pepper$<id>$<inner hash>`. Only the pepper's id is stored; the pepper itself lives
 * outside the database.
 *
 * The HMAC's 32 bytes are passed on as standard base64 (44 ASCII characters): never a
 * NUL byte (bcrypt stops at one), always valid UTF-8 (hashers take strings), and under
 * bcrypt's 72 bytes, so a peppered bcrypt hashes passwords of any length up to the cap
 * without truncating them. The length cap (default 1024 bytes, PWD-12) applies before
 * the HMAC.
 *
 * Rotation: add the new pepper, make it `current`. A hash made with an older pepper
 * still verifies, with `needsRehash: true`, so `passwordBackend`'s `onRehash` (or your
 * own `needsRehash` path) rewrites it with the current one on the next successful
 * login; when no stored hash names the old id any more, remove it. Unpeppered hashes
 * keep working when the inner hasher also sits in a {@link multiHasher} after this one
 * (they are upgraded the same way); the peppered hasher must come first there, which
 * `multiHasher` checks (the returned hasher has `peppered: true`). A hash whose pepper id is unknown, or verified
 * with the wrong pepper, is `{ ok: false }` (PWD-20).
 *
 * @throws {ConfigurationError} on a pepper shorter than 32 bytes, a bad id, a `current`
 *   that is not in `peppers`, or an inner hasher that can't take 44 bytes.
 * @example
 * ```ts
 * import { multiHasher, pepperedHasher } from '@portcullis/core/hashing';
 * import { argon2idHasher } from '@portcullis/hashers';
 *
 * const hasher = multiHasher([
 *   pepperedHasher({ inner: argon2idHasher(), peppers: { '2026a': process.env.PEPPER_2026A!, '2026b': process.env.PEPPER_2026B! }, current: '2026b' }),
 *   argon2idHasher(), // hashes from before the pepper: verified, then upgraded
 * ]);
 * const stored = await hasher.hash('correct horse battery staple'); // 'pepper$2026b$$argon2id$v=19$…'
 * ```
 */
export function pepperedHasher(options: PepperedHasherOptions): Hasher {
  const { inner, peppers, current } = options ?? ({} as PepperedHasherOptions);
  if (typeof inner?.hash !== 'function' || typeof inner.verify !== 'function' || typeof inner.identifies !== 'function') {
    throw new ConfigurationError('pepperedHasher: inner must be a Hasher');
  }
  if ((inner.maxPasswordBytes ?? PEPPERED_LENGTH) < PEPPERED_LENGTH) {
    throw new ConfigurationError(`pepperedHasher: inner accepts ${inner.maxPasswordBytes} bytes; it must take the ${PEPPERED_LENGTH} of a peppered password`);
  }
  if (typeof peppers !== 'object' || peppers === null) throw new ConfigurationError('pepperedHasher: peppers must be an object of id → secret');
  const max = options.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES;
  if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('pepperedHasher: maxPasswordBytes must be a positive integer');

  const members = new Map<string, Hasher>();
  for (const [id, secret] of Object.entries(peppers)) {
    if (!PEPPER_ID.test(id)) throw new ConfigurationError(`pepperedHasher: pepper id ${JSON.stringify(id.slice(0, 40))} must be 1–32 of A–Z a–z 0–9 _ -`);
    const key = typeof secret === 'string' ? encoder.encode(secret) : secret instanceof Uint8Array ? secret.slice() : undefined;
    if (key === undefined || key.length < MIN_PEPPER_BYTES) {
      // The message names the id, never the secret.
      throw new ConfigurationError(
        `pepperedHasher: pepper ${id} must be a string or Uint8Array of at least ${MIN_PEPPER_BYTES} bytes (make one with \`openssl rand -base64 32\`)`,
      );
    }
    const mac = hmacSha256(key);
    key.fill(0);
    const pepper = (password: Uint8Array): string => encodeBase64(mac(password));
    members.set(
      id,
      wrappedHasher({ id: `peppered-${inner.id}`, prefix: `${PEPPER_PREFIX}${id}$`, prehash: pepper, prehashSync: pepper, inner, maxPasswordBytes: max }),
    );
  }
  const first = typeof current === 'string' ? members.get(current) : undefined;
  if (first === undefined || !Object.hasOwn(peppers, current)) {
    throw new ConfigurationError(`pepperedHasher: current must be the id of one of the peppers (${[...members.keys()].join(', ') || 'none given'})`);
  }
  // A hash of another pepper than the current one is another member: needsRehash, as any migration.
  const multi = multiHasher([first, ...[...members.values()].filter((m) => m !== first)], { maxPasswordBytes: max });
  const peppered: Hasher = {
    id: first.id,
    peppered: true,
    maxPasswordBytes: max,
    identifies: multi.identifies,
    hash: multi.hash,
    verify: multi.verify,
  };
  if (multi.hashSync !== undefined) peppered.hashSync = multi.hashSync;
  if (multi.verifySync !== undefined) peppered.verifySync = multi.verifySync;
  return Object.freeze(peppered);
}
