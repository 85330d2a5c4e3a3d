/**
 * Synchronous SHA-256 and HMAC-SHA256 (FIPS 180-4, RFC 2104) in plain JavaScript.
 *
 * Web Crypto's `crypto.subtle.digest`/`sign` are asynchronous: each call costs a
 * round trip through a promise and, on Node, a thread-pool hop (about 15 µs for a
 * short message, measured in `bench/`). The per-request caches (the Basic
 * `VerificationCache`, the JWT verified-token cache) hash one short string per
 * request, where that round trip would cost more than everything else Portcullis
 * does; here the same digest takes well under a microsecond and needs nothing but
 * `TextEncoder`, so it runs on every runtime.
 *
 * Not a password hash: use `@portcullis/core/hashing` or `@portcullis/hashers` for
 * passwords.
 */
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01,
  0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
  0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147,
  0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08,
  0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
const W = new Int32Array(64);

/** One compression of the 64-byte block at `off` into the state `H`. */
function compress(H: Int32Array, bytes: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = ((bytes[j] as number) << 24) | ((bytes[j + 1] as number) << 16) | ((bytes[j + 2] as number) << 8) | (bytes[j + 3] as number);
  }
  for (let i = 16; i < 64; i++) {
    const a = W[i - 15] as number;
    const b = W[i - 2] as number;
    const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
    const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
    W[i] = ((W[i - 16] as number) + s0 + (W[i - 7] as number) + s1) | 0;
  }
  let a = H[0] as number, b = H[1] as number, c = H[2] as number, d = H[3] as number;
  let e = H[4] as number, f = H[5] as number, g = H[6] as number, h = H[7] as number;
  for (let i = 0; i < 64; i++) {
    const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
    const t1 = (h + S1 + ((e & f) ^ (~e & g)) + (K[i] as number) + (W[i] as number)) | 0;
    const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
    const t2 = (S0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    h = g;
    g = f;
    f = e;
    e = (d + t1) | 0;
    d = c;
    c = b;
    b = a;
    a = (t1 + t2) | 0;
  }
  H[0] = ((H[0] as number) + a) | 0;
  H[1] = ((H[1] as number) + b) | 0;
  H[2] = ((H[2] as number) + c) | 0;
  H[3] = ((H[3] as number) + d) | 0;
  H[4] = ((H[4] as number) + e) | 0;
  H[5] = ((H[5] as number) + f) | 0;
  H[6] = ((H[6] as number) + g) | 0;
  H[7] = ((H[7] as number) + h) | 0;
}

const encoder = new TextEncoder();
/** Scratch space for messages, grown on demand (single-threaded: no call re-enters another). */
let scratch = new Uint8Array(512);

/**
 * Hashes `data` (a string is UTF-8 encoded) into `H`, which holds the state after
 * `prefixBlocks` already-compressed 64-byte blocks (0 for plain SHA-256, 1 for the
 * inner or outer HMAC hash).
 */
function absorb(H: Int32Array, data: string | Uint8Array, prefixBlocks: number): void {
  let n: number;
  if (typeof data === 'string') {
    const need = data.length * 3 + 72;
    if (scratch.length < need) scratch = new Uint8Array((need + 63) & ~63);
    n = encoder.encodeInto(data, scratch).written;
  } else {
    n = data.length;
    if (scratch.length < n + 72) scratch = new Uint8Array((n + 72 + 63) & ~63);
    scratch.set(data);
  }
  const total = ((n + 9 + 63) >>> 6) << 6;
  scratch[n] = 0x80;
  scratch.fill(0, n + 1, total);
  const bits = (n + prefixBlocks * 64) * 8;
  const high = Math.floor(bits / 2 ** 32);
  scratch[total - 8] = high >>> 24;
  scratch[total - 7] = high >>> 16;
  scratch[total - 6] = high >>> 8;
  scratch[total - 5] = high;
  scratch[total - 4] = bits >>> 24;
  scratch[total - 3] = bits >>> 16;
  scratch[total - 2] = bits >>> 8;
  scratch[total - 1] = bits;
  for (let off = 0; off < total; off += 64) compress(H, scratch, off);
}

function bytesOf(H: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 8; i++) {
    const w = H[i] as number;
    out[i * 4] = w >>> 24;
    out[i * 4 + 1] = w >>> 16;
    out[i * 4 + 2] = w >>> 8;
    out[i * 4 + 3] = w;
  }
  return out;
}

/**
 * The SHA-256 digest of `data` (strings are UTF-8 encoded), synchronously.
 *
 * @example
 * ```ts
 * const digest = sha256('abc'); // Uint8Array(32) ba7816bf…
 * ```
 */
export function sha256(data: string | Uint8Array): Uint8Array {
  const H = new Int32Array(IV);
  absorb(H, data, 0);
  return bytesOf(H);
}

/**
 * Prepares HMAC-SHA256 under `key` (the pad states are computed once) and returns
 * the function that authenticates one message, synchronously. Keys longer than 64
 * bytes are hashed first, as RFC 2104 says.
 *
 * @example
 * ```ts
 * const mac = hmacSha256(crypto.getRandomValues(new Uint8Array(32)));
 * const id = digestKey(mac(`${username.length}:${username}:${password}`));
 * ```
 */
export function hmacSha256(key: Uint8Array): (data: string | Uint8Array) => Uint8Array {
  const k = key.length > 64 ? sha256(key) : key;
  const pad = new Uint8Array(64);
  const inner = new Int32Array(IV);
  const outer = new Int32Array(IV);
  for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36;
  compress(inner, pad, 0);
  for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x5c;
  compress(outer, pad, 0);
  pad.fill(0);
  const H = new Int32Array(8);
  return (data) => {
    H.set(inner);
    absorb(H, data, 1);
    const innerDigest = bytesOf(H);
    H.set(outer);
    absorb(H, innerDigest, 1);
    return bytesOf(H);
  };
}

/**
 * A 32-byte digest as a 16-character string (two bytes per UTF-16 unit): the
 * cheapest `Map` key that keeps every bit.
 *
 * @example
 * ```ts
 * const id = digestKey(sha256(token));
 * ```
 */
export function digestKey(digest: Uint8Array): string {
  if (digest.length !== 32) {
    let out = '';
    for (let i = 0; i < digest.length; i += 2) out += String.fromCharCode(((digest[i] as number) << 8) | (digest[i + 1] ?? 0));
    return out;
  }
  // One flat string from one call: sixteen `+=` made a rope that every Map lookup flattened again.
  const d = digest;
  const u = (i: number): number => ((d[i] as number) << 8) | (d[i + 1] as number);
  return String.fromCharCode(u(0), u(2), u(4), u(6), u(8), u(10), u(12), u(14), u(16), u(18), u(20), u(22), u(24), u(26), u(28), u(30));
}
