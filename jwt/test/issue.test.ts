import type { SimpleUser } from '@portcullis/core';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { MemoryRevocationStore, jwtAuth, jwtCookieAuth, type JwtAuthOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, T0S, connection, keyPair, refusal, retrieveUser } from './helpers.js';

const options = (extra: Partial<JwtAuthOptions<SimpleUser>> = {}): JwtAuthOptions<SimpleUser> => ({
  algorithms: ['HS256'],
  secret: SECRET,
  issuer: ISSUER,
  audience: AUDIENCE,
  retrieveUser,
  clock: () => T0,
  ...extra,
});

describe('issuing tokens', () => {
  it('LEAK-11 the default payload holds only sub, iss, aud, exp, iat, jti (and scope when given)', async () => {
    const jwt = jwtAuth(options());
    const { token } = await jwt.issue('alice');
    expect(Object.keys(decodeJwt(token)).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'sub']);
    const scoped = await jwt.issue('alice', { scopes: ['orders:read'] });
    expect(Object.keys(decodeJwt(scoped.token)).sort()).toEqual(['aud', 'exp', 'iat', 'iss', 'jti', 'scope', 'sub']);
    expect(decodeJwt(scoped.token).scope).toBe('orders:read');
  });

  it('every token gets a fresh jti with ≥ 122 random bits (UUID v4)', async () => {
    const jwt = jwtAuth(options());
    const jtis = new Set<string>();
    for (let i = 0; i < 200; i++) jtis.add((await jwt.issue('alice')).claims.jti as string);
    expect(jtis.size).toBe(200);
    for (const jti of jtis) expect(jti).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('times come from the configured clock; expiresIn sets exp - iat', async () => {
    const jwt = jwtAuth(options({ expiresIn: 600 }));
    const { token, claims, expiresIn } = await jwt.issue('alice');
    expect(claims).toMatchObject({ iat: T0S, exp: T0S + 600 });
    expect(expiresIn).toBe(600);
    expect(decodeJwt(token)).toMatchObject({ iat: T0S, exp: T0S + 600, iss: ISSUER, aud: AUDIENCE, sub: 'alice' });
    expect((await jwt.issue('alice', { expiresIn: 30 })).claims.exp).toBe(T0S + 30);
  });

  it('the header names the pinned algorithm, typ at+jwt, and the key id', async () => {
    const jwt = jwtAuth(options({ secret: undefined, keys: [{ alg: 'HS256', kid: 'k1', secret: SECRET }] }));
    const { token } = await jwt.issue('alice');
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'at+jwt', kid: 'k1' });
    expect(decodeProtectedHeader((await jwtAuth(options({ typ: null })).issue('alice')).token).typ).toBe('JWT');
  });

  it('RS256 and EdDSA tokens are signed with the private key and verify with the public one', async () => {
    for (const alg of ['RS256', 'EdDSA'] as const) {
      const pair = await keyPair(alg);
      const jwt = jwtAuth(options({ secret: undefined, algorithms: [alg], publicKey: pair.publicKey, privateKey: pair.privateKey }));
      const { token } = await jwt.issue('alice');
      expect(decodeProtectedHeader(token).alg).toBe(alg);
      await expect(jwt.authenticate(connection({ token }))).resolves.toMatchObject({ user: { username: 'alice' } });
    }
  });

  it('a verify-only backend (public key, no private key) cannot issue: no_signing_key', async () => {
    const pair = await keyPair('ES256');
    const jwt = jwtAuth(options({ secret: undefined, algorithms: ['ES256'], publicKey: pair.publicKey }));
    await expect(jwt.issue('alice')).rejects.toMatchObject({ code: 'no_signing_key' });
  });

  it('extra claims must be allowlisted in `claims`; registered names can never be overridden', async () => {
    const jwt = jwtAuth(options({ claims: ['tenant'] }));
    const { token, claims } = await jwt.issue('alice', { claims: { tenant: 't1' } });
    expect(decodeJwt(token).tenant).toBe('t1');
    expect(claims.extras).toEqual({ tenant: 't1' });
    await expect(jwt.issue('alice', { claims: { email: 'a@example.com' } })).rejects.toMatchObject({ code: 'invalid_issue_options' });
    await expect(jwt.issue('alice', { claims: { sub: 'root' } })).rejects.toMatchObject({ code: 'invalid_issue_options' });
    await expect(jwt.issue('alice', { expiresIn: 0 })).rejects.toMatchObject({ code: 'invalid_issue_options' });
    await expect(jwt.issue('alice', { scopes: ['bad scope'] })).rejects.toMatchObject({ code: 'invalid_issue_options' });
    await expect(jwt.issue('')).rejects.toMatchObject({ code: 'invalid_issue_options' });
  });
});

