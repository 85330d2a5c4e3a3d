import { createHash } from 'node:crypto';
import { describe, it, expect, vi, beforeEach } from 'vitest';
import { createAuthenticator } from './authenticator.js';
import { bearerAuth } from './bearer.js';
import type { Connection } from './connection.js';
import { ConfigurationError } from './errors.js';
import { bytesEqual } from './timing.js';
import { tokenAuth } from './token.js';
import { hashToken, hashedTokens, issueToken, MemoryTokenStore, staticTokens, type TokenStore } from './tokens.js';
import { SimpleUser } from './user.js';
import { FIXED_NOW as FIXED, configError, conn as connection, responseOf, userOf } from '../../test-support/connection.js';

// A pass-through spy on the constant-time comparison, to count the entries staticTokens compares.
vi.mock('./timing.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./timing.js')>();
  return { ...original, bytesEqual: vi.fn(original.bytesEqual) };
});

const conn = (authorization?: string): Connection =>
  connection({ target: '/api', headers: authorization === undefined ? { accept: 'application/json' } : { accept: 'application/json', authorization } });

const sha256url = (text: string): string => createHash('sha256').update(text, 'utf8').digest('base64url');
const alice = new SimpleUser('alice');
const bob = new SimpleUser('bob');

describe('hashToken', () => {
  it('is base64url(SHA-256(token)), unpadded', async () => {
    // SHA-256("abc") = ba7816bf…15ad.
    expect(await hashToken('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    for (const token of ['', 'tok', issueToken(), 'ü-ñ-日本']) {
      expect(await hashToken(token)).toBe(sha256url(token));
    }
  });
});

describe('issueToken', () => {
  it('TOK-08 the default token is 43 base64url characters: 256 bits from the CSPRNG', () => {
    const token = issueToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
  });

  it('TOK-08 16 bytes (128 bits) is the minimum; 15 throws', () => {
    expect(issueToken(16)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    for (const bytes of [15, 0, -1, 16.5, Number.NaN, 1025]) configError(() => issueToken(bytes));
  });

  it('TOK-08 10,000 issued tokens are unique', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 10_000; i++) seen.add(issueToken());
    expect(seen.size).toBe(10_000);
  });
});

describe('MemoryTokenStore', () => {
  it('TOK-08 digests() holds only SHA-256 digests, never the plaintext token', async () => {
    const store = new MemoryTokenStore<SimpleUser>();
    const tokens = [await store.issue(alice), await store.issue(bob), await store.issue(alice)];
    const digests = store.digests();
    expect(digests).toHaveLength(3);
    expect(new Set(digests)).toEqual(new Set(tokens.map(sha256url)));
    const dump = JSON.stringify(digests);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(dump).not.toContain(token);
    }
  });

  it('TOK-07 an issued token works; after revoke the very next request is 401', async () => {
    const store = new MemoryTokenStore<SimpleUser>();
    const authenticator = createAuthenticator({ backend: bearerAuth({ realm: 'api', verify: hashedTokens(store) }) });
    const token = await store.issue(alice);
    const other = await store.issue(bob);
    expect(userOf(await authenticator.run(conn(`Bearer ${token}`)))).toBe(alice);
    expect(await store.revoke(token)).toBe(true);
    const r = responseOf(await authenticator.run(conn(`Bearer ${token}`)));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="api", error="invalid_token"');
    // Only that token: the other one still works; revoking twice is a no-op.
    expect(userOf(await authenticator.run(conn(`Bearer ${other}`)))).toBe(bob);
    expect(await store.revoke(token)).toBe(false);
  });

  it('TOK-07 revocation through tokenAuth (Authorization: Token) is immediate too', async () => {
    const store = new MemoryTokenStore<SimpleUser>();
    const authenticator = createAuthenticator({ backend: tokenAuth({ verify: hashedTokens(store) }) });
    const token = await store.issue(alice);
    expect(userOf(await authenticator.run(conn(`Token ${token}`)))).toBe(alice);
    await store.revoke(token);
    expect(responseOf(await authenticator.run(conn(`Token ${token}`))).status).toBe(401);
  });

  it('a token with ttlMs expires on a frozen clock exactly at issue + ttl', async () => {
    let now = FIXED;
    const store = new MemoryTokenStore<SimpleUser>({ clock: () => now });
    const verify = hashedTokens(store);
    const token = await store.issue(alice, { ttlMs: 60_000 });
    const forever = await store.issue(bob);
    now = FIXED + 59_999;
    expect(await verify(token)).toBe(alice);
    now = FIXED + 60_000;
    expect(await verify(token)).toBeNull();
    // Dropped once expired: moving the clock back does not revive it.
    expect(store.digests()).not.toContain(sha256url(token));
    now = FIXED;
    expect(await verify(token)).toBeNull();
    now = FIXED + 10 * 365 * 86_400_000;
    expect(await verify(forever)).toBe(bob);
  });

  it('an unusable ttlMs is refused (a NaN ttl must not mean "never expires")', async () => {
    const store = new MemoryTokenStore<SimpleUser>();
    for (const ttlMs of [Number.NaN, 0, -1, Number.POSITIVE_INFINITY, '60000' as never]) {
      await expect(store.issue(alice, { ttlMs })).rejects.toBeInstanceOf(ConfigurationError);
    }
    expect(store.digests()).toHaveLength(0);
  });

  it('findByDigest of an unknown digest is null', () => {
    expect(new MemoryTokenStore().findByDigest(sha256url('nope'))).toBeNull();
  });
});

