import { describe, expect, it, vi } from 'vitest';
import { configError } from '../../../test-support/connection.js';
import type { Hasher } from './hasher.js';
import { multiHasher } from './multi.js';
import { pbkdf2Hasher } from './pbkdf2.js';
import { pepperedHasher } from './pepper.js';
import { passwordPolicy, type BreachedPasswordCheck } from './policy.js';
import { wrappedHasher } from './wrapped.js';

const cheap = pbkdf2Hasher({ iterations: 1000 });
/** A hasher that reads at most 72 bytes, as bcrypt does (bcrypt itself is in @portcullis/hashers). */
const seventyTwo: Hasher = { ...cheap, id: 'bcrypt-like', maxPasswordBytes: 72 };

describe('passwordPolicy: length (PWD-11)', () => {
  const policy = passwordPolicy();

  it('PWD-11 7 characters are refused, 8 accepted (ASVS 5.0 6.2.1), with a stable code and 422', async () => {
    expect(await policy.check('abcdefg')).toEqual({ ok: false, code: 'password_too_short', status: 422 });
    expect(await policy.check('abcdefgh')).toEqual({ ok: true });
    expect(policy.minLength).toBe(8);
    expect(policy.maxLength).toBe(1024);
  });

  it('PWD-11 the minimum counts Unicode code points, not UTF-16 units or bytes', async () => {
    // 7 emoji are 14 UTF-16 units and 28 bytes, still 7 characters.
    expect((await policy.check('🔑'.repeat(7))).ok).toBe(false);
    expect((await policy.check('🔑'.repeat(8))).ok).toBe(true);
    expect((await policy.check('密码密码密码密')).ok).toBe(false);
    expect((await policy.check('密码密码密码密码')).ok).toBe(true);
    // NFD "é" is two code points: checked exactly as received, as the hasher hashes it.
    expect((await policy.check('e\u0301e\u0301e\u0301e\u0301')).ok).toBe(true);
    expect((await policy.check('\u00e9\u00e9\u00e9\u00e9')).ok).toBe(false);
  });

  it('PWD-11 a 15-character minimum (recommended without MFA)', async () => {
    const strict = passwordPolicy({ minLength: 15 });
    expect((await strict.check('fourteen chars')).ok).toBe(false);
    expect((await strict.check('fifteen chars!!')).ok).toBe(true);
  });

  it('PWD-11 64 and 129 characters are accepted: long passphrases, no upper bound below 1024 bytes by default', async () => {
    expect(await policy.check('x'.repeat(64))).toEqual({ ok: true });
    expect(await policy.check('correct horse battery staple '.repeat(4) + 'x'.repeat(13))).toEqual({ ok: true });
    expect(await policy.check('a'.repeat(1024))).toEqual({ ok: true });
  });

  it('PWD-12 over the 1024-byte cap: password_too_long, counted in UTF-8 bytes', async () => {
    expect(await policy.check('a'.repeat(1025))).toEqual({ ok: false, code: 'password_too_long', status: 422 });
    // 342 × "é" is 684 bytes; 342 × "🔑" is 1368 bytes (342 characters).
    expect((await policy.check('\u00e9'.repeat(342))).ok).toBe(true);
    expect(await policy.check('🔑'.repeat(342))).toEqual({ ok: false, code: 'password_too_long', status: 422 });
  });

  it('PWD-12 a 1 MiB password is refused in milliseconds, before the breached-password check', async () => {
    const isBreached = vi.fn(() => false);
    const guarded = passwordPolicy({ breached: { isBreached } });
    const started = performance.now();
    expect((await guarded.check('a'.repeat(1024 * 1024))).ok).toBe(false);
    expect(performance.now() - started).toBeLessThan(50);
    expect(isBreached).not.toHaveBeenCalled();
    // Control: a password within the bounds reaches the check.
    await guarded.check('a'.repeat(20));
    expect(isBreached).toHaveBeenCalledTimes(1);
  });

  it('PWD-11 64 characters of any script are accepted: the maximum is never under 256 bytes (ASVS 5.0 6.2.9)', async () => {
    // 'ä' takes 2 bytes, '密' 3, '🔑' 4: 64 of each are 128, 192 and 256 bytes.
    const tightest = passwordPolicy({ hasher: { ...cheap, maxPasswordBytes: 256 } });
    expect(tightest.maxLength).toBe(256);
    for (const password of ['\u00e4'.repeat(64), '密'.repeat(64), '🔑'.repeat(64)]) {
      expect(await tightest.check(password), password.slice(0, 2)).toEqual({ ok: true });
      expect(await policy.check(password), password.slice(0, 2)).toEqual({ ok: true });
    }
    expect(await tightest.check('🔑'.repeat(64) + 'a')).toEqual({ ok: false, code: 'password_too_long', status: 422 });
  });

  it('PWD-11 a hasher that reads fewer than 256 bytes (bcrypt: 72) is a startup error that names argon2id and pepperedHasher', () => {
    for (const hasher of [seventyTwo, multiHasher([seventyTwo, cheap]), wrappedHasher({ id: 'tag', prefix: 'tag$', inner: seventyTwo })]) {
      const detail = configError(() => passwordPolicy({ hasher })).detail;
      expect(detail).toMatch(/accepts only 72 UTF-8 bytes, fewer than the 256 that 64 characters can take/);
      expect(detail).toMatch(/argon2idHasher \(keep bcrypt in a multiHasher to verify legacy hashes\).*pepperedHasher.*44-byte/);
    }
    configError(() => passwordPolicy({ hasher: { ...cheap, maxPasswordBytes: 255 } }));
  });

  it('PWD-11 a multiHasher passes its current hasher\'s limit on; a pepper lifts it', () => {
    expect(passwordPolicy({ hasher: multiHasher([cheap, seventyTwo]) }).maxLength).toBe(1024);
    const peppered = pepperedHasher({ inner: seventyTwo, peppers: { a: 'p'.repeat(32) }, current: 'a' });
    expect(passwordPolicy({ hasher: peppered }).maxLength).toBe(1024);
    expect(passwordPolicy({ hasher: multiHasher([peppered, seventyTwo]) }).maxLength).toBe(1024);
    expect(passwordPolicy({ hasher: multiHasher([{ ...cheap, maxPasswordBytes: 300 }, cheap]) }).maxLength).toBe(300);
    expect(passwordPolicy({ hasher: cheap, maxLength: 256 }).maxLength).toBe(256);
  });

  it('has no composition rules: no digit, symbol or case is required', async () => {
    for (const password of ['aaaaaaaa', 'password lowercase only', '12345678901', '        ', 'ÄÖÜÄÖÜÄÖ']) {
      expect((await policy.check(password)).ok, password).toBe(true);
    }
  });

  it('refuses what is not a password with invalid_password (400): not a string, a lone surrogate', async () => {
    expect(await policy.check(undefined as unknown as string)).toEqual({ ok: false, code: 'invalid_password', status: 400 });
    expect(await policy.check(12345678 as unknown as string)).toEqual({ ok: false, code: 'invalid_password', status: 400 });
    expect(await policy.check('abcdefgh\ud800')).toEqual({ ok: false, code: 'invalid_password', status: 400 });
  });

  it('answers frozen values', async () => {
    const refusal = await policy.check('short');
    expect(Object.isFrozen(refusal)).toBe(true);
    expect(Object.isFrozen(await policy.check('long enough'))).toBe(true);
    expect(Object.isFrozen(policy)).toBe(true);
  });
});

