/**
 * Synchronous HMAC-SHA256 in plain JavaScript, with the key's inner and outer pad
 * states computed once: two SHA-256 compressions per short message, no Web Crypto
 * round trip. Web-standard (TextEncoder only), so it fits @portcullis/core. This is
 * the code the bench's findings propose for `VerificationCache` (and, as plain SHA-256,
 * for the JWT verified-token cache); the bench checks it against node:crypto.
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
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];
const W = new Int32Array(64);

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
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  H[0] = ((H[0] as number) + a) | 0; H[1] = ((H[1] as number) + b) | 0; H[2] = ((H[2] as number) + c) | 0; H[3] = ((H[3] as number) + d) | 0;
  H[4] = ((H[4] as number) + e) | 0; H[5] = ((H[5] as number) + f) | 0; H[6] = ((H[6] as number) + g) | 0; H[7] = ((H[7] as number) + h) | 0;
}

const encoder = new TextEncoder();

/** Returns `mac(message)`: HMAC-SHA256 under `key` (≤ 64 bytes), as a 16-character string (two bytes per char). */
export function hmacSha256(key: Uint8Array): (message: string) => string {
  if (key.length > 64) throw new RangeError('hmacSha256: key longer than 64 bytes');
  const pad = new Uint8Array(64);
  const inner = new Int32Array(IV);
  const outer = new Int32Array(IV);
  for (let i = 0; i < 64; i++) pad[i] = (key[i] ?? 0) ^ 0x36;
  compress(inner, pad, 0);
  for (let i = 0; i < 64; i++) pad[i] = (key[i] ?? 0) ^ 0x5c;
  compress(outer, pad, 0);
  let buf = new Uint8Array(256);
  const tail = new Uint8Array(64);
  const H = new Int32Array(8);
  return (message) => {
    const need = message.length * 3 + 72;
    if (buf.length < need) buf = new Uint8Array((need + 63) & ~63);
    const n = encoder.encodeInto(message, buf).written;
    const total = ((n + 9 + 63) >>> 6) << 6;
    buf[n] = 0x80;
    buf.fill(0, n + 1, total);
    const bits = (n + 64) * 8; // the key block counts
    buf[total - 5] = Math.floor(bits / 2 ** 32);
    buf[total - 4] = bits >>> 24; buf[total - 3] = bits >>> 16; buf[total - 2] = bits >>> 8; buf[total - 1] = bits;
    H.set(inner);
    for (let o = 0; o < total; o += 64) compress(H, buf, o);
    tail.fill(0);
    for (let i = 0; i < 8; i++) {
      const w = H[i] as number;
      tail[i * 4] = w >>> 24; tail[i * 4 + 1] = w >>> 16; tail[i * 4 + 2] = w >>> 8; tail[i * 4 + 3] = w;
    }
    tail[32] = 0x80;
    tail[62] = (96 * 8) >>> 8; tail[63] = (96 * 8) & 0xff;
    H.set(outer);
    compress(H, tail, 0);
    let out = '';
    for (let i = 0; i < 8; i++) out += String.fromCharCode((H[i] as number) >>> 16, (H[i] as number) & 0xffff);
    return out;
  };
}
