import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { bytesEqual } from '../timing.js';
import { djangoPbkdf2Hasher } from './django-pbkdf2.js';
import { passlibPbkdf2Hasher } from './passlib-pbkdf2.js';
import { pbkdf2Hasher } from './pbkdf2.js';
import { formatPbkdf2, parseDjangoPbkdf2, parsePasslibPbkdf2, parsePbkdf2 } from './pbkdf2-format.js';

vi.mock('../timing.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../timing.js')>();
  return { ...original, bytesEqual: vi.fn(original.bytesEqual) };
});

/** Cheap parameters for most tests; the defaults are tested where they are the point. */
const cheap = { iterations: 1000 };
const PASSWORDS = [
  'correct horse battery staple',
  'p\u00e4ssw\u00f6rd',
  'pa\u0308sswo\u0308rd',
  '\u5bc6\u7801\u5bc6\u7801\u5bc6\u7801\u5bc6\u7801',
  '\u{1f511}'.repeat(8),
  'pass:word:with:colons',
  'nul\u0000byte',
  '\u0000\u0001',
  'x'.repeat(1024),
  '',
];

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllGlobals();
});

describe('pbkdf2Hasher', () => {
  it('PWD-04 defaults: PBKDF2-HMAC-SHA256, 600,000 iterations, 16-byte salt, 32-byte key, PHC string', async () => {
    const hasher = pbkdf2Hasher();
    const stored = await hasher.hash('correct horse battery staple');
    expect(stored).toMatch(/^\$pbkdf2-sha256\$i=600000\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    expect(parsePbkdf2(stored)).toMatchObject({ digest: 'SHA-256', iterations: 600000 });
    expect(parsePbkdf2(stored)?.salt.length).toBe(16);
    expect(await hasher.verify('correct horse battery staple', stored)).toEqual({ ok: true, needsRehash: false });
  });

  it('PWD-04 SHA-512 defaults to OWASP 220,000 iterations', () => {
    const spy = vi.spyOn(crypto.subtle, 'deriveBits');
    const hasher = pbkdf2Hasher({ digest: 'SHA-512' });
    return hasher.hash('pw').then((stored) => {
      expect(stored.startsWith('$pbkdf2-sha512$i=220000$')).toBe(true);
      expect(parsePbkdf2(stored)?.hash.length).toBe(64);
      expect(spy.mock.calls[0]?.[0]).toMatchObject({ name: 'PBKDF2', hash: 'SHA-512', iterations: 220000 });
    });
  });

  it('PWD-10 round-trips Unicode, NFC vs NFD, colons, NUL and 1024-byte passwords exactly', async () => {
    const hasher = pbkdf2Hasher(cheap);
    const hashes = await Promise.all(PASSWORDS.map((p) => hasher.hash(p)));
    for (const [i, password] of PASSWORDS.entries()) {
      for (const [j, stored] of hashes.entries()) {
        expect((await hasher.verify(password, stored)).ok, `${i} vs ${j}`).toBe(i === j);
      }
    }
    const stored = await hasher.hash('Password');
    expect((await hasher.verify('password', stored)).ok).toBe(false);
    expect((await hasher.verify('PASSWORD', stored)).ok).toBe(false);
  });

  it('PWD-10 known PBKDF2-HMAC property: trailing NUL bytes do not count (HMAC zero-pads short keys), as in passlib and Django', async () => {
    // Documented in docs/hashing.md; argon2id (the default on Node) has no such equivalence.
    const hasher = pbkdf2Hasher(cheap);
    expect((await hasher.verify('pw\u0000', await hasher.hash('pw'))).ok).toBe(true);
    expect((await hasher.verify('\u0000', await hasher.hash(''))).ok).toBe(true);
    expect((await hasher.verify('p\u0000w', await hasher.hash('pw'))).ok).toBe(false);
    expect((await hasher.verify('\u0000pw', await hasher.hash('pw'))).ok).toBe(false);
  });

  it('PWD-19 hashing the same password twice gives different salts and hashes', async () => {
    const hasher = pbkdf2Hasher(cheap);
    const [a, b] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
    expect(a).not.toBe(b);
    expect(parsePbkdf2(a)?.salt).not.toEqual(parsePbkdf2(b)?.salt);
  });

  it('PWD-21 compares derived keys with the constant-time bytesEqual', async () => {
    const hasher = pbkdf2Hasher(cheap);
    const stored = await hasher.hash('pw');
    vi.mocked(bytesEqual).mockClear();
    expect((await hasher.verify('wrong', stored)).ok).toBe(false);
    expect(bytesEqual).toHaveBeenCalledTimes(1);
    const [derived, expected] = vi.mocked(bytesEqual).mock.calls[0] as [Uint8Array, Uint8Array];
    expect(derived.length).toBe(expected.length);
  });

  it('PWD-12 / DOS-01 a password over the cap: verify is false in ms, hash throws password_too_long, the KDF never runs', async () => {
    const hasher = pbkdf2Hasher(cheap);
    const stored = await hasher.hash('pw');
    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    const importKey = vi.spyOn(crypto.subtle, 'importKey');
    const huge = 'a'.repeat(1024 * 1024);
    const started = performance.now();
    expect(await hasher.verify(huge, stored)).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify('a'.repeat(1025), stored)).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify('\u00e9'.repeat(513), stored)).toEqual({ ok: false, needsRehash: false });
    expect(performance.now() - started).toBeLessThan(50);
    await expect(hasher.hash(huge)).rejects.toMatchObject({ name: 'HashingError', code: 'password_too_long' });
    expect(derive).not.toHaveBeenCalled();
    expect(importKey).not.toHaveBeenCalled();
    const small = pbkdf2Hasher({ ...cheap, maxPasswordBytes: 8 });
    await expect(small.hash('123456789')).rejects.toMatchObject({ code: 'password_too_long' });
    expect((await small.verify('12345678', await small.hash('12345678'))).ok).toBe(true);
  });

  it('DOS-13 crafted stored parameters are refused before computing', async () => {
    const hasher = pbkdf2Hasher(cheap);
    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    const salt = new Uint8Array(16);
    const crafted = [
      formatPbkdf2({ digest: 'SHA-256', iterations: 10_000_001, salt, hash: new Uint8Array(32) }),
      formatPbkdf2({ digest: 'SHA-256', iterations: 4_294_967_295, salt, hash: new Uint8Array(32) }),
      // A long derived key multiplies the work by key length / digest size.
      `$pbkdf2-sha256$i=1000$AAAAAAAAAAAAAAAAAAAAAA$${'A'.repeat(700)}`,
      '$pbkdf2-sha256$i=99999999999$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    ];
    for (const stored of crafted) expect((await hasher.verify('pw', stored)).ok).toBe(false);
    // Over maxIterations: a refusal the failure log reports (hash_parameters_refused).
    for (const stored of crafted.slice(0, 2)) {
      expect(await hasher.verify('pw', stored)).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
    }
    expect(derive).not.toHaveBeenCalled();
    // The limit is an option: 10^7 by default.
    const strict = pbkdf2Hasher({ iterations: 1000, maxIterations: 5000 });
    expect(await strict.verify('pw', formatPbkdf2({ digest: 'SHA-256', iterations: 5001, salt, hash: new Uint8Array(32) }))).toEqual({
      ok: false,
      needsRehash: false,
      refused: 'hash_parameters_refused',
    });
    expect(derive).not.toHaveBeenCalled();
  });

  it('malformed or unknown stored values verify as false and never throw (no plaintext compare)', async () => {
    const hasher = pbkdf2Hasher(cheap);
    const values = ['', 'pw', '$pbkdf2-sha256$', '$pbkdf2-sha256$i=1000$$', '$pbkdf2-sha256$i=1000$!!$!!', '$2b$12$abc', null, undefined, 42, {}];
    for (const stored of values) {
      expect(await hasher.verify('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
    }
    expect(await hasher.verify(undefined as unknown as string, await hasher.hash('pw'))).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify('a\ud800', await hasher.hash('pw'))).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-15 needsRehash: fewer iterations or SHA-1 → rehash; the policy or stronger → no write (PWD-22)', async () => {
    const policy = pbkdf2Hasher({ iterations: 2000 });
    const check = async (options: Parameters<typeof pbkdf2Hasher>[0]) => {
      const stored = await pbkdf2Hasher(options).hash('pw');
      return policy.verify('pw', stored);
    };
    expect(await check({ iterations: 1000 })).toEqual({ ok: true, needsRehash: true });
    expect(await check({ iterations: 2000 })).toEqual({ ok: true, needsRehash: false });
    expect(await check({ iterations: 4000 })).toEqual({ ok: true, needsRehash: false });
    // SHA-512 at 2000 is stronger than SHA-256 at 2000 relative to OWASP (220k vs 600k): kept.
    expect(await check({ iterations: 2000, digest: 'SHA-512' })).toEqual({ ok: true, needsRehash: false });
    // SHA-512 at 700 is 700/220k < 2000/600k: rehash.
    expect(await check({ iterations: 700, digest: 'SHA-512' })).toEqual({ ok: true, needsRehash: true });
    // A SHA-1 PBKDF2 hash (verify-only) always needs a rehash, however many iterations.
    const salt = crypto.getRandomValues(new Uint8Array(16));
    const key = await crypto.subtle.importKey('raw', new TextEncoder().encode('pw'), 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-1', salt, iterations: 5000 }, key, 160);
    const sha1 = formatPbkdf2({ digest: 'SHA-1', iterations: 5000, salt, hash: new Uint8Array(bits) });
    expect(await policy.verify('pw', sha1)).toEqual({ ok: true, needsRehash: true });
    expect(await policy.verify('wrong', sha1)).toEqual({ ok: false, needsRehash: false });
  });

  it('identifies its PHC strings only', () => {
    const hasher = pbkdf2Hasher(cheap);
    expect(hasher.identifies('$pbkdf2-sha256$i=1$a$b')).toBe(true);
    expect(hasher.identifies('$pbkdf2-sha512$i=1$a$b')).toBe(true);
    expect(hasher.identifies('$pbkdf2-sha256$29000$a$b')).toBe(false); // passlib
    expect(hasher.identifies('pbkdf2_sha256$1$a$b')).toBe(false); // Django
    expect(hasher.identifies(undefined as unknown as string)).toBe(false);
  });

  it('wraps a failing KDF in hash_failed, with the cause and without the password', async () => {
    const hasher = pbkdf2Hasher(cheap);
    const stored = await hasher.hash('S3cr3t!Pw');
    vi.spyOn(crypto.subtle, 'deriveBits').mockRejectedValue(new Error('OperationError'));
    await expect(hasher.hash('S3cr3t!Pw')).rejects.toMatchObject({ code: 'hash_failed', cause: expect.any(Error) });
    const error: unknown = await hasher.verify('S3cr3t!Pw', stored).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'hash_failed' });
    expect(String(error)).not.toContain('S3cr3t');
  });

  it('has no sync variants (Web Crypto is async only)', () => {
    const hasher = pbkdf2Hasher(cheap);
    expect(hasher.hashSync).toBeUndefined();
    expect(hasher.verifySync).toBeUndefined();
    expect(Object.isFrozen(hasher)).toBe(true);
  });

  it.each([
    [{ iterations: 0 }],
    [{ iterations: 1.5 }],
    [{ iterations: '600000' }],
    [{ digest: 'SHA-1' }],
    [{ digest: 'MD5' }],
    [{ saltLength: 8 }],
    [{ keyLength: 8 }],
    [{ keyLength: 65 }],
    [{ maxPasswordBytes: 0 }],
    [{ iterations: 20_000_000 }],
    [{ iterations: 2000, maxIterations: 1000 }],
    [{ runtime: 'deno' }],
  ])('refuses unusable options at construction: %j', (options) => {
    expect(() => pbkdf2Hasher(options as never)).toThrow(ConfigurationError);
  });
});