describe('passwordPolicy: configuration', () => {
  it('PWD-11 a minimum below 8 throws at construction, with the fix', () => {
    expect(configError(() => passwordPolicy({ minLength: 6 })).detail).toMatch(/minLength must be an integer from 8 .*15 is recommended/);
    configError(() => passwordPolicy({ minLength: 8.5 }));
  });

  it('PWD-11 a maximum below 256 bytes (64 characters of 4 bytes, ASVS 5.0 6.2.9) throws, and so does one a long minimum would not fit', () => {
    expect(configError(() => passwordPolicy({ maxLength: 64 })).detail).toMatch(/maxLength must be an integer from 256 to 1024/);
    configError(() => passwordPolicy({ maxLength: 255 }));
    expect(passwordPolicy({ maxLength: 256 }).maxLength).toBe(256);
    // 100 characters may take 400 bytes.
    expect(configError(() => passwordPolicy({ minLength: 100, maxLength: 399 })).detail).toMatch(/from 400 to 1024/);
    expect(passwordPolicy({ minLength: 100, maxLength: 400 }).maxLength).toBe(400);
    expect(passwordPolicy({ minLength: 256 }).maxLength).toBe(1024);
    expect(configError(() => passwordPolicy({ minLength: 257 })).detail).toMatch(/minLength must be an integer from 8 to 256/);
  });

  it('PWD-12 a maximum above the 1024-byte cap or above the hasher\'s limit throws, naming the way out', () => {
    configError(() => passwordPolicy({ maxLength: 1025 }));
    const detail = configError(() => passwordPolicy({ hasher: { ...cheap, id: 'short-reader', maxPasswordBytes: 512 }, maxLength: 600 })).detail;
    expect(detail).toMatch(/from 256 to 512/);
    expect(detail).toMatch(/short-reader reads at most 512.*pepperedHasher/);
    // A hasher whose limit is under what the minimum can take can't serve the policy at all.
    expect(configError(() => passwordPolicy({ hasher: { ...cheap, maxPasswordBytes: 512 }, minLength: 200 })).detail).toMatch(
      /accepts only 512 UTF-8 bytes, fewer than the 800 that 200 characters can take/,
    );
  });

  it('checks the other options', () => {
    configError(() => passwordPolicy({ breached: {} as BreachedPasswordCheck }));
    configError(() => passwordPolicy({ hasher: {} as Hasher }));
    configError(() => passwordPolicy({ onBreachCheckFailure: 'ignore' as 'accept' }));
    configError(() => passwordPolicy({ breachCheckTimeout: 0 }));
    configError(() => passwordPolicy({ contextWords: 'portcullis' as unknown as string[] }));
  });
});

