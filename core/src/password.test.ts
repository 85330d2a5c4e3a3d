import { timingSafeEqual as bytesTimingSafeEqual } from 'node:crypto';
import { describe, it, expect, vi } from 'vitest';
import { createAuthenticator, type AuthenticationFailure } from './authenticator.js';
import { VerificationCache } from './cache.js';
import type { Connection } from './connection.js';
import type { Hasher, VerifyOutcome } from './hashing/hasher.js';
import { formatPbkdf2 } from './hashing/pbkdf2-format.js';
import { pbkdf2Hasher } from './hashing/pbkdf2.js';
import { passwordBackend, type PasswordBackendOptions } from './password.js';
import { SimpleUser } from './user.js';
import { FIXED_NOW as FIXED, configError, conn, jsonErrorOf as codeOf, responseOf, userOf } from '../../test-support/connection.js';

const basic = (username: string, password: string): Connection =>
  conn({ method: 'POST', target: '/login', headers: { accept: 'application/json', authorization: `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}` } });

const CHALLENGE = 'Basic realm="api", charset="UTF-8"';

/**
 * A small real hasher for these tests: PBKDF2-SHA256 on Web Crypto, a random salt,
 * stored as `test$<iterations>$<salt>$<hash>`. `needsRehash` when the stored
 * iterations are below the policy. Methods are spies, so tests can prove when
 * hashing did or did not run.
 */
function testHasher(policy = 1000) {
  const encoder = new TextEncoder();
  async function derive(password: string, salt: Uint8Array<ArrayBuffer>, iterations: number): Promise<Uint8Array> {
    const key = await crypto.subtle.importKey('raw', encoder.encode(password), 'PBKDF2', false, ['deriveBits']);
    return new Uint8Array(await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt, iterations }, key, 256));
  }
  const b64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64url');
  const hash = vi.fn(async (password: string, iterations = policy): Promise<string> => {
    const salt = crypto.getRandomValues(new Uint8Array(16));
    return `test$${iterations}$${b64(salt)}$${b64(await derive(password, salt, iterations))}`;
  });
  const verify = vi.fn(async (password: string, stored: string): Promise<VerifyOutcome> => {
    const m = /^test\$(\d{1,7})\$([A-Za-z0-9_-]+)\$([A-Za-z0-9_-]+)$/.exec(stored);
    if (m === null) return { ok: false, needsRehash: false };
    const iterations = Number(m[1]);
    const expected = Buffer.from(m[3] as string, 'base64url');
    const actual = await derive(password, new Uint8Array(Buffer.from(m[2] as string, 'base64url')), iterations);
    const ok = expected.length === actual.length && bytesTimingSafeEqual(expected, actual);
    return { ok, needsRehash: ok && iterations < policy };
  });
  const hasher: Hasher = {
    id: 'test-pbkdf2',
    identifies: (stored) => stored.startsWith('test$'),
    hash: (password) => hash(password),
    verify: (password, stored) => verify(password, stored),
  };
  return { hasher, hash, verify };
}

class AppUser extends SimpleUser {
  passwordHash: string | null;
  constructor(username: string, passwordHash: string | null) {
    super(username);
    this.passwordHash = passwordHash;
  }
}

/** Users, spies on the store, the hasher and onRehash, a backend, and a Basic runner. */
async function setup(
  options: Partial<PasswordBackendOptions<AppUser>> & { iterations?: number; policy?: number } = {},
) {
  const { hasher, hash, verify } = testHasher(options.policy);
  const make = (password: string) => hash(password, options.iterations);
  const alice = new AppUser('alice', await make('correct horse'));
  const noPassword = new AppUser('sso-only', null);
  const users = new Map<string, AppUser>([
    ['alice', alice],
    ['sso-only', noPassword],
  ]);
  hash.mockClear();
  const findUser = vi.fn((username: string, _c: Connection | undefined) => users.get(username) ?? null);
  const onRehash = vi.fn((user: AppUser, fresh: string, _old: string) => {
    user.passwordHash = fresh;
  });
  const events: AuthenticationFailure[] = [];
  const backend = passwordBackend<AppUser>({
    realm: 'api',
    findUser,
    passwordHashOf: (u) => u.passwordHash,
    hasher,
    onRehash,
    ...options,
  });
  const authenticator = createAuthenticator({ backend, log: (e) => events.push(e) });
  const run = async (username: string, password: string) => authenticator.run(basic(username, password));
  return { alice, users, hasher, hash, verify, findUser, onRehash, backend, run, events };
}

