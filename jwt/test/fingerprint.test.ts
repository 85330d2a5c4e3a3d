import type { Principal, SimpleUser } from '@portcullis/core';
import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { MemoryRevocationStore, jwtAuth, jwtCookieAuth, type JwtAuthOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, connection, refusal, retrieveUser } from './helpers.js';

const options = (extra: Partial<JwtAuthOptions<SimpleUser>> = {}): JwtAuthOptions<SimpleUser> => ({
  algorithms: ['HS256'],
  secret: SECRET,
  issuer: ISSUER,
  audience: AUDIENCE,
  retrieveUser,
  clock: () => T0,
  fingerprint: { secure: false },
  ...extra,
});

/** `name=value` of a Set-Cookie value. */
const pair = (setCookie: string) => setCookie.slice(0, setCookie.indexOf(';'));

describe('JWT-34 token sidejacking: the fingerprint binding', () => {
  it('login sets an HttpOnly, SameSite=Strict fingerprint cookie; fp = SHA-256 of it', async () => {
    const jwt = jwtAuth(options());
    const res = await jwt.login('alice');
    const cookie = res.headers['set-cookie'] as string;
    expect(cookie).toMatch(/^fp=[\w-]{43}; Max-Age=900; Path=\/; HttpOnly; SameSite=Strict$/);
    const token = (res.headers.authorization as string).slice('Bearer '.length);
    const value = pair(cookie).slice('fp='.length);
    const digest = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(value))).toString('base64url');
    expect(decodeJwt(token).fp).toBe(digest);
    expect(Object.keys(decodeJwt(token)).sort()).toEqual(['aud', 'exp', 'fp', 'iat', 'iss', 'jti', 'sub']);
  });

  it('with the cookie → authenticated; without it, or with another one → 401-T', async () => {
    const jwt = jwtAuth(options());
    const res = await jwt.login('alice');
    const token = (res.headers.authorization as string).slice('Bearer '.length);
    const cookie = pair(res.headers['set-cookie'] as string);
    const other = pair((await jwt.login('alice')).headers['set-cookie'] as string);
    const auth = (headers: Record<string, string>) => jwt.authenticate(connection({ token, headers })) as Promise<Principal<SimpleUser>>;
    expect((await auth({ cookie })).user.identity).toBe('alice');
    expect((await auth({ cookie })).user.identity).toBe('alice'); // a cached token is still bound
    const variants: Record<string, string>[] = [{}, { cookie: other }, { cookie: 'fp=' }, { cookie: `fp=${'A'.repeat(43)}` }];
    for (const headers of variants) {
      const r = await refusal(auth(headers));
      expect(r).toMatchObject({ status: 'invalid_credentials', code: 'claim_invalid', challenge: 'Bearer realm="api", error="invalid_token"' });
    }
  });

  it('a token issued without fp is refused when the binding is on', async () => {
    const plain = jwtAuth(options({ fingerprint: undefined }));
    const bound = jwtAuth(options());
    const { token } = await plain.issue('alice');
    expect((await refusal(bound.authenticate(connection({ token, headers: { cookie: 'fp=x' } })))).code).toBe('claim_invalid');
  });

  it('logout deletes both cookies of the cookie backend', async () => {
    const jwt = jwtCookieAuth({ ...options({ revocation: new MemoryRevocationStore() }), cookie: { secure: false } });
    const login = await jwt.login('alice');
    expect(login.headers['set-cookie']).toHaveLength(2);
    const { claims } = await jwt.issue('alice');
    const out = await jwt.logout(claims);
    expect(out.headers['set-cookie']).toEqual([
      'access_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax',
      'fp=; Max-Age=0; Path=/; HttpOnly; SameSite=Strict',
    ]);
  });

  it('configuration: a __Host- fingerprint cookie needs secure; fp cannot also be an extra claim', () => {
    expect(() => jwtAuth(options({ fingerprint: { cookie: '__Host-fp', secure: false } }))).toThrow();
    expect(() => jwtAuth(options({ claims: ['fp'] }))).toThrow();
    expect(() => jwtAuth(options({ fingerprint: { cookie: 'a;b' } }))).toThrow();
  });
});
