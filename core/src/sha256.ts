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
/** The message block being compressed, as 16 big-endian words. */
const W = new Int32Array(16);
const STATE = new Int32Array(8);

/** One compression of the 64-byte block at `off` into the state `H`. */
function compress(H: Int32Array, bytes: Uint8Array, off: number): void {
  for (let i = 0; i < 16; i++) {
    const j = off + i * 4;
    W[i] = ((bytes[j] as number) << 24) | ((bytes[j + 1] as number) << 16) | ((bytes[j + 2] as number) << 8) | (bytes[j + 3] as number);
  }
  mix(H);
}

/**
 * One compression of the block in `W` (big-endian words) into the state `H`.
 *
 * Written out for V8 (issue #17; bench/findings.md, fourth round): the message schedule
 * is a ring of 16 locals (`w0`–`w15`, each rewritten in place with the next 16 words
 * after every 16 rounds) instead of a 64-word array, and the 16 rounds are unrolled with
 * the working variables renamed instead of shifted (`h = g; g = f; …`), so TurboFan keeps
 * everything in registers: 3.4k instructions per block instead of 4.4k on the JWT cold
 * path under callgrind (4.1k instead of 7.7k in a micro-benchmark). Each round is FIPS 180-4 §6.2.2 step 3 with
 * T1 = h + Σ1(e) + Ch(e, f, g) + K[t] + W[t], d += T1, h = T1 + Σ0(a) + Maj(a, b, c),
 * then the names move one place (the next round's `h` is this one's `g`…).
 */