describe('PWD-05 PBKDF2 on Cloudflare Workers (100,000-iteration platform cap)', () => {
  it('PWD-05 refuses more than 100,000 iterations at construction, with a clear message', () => {
    expect(() => pbkdf2Hasher({ runtime: 'workers' })).toThrow(ConfigurationError);
    expect(() => pbkdf2Hasher({ runtime: 'workers', iterations: 100_001 })).toThrow(ConfigurationError);
    try {
      pbkdf2Hasher({ runtime: 'workers', iterations: 600_000 });
      expect.unreachable();
    } catch (error) {
      expect(error).toMatchObject({ code: 'invalid_configuration' });
      expect((error as ConfigurationError).detail).toMatch(/600000 iterations exceed the 100000 PBKDF2 iterations Cloudflare Workers allow/);
    }
    expect(() => pbkdf2Hasher({ runtime: 'workers', iterations: 100_000, maxIterations: 100_001 })).toThrow(ConfigurationError);
    expect(() => passlibPbkdf2Hasher({ runtime: 'workers' })).toThrow(ConfigurationError);
    expect(() => djangoPbkdf2Hasher({ runtime: 'workers' })).toThrow(ConfigurationError);
  });

  it('PWD-05 detects Workers from navigator.userAgent, so a default hasher fails at startup, not at the first login', () => {
    vi.stubGlobal('navigator', { userAgent: 'Cloudflare-Workers' });
    expect(() => pbkdf2Hasher()).toThrow(ConfigurationError);
    expect(() => pbkdf2Hasher({ iterations: 100_000 })).not.toThrow();
    expect(() => pbkdf2Hasher({ runtime: 'standard' })).not.toThrow();
  });

  it('PWD-05 an explicit downgrade works, and stored hashes over the cap verify as false without computing', async () => {
    const hasher = pbkdf2Hasher({ runtime: 'workers', iterations: 1000 });
    expect((await hasher.verify('pw', await hasher.hash('pw'))).ok).toBe(true);
    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    const salt = new Uint8Array(16);
    const nodeHash = formatPbkdf2({ digest: 'SHA-256', iterations: 600_000, salt, hash: new Uint8Array(32) });
    expect(await hasher.verify('pw', nodeHash)).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
    expect(derive).not.toHaveBeenCalled();
  });
});

