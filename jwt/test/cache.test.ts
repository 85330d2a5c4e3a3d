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

describe('VerifiedTokenCache: the key and the hit', () => {
  /** The 32 bytes a 16-character key holds (two per UTF-16 unit). */
  const bytesOf = (key: string) => Buffer.from(Array.from({ length: key.length }, (_, i) => [key.charCodeAt(i) >> 8, key.charCodeAt(i) & 0xff]).flat());
  /** What follows the second dot. */
  const afterSecondDot = (text: string) => text.split('.').slice(2).join('.');
  const always = () => true;

  it('the key is the SHA-256 of what follows the second dot (16 characters), computed synchronously; no key without two dots', async () => {
    const { base } = options();
    const { token } = await jwtAuth(base).issue('alice');
    const cache = new VerifiedTokenCache();
    for (const text of [token, 'a.b.c', `a.b.${'c'.repeat(1366)}`, 'é.€.x-_9']) {
      const key = cache.key(text) as string;
      expect(typeof key).toBe('string');
      expect(key).toHaveLength(16);
      expect(bytesOf(key).equals(createHash('sha256').update(afterSecondDot(text), 'utf8').digest()), text.slice(0, 20)).toBe(true);
    }
    for (const text of ['', 'abc', 'a.b', '.']) expect(cache.key(text)).toBeUndefined();
  });

  it('DOS-07 nothing but what can be a signature is hashed before the shape check (security review, issue #17)', () => {
    const cache = new VerifiedTokenCache();
    for (const text of ['a.b.', `a.b.${'c'.repeat(1367)}`, `a.b.${'語'.repeat(8188)}`, 'é.€.😀', 'a.b.c.d.e', '..', 'a.b.c=', 'a.b.c d', 'a.b.c+/']) {
      expect(cache.key(text), text.slice(0, 20)).toBeUndefined();
    }
  });

  it('keeps no signature: the key holds none, and a token is not recoverable from the key', async () => {
    const { base } = options();
    const { token } = await jwtAuth(base).issue('alice');
    const signature = token.split('.')[2] as string;
    const key = new VerifiedTokenCache().key(token) as string;
    expect(key).not.toContain(signature.slice(0, 8));
    expect(bytesOf(key).toString('latin1')).not.toContain(signature.slice(0, 8));
    expect(bytesOf(key).equals(Buffer.from(signature, 'base64url'))).toBe(false);
  });

  it('a hit is the very token cached: equal key and signing input ⇔ equal tokens (generated tokens)', async () => {
    const { base } = options();
    const jwt = jwtAuth(base);
    const { token, claims } = await jwt.issue('alice');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const cache = new VerifiedTokenCache();
    cache.set(token, cache.key(token) as string, claims, undefined);
    const lookup = (text: string) => {
      const key = cache.key(text);
      return key === undefined ? undefined : cache.get(text, key, always);
    };
    expect(lookup(token)).toBe(claims);
    expect(lookup(`${token}`.slice(0))).toBe(claims);
    const flip = (s: string, i: number) => `${s.slice(0, i)}${s[i] === 'A' ? 'B' : 'A'}${s.slice(i + 1)}`;
    const variants = [
      // The same signature under another payload (the forgery a signature-only key would let through).
      `${header}.${Buffer.from('{"sub":"admin"}').toString('base64url')}.${signature}`,
      `${header}.${payload}.`,
      `${header}.${payload}`,
      `${header}.${payload}.${signature}.`,
      `${header}.${payload}.${signature}.${signature}`,
      `${header}.${payload}.${signature}=`,
      `${header}.${payload}.${signature.slice(0, -1)}`,
      `x${token}`,
      `${header}.${payload}x.${signature}`,
      `${header}..${payload}.${signature}`,
      `${header}.${payload}..${signature}`,
      `${header}.${payload}.\u0000${signature}`,
      // Non-ASCII look-alikes of the signature: never the same UTF-8 bytes as ASCII.
      `${header}.${payload}.${signature.slice(0, -1)}\uD800`,
      `${header}.${payload}.${signature.slice(0, -1)}\u0100`,
      `${header}.${payload}.${signature.replace(/./, (c) => String.fromCharCode(c.charCodeAt(0) + 0xff00))}`,
    ];
    for (let i = 0; i < token.length; i++) if (token[i] !== '.') variants.push(flip(token, i));
    for (const text of variants) expect(lookup(text), text).toBeUndefined();
    expect(lookup(token)).toBe(claims); // no variant evicted it
  });

  it('LRU: a hit makes an entry the newest, the oldest is evicted, delete and clear forget', async () => {
    const { base } = options();
    const jwt = jwtAuth(base);
    const tokens = await Promise.all(['a', 'b', 'c'].map((sub) => jwt.issue(sub)));
    const cache = new VerifiedTokenCache(2);
    const put = (i: number) => {
      const { token, claims } = tokens[i] as (typeof tokens)[number];
      cache.set(token, cache.key(token) as string, claims, undefined);
    };
    const has = (i: number) => {
      const { token } = tokens[i] as (typeof tokens)[number];
      return cache.get(token, cache.key(token) as string, always) !== undefined;
    };
    put(0);
    put(1);
    expect(has(0)).toBe(true); // 0 is now the newest
    expect(has(0)).toBe(true); // a hit on the newest moves nothing
    put(2); // evicts 1, the least recently used
    expect(cache.size).toBe(2);
    expect(has(1)).toBe(false);
    expect(has(0) && has(2)).toBe(true);
    cache.delete(cache.key(tokens[2]?.token as string) as string);
    expect(has(2)).toBe(false);
    put(1); // 0 and 1: 0 is the older
    expect(has(1)).toBe(true);
    put(2);
    expect(has(0)).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
    expect(has(1) || has(2)).toBe(false);
  });

  it('is what the backend caches a token under', async () => {
    const { base } = options();
    const jwt = jwtAuth(base);
    const { token } = await jwt.issue('alice');
    const set = vi.spyOn(VerifiedTokenCache.prototype, 'set');
    const get = vi.spyOn(VerifiedTokenCache.prototype, 'get');
    await jwt.authenticate(connection({ token }));
    expect(set).toHaveBeenCalledTimes(1);
    const [cachedToken, key] = set.mock.calls[0] as unknown as [string, string];
    expect(cachedToken).toBe(token);
    expect(bytesOf(key).equals(createHash('sha256').update(afterSecondDot(token), 'utf8').digest())).toBe(true);
    synchronous(jwt.authenticate(connection({ token })));
    expect(get).toHaveBeenLastCalledWith(token, key, expect.any(Function));
    expect(get.mock.results.at(-1)?.value).toBeDefined();
  });

  it('a pasted signature under another payload is verified, not served from the cache, and refused', async () => {
    const { base } = options();
    const jwt = jwtAuth(base);
    const { token } = await jwt.issue('alice');
    const [header, , signature] = token.split('.') as [string, string, string];
    await jwt.authenticate(connection({ token }));
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const forged = `${header}.${Buffer.from(JSON.stringify({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 4102444800 })).toString('base64url')}.${signature}`;
    expect(await refusal(jwt.authenticate(connection({ token: forged })))).toMatchObject({ status: 'invalid_credentials', code: 'signature_invalid' });
    expect(verify).toHaveBeenCalledTimes(1);
    expect(synchronous(jwt.authenticate(connection({ token }))).user.identity).toBe('alice'); // still cached
  });

  it('a malformed token that shares a cached token\'s signature is refused as malformed, as without the cache', async () => {
    const { base } = options();
    const jwt = jwtAuth(base);
    const uncached = jwtAuth({ ...base, cache: false });
    const { token } = await jwt.issue('alice');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    await jwt.authenticate(connection({ token }));
    // verify(): any string, not only what the Bearer header's token68 lets through.
    for (const bad of [`${header}.${payload}+.${signature}`, `${header}!.${payload}.${signature}`, `${header}.${payload}.${signature}.x.y`, `${header}.${payload}.${signature}.`]) {
      const r = await refusal(jwt.verify(bad));
      expect(r, bad).toMatchObject({ code: 'token_malformed' });
      expect(await refusal(uncached.verify(bad))).toEqual(r);
    }
    expect((await jwt.verify(token)).sub).toBe('alice');
  });
});