function mix(H: Int32Array): void {
  let a = H[0] as number, b = H[1] as number, c = H[2] as number, d = H[3] as number;
  let e = H[4] as number, f = H[5] as number, g = H[6] as number, h = H[7] as number;
  let w0 = W[0] as number, w1 = W[1] as number, w2 = W[2] as number, w3 = W[3] as number;
  let w4 = W[4] as number, w5 = W[5] as number, w6 = W[6] as number, w7 = W[7] as number;
  let w8 = W[8] as number, w9 = W[9] as number, w10 = W[10] as number, w11 = W[11] as number;
  let w12 = W[12] as number, w13 = W[13] as number, w14 = W[14] as number, w15 = W[15] as number;
  let t = 0, x = 0, y = 0;
  for (let j = 0; ; j += 16) {
    // Rounds j … j + 15.
    t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + (K[j + 0] as number) + w0) | 0;
    d = (d + t) | 0;
    h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + (K[j + 1] as number) + w1) | 0;
    c = (c + t) | 0;
    g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b) ^ (a & b))) | 0;
    t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + (K[j + 2] as number) + w2) | 0;
    b = (b + t) | 0;
    f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a))) | 0;
    t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + ((b & c) ^ (~b & d)) + (K[j + 3] as number) + w3) | 0;
    a = (a + t) | 0;
    e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h))) | 0;
    t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b) ^ (~a & c)) + (K[j + 4] as number) + w4) | 0;
    h = (h + t) | 0;
    d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g))) | 0;
    t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b)) + (K[j + 5] as number) + w5) | 0;
    g = (g + t) | 0;
    c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f))) | 0;
    t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + (K[j + 6] as number) + w6) | 0;
    f = (f + t) | 0;
    b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e))) | 0;
    t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + (K[j + 7] as number) + w7) | 0;
    e = (e + t) | 0;
    a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (b & d) ^ (c & d))) | 0;
    t = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) + ((e & f) ^ (~e & g)) + (K[j + 8] as number) + w8) | 0;
    d = (d + t) | 0;
    h = (t + (((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
    t = (g + (((d >>> 6) | (d << 26)) ^ ((d >>> 11) | (d << 21)) ^ ((d >>> 25) | (d << 7))) + ((d & e) ^ (~d & f)) + (K[j + 9] as number) + w9) | 0;
    c = (c + t) | 0;
    g = (t + (((h >>> 2) | (h << 30)) ^ ((h >>> 13) | (h << 19)) ^ ((h >>> 22) | (h << 10))) + ((h & a) ^ (h & b) ^ (a & b))) | 0;
    t = (f + (((c >>> 6) | (c << 26)) ^ ((c >>> 11) | (c << 21)) ^ ((c >>> 25) | (c << 7))) + ((c & d) ^ (~c & e)) + (K[j + 10] as number) + w10) | 0;
    b = (b + t) | 0;
    f = (t + (((g >>> 2) | (g << 30)) ^ ((g >>> 13) | (g << 19)) ^ ((g >>> 22) | (g << 10))) + ((g & h) ^ (g & a) ^ (h & a))) | 0;
    t = (e + (((b >>> 6) | (b << 26)) ^ ((b >>> 11) | (b << 21)) ^ ((b >>> 25) | (b << 7))) + ((b & c) ^ (~b & d)) + (K[j + 11] as number) + w11) | 0;
    a = (a + t) | 0;
    e = (t + (((f >>> 2) | (f << 30)) ^ ((f >>> 13) | (f << 19)) ^ ((f >>> 22) | (f << 10))) + ((f & g) ^ (f & h) ^ (g & h))) | 0;
    t = (d + (((a >>> 6) | (a << 26)) ^ ((a >>> 11) | (a << 21)) ^ ((a >>> 25) | (a << 7))) + ((a & b) ^ (~a & c)) + (K[j + 12] as number) + w12) | 0;
    h = (h + t) | 0;
    d = (t + (((e >>> 2) | (e << 30)) ^ ((e >>> 13) | (e << 19)) ^ ((e >>> 22) | (e << 10))) + ((e & f) ^ (e & g) ^ (f & g))) | 0;
    t = (c + (((h >>> 6) | (h << 26)) ^ ((h >>> 11) | (h << 21)) ^ ((h >>> 25) | (h << 7))) + ((h & a) ^ (~h & b)) + (K[j + 13] as number) + w13) | 0;
    g = (g + t) | 0;
    c = (t + (((d >>> 2) | (d << 30)) ^ ((d >>> 13) | (d << 19)) ^ ((d >>> 22) | (d << 10))) + ((d & e) ^ (d & f) ^ (e & f))) | 0;
    t = (b + (((g >>> 6) | (g << 26)) ^ ((g >>> 11) | (g << 21)) ^ ((g >>> 25) | (g << 7))) + ((g & h) ^ (~g & a)) + (K[j + 14] as number) + w14) | 0;
    f = (f + t) | 0;
    b = (t + (((c >>> 2) | (c << 30)) ^ ((c >>> 13) | (c << 19)) ^ ((c >>> 22) | (c << 10))) + ((c & d) ^ (c & e) ^ (d & e))) | 0;
    t = (a + (((f >>> 6) | (f << 26)) ^ ((f >>> 11) | (f << 21)) ^ ((f >>> 25) | (f << 7))) + ((f & g) ^ (~f & h)) + (K[j + 15] as number) + w15) | 0;
    e = (e + t) | 0;
    a = (t + (((b >>> 2) | (b << 30)) ^ ((b >>> 13) | (b << 19)) ^ ((b >>> 22) | (b << 10))) + ((b & c) ^ (b & d) ^ (c & d))) | 0;
    if (j === 48) break;
    // The next 16 words of the schedule: W[t] = σ1(W[t-2]) + W[t-7] + σ0(W[t-15]) + W[t-16], in place.
    x = w1;
    y = w14;
    w0 = (w0 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w9 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w2;
    y = w15;
    w1 = (w1 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w10 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w3;
    y = w0;
    w2 = (w2 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w11 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w4;
    y = w1;
    w3 = (w3 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w12 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w5;
    y = w2;
    w4 = (w4 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w13 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w6;
    y = w3;
    w5 = (w5 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w14 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w7;
    y = w4;
    w6 = (w6 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w15 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w8;
    y = w5;
    w7 = (w7 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w0 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w9;
    y = w6;
    w8 = (w8 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w1 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w10;
    y = w7;
    w9 = (w9 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w2 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w11;
    y = w8;
    w10 = (w10 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w3 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w12;
    y = w9;
    w11 = (w11 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w4 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w13;
    y = w10;
    w12 = (w12 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w5 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w14;
    y = w11;
    w13 = (w13 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w6 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w15;
    y = w12;
    w14 = (w14 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w7 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
    x = w0;
    y = w13;
    w15 = (w15 + (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w8 + (((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10))) | 0;
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

/** Copies `data` into the scratch space (a string UTF-8 encoded) and returns its length in bytes. */
function load(data: string | Uint8Array): number {
  if (typeof data === 'string') {
    const need = data.length * 3 + 72;
    if (scratch.length < need) scratch = new Uint8Array((need + 63) & ~63);
    return encoder.encodeInto(data, scratch).written;
  }
  const n = data.length;
  if (scratch.length < n + 72) scratch = new Uint8Array((n + 72 + 63) & ~63);
  scratch.set(data);
  return n;
}

/**
 * Pads the `n` message bytes at the start of the scratch space and hashes them into `H`,
 * which holds the state after `prefixBlocks` already-compressed 64-byte blocks (0 for plain
 * SHA-256, 1 for the inner or outer HMAC hash).
 */
function finish(H: Int32Array, n: number, prefixBlocks: number): number {
  const total = ((n + 9 + 63) >>> 6) << 6;
  scratch[n] = 0x80;
  // A loop, not `fill`: for the few bytes of one block that call into the runtime costs more.
  for (let i = n + 1; i < total - 8; i++) scratch[i] = 0;
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
  return total;
}

/**
 * Zeroes the message block and the first `bytes` of the scratch space once a digest is
 * out: they held the message (a password, an `Authorization` value, a token's signature).
 * Module buffers outlive the call, so without this the last value hashed stayed readable
 * in memory until the next hash (PWD-09).
 */
function wipe(bytes: number): void {
  for (let i = 0; i < 16; i++) W[i] = 0;
  for (let i = 0; i < bytes; i++) scratch[i] = 0;
}

/**
 * Hashes the ASCII string `message` into `H` (which holds the state after `prefixBlocks`
 * already-compressed 64-byte blocks), padded, its characters read straight into the words
 * of `W`: no UTF-8 encoding into the scratch space and no reading its bytes back (a
 * JWT's ~200-character signing input, issue #17). An ASCII character is its own UTF-8
 * byte, so the digest is the one `finish(load(message))` gives. Returns false, with `H`
 * in an unspecified state, when a character is not ASCII: the caller then starts again
 * from its saved state through the scratch space (`load` UTF-8 encodes).
 *
 * Timing: a string with a non-ASCII character costs more than an ASCII string of the
 * same length (the ASCII pass up to that character is thrown away), so the time of a
 * digest tells whether, and roughly where, its input leaves ASCII — as it already told
 * the input's length in blocks. Where a secret is hashed (`loginFlights`: the password
 * within its key) that is about a microsecond against a password hash's milliseconds.
 */
/**
 * `mixAscii`'s way out on a non-ASCII character: `W` holds up to 64 of the message's
 * characters, and the caller's fallback may throw before its own `wipe` (the scratch
 * space cannot grow), so they are zeroed here (PWD-09).
 */
function bail(): false {
  for (let i = 0; i < 16; i++) W[i] = 0;
  return false;
}

function mixAscii(H: Int32Array, message: string, prefixBlocks: number): boolean {
  const length = message.length;
  let i = 0;
  let seen = 0;
  for (; i + 64 <= length; i += 64) {
    for (let k = 0, j = i; k < 16; k++, j += 4) {
      const c0 = message.charCodeAt(j), c1 = message.charCodeAt(j + 1), c2 = message.charCodeAt(j + 2), c3 = message.charCodeAt(j + 3);
      seen |= c0 | c1 | c2 | c3;
      W[k] = (c0 << 24) | (c1 << 16) | (c2 << 8) | c3;
    }
    if (seen >= 0x80) return bail();
    mix(H);
  }
  // The last 0–63 characters: whole words, then the last 0–3 characters and the 0x80 byte,
  // zeros, and the length in bits (in a block of its own when the 0x80 byte leaves no room).
  const rest = length - i;
  let k = 0;
  for (const words = rest >> 2; k < words; k++, i += 4) {
    const c0 = message.charCodeAt(i), c1 = message.charCodeAt(i + 1), c2 = message.charCodeAt(i + 2), c3 = message.charCodeAt(i + 3);
    seen |= c0 | c1 | c2 | c3;
    W[k] = (c0 << 24) | (c1 << 16) | (c2 << 8) | c3;
  }
  let word = 0;
  let shift = 24;
  for (; i < length; i++, shift -= 8) {
    const c = message.charCodeAt(i);
    seen |= c;
    word |= c << shift;
  }
  W[k++] = word | (0x80 << shift);
  for (; k < 16; k++) W[k] = 0;
  if (seen >= 0x80) return bail();
  if (rest >= 56) {
    mix(H);
    for (k = 0; k < 14; k++) W[k] = 0;
  }
  const bits = (length + prefixBlocks * 64) * 8;
  W[14] = Math.floor(bits / 2 ** 32);
  W[15] = bits | 0;
  mix(H);
  return true;
}

/** The module's buffers, for the test that they hold nothing after a digest. @internal */
export function bufferResidue(): { readonly words: Int32Array; readonly bytes: Uint8Array } {
  return { words: W, bytes: scratch };
}

function copyState(from: Int32Array, to: Int32Array): void {
  for (let i = 0; i < 8; i++) to[i] = from[i] as number;
}

/** Writes the state `H` big-endian into `out` from `offset` (a digest's 32 bytes). */
function writeState(H: Int32Array, out: Uint8Array, offset: number): void {
  for (let i = 0; i < 8; i++) {
    const w = H[i] as number;
    const j = offset + i * 4;
    out[j] = w >>> 24;
    out[j + 1] = w >>> 16;
    out[j + 2] = w >>> 8;
    out[j + 3] = w;
  }
}

function bytesOf(H: Int32Array): Uint8Array {
  const out = new Uint8Array(32);
  writeState(H, out, 0);
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
  // One state for every call (single-threaded, nothing re-enters): no array per digest but the result.
  copyState(IV, STATE);
  let total = 0;
  if (typeof data !== 'string' || !mixAscii(STATE, data, 0)) {
    copyState(IV, STATE);
    total = finish(STATE, load(data), 0);
  }
  wipe(total);
  return bytesOf(STATE);
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
  wipe(0); // the block words held the key's pad
  const H = new Int32Array(8);
  return (data) => {
    copyState(inner, H);
    let total = 0;
    // An ASCII string (a JWT's signing input) goes straight from its characters into the words.
    if (typeof data !== 'string' || !mixAscii(H, data, 1)) {
      copyState(inner, H);
      total = finish(H, load(data), 1);
    }
    // The inner digest is the outer message, 32 bytes and the padding of a second block:
    // its words go straight into the block.
    for (let i = 0; i < 8; i++) W[i] = H[i] as number;
    W[8] = 0x80000000 | 0;
    for (let i = 9; i < 15; i++) W[i] = 0;
    W[15] = (64 + 32) * 8;
    copyState(outer, H);
    mix(H);
    wipe(total);
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
  if (digest.length === 32) {
    // The usual case (a SHA-256 digest) in one call: no string is built up pair by pair.
    const d = digest;
    return String.fromCharCode(
      pairAt(d, 0), pairAt(d, 2), pairAt(d, 4), pairAt(d, 6), pairAt(d, 8), pairAt(d, 10), pairAt(d, 12), pairAt(d, 14),
      pairAt(d, 16), pairAt(d, 18), pairAt(d, 20), pairAt(d, 22), pairAt(d, 24), pairAt(d, 26), pairAt(d, 28), pairAt(d, 30),
    );
  }
  let out = '';
  for (let i = 0; i < digest.length; i += 2) out += String.fromCharCode(((digest[i] as number) << 8) | (digest[i + 1] ?? 0));
  return out;
}

function pairAt(d: Uint8Array, i: number): number {
  return ((d[i] as number) << 8) | (d[i + 1] ?? 0);
}

/**
 * Writes the message `tag` (when it is 0–127) ‖ `message` from index `from` into `W[0..15]`,
 * padded as the second block of a hash (one prefix block before it), when it is ASCII and at
 * most 55 bytes: the last block of the usual `Authorization` value, read straight from its
 * characters (no bytes written and read back). Returns false otherwise; then the caller hashes
 * it through the scratch space, and whatever was written to `W` is overwritten there.
 */
function oneBlock(message: string, from: number, tag: number): boolean {
  const length = message.length;
  let n = tag >= 0 ? 1 : 0;
  if (length - from + n > 55) return false;
  for (let i = 0; i < 16; i++) W[i] = 0;
  if (n === 1) W[0] = tag << 24;
  for (let i = from; i < length; i++, n++) {
    const c = message.charCodeAt(i);
    if (c >= 0x80) return false;
    W[n >> 2] = (W[n >> 2] as number) | (c << (24 - ((n & 3) << 3)));
  }
  W[n >> 2] = (W[n >> 2] as number) | (0x80 << (24 - ((n & 3) << 3)));
  // The length in bits, the prefix block included (W[14], its high word, stays 0).
  W[15] = (n + 64) * 8;
  return true;
}

/**
 * Copies `message` from index `from`, after the byte `tag` when it is 0–127, into the scratch
 * space and returns its length in bytes. ASCII is copied by a loop reading `charCodeAt` (the
 * caller passes the field value itself and an offset: no sliced or concatenated string to
 * flatten); anything else is UTF-8 encoded by `encodeInto`, exactly the bytes `load` gives
 * the concatenated string (the tag is ASCII, so it is its own UTF-8).
 */
function loadTagged(message: string, from: number, tag: number): number {
  const length = message.length;
  const need = (length - from) * 3 + 73;
  if (scratch.length < need) scratch = new Uint8Array((need + 63) & ~63);
  const s = scratch;
  let n = 0;
  if (tag >= 0) s[n++] = tag;
  for (let i = from; i < length; i++) {
    const c = message.charCodeAt(i);
    if (c >= 0x80) return n + encoder.encodeInto(message.slice(i), s.subarray(n)).written;
    s[n++] = c;
  }
  return n;
}

/**
 * A secret-keyed index for strings that never leave the process (the keys of a `Map`): the
 * first 128 bits of SHA-256((K ⊕ ipad) ‖ message) under `key` — HMAC-SHA256's inner hash
 * alone, one compression for a message of up to 55 bytes (HMAC takes two) — as 8 UTF-16 units
 * built straight from the state words (no digest array). The message is `message` from index
 * `from` (default 0), after the byte `tag` when one is given (0–127), UTF-8 encoded.
 *
 * **Why the inner hash suffices for an index.** An index needs one thing: that nobody who does
 * not know the key can make two different messages share an id, including by choosing
 * messages one after another while watching which ones hit. That is what the HMAC/NMAC proofs
 * establish of the inner hash (Bellare, "New Proofs for NMAC and HMAC: Security without
 * Collision-Resistance", CRYPTO 2006): if the SHA-256 compression function is a PRF (the
 * assumption HMAC already rests on), the state after the secret key block is pseudorandom and
 * the Merkle–Damgård cascade keyed by it is *computationally almost universal*: for any two
 * distinct messages fixed in advance, the chance they reach the same state is about
 * ℓ·(PRF advantage) + 2^-256 (ℓ blocks). Watching hits does not help: an attacker learns only
 * "hit" or "miss", and until a first hit every answer is "miss", so the attack is as good as
 * one whose guesses were fixed in advance; each guess then lands on one of N entries with
 * probability about N·2^-128. HMAC's outer hash exists for what an index does not need: a
 * MAC whose outputs are shown to the attacker, where the bare inner hash would allow length
 * extension. Here no output leaves the process, and one that leaked would not allow it
 * either: an extension needs the whole 256-bit state, and only half of it is kept.
 *
 * **Why 128 bits.** The attacker cannot compute ids (no key), so no birthday search runs
 * offline: a forged value must be sent and hits one of N cached ids with probability N·2^-128
 * per request (2^-115 with 10,000 entries). Two honest values share an id with probability
 * about N²·2^-129 (2^-89 with a million entries). The almost-universal bound above is for the
 * whole state; that half of it is as good rests on the last compression being a PRF keyed by
 * the (secret, pseudorandom) chaining value, so any 128 of its output bits are. 256 bits
 * would only make the `Map`'s keys twice as long to build and hash.
 *
 * The schedule and scratch buffers that held the message are zeroed before an id is
 * returned (as after `sha256` and `hmacSha256`): no plaintext of a hashed value stays in
 * module memory (PWD-09).
 *
 * Not a MAC and not a password hash: an id is a lookup key. (Internal to the core: the
 * `VerificationCache` keys its entries with it.)
 *
 * @example
 * ```ts
 * const id = keyedIndex(crypto.getRandomValues(new Uint8Array(32)));
 * const key = id(headerValue, 6, 0x42); // 'B' + headerValue.slice(6), hashed in place
 * ```
 */
export function keyedIndex(key: Uint8Array): (message: string, from?: number, tag?: number) => string {
  const k = key.length > 64 ? sha256(key) : key;
  const pad = new Uint8Array(64);
  const start = new Int32Array(IV);
  for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36;
  compress(start, pad, 0);
  pad.fill(0);
  wipe(0); // the block words held the key's pad
  const H = new Int32Array(8);
  return (message, from = 0, tag = -1) => {
    copyState(start, H);
    // The usual value (ASCII, one block) goes straight from its characters into the words.
    if (oneBlock(message, from, tag)) {
      mix(H);
      wipe(0);
    } else wipe(finish(H, loadTagged(message, from, tag), 1));
    const a = H[0] as number, b = H[1] as number, c = H[2] as number, d = H[3] as number;
    return String.fromCharCode(a >>> 16, a & 0xffff, b >>> 16, b & 0xffff, c >>> 16, c & 0xffff, d >>> 16, d & 0xffff);
  };
}
