import { djangoPbkdf2Hasher } from './django-pbkdf2.js';
import type { Hasher, VerifyOutcome } from './hasher.js';
import { multiHasher } from './multi.js';
import { passlibPbkdf2Hasher } from './passlib-pbkdf2.js';
import { pbkdf2Hasher } from './pbkdf2.js';

/** Options of {@link hashPassword} and {@link verifyPassword}. */
export interface PasswordOptions {
  /** The hasher to use. Default: {@link defaultWebHasher} (PBKDF2-SHA256, reads passlib and Django PBKDF2). */
  hasher?: Hasher;
}

let fallback: Hasher | undefined;

/**
 * The Web-standard default: PBKDF2-SHA256 with OWASP's 600,000 iterations for new
 * hashes, and passlib's and Django's PBKDF2 formats read for migration. Built on first
 * use; on Cloudflare Workers it throws a `ConfigurationError` (600,000 is over the
 * platform's cap), so pass your own `pbkdf2Hasher({ iterations })` there.
 *
 * @example
 * ```ts
 * const hasher = defaultWebHasher();
 * const stored = await hasher.hash(password);
 * ```
 */
export function defaultWebHasher(): Hasher {
  fallback ??= multiHasher([pbkdf2Hasher(), passlibPbkdf2Hasher(), djangoPbkdf2Hasher()]);
  return fallback;
}

/**
 * Hashes a password for storage, from a signup or password-change handler. On Node
 * prefer `hashPassword` from `@portcullis/hashers` (argon2id).
 *
 * @throws {HashingError} `password_too_long` (over 1024 UTF-8 bytes by default),
 *   `invalid_password`, `password_too_long_for_algorithm` / `password_contains_nul` (bcrypt).
 * @example
 * ```ts
 * import { hashPassword } from '@portcullis/core/hashing';
 * app.post('/signup', async (c) => {
 *   const { username, password } = await c.req.json();
 *   await db.users.insert({ username, passwordHash: await hashPassword(password, { hasher }) });
 *   return c.body(null, 201);
 * });
 * ```
 */
export async function hashPassword(password: string, options: PasswordOptions = {}): Promise<string> {
  return (options.hasher ?? defaultWebHasher()).hash(password);
}

/**
 * Verifies a password against a stored hash. Returns `{ ok, needsRehash }`; never
 * throws for a wrong password or a malformed, unknown or over-expensive stored hash.
 *
 * @example
 * ```ts
 * import { hashPassword, verifyPassword } from '@portcullis/core/hashing';
 * const { ok, needsRehash } = await verifyPassword(password, user.passwordHash, { hasher });
 * if (!ok) return unauthorized();
 * if (needsRehash) await db.users.replaceHash(user.id, user.passwordHash, await hashPassword(password, { hasher }));
 * ```
 */
export async function verifyPassword(password: string, stored: string, options: PasswordOptions = {}): Promise<VerifyOutcome> {
  return (options.hasher ?? defaultWebHasher()).verify(password, stored);
}
