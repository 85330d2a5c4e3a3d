import * as bcrypt from '@node-rs/bcrypt';
import { ConfigurationError } from '@portcullis/core';
import { parseBcrypt } from '@portcullis/core/hashing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { bcryptHasher } from '../src/bcrypt.js';
import { UNICODE_PASSWORDS } from './helpers.js';

vi.mock('@node-rs/bcrypt', async (importOriginal) => {
  const original = await importOriginal<typeof import('@node-rs/bcrypt')>();
  return {
    ...original,
    hash: vi.fn(original.hash),
    hashSync: vi.fn(original.hashSync),
    verify: vi.fn(original.verify),
    verifySync: vi.fn(original.verifySync),
  };
});

/** The cheapest cost the hasher accepts for new hashes (ASVS 2.4.4's minimum). */
const cheap = { cost: 10 };
/** A cost-4 hash made by the binding directly, for fast verification tests. */
const legacy = (password: string) => bcrypt.hashSync(new TextEncoder().encode(password), 4);

afterEach(() => {
  vi.clearAllMocks();
});

describe('bcryptHasher', () => {
  it('PWD-03 defaults: $2b$, cost 12', async () => {
    const hasher = bcryptHasher();
    const stored = await hasher.hash('correct horse battery staple');
    expect(parseBcrypt(stored)).toEqual({ version: '2b', cost: 12 });
    expect(await hasher.verify('correct horse battery staple', stored)).toEqual({ ok: true, needsRehash: false });
  });

  it("PWD-06 register 'a'*72+'X': refused; log in with 'a'*72+'Y' against a truncating producer's hash: fails", async () => {
    const hasher = bcryptHasher(cheap);
    await expect(hasher.hash('a'.repeat(72) + 'X')).rejects.toMatchObject({ name: 'HashingError', code: 'password_too_long_for_algorithm' });
    expect(() => hasher.hashSync?.('a'.repeat(72) + 'X')).toThrow(expect.objectContaining({ code: 'password_too_long_for_algorithm' }));
    // Another system stored bcrypt('a'*72 + 'X'), silently truncated to 72 bytes:
    const truncated = legacy('a'.repeat(72) + 'X');
    expect(bcrypt.verifySync('a'.repeat(72) + 'Y', truncated)).toBe(true); // what a truncating bcrypt does
    expect(await hasher.verify('a'.repeat(72) + 'Y', truncated)).toEqual({ ok: false, needsRehash: false });
    expect(await hasher.verify('a'.repeat(72) + 'X', truncated)).toEqual({ ok: false, needsRehash: false });
    expect(hasher.verifySync?.('a'.repeat(72) + 'Y', truncated)).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-06 counts UTF-8 bytes, not characters: exactly 72 bytes is accepted, 73 is not', async () => {
    const hasher = bcryptHasher(cheap);
    const stored = await hasher.hash('a'.repeat(72));
    expect((await hasher.verify('a'.repeat(72), stored)).ok).toBe(true);
    const e36 = '\u00e9'.repeat(36); // 72 bytes
    expect((await hasher.verify(e36, await hasher.hash(e36))).ok).toBe(true);
    await expect(hasher.hash('\u00e9'.repeat(36) + 'a')).rejects.toMatchObject({ code: 'password_too_long_for_algorithm' });
    await expect(hasher.hash('\u{1f511}'.repeat(19))).rejects.toMatchObject({ code: 'password_too_long_for_algorithm' }); // 19 chars, 76 bytes
  });

  it('PWD-09 a composite key (userId + username + password) over 72 bytes is refused, never truncated into a password-free match', async () => {
    // The Okta 2024 bypass: bcrypt(userId + username + password) with a long username
    // ignored the password. Portcullis refuses such input; use HMAC for non-password keys.
    const hasher = bcryptHasher(cheap);
    const key = (password: string) => `00u1a2b3c4d5e6f7g8h9:${'long.username.'.repeat(4)}@example.com:${password}`;
    await expect(hasher.hash(key('right'))).rejects.toMatchObject({ code: 'password_too_long_for_algorithm' });
    const byTruncatingProducer = legacy(key('right'));
    expect(bcrypt.verifySync(key('wrong'), byTruncatingProducer)).toBe(true); // the bypass
    expect(await hasher.verify(key('wrong'), byTruncatingProducer)).toEqual({ ok: false, needsRehash: false });
  });

  it('refuses NUL bytes: hash throws password_contains_nul, verify is false', async () => {
    const hasher = bcryptHasher(cheap);
    await expect(hasher.hash('nul\u0000byte')).rejects.toMatchObject({ code: 'password_contains_nul' });
    const stored = legacy('nul'); // a C implementation stops at the NUL
    expect(await hasher.verify('nul\u0000byte', stored)).toEqual({ ok: false, needsRehash: false });
    expect(hasher.verifySync?.('nul\u0000byte', stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-10 round-trips Unicode, NFC vs NFD and case exactly', async () => {
    const hasher = bcryptHasher(cheap);
    const hashes = UNICODE_PASSWORDS.map((p) => legacy(p));
    for (const [i, password] of UNICODE_PASSWORDS.entries()) {
      for (const [j, stored] of hashes.entries()) {
        expect((await hasher.verify(password, stored)).ok, `${password} vs #${j}`).toBe(i === j);
      }
    }
    const stored = await hasher.hash('p\u00e4ssw\u00f6rd');
    expect((await hasher.verify('p\u00e4ssw\u00f6rd', stored)).ok).toBe(true);
    expect((await hasher.verify('pa\u0308sswo\u0308rd', stored)).ok).toBe(false);
  });

  it('PWD-19 the same password twice gives different salts and hashes', async () => {
    const hasher = bcryptHasher(cheap);
    const [a, b] = await Promise.all([hasher.hash('same'), hasher.hash('same')]);
    expect(a).not.toBe(b);
    expect(a.slice(7, 29)).not.toBe(b.slice(7, 29));
  });

  it('PWD-15 needsRehash: $2b$10$ under policy cost 12 → rehash; cost 12 → no write; PWD-22 cost 13 → no write', async () => {
    const policy = bcryptHasher();
    // Same algorithm, other labels: for an ASCII password $2a$, $2b$ and $2y$ hash alike.
    const at = (cost: number, version: '2a' | '2b' | '2y' = '2b') => `$${version}$${bcrypt.hashSync('pw', cost).slice(4)}`;
    expect(await policy.verify('pw', at(10))).toEqual({ ok: true, needsRehash: true });
    expect(await policy.verify('pw', at(4, '2a'))).toEqual({ ok: true, needsRehash: true });
    expect(await policy.verify('pw', at(12))).toEqual({ ok: true, needsRehash: false });
    // $2y$ is PHP's name for $2b$: only the cost decides.
    expect(await policy.verify('pw', at(13, '2y'))).toEqual({ ok: true, needsRehash: false });
    expect(await policy.verify('px', at(10))).toEqual({ ok: false, needsRehash: false });
  });

  it('PWD-12 / DOS-01 a password over the cap: the KDF never runs', async () => {
    const hasher = bcryptHasher(cheap);
    const stored = legacy('pw');
    vi.clearAllMocks();
    const huge = 'a'.repeat(1024 * 1024);
    const started = performance.now();
    expect(await hasher.verify(huge, stored)).toEqual({ ok: false, needsRehash: false });
    expect(performance.now() - started).toBeLessThan(50);
    await expect(hasher.hash(huge)).rejects.toMatchObject({ code: 'password_too_long' });
    expect(bcrypt.hash).not.toHaveBeenCalled();
    expect(bcrypt.verify).not.toHaveBeenCalled();
  });

  it('DOS-13 a stored cost over 16 is refused before computing', async () => {
    const hasher = bcryptHasher(cheap);
    const body = legacy('pw').slice(7);
    const started = performance.now();
    for (const cost of ['17', '20', '31']) {
      expect(await hasher.verify('pw', `$2b$${cost}$${body}`)).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
      expect(hasher.verifySync?.('pw', `$2b$${cost}$${body}`)).toEqual({ ok: false, needsRehash: false, refused: 'hash_parameters_refused' });
    }
    expect(performance.now() - started).toBeLessThan(50);
    expect(bcrypt.verify).not.toHaveBeenCalled();
    expect(bcrypt.verifySync).not.toHaveBeenCalled();
  });

  it('malformed or unknown stored values verify as false and never throw (no plaintext compare)', async () => {
    const hasher = bcryptHasher(cheap);
    const body = legacy('pw').slice(7);
    for (const stored of ['pw', '', '$2b$', `$2x$04$${body}`, `$2b$04$${body}x`, `$2b$4$${body}`, '$argon2id$v=19$', null, undefined]) {
      expect(await hasher.verify('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
      expect(hasher.verifySync?.('pw', stored as string)).toEqual({ ok: false, needsRehash: false });
    }
  });

  it('has sync variants that agree with the async ones', async () => {
    const hasher = bcryptHasher(cheap);
    const stored = hasher.hashSync?.('pw') as string;
    expect(parseBcrypt(stored)).toEqual({ version: '2b', cost: 10 });
    expect(await hasher.verify('pw', stored)).toEqual({ ok: true, needsRehash: false });
    expect(hasher.verifySync?.('pw', stored)).toEqual({ ok: true, needsRehash: false });
  });

  it.each([[{ cost: 9 }], [{ cost: 4 }], [{ cost: 17 }], [{ maxCost: 32 }], [{ cost: 12, maxCost: 11 }]])(
    'refuses unusable options at construction (cost ≥ 10, ASVS 2.4.4): %j',
    (options) => {
      expect(() => bcryptHasher(options)).toThrow(ConfigurationError);
    },
  );
});
