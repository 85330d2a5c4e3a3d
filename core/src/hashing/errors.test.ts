import { describe, expect, it } from 'vitest';
import { HashingError, isHashingError, type HashingErrorCode } from './errors.js';
import { encodePassword } from './password-bytes.js';

const CODES: HashingErrorCode[] = [
  'invalid_password',
  'password_too_long',
  'password_too_long_for_algorithm',
  'password_contains_nul',
  'hash_failed',
];

describe('HashingError', () => {
  it('carries a stable code, a fixed message per code, its cause', () => {
    for (const code of CODES) {
      const error = new HashingError(code, { cause: new Error('inner') });
      expect(error.code).toBe(code);
      expect(error.name).toBe('HashingError');
      expect(error.message).toBe(new HashingError(code).message);
      expect((error.cause as Error).message).toBe('inner');
      expect(error).toBeInstanceOf(Error);
    }
    expect(new Set(CODES.map((code) => new HashingError(code).message)).size).toBe(CODES.length);
  });

  it('never puts the password in the message', () => {
    const password = 'S3cr3t!Pw' + 'x'.repeat(2000);
    try {
      encodePassword(password);
      expect.unreachable();
    } catch (error) {
      expect(isHashingError(error) && error.code).toBe('password_too_long');
      expect(String(error)).not.toContain('S3cr3t');
      expect(JSON.stringify(error)).not.toContain('S3cr3t');
    }
  });

  it('isHashingError recognises duplicated module copies by name and code', () => {
    expect(isHashingError(new HashingError('hash_failed'))).toBe(true);
    expect(isHashingError(Object.assign(new Error('x'), { name: 'HashingError', code: 'password_too_long' }))).toBe(true);
    expect(isHashingError(Object.assign(new Error('x'), { name: 'HashingError', code: 'nope' }))).toBe(false);
    expect(isHashingError(new Error('x'))).toBe(false);
    expect(isHashingError({ name: 'HashingError', code: 'hash_failed' })).toBe(false);
  });
});

describe('encodePassword', () => {
  it('PWD-10 encodes exactly: no normalisation, no case folding, NUL kept', () => {
    expect(encodePassword('\u00e9')).toEqual(Uint8Array.of(0xc3, 0xa9));
    expect(encodePassword('e\u0301')).toEqual(Uint8Array.of(0x65, 0xcc, 0x81));
    expect(encodePassword('a\u0000b')).toEqual(Uint8Array.of(0x61, 0, 0x62));
    expect(encodePassword('\u{1f511}')).toEqual(Uint8Array.of(0xf0, 0x9f, 0x94, 0x91));
  });

  it('PWD-12 counts UTF-8 bytes against the cap (default 1024)', () => {
    expect(encodePassword('a'.repeat(1024)).length).toBe(1024);
    expect(() => encodePassword('a'.repeat(1025))).toThrow(expect.objectContaining({ code: 'password_too_long' }));
    expect(encodePassword('\u00e9'.repeat(512)).length).toBe(1024);
    expect(() => encodePassword('\u00e9'.repeat(513))).toThrow(expect.objectContaining({ code: 'password_too_long' }));
    expect(() => encodePassword('abc', 2)).toThrow(expect.objectContaining({ code: 'password_too_long' }));
  });

  it('refuses lone surrogates and non-strings (they have no exact UTF-8 form)', () => {
    expect(() => encodePassword('a\ud800b')).toThrow(expect.objectContaining({ code: 'invalid_password' }));
    expect(() => encodePassword('\udc00')).toThrow(expect.objectContaining({ code: 'invalid_password' }));
    expect(() => encodePassword(undefined as unknown as string)).toThrow(expect.objectContaining({ code: 'invalid_password' }));
  });
});
