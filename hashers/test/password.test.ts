import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../src/password.js';
import { scryptHasher } from '../src/scrypt.js';
import { FIXTURES } from './helpers.js';

describe('hashPassword / verifyPassword (Node defaults)', () => {
  it('PWD-01 hash with argon2id at OWASP parameters and verify, from a signup handler', async () => {
    const stored = await hashPassword('correct horse battery staple');
    expect(stored).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await verifyPassword('correct horse battery staple', stored)).toEqual({ ok: true, needsRehash: false });
    expect(await verifyPassword('correct horse battery stapl', stored)).toEqual({ ok: false, needsRehash: false });
  });

  it('verify every known format by default, flagging legacy ones', async () => {
    const django = FIXTURES.vectors.find((v) => v.scheme === 'django-pbkdf2') ?? expect.unreachable();
    expect(await verifyPassword(django.password, django.hash)).toEqual({ ok: true, needsRehash: true });
  });

  it('PWD-12 over 1024 bytes: hashPassword throws password_too_long, verifyPassword is false', async () => {
    await expect(hashPassword('x'.repeat(1025))).rejects.toMatchObject({ name: 'HashingError', code: 'password_too_long' });
    expect(await verifyPassword('x'.repeat(1025), '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g')).toEqual({
      ok: false,
      needsRehash: false,
    });
  });

  it('take a hasher', async () => {
    const hasher = scryptHasher({ cost: 1024 });
    const stored = await hashPassword('pw', { hasher });
    expect(stored.startsWith('$scrypt$ln=10,r=8,p=1$')).toBe(true);
    expect(await verifyPassword('pw', stored, { hasher })).toEqual({ ok: true, needsRehash: false });
  });
});
