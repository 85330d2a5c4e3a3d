import type { Hasher, VerifyOutcome } from '@portcullis/core/hashing';
import { defaultHasher } from './default.js';

/** Options of {@link hashPassword} and {@link verifyPassword}. */
export interface PasswordOptions {
  /** The hasher to use. Default: {@link defaultHasher} (argon2id; reads every known format). */
  hasher?: Hasher;
}

let fallback: Hasher | undefined;
const hasherOf = (options: PasswordOptions): Hasher => options.hasher ?? (fallback ??= defaultHasher());

/**
 * Hashes a password for storage with argon2id at OWASP's parameters, from a signup or
 * password-change handler. The hash runs on libuv's thread pool.
 *
 * @throws {HashingError} `password_too_long` (over 1024 UTF-8 bytes) or `invalid_password`;
 * `hasher_busy` when the process-wide hashing bound is full (answer 503, try again shortly).
 * @example
 * ```ts
 * import { hashPassword, isHashingError } from '@portcullis/hashers';
 * app.post('/signup', async (req, res) => {
 *   try {
 *     await db.users.insert({ username: req.body.username, passwordHash: await hashPassword(req.body.password) });
 *     res.sendStatus(201);
 *   } catch (error) {
 *     if (isHashingError(error) && error.code !== 'hash_failed') return res.status(422).send('unusable password');
 *     throw error;
 *   }
 * });
 * ```
 */
export async function hashPassword(password: string, options: PasswordOptions = {}): Promise<string> {
  return hasherOf(options).hash(password);
}

/**
 * Verifies a password against a stored hash of any format Portcullis reads (see
 * {@link defaultHasher}). Returns `{ ok, needsRehash }`; a wrong password, an unknown or
 * malformed hash, or an over-expensive one is `{ ok: false }`, never an exception.
 *
 * @example
 * ```ts
 * import { hashPassword, verifyPassword } from '@portcullis/hashers';
 * const { ok, needsRehash } = await verifyPassword(password, user.passwordHash);
 * if (!ok) return res.sendStatus(401);
 * if (needsRehash) await db.users.replaceHash(user.id, user.passwordHash, await hashPassword(password));
 * ```
 */
export async function verifyPassword(password: string, stored: string, options: PasswordOptions = {}): Promise<VerifyOutcome> {
  return hasherOf(options).verify(password, stored);
}
