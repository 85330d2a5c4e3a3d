// The shared machinery of the three PBKDF2 hashers (PHC, passlib, Django): Web
// Crypto only, so it runs on Node and on edge runtimes.
import { ConfigurationError } from '../errors.js';
import { bytesEqual } from '../timing.js';
import { HashingError } from './errors.js';
import type { Hasher, VerifyOutcome } from './hasher.js';
import { FAILED, REFUSED, outcome } from './outcome.js';
import { DEFAULT_MAX_PASSWORD_BYTES, passwordBytesOrCode } from './password-bytes.js';
import { DIGEST_BYTES, type Pbkdf2Digest, type Pbkdf2Hash } from './pbkdf2-format.js';

/** Cloudflare Workers refuse PBKDF2 above this many iterations (workerd#1346). */
export const WORKERS_MAX_PBKDF2_ITERATIONS = 100_000;

/** Stored PBKDF2 hashes above this many iterations are refused before computing (DOS-13). */
export const DEFAULT_MAX_PBKDF2_ITERATIONS = 10_000_000;

/** OWASP's minimum iterations per digest (Password Storage Cheat Sheet). @internal */
export const OWASP_PBKDF2_ITERATIONS: Readonly<Record<Pbkdf2Digest, number>> = Object.freeze({
  'SHA-1': 1_400_000,
  'SHA-256': 600_000,
  'SHA-512': 220_000,
});

/** Options shared by every PBKDF2 hasher. */
export interface Pbkdf2Options {
  /** The HMAC digest new hashes use. Default `SHA-256`. SHA-1 is verify-only. */
  digest?: 'SHA-256' | 'SHA-512';
  /**
   * Iterations for new hashes. Default: OWASP's 600,000 for SHA-256, 220,000 for
   * SHA-512. On Cloudflare Workers the platform caps PBKDF2 at 100,000, so there you
   * must set this (≤ 100,000) yourself: a documented downgrade, never a silent one.
   */
  iterations?: number;
  /** Salt length in bytes for new hashes (16..64). Default 16. Django: salt characters, default 22. */
  saltLength?: number;
  /**
   * Where the hasher runs. `'workers'` applies Cloudflare's 100,000-iteration cap at
   * construction. Default: detected (`navigator.userAgent === 'Cloudflare-Workers'`),
   * otherwise `'standard'`.
   */
  runtime?: 'workers' | 'standard';
  /**
   * Stored hashes with more iterations are refused without computing (they verify as
   * `{ ok: false }`). Default 10,000,000; on Workers, 100,000 (the platform would throw).
   */
  maxIterations?: number;
  /** Passwords over this many UTF-8 bytes are refused before hashing. Default 1024. */
  maxPasswordBytes?: number;
}

/** How one PBKDF2 storage format reads and writes. @internal */
export interface Pbkdf2Codec {
  readonly id: string;
  /** The factory's name, for configuration messages. */
  readonly name: string;
  readonly identifies: (stored: string) => boolean;
  readonly parse: (stored: string) => Pbkdf2Hash | null;
  readonly format: (parts: Pbkdf2Hash) => string;
  readonly salt: (length: number) => Uint8Array<ArrayBuffer>;
  readonly digests: readonly Pbkdf2Digest[];
  readonly defaultSaltLength: number;
  readonly minSaltLength: number;
}

/** PBKDF2 on Web Crypto (off the event loop on Node). @internal */
export async function derivePbkdf2(
  password: Uint8Array<ArrayBuffer>,
  salt: Uint8Array<ArrayBuffer>,
  iterations: number,
  digest: Pbkdf2Digest,
  length: number,
): Promise<Uint8Array<ArrayBuffer>> {
  const key = await crypto.subtle.importKey('raw', password, 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: digest, salt, iterations }, key, length * 8);
  return new Uint8Array(bits);
}

/** True on Cloudflare Workers. @internal */
export function onWorkers(): boolean {
  const nav = (globalThis as { navigator?: { userAgent?: unknown } }).navigator;
  return nav?.userAgent === 'Cloudflare-Workers';
}

function checkInteger(name: string, value: unknown, min: number, max: number, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`${where}: ${name} must be an integer from ${min} to ${max}`);
  }
  return value;
}

