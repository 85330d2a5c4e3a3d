import { createHash } from 'node:crypto';
import { SimpleUser, type Principal } from '@portcullis/core';
import { createAuthenticator } from '@portcullis/core/adapter';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { VerifiedTokenCache } from '../src/cache.js';
import { MemoryRevocationStore, jwtAuth, jwtCookieAuth, oauth2PasswordBearer, tokenOf, type JwtAuthOptions } from '../src/index.js';
import { AUDIENCE, INVALID_TOKEN, ISSUER, REALM, SECRET, connection, frozenClock, refusal, retrieveUser } from './helpers.js';

const EXPIRED = `${REALM}, error="invalid_token", error_description="expired"`;
const REVOKED = `${REALM}, error="invalid_token", error_description="revoked"`;

/**
 * The secret as a CryptoKey: a miss then goes through jose and Web Crypto (a promise,
 * counted with `crypto.subtle.verify`), which is what these tests contrast hits with.
 * A secret given as bytes is verified synchronously on a miss too (verify-hmac.test.ts).
 */
const HS256_KEY = await crypto.subtle.importKey('raw', SECRET, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

afterEach(() => {
  vi.restoreAllMocks();
});

function options(extra: Partial<JwtAuthOptions<SimpleUser>> = {}) {
  const clock = frozenClock();
  const base: JwtAuthOptions<SimpleUser> = {
    algorithms: ['HS256'],
    secret: HS256_KEY,
    issuer: ISSUER,
    audience: AUDIENCE,
    retrieveUser,
    clock: clock.now,
    ...extra,
  };
  return { clock, base };
}

/** The principal of a synchronous answer (fails the test on a promise). */
function synchronous(result: unknown): Principal<SimpleUser> {
  expect(result).not.toBeInstanceOf(Promise);
  expect(result).toBeTruthy();
  return result as Principal<SimpleUser>;
}

describe('a verified-token cache hit is answered synchronously', () => {
  it('jwtAuth: the first request is a promise; the same token again is a plain principal, up to the authenticator', async () => {
    const { base } = options();
    const jwt = jwtAuth(base);
    const { token } = await jwt.issue('alice');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const digest = vi.spyOn(crypto.subtle, 'digest');

    const first = jwt.authenticate(connection({ token }));
    expect(first).toBeInstanceOf(Promise);
    expect((await first)?.user.identity).toBe('alice');

    const hit = synchronous(jwt.authenticate(connection({ token })));
    expect(hit.user.identity).toBe('alice');
    expect(tokenOf(hit.auth)?.sub).toBe('alice');
    expect(hit.auth.scopes).toEqual(['authenticated']);

    const decision = createAuthenticator({ backend: jwt, mode: 'required' }).run(connection({ token }));
    expect(decision).not.toBeInstanceOf(Promise);
    expect(decision).toMatchObject({ type: 'continue', user: { username: 'alice' } });

    expect(verify).toHaveBeenCalledTimes(1); // the signature was verified once
    expect(digest).not.toHaveBeenCalled(); // the cache id is not hashed with Web Crypto
  });

  it('jwtCookieAuth (cookie and header) and oauth2PasswordBearer answer hits synchronously too', async () => {
    const { base } = options();
    const cookieJwt = jwtCookieAuth({ ...base, cookie: { secure: false } });
    const { token } = await cookieJwt.issue('alice');
    const byCookie = () => cookieJwt.authenticate(connection({ headers: { cookie: `access_token=${token}` } }));
    expect(byCookie()).toBeInstanceOf(Promise);
    await byCookie();
    expect(synchronous(byCookie()).user.identity).toBe('alice');
    expect(synchronous(cookieJwt.authenticate(connection({ token }))).user.identity).toBe('alice'); // same cache, header transport

    const oauth2 = oauth2PasswordBearer({ ...base, tokenUrl: '/token', verifyCredentials: () => null });
    const issued = await oauth2.issue('bob');
    await oauth2.authenticate(connection({ token: issued.token }));
    expect(synchronous(oauth2.authenticate(connection({ token: issued.token }))).user.identity).toBe('bob');
  });

  it('with the fingerprint binding, a hit with the right cookie is synchronous; another cookie is refused as before', async () => {
    const { base } = options({ fingerprint: { secure: false } });
    const jwt = jwtAuth(base);
    const login = await jwt.login('alice');
    const token = (login.headers.authorization as string).slice('Bearer '.length);
    const fp = (login.headers['set-cookie'] as string).split(';')[0] as string;
    await jwt.authenticate(connection({ token, headers: { cookie: fp } }));
    expect(synchronous(jwt.authenticate(connection({ token, headers: { cookie: fp } }))).user.identity).toBe('alice');
    const wrong = jwt.authenticate(connection({ token, headers: { cookie: `fp=${'A'.repeat(43)}` } }));
    expect(wrong).toBeInstanceOf(Promise);
    expect(await refusal(wrong)).toEqual({ status: 'invalid_credentials', code: 'claim_invalid', challenge: INVALID_TOKEN });
  });

  it('an async retrieveUser keeps a hit asynchronous; any thenable it returns is awaited', async () => {
    const { base } = options({ retrieveUser: async (t) => retrieveUser(t) });
    const jwt = jwtAuth(base);
    const { token } = await jwt.issue('alice');
    await jwt.authenticate(connection({ token }));
    const hit = jwt.authenticate(connection({ token }));
    expect(hit).toBeInstanceOf(Promise);
    expect((await hit)?.user.identity).toBe('alice');

    // An ORM-style query object: not a Promise, but `await` would have resolved it.
    const thenable = (t: { sub: string }) => ({
      then: (resolve: (u: SimpleUser | undefined) => void) => resolve(retrieveUser(t)),
    });
    const lazy = jwtAuth({ ...base, retrieveUser: thenable as unknown as JwtAuthOptions<SimpleUser>['retrieveUser'] });
    await lazy.authenticate(connection({ token }));
    const principal = await lazy.authenticate(connection({ token }));
    expect(principal?.user).toBeInstanceOf(SimpleUser);
    expect(principal?.user.identity).toBe('alice');
  });
});

describe('what a hit still checks', () => {
  it('an expired cached token is refused with the same error as an uncached one, as a rejection, and leaves the cache', async () => {
    const { clock, base } = options();
    const jwt = jwtAuth(base);
    const uncached = jwtAuth({ ...base, cache: false });
    const { token, claims } = await jwt.issue('alice', { expiresIn: 60 });
    await jwt.authenticate(connection({ token }));
    clock.set((claims.exp - 1) * 1000);
    synchronous(jwt.authenticate(connection({ token })));

    clock.set(claims.exp * 1000);
    const hit = jwt.authenticate(connection({ token }));
    expect(hit).toBeInstanceOf(Promise); // a refusal is never a synchronous throw
    const r = await refusal(hit);
    expect(r).toEqual({ status: 'invalid_credentials', code: 'token_expired', challenge: EXPIRED });
    expect(await refusal(uncached.authenticate(connection({ token })))).toEqual(r);

    // The expired entry was dropped: back in time, the token is verified again (a promise).
    clock.set((claims.exp - 1) * 1000);
    expect(jwt.authenticate(connection({ token }))).toBeInstanceOf(Promise);
  });

  it('maxTokenAge is re-checked on hits', async () => {
    const { clock, base } = options({ maxTokenAge: 60 });
    const jwt = jwtAuth(base);
    const { token } = await jwt.issue('alice');
    await jwt.authenticate(connection({ token }));
    clock.advance(60_000);
    synchronous(jwt.authenticate(connection({ token })));
    clock.advance(1_000);
    expect(await refusal(jwt.authenticate(connection({ token })))).toEqual({ status: 'invalid_credentials', code: 'token_expired', challenge: EXPIRED });
  });

  it('with a revocation store, a hit is asynchronous and asks the store: revoked after caching → refused', async () => {
    const { clock, base } = options();
    const revocation = new MemoryRevocationStore({ clock: clock.now });
    const jwt = jwtAuth({ ...base, revocation });
    const { token, claims } = await jwt.issue('alice');
    await jwt.authenticate(connection({ token }));

    const verify = vi.spyOn(crypto.subtle, 'verify');
    const status = vi.spyOn(revocation, 'status');
    const hit = jwt.authenticate(connection({ token }));
    expect(hit).toBeInstanceOf(Promise);
    expect((await hit)?.user.identity).toBe('alice');
    expect(status).toHaveBeenCalledTimes(1);

    await jwt.revoke(claims);
    expect(await refusal(jwt.authenticate(connection({ token })))).toEqual({ status: 'invalid_credentials', code: 'token_revoked', challenge: REVOKED });
    expect(status).toHaveBeenCalledTimes(2);
    expect(verify).not.toHaveBeenCalled(); // both were cache hits
  });

  it('retrieveUser refusals on a hit are the same errors as on a miss, as rejections', async () => {
    const present = new Set(['alice']);
    let broken = false;
    const { base } = options({
      retrieveUser: (t) => {
        if (broken) throw new Error('db down');
        return present.has(t.sub) ? retrieveUser(t) : null;
      },
    });
    const jwt = jwtAuth(base);
    const uncached = jwtAuth({ ...base, cache: false });
    const { token } = await jwt.issue('alice');
    await jwt.authenticate(connection({ token }));

    present.delete('alice');
    const unknown = jwt.authenticate(connection({ token }));
    expect(unknown).toBeInstanceOf(Promise);
    const r = await refusal(unknown);
    expect(r).toEqual({ status: 'invalid_credentials', code: 'unknown_user', challenge: INVALID_TOKEN });
    expect(await refusal(uncached.authenticate(connection({ token })))).toEqual(r);
    await expect(jwt.authenticate(connection({ token }))).rejects.toMatchObject({ subject: 'alice' });

    present.add('alice');
    broken = true;
    const failed = await refusal(jwt.authenticate(connection({ token })));
    expect(failed).toMatchObject({ status: 'backend_unavailable', code: 'user_lookup_failed' });
    expect(await refusal(uncached.authenticate(connection({ token })))).toEqual(failed);
  });
});

describe('VerifiedTokenCache.id', () => {
  /** The 32 bytes a 16-character id holds (two per UTF-16 unit). */
  const bytesOf = (id: string) => Buffer.from(Array.from({ length: id.length }, (_, i) => [id.charCodeAt(i) >> 8, id.charCodeAt(i) & 0xff]).flat());

  /** What the id of `token` must be: its signing input, then the SHA-256 of its signature in 16 characters. */
  const expected = (token: string) => {
    const dot = token.lastIndexOf('.');
    return { head: token.slice(0, dot + 1), digest: createHash('sha256').update(token.slice(dot + 1), 'utf8').digest() };
  };

  it('is the signing input and the SHA-256 of the signature (16 characters), computed synchronously', async () => {
    const { base } = options();
    const { token } = await jwtAuth(base).issue('alice');
    const cache = new VerifiedTokenCache();
    for (const text of [token, 'a.b.', `a.b.${'c'.repeat(8192)}`, 'é.€.😀']) {
      const id = cache.id(text);
      const { head, digest } = expected(text);
      expect(typeof id).toBe('string');
      expect(id).toHaveLength(head.length + 16);
      expect(id.startsWith(head)).toBe(true);
      expect(bytesOf(id.slice(head.length)).equals(digest), text.slice(0, 20)).toBe(true);
    }
  });

  it('keeps no signature: a token is not recoverable from its id, and any change to any segment changes the id', async () => {
    const { base } = options();
    const { token } = await jwtAuth(base).issue('alice');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const cache = new VerifiedTokenCache();
    const id = cache.id(token);
    expect(id).not.toContain(signature);
    expect(id).not.toContain(signature.slice(0, 8));
    // The same signature under another payload (the forgery a signature-only key would let through).
    const swapped = `${header}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${signature}`;
    const resigned = `${header}.${payload}.${signature.slice(0, -1)}${signature.endsWith('A') ? 'B' : 'A'}`;
    const ids = new Set([id, cache.id(swapped), cache.id(resigned), cache.id(`${header}.${payload}.`)]);
    expect(ids.size).toBe(4);
  });

  it('is the key the backend caches a token under', async () => {
    const { base } = options();
    const jwt = jwtAuth(base);
    const { token } = await jwt.issue('alice');
    const id = vi.spyOn(VerifiedTokenCache.prototype, 'id');
    await jwt.authenticate(connection({ token }));
    expect(id).toHaveBeenCalledWith(token);
    const value = id.mock.results[0]?.value as string;
    const { head, digest } = expected(token);
    expect(value.startsWith(head) && bytesOf(value.slice(head.length)).equals(digest)).toBe(true);
  });
});
