import { ConfigurationError } from '../errors.js';
import { HashingError } from './errors.js';
import type { Hasher, VerifyOutcome } from './hasher.js';
import { FAILED, outcome } from './outcome.js';
import { DEFAULT_MAX_PASSWORD_BYTES, passwordBytesOrCode } from './password-bytes.js';

/** Options of {@link multiHasher}. */
export interface MultiHasherOptions {
  /** Passwords over this many UTF-8 bytes are refused before any hasher runs. Default 1024. */
  maxPasswordBytes?: number;
}

/** A hasher that hashes with its first member and verifies with any. */
export interface MultiHasher extends Hasher {
  /** The hasher new hashes are made with (the first one). */
  readonly current: Hasher;
  /** Every member, current first, in dispatch order. */
  readonly hashers: readonly Hasher[];
  /** The member that reads `stored` (the first whose `identifies` is true), if any. */
  identify(stored: string): Hasher | undefined;
}

function isHasher(value: unknown): value is Hasher {
  const h = value as Partial<Hasher> | null;
  return (
    typeof h === 'object' && h !== null && typeof h.id === 'string' &&
    typeof h.hash === 'function' && typeof h.verify === 'function' && typeof h.identifies === 'function'
  );
}

/**
 * Migration between algorithms: hashes with the first hasher (the current policy) and
 * verifies hashes of any member, chosen by `identifies` in order. `needsRehash` is
 * true after a successful verification when the stored hash belongs to another
 * member (another algorithm or format), or to the current one with weaker parameters
 * than its policy; a hash stronger than the policy is never rewritten (PWD-22).
 * Unknown or malformed stored values verify as `{ ok: false }`.
 *
 * On a successful login with `needsRehash`, hash the password again and store the new
 * hash atomically (compare-and-set on the old value); on a failed login change nothing.
 *
 * A peppered member (`pepperedHasher`) must come first when there is one: behind an
 * unpeppered current member, every login would replace a peppered hash with an
 * unpeppered one. The multiHasher is peppered when its current member is.
 *
 * @throws {ConfigurationError} when `hashers` is empty, holds something that is not a
 *   hasher, or holds a peppered member behind an unpeppered first one.
 * @example
 * ```ts
 * import { multiHasher, djangoPbkdf2Hasher, passlibPbkdf2Hasher } from '@portcullis/core/hashing';
 * import { argon2idHasher, bcryptHasher } from '@portcullis/hashers';
 *
 * const hasher = multiHasher([argon2idHasher(), bcryptHasher(), djangoPbkdf2Hasher(), passlibPbkdf2Hasher()]);
 * const { ok, needsRehash } = await hasher.verify(password, user.passwordHash);
 * if (ok && needsRehash) await db.users.replaceHash(user.id, user.passwordHash, await hasher.hash(password));
 * ```
 */
export function multiHasher(hashers: readonly [Hasher, ...Hasher[]], options: MultiHasherOptions = {}): MultiHasher {
  if (!Array.isArray(hashers) || hashers.length === 0) throw new ConfigurationError('multiHasher: at least one hasher is required');
  hashers.forEach((h, i) => {
    if (!isHasher(h)) throw new ConfigurationError(`multiHasher: hashers[${i}] is not a Hasher`);
  });
  const members: readonly Hasher[] = Object.freeze([...hashers]);
  const current = members[0] as Hasher;
  const pepperedAt = members.findIndex((h) => h.peppered === true);
  if (pepperedAt > 0 && current.peppered !== true) {
    // A login would verify a peppered hash, call it outdated, and rewrite it with the current, unpeppered, member.
    throw new ConfigurationError(
      `multiHasher: hashers[${pepperedAt}] (${members[pepperedAt]?.id}) is peppered but hashers[0] (${current.id}) is not, so logins ` +
        'would rehash peppered hashes without the pepper: put the pepperedHasher first, ' +
        'multiHasher([pepperedHasher({ inner, peppers, current }), inner, …legacy])',
    );
  }
  const max = options.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES;
  if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('multiHasher: maxPasswordBytes must be a positive integer');

  const identify = (stored: string): Hasher | undefined =>
    typeof stored === 'string' ? members.find((h) => h.identifies(stored)) : undefined;

  /** The password is within the cap, checked before any member runs. */
  function checked(password: string): HashingError | undefined {
    const bytes = passwordBytesOrCode(password, max);
    return typeof bytes === 'string' ? new HashingError(bytes) : undefined;
  }

  function combine(member: Hasher, result: VerifyOutcome): VerifyOutcome {
    // A refusal is passed on, so the password backend can log it.
    if (!result.ok) return result.refused === undefined ? FAILED : result;
    return outcome(true, member !== current || result.needsRehash);
  }

  const multi: MultiHasher = {
    id: current.id,
    // New hashes are the current member's: its limit applies too.
    maxPasswordBytes: Math.min(max, current.maxPasswordBytes ?? max),
    peppered: current.peppered === true,
    current,
    hashers: members,
    identify,
    identifies: (stored) => identify(stored) !== undefined,
    async hash(password) {
      const error = checked(password);
      if (error) throw error;
      return current.hash(password);
    },
    async verify(password, stored) {
      if (checked(password)) return FAILED;
      const member = identify(stored);
      if (member === undefined) return FAILED;
      return combine(member, await member.verify(password, stored));
    },
  };
  const { hashSync } = current;
  if (hashSync !== undefined) {
    multi.hashSync = (password) => {
      const error = checked(password);
      if (error) throw error;
      return hashSync.call(current, password);
    };
  }
  if (members.every((h) => h.verifySync !== undefined)) {
    multi.verifySync = (password, stored) => {
      if (checked(password)) return FAILED;
      const member = identify(stored);
      if (member === undefined) return FAILED;
      return combine(member, (member.verifySync as NonNullable<Hasher['verifySync']>).call(member, password, stored));
    };
  }
  return Object.freeze(multi);
}