describe('passwordPolicy: context-specific words (ASVS 5.0 6.2.11)', () => {
  const policy = passwordPolicy({ contextWords: ['Portcullis'] });

  it("the user's name and e-mail don't count towards the length", async () => {
    const user = ['alice', 'alice.smith@example.com'];
    expect(await policy.check('alice123', { user })).toEqual({ ok: false, code: 'password_context_specific', status: 422 });
    expect(await policy.check('ALICE.SMITH@example.com', { user })).toEqual({ ok: false, code: 'password_context_specific', status: 422 });
    // The local part of the e-mail counts as the user's too.
    expect((await policy.check('alice.smith2024', { user })).ok).toBe(false);
    // Enough left besides the name: accepted.
    expect(await policy.check('alice likes long walks', { user })).toEqual({ ok: true });
    // The same password without the context is long enough.
    expect(await policy.check('alice123')).toEqual({ ok: true });
  });

  it("the app's context words count for everyone", async () => {
    expect((await policy.check('portcullis1')).ok).toBe(false);
    expect((await policy.check('my portcullis password')).ok).toBe(true);
  });

  it('a huge user value costs nothing and changes nothing (it cannot be inside a capped password)', async () => {
    const started = performance.now();
    expect(await policy.check('a fine password', { user: ['x'.repeat(1024 * 1024), 'alice'] })).toEqual({ ok: true });
    expect(performance.now() - started).toBeLessThan(50);
    expect((await policy.check('alice123', { user: ['x'.repeat(1024 * 1024), 'alice'] })).ok).toBe(false);
  });

  it('counts what is left on the password as received: a character lower-cased into two still counts one', async () => {
    // 'İ' lower-cases to 'i' + U+0307: 7 of them are 7 characters, not 14.
    expect(await policy.check('alice' + '\u0130'.repeat(7), { user: ['alice'] })).toEqual({ ok: false, code: 'password_context_specific', status: 422 });
    expect(await policy.check('alice' + '\u0130'.repeat(8), { user: ['alice'] })).toEqual({ ok: true });
    // A word that lower-cases longer still matches, and is taken out whole: 'İzmir' is 5 characters.
    expect((await policy.check('\u0130zmir' + 'abcdefg', { user: ['\u0130ZMIR'] })).ok).toBe(false);
    expect((await policy.check('\u0130zmir' + 'abcdefgh', { user: ['izmir'.replace('i', '\u0130')] })).ok).toBe(true);
  });

  it('a Greek name matches however its final sigma is written', async () => {
    for (const password of ['\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2' + '1', '\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3' + '1']) {
      expect((await policy.check(password, { user: ['\u039f\u0394\u03a5\u03a3\u03a3\u0395\u03a5\u03a3'] })).ok, password).toBe(false);
      expect((await policy.check(password, { user: ['\u03bf\u03b4\u03c5\u03c3\u03c3\u03b5\u03c5\u03c2'] })).ok, password).toBe(false);
      expect((await policy.check(password)).ok, password).toBe(true);
    }
  });

  it('a user value with a lone surrogate is skipped: it would take half of an emoji out', async () => {
    // 'abcd' and 7 keys are 11 characters; 'abcd\uD83D' would match 'abcd' and half of the first key.
    const password = 'abcd' + '🔑'.repeat(7);
    expect(await policy.check(password, { user: ['abcd\ud83d'] })).toEqual({ ok: true });
    expect(await policy.check(password, { user: ['\udd11abcd'] })).toEqual({ ok: true });
    // The well-formed name is taken out: 7 characters are left.
    expect(await policy.check(password, { user: ['abcd'] })).toEqual({ ok: false, code: 'password_context_specific', status: 422 });
    expect((await passwordPolicy({ contextWords: ['abcd\ud83d'] }).check(password)).ok).toBe(true);
  });

  it('words under 3 characters are ignored (they would remove too much)', async () => {
    expect((await policy.check('aabbccdd', { user: ['a', 'bb'] })).ok).toBe(true);
  });
});

