import type { SimpleUser, Principal } from '@portcullis/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MemoryRevocationStore, jwtAuth, tokenOf, type JwtAuthOptions, type RevocationStore } from '../src/index.js';
import { AUDIENCE, ISSUER, REALM, SECRET, T0, T0S, b64url, connection, frozenClock, keyPair, refusal, retrieveUser, sign } from './helpers.js';

const REVOKED = `${REALM}, error="invalid_token", error_description="revoked"`;
const P256_N = BigInt('0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551');

/** A CryptoKey secret keeps signature checks on Web Crypto, where `crypto.subtle.verify` counts them (bytes are verified synchronously). */
const HS256_KEY = await crypto.subtle.importKey('raw', SECRET, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);

afterEach(() => {
  vi.restoreAllMocks();
});

function setup(extra: Partial<JwtAuthOptions<SimpleUser>> = {}) {
  const clock = frozenClock();
  const revocation = new MemoryRevocationStore({ clock: clock.now });
  const jwt = jwtAuth<SimpleUser>({
    algorithms: ['HS256'],
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    retrieveUser,
    clock: clock.now,
    revocation,
    ...extra,
  });
  const auth = (token: string) => jwt.authenticate(connection({ token })) as Promise<Principal<SimpleUser>>;
  return { clock, revocation, jwt, auth };
}

function toBytes(b64: string): Uint8Array {
  return new Uint8Array(Buffer.from(b64, 'base64url'));
}

function bigint(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
}

function bytes32(n: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(n.toString(16).padStart(64, '0'), 'hex'));
}

describe('revocation by (iss, jti)', () => {
  it('TOK-07 a token revoked at t1 is refused on the very next request (401 revoked), also from the verified cache', async () => {
    const { jwt, auth } = setup();
    const { token, claims } = await jwt.issue('alice');
    expect((await auth(token)).user.identity).toBe('alice');
    expect((await auth(token)).user.identity).toBe('alice'); // now cached
    await jwt.revoke(claims);
    const r = await refusal(auth(token));
    expect(r).toEqual({ status: 'invalid_credentials', code: 'token_revoked', challenge: REVOKED });
  });

  it('logout() revokes the request’s token and answers 204 no-store', async () => {
    const { jwt, auth } = setup();
    const { token } = await jwt.issue('alice');
    const principal = await auth(token);
    const res = await jwt.logout(principal.auth);
    expect(res.status).toBe(204);
    expect(res.headers['cache-control']).toBe('no-store');
    expect((await refusal(auth(token))).code).toBe('token_revoked');
  });

  it('JWT-29 ES256: a malleated signature (r, n−s) of a revoked token is refused too (denylist key is iss+jti)', async () => {
    const ec = await keyPair('ES256');
    const { jwt, auth } = setup({ secret: undefined, algorithms: ['ES256'], publicKey: ec.publicKey, privateKey: ec.privateKey, cache: false });
    const { token, claims } = await jwt.issue('alice');
    const [h, p, s] = token.split('.') as [string, string, string];
    const sig = toBytes(s);
    const r = sig.slice(0, 32);
    const sPrime = P256_N - bigint(sig.slice(32));
    const malleated = `${h}.${p}.${b64url(new Uint8Array([...r, ...bytes32(sPrime)]))}`;
    expect(malleated).not.toBe(token);
    // Web Crypto accepts both (r, s) and (r, n−s): a hash-of-token denylist would miss it.
    expect((await auth(malleated)).user.identity).toBe('alice');
    await jwt.revoke(claims);
    expect((await refusal(auth(token))).code).toBe('token_revoked');
    expect((await refusal(auth(malleated))).code).toBe('token_revoked');
  });

  it('JWT-29 HS256: a non-canonical base64url spelling of a revoked token is refused too', async () => {
    const { jwt, auth } = setup();
    const { token, claims } = await jwt.issue('alice');
    const [h, p, s] = token.split('.') as [string, string, string];
    // 32 bytes → 43 characters: the last one carries 2 unused bits; set them.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1) as string);
    const variant = `${h}.${p}.${s.slice(0, -1)}${alphabet[last | 0b01] === s.at(-1) ? alphabet[last | 0b10] : alphabet[last | 0b01]}`;
    expect(variant).not.toBe(token);
    let acceptedBefore = true;
    try {
      await auth(variant);
    } catch {
      acceptedBefore = false; // a strict decoder refuses it outright: fine as well
    }
    await jwt.revoke(claims);
    expect((await refusal(auth(token))).code).toBe('token_revoked');
    const r = await refusal(auth(variant));
    expect(r.status).toBe('invalid_credentials');
    if (acceptedBefore) expect(r.code).toBe('token_revoked');
  });

  it('with a revocation store, a token without jti is refused (it could never be revoked)', async () => {
    const { auth } = setup();
    const token = await sign({}, { omit: ['jti'] });
    expect((await refusal(auth(token))).code).toBe('claim_invalid');
  });

  it('a revocation store that throws fails closed: 503 (backend_unavailable), on every request', async () => {
    const broken: RevocationStore = {
      revoke: async () => undefined,
      revokeSubject: async () => undefined,
      status: async () => {
        throw new Error('redis down');
      },
    };
    const { jwt, auth } = setup({ revocation: broken });
    const { token } = await jwt.issue('alice');
    for (let i = 0; i < 2; i++) expect((await refusal(auth(token))).status).toBe('backend_unavailable');
  });

  it('revoke() and logout() without a store throw revocation_not_configured', async () => {
    const jwt = jwtAuth<SimpleUser>({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser });
    const { claims } = await jwt.issue('alice');
    await expect(jwt.revoke(claims)).rejects.toMatchObject({ code: 'revocation_not_configured' });
    await expect(jwt.logout(claims)).rejects.toMatchObject({ code: 'revocation_not_configured' });
  });
});

