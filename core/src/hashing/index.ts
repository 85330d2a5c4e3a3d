// @portcullis/core/hashing: the Web-standard part of password hashing (PBKDF2 on Web
// Crypto, the stored-format parsers, multiHasher). argon2id, scrypt and bcrypt are in
// @portcullis/hashers (Node only).
export type { Hasher, VerifyOutcome } from './hasher.js';
export type { HashingErrorCode } from './errors.js';
export { HashingError, isHashingError } from './errors.js';
// Thrown by every hasher factory on unusable options, and the family's base class and
// guard (the core's, re-exported: one class, so `instanceof` holds across entry points).
export type { PortcullisErrorCode } from '../errors.js';
export { ConfigurationError, PortcullisError, isPortcullisError } from '../errors.js';
export { encodePassword, DEFAULT_MAX_PASSWORD_BYTES, MAX_STORED_LENGTH } from './password-bytes.js';
export type { PhcString } from './phc.js';
export { parsePhc, formatPhc } from './phc.js';
export type { Argon2Hash, Argon2Variant } from './argon2-format.js';
export { parseArgon2 } from './argon2-format.js';
export type { ScryptHash } from './scrypt-format.js';
export { parseScrypt, formatScrypt } from './scrypt-format.js';
export type { BcryptHash } from './bcrypt-format.js';
export { parseBcrypt } from './bcrypt-format.js';
export type { Pbkdf2Digest, Pbkdf2Hash } from './pbkdf2-format.js';
export {
  parsePbkdf2,
  formatPbkdf2,
  parsePasslibPbkdf2,
  formatPasslibPbkdf2,
  parseDjangoPbkdf2,
  formatDjangoPbkdf2,
} from './pbkdf2-format.js';
export type { Pbkdf2Options } from './pbkdf2-family.js';
export { WORKERS_MAX_PBKDF2_ITERATIONS, DEFAULT_MAX_PBKDF2_ITERATIONS } from './pbkdf2-family.js';
export type { Pbkdf2HasherOptions } from './pbkdf2.js';
export { pbkdf2Hasher } from './pbkdf2.js';
export { passlibPbkdf2Hasher } from './passlib-pbkdf2.js';
export { djangoPbkdf2Hasher } from './django-pbkdf2.js';
export type { MultiHasher, MultiHasherOptions } from './multi.js';
export { multiHasher } from './multi.js';
export type { WrappedHasher, WrappedHasherOptions } from './wrapped.js';
export { wrappedHasher } from './wrapped.js';
export type { HashingBound, HashingBoundOptions } from './bounded.js';
export { boundedHasher, hashingBound } from './bounded.js';
export type { PepperedHasherOptions } from './pepper.js';
export { pepperedHasher, PEPPER_PREFIX } from './pepper.js';
export type {
  BreachedPasswordCheck,
  PasswordCheck,
  PasswordCheckContext,
  PasswordPolicy,
  PasswordPolicyCode,
  PasswordPolicyOptions,
  PasswordPolicyStatus,
} from './policy.js';
export { passwordPolicy } from './policy.js';
export type { PasswordOptions } from './password.js';
export { hashPassword, verifyPassword, defaultWebHasher } from './password.js';
