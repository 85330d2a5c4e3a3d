import { bytesEqual } from '@portcullis/core';
import type { Hasher, VerifyOutcome } from '@portcullis/core/hashing';

/**
 * A LOCAL PBKDF2-HMAC-SHA256 hasher for this example, on `crypto.subtle` (Web
 * standard, no native module). It implements the core's `Hasher` interface, so
 * swapping it for the PBKDF2 hasher of `@portcullis/core/hashing` (or argon2id
 * from `@portcullis/hashers`) changes one import in `app.ts`/`server.ts`.
 *
 * Stored format: the PHC string `@portcullis/core/hashing` is adopting for its
 * `pbkdf2Hasher` (salt and hash in unpadded standard base64, the key length is the
 * decoded hash's length), so hashes written by this hasher stay readable after the
 * swap:
 *
 *     $pbkdf2-sha256$i=600000$<salt>$<hash>
 */
export interface Pbkdf2Options {
  /** Iterations for new hashes; stored hashes with fewer need a rehash. Default 600 000 (OWASP 2023). */
  iterations?: number;
  /** Stored hashes above this many iterations verify as `{ ok: false }` (a planted hash cannot pin the CPU). Default 4 × `iterations`, at least 2 000 000. */
  maxIterations?: number;
}

export const PBKDF2_SHA256_ID = 'pbkdf2-sha256';
const PREFIX = `$${PBKDF2_SHA256_ID}$`;
const SALT_BYTES = 16;
const HASH_BYTES = 32;
const PHC = /^\$pbkdf2-sha256\$i=([1-9][0-9]{0,9})\$([A-Za-z0-9+/]{11,86})\$([A-Za-z0-9+/]{22,86})$/;
const encoder = new TextEncoder();

function b64(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, '');
}

function unb64(text: string): Uint8Array<ArrayBuffer> | null {
  if (text.length % 4 === 1) return null;
  try {
    const binary = atob(text + '='.repeat((4 - (text.length % 4)) % 4));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    // Canonical only: re-encoding gives back the same text (no stray bits).
    return b64(bytes) === text ? bytes : null;
  } catch {
    return null;
  }
}

async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, bytes * 8);
  return new Uint8Array(bits);
}

/** The parameters of a stored hash, or `null` when it is not one of ours (or is malformed). */
export function parsePbkdf2(stored: string): { iterations: number; salt: Uint8Array<ArrayBuffer>; hash: Uint8Array<ArrayBuffer> } | null {
  const m = PHC.exec(stored);
  if (m === null) return null;
  const iterations = Number(m[1]);
  const salt = unb64(m[2] as string);
  const hash = unb64(m[3] as string);
  if (salt === null || hash === null || salt.length < 8 || salt.length > 64 || hash.length < 16 || hash.length > 64) return null;
  return { iterations, salt, hash };
}

/** A PBKDF2-HMAC-SHA256 {@link Hasher} (local to this example; see the module comment). */
export function pbkdf2Sha256Hasher(options: Pbkdf2Options = {}): Hasher {
  const iterations = options.iterations ?? 600_000;
  if (!Number.isInteger(iterations) || iterations < 1) throw new TypeError('pbkdf2Sha256Hasher: iterations must be a positive integer');
  const maxIterations = options.maxIterations ?? Math.max(iterations * 4, 2_000_000);
  if (!Number.isInteger(maxIterations) || maxIterations < iterations) {
    throw new TypeError('pbkdf2Sha256Hasher: maxIterations must be an integer ≥ iterations');
  }
  const fail: VerifyOutcome = Object.freeze({ ok: false, needsRehash: false });

  return Object.freeze({
    id: PBKDF2_SHA256_ID,
    identifies: (stored: string) => typeof stored === 'string' && stored.startsWith(PREFIX),
    async hash(password: string): Promise<string> {
      const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
      const hash = await derive(password, salt, iterations, HASH_BYTES);
      return `${PREFIX}i=${iterations}$${b64(salt)}$${b64(hash)}`;
    },
    async verify(password: string, stored: string): Promise<VerifyOutcome> {
      const parsed = typeof stored === 'string' ? parsePbkdf2(stored) : null;
      if (parsed === null || parsed.iterations > maxIterations) return fail;
      const candidate = await derive(password, parsed.salt, parsed.iterations, parsed.hash.length);
      if (!bytesEqual(candidate, parsed.hash)) return fail;
      const needsRehash = parsed.iterations < iterations || parsed.hash.length !== HASH_BYTES || parsed.salt.length < SALT_BYTES;
      return { ok: true, needsRehash };
    },
  });
}
