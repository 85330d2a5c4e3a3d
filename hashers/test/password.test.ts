import { passwordBackend, SimpleUser, type AuthenticationFailure } from '@portcullis/core';
import { createAuthenticator, createConnection } from '@portcullis/core/adapter';
import { describe, expect, it } from 'vitest';
import { defaultHasher } from '../src/index.js';
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

describe('DOS-13 the failure log hears of every Node hasher refusing a stored hash', () => {
  it('DOS-13 argon2id, scrypt and bcrypt hashes over the limits: 401 like a wrong password, logged as hash_parameters_refused', async () => {
    const tail = '$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g';
    const hashes = new Map([
      ['argon', `$argon2id$v=19$m=4294967295,t=1,p=1${tail}`],
      ['scrypt', '$scrypt$ln=21,r=8,p=1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
      ['bcrypt', `$2b$31$${'a'.repeat(53)}`],
      ['broken', `$argon2id$v=19$m=19456,t=2${tail}`],
    ]);
    const events: AuthenticationFailure[] = [];
    const backend = passwordBackend<SimpleUser>({
      realm: 'api',
      findUser: (name) => (hashes.has(name) ? new SimpleUser(name) : null),
      passwordHashOf: (user) => hashes.get(user.identity) ?? '',
      hasher: defaultHasher(),
    });
    const authenticator = createAuthenticator({ backend, log: (e) => events.push(e) });
    const basic = (user: string) =>
      createConnection({ method: 'GET', target: '/', header: (n) => (n === 'authorization' ? `Basic ${btoa(`${user}:pw`)}` : undefined) });
    const statuses: number[] = [];
    for (const name of hashes.keys()) {
      const decision = await authenticator.run(basic(name));
      statuses.push(decision.type === 'respond' ? decision.response.status : 200);
    }
    expect(statuses).toEqual([401, 401, 401, 401]);
    expect(events.map((e) => [e.subject, e.reason])).toEqual([
      ['argon', 'hash_parameters_refused'],
      ['scrypt', 'hash_parameters_refused'],
      ['bcrypt', 'hash_parameters_refused'],
      // A malformed stored hash is a plain failure, not this event.
      ['broken', undefined],
    ]);
  });
});