describe('login() answers (Litestar’s login)', () => {
  it('LEAK-09 header variant: 201, Authorization: Bearer <token>, the OAuth2 body, Cache-Control: no-store, Pragma: no-cache', async () => {
    const jwt = jwtAuth(options());
    const res = await jwt.login('alice', { scopes: ['orders:read'] });
    expect(res.status).toBe(201);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(res.body) as Record<string, unknown>;
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'orders:read' });
    expect(res.headers.authorization).toBe(`Bearer ${body.access_token as string}`);
    await expect(Promise.resolve(jwt.authenticate(connection({ token: body.access_token as string })))).resolves.toBeTruthy();
  });

  it('a custom responseBody and status are sent as given; the token stays in the header', async () => {
    const jwt = jwtAuth(options());
    const res = await jwt.login('alice', { responseBody: { id: 'alice', name: 'Alice' }, status: 200 });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ id: 'alice', name: 'Alice' });
    expect(res.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
    await expect(jwt.login('alice', { status: 302 })).rejects.toMatchObject({ code: 'invalid_issue_options' });
  });

  it('CK-02 cookie variant: HttpOnly; Secure; SameSite=Lax; __Host- name; Max-Age = exp - iat; no token in the body or headers', async () => {
    const jwt = jwtCookieAuth(options({ expiresIn: 600 }));
    const res = await jwt.login('alice');
    const cookie = res.headers['set-cookie'] as string;
    expect(cookie).toMatch(/^__Host-access_token=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    expect(cookie).not.toMatch(/Domain=/i);
    const token = cookie.slice('__Host-access_token='.length, cookie.indexOf(';'));
    const claims = decodeJwt(token);
    expect(600).toBeLessThanOrEqual((claims.exp as number) - (claims.iat as number));
    expect(res.body).not.toContain(token);
    expect(res.headers.authorization).toBeUndefined();
    expect(JSON.parse(res.body)).toEqual({ token_type: 'Bearer', expires_in: 600 });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('JWT-28 the cookie holds the bare JWT: a "Bearer%20<jwt>" cookie is refused (401-T)', async () => {
    const jwt = jwtCookieAuth({ ...options(), cookie: { secure: false } });
    const { token } = await jwt.issue('alice');
    await expect(Promise.resolve(jwt.authenticate(connection({ headers: { cookie: `access_token=${token}` } })))).resolves.toMatchObject({ user: { username: 'alice' } });
    const r = await refusal(jwt.authenticate(connection({ headers: { cookie: `access_token=Bearer%20${token}` } })));
    expect(r.code).toBe('token_malformed');
  });

  it('CK-08 logout clears the cookie with the same name and attributes (Max-Age=0) and revokes the token', async () => {
    const jwt = jwtCookieAuth(options({ revocation: new MemoryRevocationStore() }));
    const { claims } = await jwt.issue('alice');
    const res = await jwt.logout(claims);
    expect(res.status).toBe(204);
    expect(res.headers['set-cookie']).toBe('__Host-access_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(jwt.clearCookie).toBe(res.headers['set-cookie']);
  });

  it('CK-09 a token too large for a cookie is refused at write time', async () => {
    const jwt = jwtCookieAuth(options({ claims: ['blob'] }));
    await expect(jwt.login('alice', { claims: { blob: 'x'.repeat(4000) } })).rejects.toMatchObject({ code: 'invalid_issue_options' });
  });
});