describe('JWT-30 per-subject cut-off (password change)', () => {
  it('tokens with iat < T get 401 revoked; tokens issued at or after T work; other subjects are untouched', async () => {
    const { clock, jwt, auth } = setup();
    const old = await jwt.issue('alice');
    const bobs = await jwt.issue('bob');
    clock.advance(5_000);
    await jwt.revokeSubject('alice'); // T = T0 + 5 s
    expect((await refusal(auth(old.token))).code).toBe('token_revoked');
    expect((await auth(bobs.token)).user.identity).toBe('bob');
    const fresh = await jwt.issue('alice');
    expect((await auth(fresh.token)).user.identity).toBe('alice');
    // A token without iat can't prove it is newer than the cut-off.
    const noIat = await sign({ sub: 'alice' }, { omit: ['iat'] });
    expect((await refusal(auth(noIat))).code).toBe('token_revoked');
  });

  it('GRD-10 the cut-off is checked on cached tokens too', async () => {
    const { clock, jwt, auth } = setup();
    const { token } = await jwt.issue('alice');
    await auth(token);
    clock.advance(2_000);
    await jwt.revokeSubject('alice');
    expect((await refusal(auth(token))).code).toBe('token_revoked');
  });
});

describe('the verified-token cache', () => {
  it('a token seen again skips signature verification', async () => {
    const { jwt, auth } = setup({ secret: HS256_KEY });
    const { token } = await jwt.issue('alice');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await auth(token);
    expect(verify).toHaveBeenCalledTimes(1);
    await auth(token);
    await auth(token);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('cache: false verifies every time', async () => {
    const { jwt, auth } = setup({ cache: false, secret: HS256_KEY });
    const { token } = await jwt.issue('alice');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await auth(token);
    await auth(token);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('an expired token is never served from the cache: exp is re-checked against the clock on hits', async () => {
    const { clock, jwt, auth } = setup();
    const { token, claims } = await jwt.issue('alice', { expiresIn: 60 });
    await auth(token);
    clock.set((claims.exp - 1) * 1000);
    expect((await auth(token)).user.identity).toBe('alice');
    clock.set(claims.exp * 1000);
    const r = await refusal(auth(token));
    expect(r.code).toBe('token_expired');
    expect(r.challenge).toBe(`${REALM}, error="invalid_token", error_description="expired"`);
  });

  it('the cache is bounded (LRU): with max 2, the least recently used token is verified again', async () => {
    const { jwt, auth } = setup({ cache: { max: 2 }, secret: HS256_KEY });
    const tokens = await Promise.all(['alice', 'bob', 'u'].map(async (s) => (await jwt.issue(s)).token));
    for (const t of tokens) await auth(t as string);
    const verify = vi.spyOn(crypto.subtle, 'verify');
    await auth(tokens[2] as string);
    expect(verify).toHaveBeenCalledTimes(0);
    await auth(tokens[0] as string);
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('a cached token still goes through retrieveUser (a deleted user is refused at once)', async () => {
    const present = new Set(['alice']);
    const { jwt, auth } = setup({ retrieveUser: (t) => (present.has(t.sub) ? retrieveUser(t) : null) });
    const { token } = await jwt.issue('alice');
    await auth(token);
    present.delete('alice');
    expect((await refusal(auth(token))).code).toBe('unknown_user');
  });
});

describe('MemoryRevocationStore', () => {
  it('keeps entries for their TTL only; (iss, jti) pairs never collide across separators', async () => {
    const clock = frozenClock();
    const store = new MemoryRevocationStore({ clock: clock.now });
    await store.revoke('a:b', 'c', 1_000);
    expect(await store.status('a:b', 'c', 's')).toEqual({ revoked: true, notBefore: undefined });
    expect((await store.status('a', 'b:c', 's')).revoked).toBe(false);
    await store.revokeSubject('a', 's', T0, 2_000);
    expect((await store.status('a', 'x', 's')).notBefore).toBe(T0);
    clock.advance(1_000);
    expect((await store.status('a:b', 'c', 's')).revoked).toBe(false);
    clock.advance(1_000);
    expect((await store.status('a', 'x', 's')).notBefore).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('revoking an already expired token stores nothing', async () => {
    const { revocation, jwt, clock } = setup();
    const { claims } = await jwt.issue('alice', { expiresIn: 10 });
    clock.advance(60_000);
    await jwt.revoke(claims);
    expect(revocation.size).toBe(0);
  });

  it('the token of a request is available as tokenOf(auth)', async () => {
    const { jwt, auth } = setup();
    const { token } = await jwt.issue('alice');
    expect(tokenOf((await auth(token)).auth)?.iat).toBe(T0S);
    expect(T0).toBe(T0S * 1000);
  });
});