/** Strength relative to OWASP's minimum for the digest. */
function strength(digest: Pbkdf2Digest, iterations: number): number {
  return iterations / OWASP_PBKDF2_ITERATIONS[digest];
}

/** Builds a PBKDF2 hasher for one storage format. @internal */
export function pbkdf2FamilyHasher(codec: Pbkdf2Codec, options: Pbkdf2Options & { keyLength?: number } = {}): Hasher {
  const where = codec.name;
  const digest = options.digest ?? 'SHA-256';
  if (!codec.digests.includes(digest)) {
    throw new ConfigurationError(`${where}: digest must be one of ${codec.digests.join(', ')}`);
  }
  const runtime = options.runtime ?? (onWorkers() ? 'workers' : 'standard');
  if (runtime !== 'workers' && runtime !== 'standard') throw new ConfigurationError(`${where}: runtime must be 'workers' or 'standard'`);
  const platformMax = runtime === 'workers' ? WORKERS_MAX_PBKDF2_ITERATIONS : 0xffff_ffff;
  const iterations = checkInteger('iterations', options.iterations ?? OWASP_PBKDF2_ITERATIONS[digest], 1, 0xffff_ffff, where);
  if (iterations > platformMax) {
    throw new ConfigurationError(
      `${where}: ${iterations} iterations exceed the ${WORKERS_MAX_PBKDF2_ITERATIONS} PBKDF2 iterations Cloudflare Workers allow; ` +
        `set iterations to at most ${WORKERS_MAX_PBKDF2_ITERATIONS} explicitly (a downgrade from OWASP's ${OWASP_PBKDF2_ITERATIONS[digest]}, see docs/hashing.md) or hash elsewhere`,
    );
  }
  const maxIterations = checkInteger(
    'maxIterations',
    options.maxIterations ?? Math.min(DEFAULT_MAX_PBKDF2_ITERATIONS, platformMax),
    1,
    platformMax,
    where,
  );
  if (iterations > maxIterations) throw new ConfigurationError(`${where}: iterations must not exceed maxIterations`);
  const saltLength = checkInteger('saltLength', options.saltLength ?? codec.defaultSaltLength, codec.minSaltLength, 64, where);
  const keyLength = checkInteger('keyLength', options.keyLength ?? DIGEST_BYTES[digest], 16, 64, where);
  const maxPasswordBytes = checkInteger('maxPasswordBytes', options.maxPasswordBytes ?? DEFAULT_MAX_PASSWORD_BYTES, 1, 2 ** 30, where);
  const policy = strength(digest, iterations);

  async function hash(password: string): Promise<string> {
    const bytes = passwordBytesOrCode(password, maxPasswordBytes);
    if (typeof bytes === 'string') throw new HashingError(bytes);
    const salt = codec.salt(saltLength);
    let derived: Uint8Array<ArrayBuffer>;
    try {
      derived = await derivePbkdf2(bytes, salt, iterations, digest, keyLength);
    } catch (cause) {
      throw new HashingError('hash_failed', { cause });
    }
    return codec.format({ digest, iterations, salt, hash: derived });
  }

  async function verify(password: string, stored: string): Promise<VerifyOutcome> {
    const bytes = passwordBytesOrCode(password, maxPasswordBytes);
    if (typeof bytes === 'string') return FAILED;
    const parsed = codec.parse(stored);
    if (parsed === null) return FAILED;
    if (parsed.iterations > maxIterations) return REFUSED;
    let derived: Uint8Array<ArrayBuffer>;
    try {
      derived = await derivePbkdf2(bytes, parsed.salt, parsed.iterations, parsed.digest, parsed.hash.length);
    } catch (cause) {
      throw new HashingError('hash_failed', { cause });
    }
    const ok = bytesEqual(derived, parsed.hash);
    // SHA-1 is verify-only (the policy digest never is), so a SHA-1 hash is always weaker.
    const weaker = parsed.digest === 'SHA-1' || strength(parsed.digest, parsed.iterations) < policy;
    return outcome(ok, weaker);
  }

  return Object.freeze({
    id: codec.id,
    maxPasswordBytes,
    hash,
    verify,
    identifies: (stored: string) => typeof stored === 'string' && codec.identifies(stored),
  });
}

/** `length` random bytes. @internal */
export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}
