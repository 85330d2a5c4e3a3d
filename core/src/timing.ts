const encoder = new TextEncoder();

/**
 * Compares two strings in constant time with respect to their contents: both are
 * hashed with SHA-256 and the digests compared without an early exit, so neither
 * the position of the first difference nor the lengths leak.
 *
 * @example
 * ```ts
 * // Compute both results, then combine them: no short-circuit on the username.
 * const [u, p] = await Promise.all([timingSafeEqual(user, expectedUser), timingSafeEqual(pass, expectedPass)]);
 * if (u && p) { … }
 * ```
 */
export async function timingSafeEqual(a: string, b: string): Promise<boolean> {
  const [da, db] = await Promise.all([
    crypto.subtle.digest('SHA-256', encoder.encode(a)),
    crypto.subtle.digest('SHA-256', encoder.encode(b)),
  ]);
  return bytesEqual(new Uint8Array(da), new Uint8Array(db));
}

/** Constant-time comparison of two byte arrays of equal length; false when lengths differ. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** The base64url alphabet's character codes (RFC 4648 §5), by 6-bit value. */
const BASE64URL = new Uint8Array(64);
for (let i = 0; i < 64; i++) BASE64URL[i] = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.charCodeAt(i);

/**
 * Whether `text` from `start` to its end is exactly the canonical unpadded base64url
 * encoding (RFC 4648 §5, RFC 7515 §2) of `bytes`, compared character by character
 * without building the encoding or decoding the text (3–4× cheaper than either). The
 * time depends only on `bytes.length` (a MAC's: public), never on where or whether
 * they differ: every character is compared (a missing one as 0), the differences and
 * the lengths OR-ed together. A text that decodes to `bytes` but is not its canonical
 * encoding (padding, non-zero trailing bits, `+`/`/`) does not match.
 *
 * @example
 * ```ts
 * // A `<id>.<mac>` cookie: the MAC part is compared with the MAC computed over the id.
 * const dot = value.lastIndexOf('.');
 * const ok = base64urlEquals(hmacSha256(key)(value.slice(0, dot)), value, dot + 1);
 * ```
 */
export function base64urlEquals(bytes: Uint8Array, text: string, start = 0): boolean {
  const end = text.length;
  let diff = (end - start) ^ (((bytes.length * 4 + 2) / 3) | 0);
  let j = start;
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    diff |= (BASE64URL[n >>> 18] as number) ^ (j < end ? text.charCodeAt(j) : 0);
    diff |= (BASE64URL[(n >>> 12) & 63] as number) ^ (j + 1 < end ? text.charCodeAt(j + 1) : 0);
    diff |= (BASE64URL[(n >>> 6) & 63] as number) ^ (j + 2 < end ? text.charCodeAt(j + 2) : 0);
    diff |= (BASE64URL[n & 63] as number) ^ (j + 3 < end ? text.charCodeAt(j + 3) : 0);
    j += 4;
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    diff |= (BASE64URL[n >>> 18] as number) ^ (j < end ? text.charCodeAt(j) : 0);
    diff |= (BASE64URL[(n >>> 12) & 63] as number) ^ (j + 1 < end ? text.charCodeAt(j + 1) : 0);
    if (rest === 2) diff |= (BASE64URL[(n >>> 6) & 63] as number) ^ (j + 2 < end ? text.charCodeAt(j + 2) : 0);
  }
  return diff === 0;
}
