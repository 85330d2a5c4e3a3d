import { describe, it, expect } from 'vitest';
import { base64urlEquals, bytesEqual, timingSafeEqual } from './timing.js';

describe('timingSafeEqual', () => {
  it('is true for equal strings and false otherwise', async () => {
    expect(await timingSafeEqual('s3cr3t', 's3cr3t')).toBe(true);
    expect(await timingSafeEqual('', '')).toBe(true);
    expect(await timingSafeEqual('s3cr3t', 's3cr3T')).toBe(false);
    expect(await timingSafeEqual('s3cr3t', 's3cr3t ')).toBe(false);
    expect(await timingSafeEqual('s3cr3t', '')).toBe(false);
  });

  it('BAS-13 compares exactly: NFC and NFD are different, no case folding', async () => {
    expect(await timingSafeEqual('\u00e9', 'e\u0301')).toBe(false);
    expect(await timingSafeEqual('Pass', 'pass')).toBe(false);
  });

  it('compares beyond any truncation point (72 bytes, NUL)', async () => {
    const long = 'a'.repeat(100);
    expect(await timingSafeEqual(long, long + 'b')).toBe(false);
    expect(await timingSafeEqual('a'.repeat(72) + 'x', 'a'.repeat(72) + 'y')).toBe(false);
    expect(await timingSafeEqual('pass\u0000a', 'pass\u0000b')).toBe(false);
  });

  it('returns a Promise (async, so both fields can be compared together)', () => {
    const result = timingSafeEqual('a', 'a');
    expect(result).toBeInstanceOf(Promise);
    return result;
  });
});

describe('bytesEqual', () => {
  it('compares byte arrays', () => {
    expect(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4))).toBe(false);
    expect(bytesEqual(Uint8Array.of(0, 2, 3), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(bytesEqual(new Uint8Array(0), new Uint8Array(0))).toBe(true);
  });

  it('is false when lengths differ', () => {
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2))).toBe(false);
  });
});

describe('base64urlEquals', () => {
  it('is true exactly when the text from start is the canonical unpadded base64url of the bytes (differential, every length 0–48)', () => {
    const chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=';
    for (let n = 0; n <= 48; n++) {
      const bytes = crypto.getRandomValues(new Uint8Array(n));
      const encoded = Buffer.from(bytes).toString('base64url');
      const texts = new Set([encoded, `${encoded}=`, `${encoded}A`, encoded.slice(0, -1), Buffer.from(bytes).toString('base64'), '']);
      for (let i = 0; i < encoded.length; i++) {
        for (const c of chars) texts.add(encoded.slice(0, i) + c + encoded.slice(i + 1));
        texts.add(encoded.slice(0, i) + '\u0100' + encoded.slice(i + 1)); // a code unit whose low byte is 0
      }
      for (const text of texts) {
        expect(base64urlEquals(bytes, text), `${n} ${text}`).toBe(text === encoded);
        expect(base64urlEquals(bytes, `prefix.${text}`, 7), `${n} prefix.${text}`).toBe(text === encoded);
      }
    }
  });
});