describe('passwordPolicy: breached passwords (ASVS 5.0 6.2.12)', () => {
  const list = new Set(['password1234', 'correct horse battery staple']);
  const breached: BreachedPasswordCheck = { isBreached: async (password) => list.has(password) };

  it('refuses a listed password with password_breached (422) and accepts others', async () => {
    const policy = passwordPolicy({ breached });
    expect(await policy.check('correct horse battery staple')).toEqual({ ok: false, code: 'password_breached', status: 422 });
    expect(await policy.check('Correct horse battery staple')).toEqual({ ok: true });
  });

  it('fails closed by default: a throwing, rejecting, non-boolean or hung check is breach_check_unavailable (503)', async () => {
    const errors: unknown[] = [];
    const checks: BreachedPasswordCheck[] = [
      { isBreached: () => { throw new Error('no file'); } },
      { isBreached: () => Promise.reject(new Error('no file')) },
      { isBreached: () => 'yes' as unknown as boolean },
      { isBreached: () => new Promise<boolean>(() => {}) },
    ];
    for (const check of checks) {
      const policy = passwordPolicy({ breached: check, breachCheckTimeout: 20, onBreachCheckError: (e) => errors.push(e) });
      expect(await policy.check('long enough password')).toEqual({ ok: false, code: 'breach_check_unavailable', status: 503 });
    }
    expect(errors).toHaveLength(4);
    expect(errors.every((e) => e instanceof Error && !String(e.message).includes('long enough password'))).toBe(true);
  });

  it('a check that rejects after its timeout leaves no unhandled rejection behind', async () => {
    const policy = passwordPolicy({
      breached: { isBreached: () => new Promise<boolean>((_, reject) => setTimeout(() => reject(new Error('late')), 30)) },
      breachCheckTimeout: 5,
    });
    expect(await policy.check('long enough password')).toMatchObject({ code: 'breach_check_unavailable' });
    await new Promise((resolve) => setTimeout(resolve, 60)); // vitest fails the run on an unhandled rejection
  });

  it("fails open with onBreachCheckFailure: 'accept' (the error still reaches onBreachCheckError)", async () => {
    const onBreachCheckError = vi.fn(() => {
      throw new Error('a broken log does not change the answer');
    });
    const policy = passwordPolicy({
      breached: { isBreached: () => Promise.reject(new Error('down')) },
      onBreachCheckFailure: 'accept',
      onBreachCheckError,
    });
    expect(await policy.check('long enough password')).toEqual({ ok: true });
    expect(onBreachCheckError).toHaveBeenCalledTimes(1);
  });

  it('the list is consulted last, after the length and context checks', async () => {
    const isBreached = vi.fn(async () => true);
    const policy = passwordPolicy({ breached: { isBreached } });
    expect(await policy.check('short')).toMatchObject({ code: 'password_too_short' });
    expect(await policy.check('alice123', { user: ['alice'] })).toMatchObject({ code: 'password_context_specific' });
    expect(isBreached).not.toHaveBeenCalled();
    expect(await policy.check('long enough')).toMatchObject({ code: 'password_breached' });
    expect(isBreached).toHaveBeenCalledWith('long enough');
  });
});