describe('passlibPbkdf2Hasher and djangoPbkdf2Hasher', () => {
  it('write their own formats, which they (and their parsers) read back', async () => {
    const passlib = passlibPbkdf2Hasher(cheap);
    const p = await passlib.hash('p\u00e4ss:w\u00f6rd');
    expect(p).toMatch(/^\$pbkdf2-sha256\$1000\$[A-Za-z0-9./]{22}\$[A-Za-z0-9./]{43}$/);
    expect(parsePasslibPbkdf2(p)?.salt.length).toBe(16);
    expect(await passlib.verify('p\u00e4ss:w\u00f6rd', p)).toEqual({ ok: true, needsRehash: false });
    expect((await passlib.verify('p\u00e4ss:w\u00f6r', p)).ok).toBe(false);

    const django = djangoPbkdf2Hasher(cheap);
    const d = await django.hash('p\u00e4ss:w\u00f6rd');
    expect(d).toMatch(/^pbkdf2_sha256\$1000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=$/);
    expect(parseDjangoPbkdf2(d)?.iterations).toBe(1000);
    expect(await django.verify('p\u00e4ss:w\u00f6rd', d)).toEqual({ ok: true, needsRehash: false });
    expect((await django.verify('P\u00e4ss:w\u00f6rd', d)).ok).toBe(false);
  });

  it('default to 600,000 iterations for new hashes, and flag older ones', async () => {
    const stored = await djangoPbkdf2Hasher({ iterations: 1000 }).hash('pw');
    expect(await djangoPbkdf2Hasher().verify('pw', stored)).toEqual({ ok: true, needsRehash: true });
    expect(await passlibPbkdf2Hasher().verify('pw', await passlibPbkdf2Hasher({ iterations: 1000 }).hash('pw'))).toEqual({
      ok: true,
      needsRehash: true,
    });
  });

  it('identify only their formats', () => {
    const passlib = passlibPbkdf2Hasher(cheap);
    const django = djangoPbkdf2Hasher(cheap);
    expect(passlib.identifies('$pbkdf2-sha256$29000$a$b')).toBe(true);
    expect(passlib.identifies('$pbkdf2$29000$a$b')).toBe(true);
    expect(passlib.identifies('$pbkdf2-sha256$i=29000$a$b')).toBe(false);
    expect(django.identifies('pbkdf2_sha256$260000$a$b')).toBe(true);
    expect(django.identifies('pbkdf2_sha1$260000$a$b')).toBe(true);
    expect(django.identifies('$pbkdf2-sha256$29000$a$b')).toBe(false);
  });

  it('Django always writes SHA-256 and both write digest-sized keys, whatever a JavaScript caller passes', async () => {
    const django = djangoPbkdf2Hasher({ iterations: 1000, digest: 'SHA-512' } as never);
    expect((await django.hash('pw')).startsWith('pbkdf2_sha256$1000$')).toBe(true);
    const passlib = passlibPbkdf2Hasher({ iterations: 1000, keyLength: 16 } as never);
    expect(parsePasslibPbkdf2(await passlib.hash('pw'))?.hash.length).toBe(32);
  });
});
