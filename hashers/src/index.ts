// @portcullis/hashers: Node-only password hashers (argon2id, scrypt, bcrypt, the md5
// and Django wrappers), plus the Web-standard ones of @portcullis/core/hashing
// re-exported, so one import covers every hasher on Node.
export type { Argon2idHasherOptions, Argon2Limits } from './argon2.js';
export { argon2idHasher } from './argon2.js';
export type { ScryptHasherOptions, ScryptLimits } from './scrypt.js';
export { scryptHasher } from './scrypt.js';
export type { BcryptHasherOptions } from './bcrypt.js';
export { bcryptHasher, BCRYPT_MAX_PASSWORD_BYTES } from './bcrypt.js';
export { bcryptMd5Hasher, BCRYPT_MD5_PREFIX } from './bcrypt-md5.js';
export { djangoArgon2Hasher, djangoBcryptSha256Hasher, djangoBcryptHasher } from './django.js';
export type { DefaultHasherOptions } from './default.js';
export { defaultHasher } from './default.js';
export type { BreachedPasswordFileOptions } from './breached-file.js';
export { breachedPasswordFile } from './breached-file.js';
export type { BoundOption } from './bound.js';
export { nodeHashingBound } from './bound.js';
export type { PasswordOptions } from './password.js';
export { hashPassword, verifyPassword } from './password.js';

export type {
  Hasher,
  VerifyOutcome,
  HashingErrorCode,
  PortcullisErrorCode,
  MultiHasher,
  MultiHasherOptions,
  WrappedHasher,
  WrappedHasherOptions,
  Pbkdf2Options,
  Pbkdf2HasherOptions,
  PepperedHasherOptions,
  HashingBound,
  HashingBoundOptions,
  BreachedPasswordCheck,
  PasswordCheck,
  PasswordCheckContext,
  PasswordPolicy,
  PasswordPolicyCode,
  PasswordPolicyOptions,
  PasswordPolicyStatus,
} from '@portcullis/core/hashing';
export {
  ConfigurationError,
  PortcullisError,
  isPortcullisError,
  HashingError,
  isHashingError,
  multiHasher,
  wrappedHasher,
  pbkdf2Hasher,
  passlibPbkdf2Hasher,
  djangoPbkdf2Hasher,
  encodePassword,
  DEFAULT_MAX_PASSWORD_BYTES,
  pepperedHasher,
  PEPPER_PREFIX,
  boundedHasher,
  hashingBound,
  passwordPolicy,
} from '@portcullis/core/hashing';
