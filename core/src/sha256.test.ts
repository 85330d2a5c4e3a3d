import { createHash, createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bufferResidue, digestKey, hmacSha256, keyedIndex, sha256 } from './sha256.js';

// Lengths around the padding boundaries (55/56/64 bytes), multi-block, non-ASCII and long inputs.
// ASCII is copied by a loop and anything else encoded by TextEncoder: a non-ASCII character
// after an ASCII run, a lone surrogate (U+FFFD, as Buffer encodes it) and DEL/0x80 at the edge.
const MESSAGES = ['', 'a', 'abc', '5:alice:correct horse', 'x'.repeat(55), 'x'.repeat(56), 'x'.repeat(63), 'x'.repeat(64), 'x'.repeat(65), 'é€😀'.repeat(40), 'y'.repeat(3000), 'z'.repeat(100_000),
  `${'a'.repeat(40)}é`, `Basic ${'b'.repeat(30)}\u0080`, 'ok\u007f', 'lone \ud800 surrogate', `${'c'.repeat(60)}😀`];

describe('sha256 (synchronous, plain JS)', () => {
  it('matches node:crypto on the FIPS 180-4 vectors and on every padding boundary', () => {
    expect(Buffer.from(sha256('abc')).toString('hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(Buffer.from(sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toString('hex')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    for (const m of MESSAGES) {
      expect(Buffer.from(sha256(m)).equals(createHash('sha256').update(m, 'utf8').digest())).toBe(true);
      const bytes = new Uint8Array(Buffer.from(m, 'utf8'));
      expect(Buffer.from(sha256(bytes)).equals(createHash('sha256').update(bytes).digest())).toBe(true);
    }
  });

  it('gives the same digest after a longer message grew the scratch buffer', () => {
    const before = Buffer.from(sha256('short'));
    sha256('w'.repeat(50_000));
    expect(Buffer.from(sha256('short')).equals(before)).toBe(true);
  });
});

describe('hmacSha256', () => {
  it('matches node:crypto for short, 64-byte and long (hashed) keys', () => {
    for (const keyLength of [0, 1, 32, 64, 65, 200]) {
      const key = randomBytes(keyLength);
      const mac = hmacSha256(new Uint8Array(key));
      for (const m of MESSAGES) expect(Buffer.from(mac(m)).equals(createHmac('sha256', key).update(m, 'utf8').digest())).toBe(true);
    }
  });

  it('RFC 4231 test case 2', () => {
    const mac = hmacSha256(new TextEncoder().encode('Jefe'));
    expect(Buffer.from(mac('what do ya want for nothing?')).toString('hex')).toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  it('two keys give different MACs for the same message', () => {
    const a = hmacSha256(new Uint8Array(32).fill(1));
    const b = hmacSha256(new Uint8Array(32).fill(2));
    expect(digestKey(a('m'))).not.toBe(digestKey(b('m')));
  });
});

describe('digestKey', () => {
  it('keeps every bit: 16 UTF-16 units for 32 bytes, one per byte pair', () => {
    const d = new Uint8Array(32).map((_, i) => i * 7);
    const key = digestKey(d);
    expect(key).toHaveLength(16);
    expect(key.charCodeAt(0)).toBe((0 << 8) | 7);
    const flipped = d.slice();
    flipped[31] = (flipped[31] as number) ^ 1;
    expect(digestKey(flipped)).not.toBe(key);
  });

  it('gives the same key by its 32-byte path as pair by pair, and keeps an odd last byte', () => {
    const bytes = new Uint8Array(33).map((_, i) => (i * 59 + 3) & 255);
    const pairs = (d: Uint8Array): string => {
      let out = '';
      for (let i = 0; i < d.length; i += 2) out += String.fromCharCode(((d[i] as number) << 8) | (d[i + 1] ?? 0));
      return out;
    };
    expect(digestKey(bytes.subarray(0, 32))).toBe(pairs(bytes.subarray(0, 32)));
    expect(digestKey(bytes)).toBe(pairs(bytes));
    expect(digestKey(bytes)).toHaveLength(17);
  });
});

describe('digestKey: one call, the same key as the concatenation it replaced (issue #17)', () => {
  const reference = (digest: Uint8Array): string => {
    let out = '';
    for (let i = 0; i < digest.length; i += 2) out += String.fromCharCode(((digest[i] as number) << 8) | (digest[i + 1] ?? 0));
    return out;
  };
  it('is the same string for 32-byte digests and for other lengths', () => {
    for (let i = 0; i < 200; i++) {
      const d = new Uint8Array(randomBytes(32));
      expect(digestKey(d)).toBe(reference(d));
    }
    for (const n of [0, 1, 2, 31, 33, 64]) {
      const d = new Uint8Array(randomBytes(n));
      expect(digestKey(d)).toBe(reference(d));
    }
  });
});

describe('keyedIndex: HMAC-SHA256\'s inner hash, 128 bits, hashed in place (issue #17)', () => {
  /** The reference: SHA-256((K xor ipad) || tag || UTF-8(message.slice(from))) by node:crypto, first 16 bytes as 8 units. */
  const reference = (key: Uint8Array, message: string, from = 0, tag = -1): string => {
    const k = key.length > 64 ? createHash('sha256').update(key).digest() : Buffer.from(key);
    const pad = Buffer.alloc(64);
    for (let i = 0; i < 64; i++) pad[i] = (k[i] ?? 0) ^ 0x36;
    const hash = createHash('sha256').update(pad);
    if (tag >= 0) hash.update(Buffer.from([tag]));
    return digestKey(hash.update(message.slice(from), 'utf8').digest().subarray(0, 16));
  };
  /** Random strings: mostly ASCII, some Latin-1 (as Node gives header bytes ≥ 0x80), BMP and astral characters. */
  const generated = (seed: number): string => {
    let x = seed * 2654435761;
    const next = (): number => (x = (Math.imul(x ^ (x >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0);
    const length = next() % 300;
    let out = '';
    for (let i = 0; i < length; i++) {
      const r = next() % 100;
      if (r < 85) out += String.fromCharCode(0x20 + (next() % 95));
      else if (r < 92) out += String.fromCharCode(0x80 + (next() % 128));
      else if (r < 97) out += String.fromCharCode(0x100 + (next() % 0xd000));
      else out += String.fromCodePoint(0x10000 + (next() % 0x1000));
    }
    return out;
  };

  it('matches node:crypto over generated inputs: one and several blocks, ASCII and not, with and without tag and offset', () => {
    for (const keyLength of [0, 16, 32, 64, 65]) {
      const key = new Uint8Array(randomBytes(keyLength));
      const id = keyedIndex(key);
      for (const m of MESSAGES) {
        expect(id(m)).toBe(reference(key, m));
        expect(id(m, 0, 0x42)).toBe(reference(key, m, 0, 0x42));
        const from = Math.min(6, m.length);
        expect(id(m, from, 0x52)).toBe(reference(key, m, from, 0x52));
      }
      for (let seed = 1; seed <= 300; seed++) {
        const m = generated(seed * 31 + keyLength);
        const from = seed % 7 <= m.length ? seed % 7 : 0;
        expect(id(m, from, seed % 2 === 0 ? 0x42 : -1)).toBe(reference(key, m, from, seed % 2 === 0 ? 0x42 : -1));
      }
    }
  });

  it('every length from 0 to 200 bytes (each padding boundary, 1 to 5 blocks), ASCII and with one non-ASCII character at the end', () => {
    const key = new Uint8Array(randomBytes(32));
    const id = keyedIndex(key);
    for (let n = 0; n <= 200; n++) {
      const ascii = 'Basic '.concat('q'.repeat(n));
      expect(id(ascii, 6, 0x42)).toBe(reference(key, ascii, 6, 0x42));
      const latin = `${'r'.repeat(n)}\u00e9`;
      expect(id(latin, 0, 0x52)).toBe(reference(key, latin, 0, 0x52));
    }
  });

  it('hashing in place from an offset after a tag is the same as hashing the joined string (what the cache did before)', () => {
    const key = new Uint8Array(randomBytes(32));
    const id = keyedIndex(key);
    const value = `Basic ${Buffer.from('alice:correct horse battery staple').toString('base64')}`;
    expect(id(value, 6, 0x42)).toBe(id(`B${value.slice(6)}`));
    expect(id(value, 0, 0x52)).toBe(id(`R${value}`));
  });

  it('is 8 UTF-16 units (128 bits) and depends on the key', () => {
    const a = keyedIndex(new Uint8Array(32).fill(1));
    const b = keyedIndex(new Uint8Array(32).fill(2));
    expect(a('m')).toHaveLength(8);
    expect(a('m')).not.toBe(b('m'));
    expect(a('m')).toBe(a('m'));
  });

  it('gives the same id after a longer message grew the scratch space', () => {
    const id = keyedIndex(new Uint8Array(32).fill(3));
    const before = id('short', 0, 0x42);
    id('w'.repeat(50_000), 0, 0x42);
    id('\u20ac'.repeat(20_000));
    expect(id('short', 0, 0x42)).toBe(before);
  });
});

describe('PWD-09 the module buffers keep nothing of what was hashed (security review, issue #17)', () => {
  const clean = (): void => {
    const { words, bytes } = bufferResidue();
    expect(words.every((w) => w === 0)).toBe(true);
    expect(bytes.every((b) => b === 0)).toBe(true);
  };
  const secret = 'alice:Tr0ub4dor&3';
  const values = [secret, `Basic ${Buffer.from(secret).toString('base64')}`, 'böb:pässwörd', 'x'.repeat(55), 'y'.repeat(56), 'z'.repeat(300), '€'.repeat(90)];

  it('PWD-09 after sha256, hmacSha256 and keyedIndex (one block, several, non-ASCII) and after their keys are set up', () => {
    const key = randomBytes(32);
    const hmac = hmacSha256(key);
    clean();
    const index = keyedIndex(key);
    clean();
    for (const value of values) {
      sha256(value);
      clean();
      sha256(new TextEncoder().encode(value));
      clean();
      hmac(value);
      clean();
      index(value);
      clean();
      index(value, 6, 0x42);
      clean();
    }
    hmacSha256(randomBytes(100)); // a long key is hashed first
    clean();
  });

  it('the digests are unchanged by the wipe', () => {
    const key = randomBytes(32);
    for (const value of values) {
      expect(Buffer.from(sha256(value)).toString('hex')).toBe(createHash('sha256').update(value).digest('hex'));
      expect(Buffer.from(hmacSha256(key)(value)).toString('hex')).toBe(createHmac('sha256', key).update(value).digest('hex'));
    }
  });
});

describe('the unrolled compression and the ASCII input path, against node:crypto (issue #17, fourth round)', () => {
  // Deterministic pseudo-random text: ASCII (printable and control), Latin-1, BMP, astral, lone surrogates.
  let seed = 0x2545f491;
  const next = (): number => {
    seed ^= seed << 13;
    seed ^= seed >>> 17;
    seed ^= seed << 5;
    return seed >>> 0;
  };
  const asciiText = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += String.fromCharCode(next() % 128);
    return s;
  };
  const NON_ASCII = ['\u0080', '\u00ff', 'é', '€', '\ud800', '\udfff', '😀', '\uffff'];
  const key = new Uint8Array(randomBytes(32));
  const mac = hmacSha256(key);
  const check = (m: string): void => {
    expect(Buffer.from(sha256(m)).toString('hex')).toBe(createHash('sha256').update(m, 'utf8').digest('hex'));
    expect(Buffer.from(mac(m)).toString('hex')).toBe(createHmac('sha256', key).update(m, 'utf8').digest('hex'));
    const bytes = new Uint8Array(Buffer.from(m, 'utf8'));
    expect(Buffer.from(sha256(bytes)).toString('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(Buffer.from(mac(bytes)).toString('hex')).toBe(createHmac('sha256', key).update(bytes).digest('hex'));
  };

  it('every length 0–300, random ASCII', () => {
    for (let n = 0; n <= 300; n++) check(asciiText(n));
  });

  it('every length 0–300 with a non-ASCII character at the start, in the middle or at the end', () => {
    for (let n = 1; n <= 300; n++) {
      const odd = NON_ASCII[n % NON_ASCII.length] as string;
      const text = asciiText(n - 1);
      check(odd + text);
      check(text.slice(0, n >> 1) + odd + text.slice(n >> 1));
      check(text + odd);
    }
  });

  it('a non-ASCII character at every position around the block boundaries (55/56/63/64/119/120)', () => {
    for (const n of [55, 56, 63, 64, 65, 119, 120, 127, 128, 129]) {
      const text = asciiText(n);
      check(text);
      for (let at = 0; at < n; at++) check(text.slice(0, at) + NON_ASCII[at % NON_ASCII.length] + text.slice(at + 1));
    }
  });

  it('the JWT-shaped inputs of a cold token: base64url signing inputs of 150–260 characters', () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    for (let n = 150; n <= 260; n++) {
      let s = '';
      for (let i = 0; i < n; i++) s += i === 36 ? '.' : alphabet[next() % 64];
      check(s);
      // A slice of a longer string (the Authorization value), as verify-hmac.ts passes it.
      const header = `Bearer ${s}.signature`;
      check(header.slice(7, 7 + n));
    }
  });

  it('PWD-09 the block words and the scratch space are zero after the ASCII path and after its fallback', () => {
    const { words, bytes } = bufferResidue();
    for (const m of [asciiText(10), asciiText(64), asciiText(200), `${asciiText(130)}é`, `é${asciiText(130)}`]) {
      sha256(m);
      expect(words.every((w) => w === 0)).toBe(true);
      expect(bytes.every((b) => b === 0)).toBe(true);
      mac(m);
      expect(words.every((w) => w === 0)).toBe(true);
      expect(bytes.every((b) => b === 0)).toBe(true);
    }
  });

  it('PWD-09 a digest whose fallback throws (the scratch space cannot grow) leaves no message word in the block buffer', () => {
    // ASCII blocks first, then a non-ASCII character: the ASCII path has filled W when it
    // bails out, and the fallback needs a larger scratch space than any digest before.
    const secret = `${'p'.repeat(120)}é${'q'.repeat(3_000_000)}`;
    const Real = globalThis.Uint8Array;
    globalThis.Uint8Array = class extends Real {
      constructor(...args: unknown[]) {
        if (typeof args[0] === 'number' && args[0] > 4096) throw new RangeError('Array buffer allocation failed');
        super(...(args as [number]));
      }
    } as typeof Uint8Array;
    try {
      expect(() => sha256(secret)).toThrow(RangeError);
      expect(() => mac(secret)).toThrow(RangeError);
    } finally {
      globalThis.Uint8Array = Real;
    }
    expect(bufferResidue().words.every((w) => w === 0)).toBe(true);
  });
});