describe('hashedTokens', () => {
  it('TOK-09 looks up by the SHA-256 base64url digest, never by the token', async () => {
    const token = issueToken();
    const findByDigest = vi.fn((digest: string) => (digest === sha256url(token) ? alice : null));
    const verify = hashedTokens({ findByDigest });
    expect(await verify(token)).toBe(alice);
    expect(findByDigest).toHaveBeenCalledTimes(1);
    expect(findByDigest).toHaveBeenCalledWith(sha256url(token));
    expect(findByDigest.mock.calls.flat()).not.toContain(token);
    expect(await verify(token.slice(0, -1))).toBeNull();
  });

  it('an async store, and undefined for unknown tokens', async () => {
    const verify = hashedTokens<SimpleUser>({ findByDigest: async () => undefined });
    expect(await verify('whatever-token-value')).toBeNull();
  });

  it('a store that throws makes the request fail closed (503)', async () => {
    const store: TokenStore<SimpleUser> = {
      findByDigest: () => Promise.reject(new Error('db down')),
    };
    const r = responseOf(await createAuthenticator({ backend: bearerAuth({ verify: hashedTokens(store) }) }).run(conn(`Bearer ${issueToken()}`)));
    expect(r.status).toBe(503);
  });

  it('a store without findByDigest is refused at construction', () => {
    configError(() => hashedTokens({} as never));
    configError(() => hashedTokens(undefined as never));
  });
});

describe('staticTokens', () => {
  const spy = vi.mocked(bytesEqual);
  const tokens = Array.from({ length: 5 }, (_, i) => `service-token-${i}-${'x'.repeat(16)}`);
  const users = tokens.map((_, i) => new SimpleUser(`svc${i}`));
  const entries = tokens.map((t, i) => [t, users[i] as SimpleUser] as const);

  beforeEach(() => {
    spy.mockClear();
  });

  it('TOK-09 finds the first and the last entry', async () => {
    const verify = staticTokens(entries);
    expect(await verify(tokens[0] as string)).toBe(users[0]);
    expect(await verify(tokens[4] as string)).toBe(users[4]);
    expect(await verify(tokens[2] as string)).toBe(users[2]);
  });

  it('TOK-09 every entry is compared, whichever matched (no early exit)', async () => {
    const verify = staticTokens(entries);
    for (const probe of [tokens[0] as string, tokens[4] as string, 'not-a-listed-token-at-all']) {
      spy.mockClear();
      await verify(probe);
      expect(spy).toHaveBeenCalledTimes(entries.length);
      // Digests are compared, never the plaintext token.
      for (const [a, b] of spy.mock.calls) {
        expect(a).toHaveLength(32);
        expect(b).toHaveLength(32);
      }
    }
  });

  it('TOK-09 tokens differing in the first or the last character are refused', async () => {
    const verify = staticTokens(entries);
    const t = tokens[1] as string;
    expect(await verify('X' + t.slice(1))).toBeNull();
    expect(await verify(t.slice(0, -1) + 'Y')).toBeNull();
    expect(await verify(t + 'x')).toBeNull();
    expect(await verify(t.slice(0, -1))).toBeNull();
    expect(await verify('')).toBeNull();
  });

  it('works through bearerAuth', async () => {
    const authenticator = createAuthenticator({ backend: bearerAuth({ verify: staticTokens(entries) }) });
    expect(userOf(await authenticator.run(conn(`Bearer ${tokens[3]}`)))).toBe(users[3]);
    expect(responseOf(await authenticator.run(conn(`Bearer ${'z'.repeat(20)}`))).status).toBe(401);
  });

  it('refuses tokens shorter than 16 characters at construction', () => {
    configError(() => staticTokens([['a'.repeat(15), alice]]));
    configError(() => staticTokens([['a'.repeat(32), alice], ['short', bob]]));
    configError(() => staticTokens([[undefined as never, alice]]));
    expect(typeof staticTokens([['a'.repeat(16), alice]])).toBe('function');
  });

  it('accepts any iterable (a Map)', async () => {
    const verify = staticTokens(new Map([['m'.repeat(20), alice]]));
    expect(await verify('m'.repeat(20))).toBe(alice);
  });
});