const MiB = 1 << 20;

describe('passwordBackend: Basic', () => {
  it('BAS-01 the right password gives the principal', async () => {
    const { run, alice, verify, findUser } = await setup();
    const d = await run('alice', 'correct horse');
    expect(userOf(d)).toBe(alice);
    expect(d.type === 'continue' && d.auth.scopes).toEqual(['authenticated']);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledWith('correct horse', alice.passwordHash);
    expect(findUser).toHaveBeenCalledTimes(1);
    expect(findUser.mock.calls[0]?.[0]).toBe('alice');
  });

  it('the challenge is Basic with the realm', async () => {
    const { backend } = await setup();
    expect(backend.challenges).toEqual([CHALLENGE]);
  });

  it('a wrong password is 401 invalid_credentials with the Basic challenge', async () => {
    const { run, verify } = await setup();
    const r = responseOf(await run('alice', 'wrong horse'));
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('invalid_credentials');
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('LEAK-02 an unknown user runs exactly one hasher.verify, against a dummy hash', async () => {
    const { run, verify, hash, alice } = await setup();
    const r = responseOf(await run('mallory', 'correct horse'));
    expect(r.status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(1);
    // The dummy is a hash made by this hasher (current parameters), not a user's hash.
    expect(hash).toHaveBeenCalledTimes(1);
    const dummy = await hash.mock.results[0]?.value;
    expect(verify).toHaveBeenCalledWith('correct horse', dummy);
    expect(dummy).not.toBe(alice.passwordHash);
    expect(dummy).toMatch(/^test\$1000\$/);
    // The dummy is made once: later unknown users cost one verify and no hash.
    await run('eve', 'x');
    expect(hash).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledTimes(2);
    expect(verify).toHaveBeenLastCalledWith('x', dummy);
  });

  it('LEAK-02 / LEAK-12 an unknown user and a wrong password get the same answer', async () => {
    const { run } = await setup();
    const unknown = responseOf(await run('mallory', 'wrong horse'));
    const wrong = responseOf(await run('alice', 'wrong horse'));
    expect(unknown).toEqual(wrong);
  });

  it('LEAK-02 a user without a password (passwordHashOf null) runs the dummy verification and is refused', async () => {
    const { run, verify, hash } = await setup();
    const r = responseOf(await run('sso-only', 'anything'));
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('invalid_credentials');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledWith('anything', await hash.mock.results[0]?.value);
  });

  it('LEAK-02 an empty stored hash is treated as no password', async () => {
    const { run, verify, users } = await setup();
    users.set('blank', new AppUser('blank', ''));
    expect(responseOf(await run('blank', 'x')).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify.mock.calls[0]?.[1]).not.toBe('');
  });

  it('LEAK-02 a stored hash the hasher does not read (a retired pepper, an unmigrated format) costs the dummy verification, not a fast refusal', async () => {
    const { run, verify, hash, users } = await setup();
    users.set('dormant', new AppUser('dormant', 'pepper$retired$test$1000$AAAA$AAAA'));
    const r = responseOf(await run('dormant', 'correct horse'));
    const unknown = responseOf(await run('mallory', 'correct horse'));
    expect(r).toEqual(unknown);
    // Both ran one verification, against the same dummy hash.
    expect(verify).toHaveBeenCalledTimes(2);
    const dummy = await hash.mock.results[0]?.value;
    expect(verify.mock.calls.map((c) => c[1])).toEqual([dummy, dummy]);
  });

  it('the dummy hash is retried after a failure (a failed hash() is not remembered)', async () => {
    const { run, hash } = await setup();
    hash.mockRejectedValueOnce(new Error('threadpool busy'));
    expect(responseOf(await run('mallory', 'x')).status).toBe(503);
    const r = responseOf(await run('mallory', 'x'));
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('invalid_credentials');
  });

  it('DOS-01 a 1025-byte password: 401 with no hasher call and no findUser call', async () => {
    const { run, hash, verify, findUser } = await setup();
    const r = responseOf(await run('alice', 'p'.repeat(1025)));
    expect(r.status).toBe(401);
    expect(codeOf(r)).toBe('invalid_credentials');
    expect(hash).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
    expect(findUser).not.toHaveBeenCalled();
  });

  it('DOS-01 the cap counts UTF-8 bytes: 513 × "é" (1026 bytes, 513 characters) is refused unhashed', async () => {
    const { run, verify, findUser } = await setup();
    expect(responseOf(await run('alice', 'é'.repeat(513))).status).toBe(401);
    expect(verify).not.toHaveBeenCalled();
    expect(findUser).not.toHaveBeenCalled();
  });

  it('DOS-01 exactly 1024 bytes is still verified', async () => {
    const { run, users, verify } = await setup();
    const { hasher } = testHasher();
    const long = 'p'.repeat(1024);
    users.set('long', new AppUser('long', await hasher.hash(long)));
    expect(userOf(await run('long', long)).identity).toBe('long');
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('DOS-01 a 1 MiB password over Basic is refused as oversized before any lookup or hashing', async () => {
    const { run, hash, verify, findUser } = await setup();
    const r = responseOf(await run('alice', 'p'.repeat(MiB)));
    expect(r.status).toBe(431);
    expect(codeOf(r)).toBe('oversized_authorization');
    expect(hash).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
    expect(findUser).not.toHaveBeenCalled();
  });

  it('DOS-02 a 257-byte username: 401 with no findUser call and no hashing', async () => {
    const { run, verify, findUser } = await setup();
    expect(responseOf(await run('u'.repeat(257), 'correct horse')).status).toBe(401);
    expect(findUser).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('the caps are configurable', async () => {
    const { run, verify, findUser } = await setup({ maxPasswordBytes: 8, maxUsernameBytes: 4 });
    expect(responseOf(await run('alice', 'correct horse')).status).toBe(401);
    expect(responseOf(await run('bobby', 'short')).status).toBe(401);
    expect(findUser).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('BAS-19 findUser throws: 503 backend_unavailable, the request never proceeds', async () => {
    const { run, verify } = await setup({
      findUser: () => {
        throw new Error('connect ECONNREFUSED db:5432');
      },
    });
    const d = await run('alice', 'correct horse');
    expect(d.type).toBe('respond');
    const r = responseOf(d);
    expect(r.status).toBe(503);
    expect(codeOf(r)).toBe('backend_unavailable');
    expect(r.body).not.toContain('ECONNREFUSED');
    expect(verify).not.toHaveBeenCalled();
  });

  it('BAS-19 findUser rejects: 503 backend_unavailable', async () => {
    const { run } = await setup({ findUser: async () => Promise.reject(new Error('timeout')) });
    const r = responseOf(await run('alice', 'correct horse'));
    expect(r.status).toBe(503);
    expect(codeOf(r)).toBe('backend_unavailable');
  });

  it('findUser receives the connection', async () => {
    const { backend, findUser } = await setup();
    const c = basic('alice', 'correct horse');
    await createAuthenticator({ backend }).run(c);
    expect(findUser.mock.calls[0]?.[1]).toBe(c);
  });

  it('BAS-22 a failed login is logged with the username, never the password', async () => {
    const { run, events } = await setup();
    await run('alice', 'S3cr3t!Pw');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ code: 'invalid_credentials', subject: 'alice' });
    expect(JSON.stringify(events)).not.toContain('S3cr3t!Pw');
  });
});

describe('passwordBackend: rehash on login', () => {
  it('PWD-12 needsRehash: onRehash(user, newHash, oldHash) once, with a hash that verifies', async () => {
    const { run, alice, onRehash, hash, verify } = await setup({ iterations: 500, policy: 1000 });
    const old = alice.passwordHash as string;
    expect(old).toMatch(/^test\$500\$/);
    expect(userOf(await run('alice', 'correct horse'))).toBe(alice);
    expect(onRehash).toHaveBeenCalledTimes(1);
    const [user, fresh, replaced] = onRehash.mock.calls[0] as [AppUser, string, string];
    expect(user).toBe(alice);
    expect(replaced).toBe(old);
    expect(fresh).not.toBe(old);
    expect(fresh).toMatch(/^test\$1000\$/);
    expect(hash).toHaveBeenCalledTimes(1);
    expect(await testHasher().hasher.verify('correct horse', fresh)).toEqual({ ok: true, needsRehash: false });
    // The upgraded hash is used next time: no second rehash.
    expect(userOf(await run('alice', 'correct horse'))).toBe(alice);
    expect(onRehash).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenLastCalledWith('correct horse', fresh);
  });

  it('PWD-14 a failed login with an outdated hash rehashes nothing; the stored hash is unchanged', async () => {
    const { run, alice, onRehash, hash } = await setup({ iterations: 500, policy: 1000 });
    const old = alice.passwordHash;
    expect(responseOf(await run('alice', 'wrong horse')).status).toBe(401);
    expect(onRehash).not.toHaveBeenCalled();
    expect(hash).not.toHaveBeenCalled();
    expect(alice.passwordHash).toBe(old);
  });

  it('needsRehash false: no onRehash and no hash() call', async () => {
    const { run, onRehash, hash } = await setup();
    await run('alice', 'correct horse');
    expect(onRehash).not.toHaveBeenCalled();
    expect(hash).not.toHaveBeenCalled();
  });

  it('without onRehash an outdated hash still logs in and nothing is hashed', async () => {
    const { run, hash, alice } = await setup({ iterations: 500, onRehash: undefined });
    expect(userOf(await run('alice', 'correct horse'))).toBe(alice);
    expect(hash).not.toHaveBeenCalled();
  });

  it('onRehash that throws (or rejects) still logs the user in; the old hash stays', async () => {
    for (const onRehash of [
      () => {
        throw new Error('db read-only');
      },
      async () => Promise.reject(new Error('db read-only')),
    ]) {
      const spy = vi.fn(onRehash);
      const { run, alice } = await setup({ iterations: 500, onRehash: spy });
      const old = alice.passwordHash;
      expect(userOf(await run('alice', 'correct horse'))).toBe(alice);
      expect(spy).toHaveBeenCalledTimes(1);
      expect(alice.passwordHash).toBe(old);
    }
  });

  it('onRehash invalidates the cache for that user', async () => {
    const cache = new VerificationCache<AppUser>();
    const { run, alice, onRehash, verify } = await setup({ iterations: 500, cache });
    // Another cached credential of alice (say, from before a password change).
    await cache.set('alice', 'older password', alice, FIXED);
    await cache.set('bob', 'b', new AppUser('bob', null), FIXED);
    expect(userOf(await run('alice', 'correct horse'))).toBe(alice);
    expect(onRehash).toHaveBeenCalledTimes(1);
    expect(await cache.get('alice', 'older password', FIXED)).toBeUndefined();
    expect(await cache.get('bob', 'b', FIXED)).toBeDefined();
    // The login that rehashed is not cached either: the next one verifies (against the new hash).
    expect(await cache.get('alice', 'correct horse', FIXED)).toBeUndefined();
    await run('alice', 'correct horse');
    expect(verify).toHaveBeenCalledTimes(2);
    // …and is cached from then on.
    await run('alice', 'correct horse');
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('with a cache, a repeated login skips findUser and the hasher', async () => {
    const cache = new VerificationCache<AppUser>();
    const { run, verify, findUser } = await setup({ cache });
    await run('alice', 'correct horse');
    await run('alice', 'correct horse');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(findUser).toHaveBeenCalledTimes(1);
  });
});

describe('passwordBackend: verifyCredentials (login forms)', () => {
  it('the right password gives the user; a wrong one null', async () => {
    const { backend, alice, verify } = await setup();
    expect(await backend.verifyCredentials('alice', 'correct horse')).toBe(alice);
    expect(await backend.verifyCredentials('alice', 'wrong horse')).toBeNull();
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('LEAK-02 an unknown user is null after exactly one dummy verify', async () => {
    const { backend, verify, hash } = await setup();
    expect(await backend.verifyCredentials('mallory', 'x')).toBeNull();
    expect(verify).toHaveBeenCalledTimes(1);
    expect(verify).toHaveBeenCalledWith('x', await hash.mock.results[0]?.value);
    expect(await backend.verifyCredentials('sso-only', 'x')).toBeNull();
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('DOS-01 a 1 MiB password: null with no findUser and no hasher call', async () => {
    const { backend, hash, verify, findUser } = await setup();
    const started = performance.now();
    expect(await backend.verifyCredentials('alice', 'p'.repeat(MiB))).toBeNull();
    expect(await backend.verifyCredentials('alice', 'p'.repeat(1025))).toBeNull();
    expect(performance.now() - started).toBeLessThan(1000);
    expect(findUser).not.toHaveBeenCalled();
    expect(hash).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('DOS-02 a 1 MiB username: null with no findUser and no hasher call', async () => {
    const { backend, verify, findUser } = await setup();
    expect(await backend.verifyCredentials('u'.repeat(MiB), 'correct horse')).toBeNull();
    expect(findUser).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
  });

  it('PWD-12 rehash works the same way', async () => {
    const { backend, alice, onRehash } = await setup({ iterations: 500 });
    const old = alice.passwordHash;
    expect(await backend.verifyCredentials('alice', 'correct horse')).toBe(alice);
    expect(onRehash).toHaveBeenCalledTimes(1);
    expect(onRehash.mock.calls[0]?.[2]).toBe(old);
    expect(await backend.verifyCredentials('alice', 'wrong')).toBeNull();
    expect(onRehash).toHaveBeenCalledTimes(1);
  });

  it('BAS-19 findUser throws: verifyCredentials rejects (never a user)', async () => {
    const { backend } = await setup({
      findUser: () => {
        throw new Error('db down');
      },
    });
    await expect(backend.verifyCredentials('alice', 'correct horse')).rejects.toThrow();
  });

  it('findUser gets undefined as the connection', async () => {
    const { backend, findUser } = await setup();
    await backend.verifyCredentials('alice', 'correct horse');
    expect(findUser).toHaveBeenCalledWith('alice', undefined);
  });
});

describe('passwordBackend: configuration', () => {
  const { hasher } = testHasher();
  const base: PasswordBackendOptions<AppUser> = { findUser: () => null, passwordHashOf: (u) => u.passwordHash, hasher };

  it('findUser, passwordHashOf and a hasher with hash(), verify() and identifies() are required', () => {
    configError(() => passwordBackend({ ...base, findUser: undefined as never }));
    configError(() => passwordBackend({ ...base, passwordHashOf: undefined as never }));
    configError(() => passwordBackend({ ...base, hasher: undefined as never }));
    configError(() => passwordBackend({ ...base, hasher: { ...hasher, verify: undefined as never } }));
    configError(() => passwordBackend({ ...base, hasher: { ...hasher, hash: undefined as never } }));
    configError(() => passwordBackend({ ...base, hasher: { ...hasher, identifies: undefined as never } }));
    configError(() => passwordBackend(undefined as never));
  });

  it('onRehash must be a function; caps positive integers; realm without CR/LF', () => {
    configError(() => passwordBackend({ ...base, onRehash: 'x' as never }));
    for (const n of [0, -1, 1.5, Number.NaN]) {
      configError(() => passwordBackend({ ...base, maxPasswordBytes: n }));
      configError(() => passwordBackend({ ...base, maxUsernameBytes: n }));
    }
    configError(() => passwordBackend({ ...base, realm: 'api\r\nX: y' }));
    configError(() => passwordBackend({ ...base, scopes: [''] }));
  });

  it('the default realm is Restricted', () => {
    expect(passwordBackend(base).challenges).toEqual(['Basic realm="Restricted", charset="UTF-8"']);
  });
});

describe('passwordBackend: the hash_parameters_refused security event', () => {
  it('DOS-13 a stored hash beyond the safe maxima: the same 401 as a wrong password, logged as hash_parameters_refused, no KDF run', async () => {
    const hasher = pbkdf2Hasher({ iterations: 1000, maxIterations: 100_000 });
    const crafted = formatPbkdf2({ digest: 'SHA-256', iterations: 100_001, salt: new Uint8Array(16), hash: new Uint8Array(32) });
    const users = new Map([['mallory', new AppUser('mallory', crafted)], ['alice', new AppUser('alice', await hasher.hash('correct horse'))]]);
    const events: AuthenticationFailure[] = [];
    const backend = passwordBackend<AppUser>({ realm: 'api', findUser: (u) => users.get(u) ?? null, passwordHashOf: (u) => u.passwordHash, hasher });
    const authenticator = createAuthenticator({ backend, log: (e) => events.push(e) });
    const derive = vi.spyOn(crypto.subtle, 'deriveBits');
    try {
      const refused = responseOf(await authenticator.run(basic('mallory', 'whatever')));
      expect(derive).not.toHaveBeenCalled();
      const wrong = responseOf(await authenticator.run(basic('alice', 'wrong')));
      expect(refused.status).toBe(401);
      expect(refused).toEqual(wrong);
      expect(events.map((e) => [e.code, e.reason, e.subject])).toEqual([
        ['invalid_credentials', 'hash_parameters_refused', 'mallory'],
        ['invalid_credentials', undefined, 'alice'],
      ]);
      expect(JSON.stringify(events)).not.toContain('whatever');
      // Login forms get null, as for a wrong password.
      expect(await backend.verifyCredentials('mallory', 'whatever')).toBeNull();
    } finally {
      derive.mockRestore();
    }
  });

  it('DOS-13 a login form (verifyCredentials) refusing a stored hash reports hash_parameters_refused to the backend\'s log', async () => {
    const hasher = pbkdf2Hasher({ iterations: 1000, maxIterations: 100_000 });
    const crafted = formatPbkdf2({ digest: 'SHA-256', iterations: 100_001, salt: new Uint8Array(16), hash: new Uint8Array(32) });
    const users = new Map([['mallory', new AppUser('mallory', crafted)], ['alice', new AppUser('alice', await hasher.hash('correct horse'))]]);
    const events: AuthenticationFailure[] = [];
    const backend = passwordBackend<AppUser>({ findUser: (u) => users.get(u) ?? null, passwordHashOf: (u) => u.passwordHash, hasher, log: (e) => events.push(e) });
    expect(await backend.verifyCredentials('mallory', 'whatever', basic('mallory', 'x'))).toBeNull();
    expect(await backend.verifyCredentials('mallory', 'whatever')).toBeNull();
    expect(await backend.verifyCredentials('alice', 'wrong')).toBeNull();
    expect(events).toEqual([
      { event: 'authentication_failed', code: 'invalid_credentials', method: 'POST', path: '/login', subject: 'mallory', reason: 'hash_parameters_refused' },
      { event: 'authentication_failed', code: 'invalid_credentials', method: '', path: '', subject: 'mallory', reason: 'hash_parameters_refused' },
    ]);
    expect(JSON.stringify(events)).not.toContain('whatever');
    // A logger that throws changes nothing; log must be a function.
    const throwing = passwordBackend<AppUser>({ findUser: (u) => users.get(u) ?? null, passwordHashOf: (u) => u.passwordHash, hasher, log: () => { throw new Error('x'); } });
    expect(await throwing.verifyCredentials('mallory', 'whatever')).toBeNull();
    expect(() => passwordBackend<AppUser>({ findUser: () => null, passwordHashOf: (u) => u.passwordHash, hasher, log: 'x' as never })).toThrow(expect.objectContaining({ code: 'invalid_configuration' }));
  });
});
