// Helpers shared by the Node hashers. Not exported from the package.
import { ConfigurationError, encodePassword, HashingError, type VerifyOutcome } from '@portcullis/core/hashing';

/** A failed verification (frozen, shared). */
export const FAILED: VerifyOutcome = Object.freeze({ ok: false, needsRehash: false });

/**
 * A stored hash refused without computing: its parameters exceed the hasher's limits
 * (DOS-13). The password backend logs it as `hash_parameters_refused`.
 */
export const REFUSED: VerifyOutcome = Object.freeze({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });

/** True when `value` is already the answer (`FAILED` or `REFUSED`), not a parsed hash to compute. */
export function isOutcome<T extends object>(value: T | VerifyOutcome): value is VerifyOutcome {
  return value === FAILED || value === REFUSED;
}

/** A configuration integer in [min, max], or a ConfigurationError naming the option. */
export function integerOption(where: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`${where}: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** The password's UTF-8 bytes, or null when `verify` must answer `{ ok: false }`. */
export function bytesForVerify(password: string, maxBytes: number): Uint8Array<ArrayBuffer> | null {
  try {
    return encodePassword(password, maxBytes);
  } catch {
    return null;
  }
}

/** Wraps a KDF failure; the password is never part of it. */
export function kdfFailure(cause: unknown): HashingError {
  return new HashingError('hash_failed', { cause });
}
