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
