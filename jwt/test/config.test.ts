import { ConfigurationError } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { jwtAuth, jwtCookieAuth, oauth2PasswordBearer, type JwtAuthOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, keyPair, retrieveUser } from './helpers.js';
import type { SimpleUser } from '@portcullis/core';

const base = (): JwtAuthOptions<SimpleUser> => ({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser });

/** Constructing must throw a ConfigurationError (code invalid_configuration), synchronously. */
function refused(build: () => unknown): void {
  let thrown: unknown;
  try {
    build();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ConfigurationError);
  expect((thrown as ConfigurationError).code).toBe('invalid_configuration');
}

describe('configuration is checked at construction', () => {
  it('a valid HS256 configuration builds', async () => {
    const jwt = jwtAuth(base());
    await expect(jwt.ready).resolves.toBeUndefined();
    expect(jwt.challenges).toEqual(['Bearer realm="api"']);
  });

  it('JWT-03 without `algorithms` → throws at startup (no default, no inference)', () => {
    const { algorithms: _a, ...rest } = base();
    refused(() => jwtAuth(rest as JwtAuthOptions<SimpleUser>));
    refused(() => jwtAuth({ ...base(), algorithms: [] }));
    refused(() => jwtAuth({ ...base(), algorithms: ['none' as 'HS256'] }));
    refused(() => jwtAuth({ ...base(), algorithms: ['HS256', 'HS256'] }));
  });

  it('JWT-04 an allowlist mixing HS256 and RS256 → throws unless every key is typed per algorithm', async () => {
    const rsa = await keyPair('RS256');
    refused(() => jwtAuth({ ...base(), algorithms: ['HS256', 'RS256'] }));
    refused(() => jwtAuth({ ...base(), algorithms: ['HS256', 'RS256'], publicKey: rsa.publicKey }));
    const typed = jwtAuth({
      ...base(),
      secret: undefined,
      algorithms: ['HS256', 'RS256'],
      keys: [
        { alg: 'HS256', secret: SECRET },
        { alg: 'RS256', publicKey: rsa.publicKey },
      ],
    });
    await expect(typed.ready).resolves.toBeUndefined();
  });

  it('every algorithm of the allowlist needs a key; a key needs its algorithm in the allowlist', async () => {
    const rsa = await keyPair('RS256');
    refused(() => jwtAuth({ ...base(), secret: undefined }));
    refused(() => jwtAuth({ ...base(), secret: undefined, keys: [{ alg: 'HS256', secret: SECRET }, { alg: 'RS256', publicKey: rsa.publicKey }] }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['RS256'], keys: [{ alg: 'RS256', secret: SECRET }] }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['HS256'], keys: [{ alg: 'HS256', publicKey: rsa.publicKey }] }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['HS256'], jwks: { url: 'https://idp.example/jwks' } }));
  });

  it('JWT-26 weak HMAC secrets → startup error (HS256 ≥ 32, HS384 ≥ 48, HS512 ≥ 64 bytes)', () => {
    refused(() => jwtAuth({ ...base(), secret: new Uint8Array(16) }));
    refused(() => jwtAuth({ ...base(), secret: new TextEncoder().encode('secret') }));
    refused(() => jwtAuth({ ...base(), secret: new TextEncoder().encode('correct horse battery') }));
    refused(() => jwtAuth({ ...base(), algorithms: ['HS384'], secret: new Uint8Array(47) }));
    refused(() => jwtAuth({ ...base(), algorithms: ['HS512'], secret: new Uint8Array(63) }));
    expect(() => jwtAuth({ ...base(), algorithms: ['HS512'], secret: new Uint8Array(64).fill(7) })).not.toThrow();
  });

  it('JWT-26 weak HMAC CryptoKeys are refused too', async () => {
    const short = await crypto.subtle.importKey('raw', new Uint8Array(16), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
    refused(() => jwtAuth({ ...base(), secret: short }));
    const otherHash = await crypto.subtle.importKey('raw', new Uint8Array(64), { name: 'HMAC', hash: 'SHA-512' }, false, ['sign', 'verify']);
    refused(() => jwtAuth({ ...base(), secret: otherHash }));
  });

  it('JWT-26 RSA keys of 1024 bits → startup error (CryptoKey and JWK)', async () => {
    const small = await keyPair('RS256', undefined, { modulusLength: 1024 });
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['RS256'], publicKey: small.publicKey }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['RS256'], publicKey: small.jwk }));
    const ok = await keyPair('RS256');
    const jwt = jwtAuth({ ...base(), secret: undefined, algorithms: ['RS256'], publicKey: ok.jwk });
    await expect(jwt.ready).resolves.toBeUndefined();
  });

  it('JWT-27 a key passed as {toString(){…}}, a string or another non-key object → error at configuration', () => {
    const sneaky = { toString: () => 'a'.repeat(64) };
    refused(() => jwtAuth({ ...base(), secret: sneaky as unknown as Uint8Array }));
    refused(() => jwtAuth({ ...base(), secret: 'a'.repeat(64) as unknown as Uint8Array }));
    refused(() => jwtAuth({ ...base(), secret: [1, 2, 3] as unknown as Uint8Array }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['RS256'], publicKey: sneaky as never }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['RS256'], publicKey: 'PEM' as never }));
  });

  it('keys of the wrong family, type or curve are refused', async () => {
    const ec = await keyPair('ES256');
    const rsa = await keyPair('RS256');
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['RS256'], publicKey: ec.publicKey }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['ES384'], publicKey: ec.jwk }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['ES256'], publicKey: ec.privateKey }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['PS256'], publicKey: rsa.publicKey }));
    refused(() => jwtAuth({ ...base(), secret: undefined, algorithms: ['ES256'], publicKey: { ...ec.jwk, alg: 'ES384' } }));
  });

  it('JWT-10 a clock tolerance above 300 s is refused at startup', () => {
    refused(() => jwtAuth({ ...base(), clockTolerance: 301 }));
    refused(() => jwtAuth({ ...base(), clockTolerance: -1 }));
    expect(() => jwtAuth({ ...base(), clockTolerance: 300 })).not.toThrow();
  });

  it('JWT-15 no `audience` → error by default; `null` opts out explicitly', () => {
    const { audience: _a, ...rest } = base();
    refused(() => jwtAuth(rest as JwtAuthOptions<SimpleUser>));
    refused(() => jwtAuth({ ...base(), audience: '' }));
    refused(() => jwtAuth({ ...base(), audience: [] }));
    expect(() => jwtAuth({ ...base(), audience: null })).not.toThrow();
  });

  it('issuer and retrieveUser are required; claims may not name registered or prototype names', () => {
    refused(() => jwtAuth({ ...base(), issuer: '' }));
    refused(() => jwtAuth({ ...base(), retrieveUser: undefined as never }));
    for (const name of ['sub', 'exp', 'scope', '__proto__', 'constructor', 'prototype']) {
      refused(() => jwtAuth({ ...base(), claims: [name] }));
    }
  });

  it('other limits: expiresIn, maxTokenLength, typ, cache', () => {
    refused(() => jwtAuth({ ...base(), expiresIn: 0 }));
    refused(() => jwtAuth({ ...base(), expiresIn: 86_401 }));
    refused(() => jwtAuth({ ...base(), maxTokenLength: 100_000 }));
    refused(() => jwtAuth({ ...base(), typ: 'at+jwt\r\nx' }));
    refused(() => jwtAuth({ ...base(), cache: { max: 0 } }));
    refused(() => jwtAuth({ ...base(), realm: 'a\r\nb' }));
  });

  it('a remote JWKS must be https (http only on loopback) with bounded durations', () => {
    const rs = { ...base(), secret: undefined, algorithms: ['RS256'] as const };
    refused(() => jwtAuth({ ...rs, algorithms: ['RS256'], jwks: { url: 'http://idp.example/jwks' } }));
    refused(() => jwtAuth({ ...rs, algorithms: ['RS256'], jwks: { url: 'not a url' } }));
    refused(() => jwtAuth({ ...rs, algorithms: ['RS256'], jwks: { url: 'https://idp.example/jwks', timeoutDuration: 10_000 } }));
    refused(() => jwtAuth({ ...rs, algorithms: ['RS256'], jwks: { url: 'https://idp.example/jwks', cooldownDuration: 1000, cacheMaxAge: 10 } }));
    expect(() => jwtAuth({ ...rs, algorithms: ['RS256'], jwks: { url: 'http://127.0.0.1:9/jwks' } })).not.toThrow();
  });

  it('CK-03 cookie configuration errors throw at startup', () => {
    refused(() => jwtCookieAuth({ ...base(), cookie: { sameSite: 'None', secure: false } }));
    refused(() => jwtCookieAuth({ ...base(), cookie: { name: 'id;x' } }));
    refused(() => jwtCookieAuth({ ...base(), cookie: { sameSite: 'Lax; Domain=evil' as 'Lax' } }));
    refused(() => jwtCookieAuth({ ...base(), cookie: { name: '__Host-id', secure: false } }));
    refused(() => jwtCookieAuth({ ...base(), cookie: { name: '__Host-id', path: '/app' } }));
    refused(() => jwtCookieAuth({ ...base(), cookie: { path: '/; Domain=evil.example' } }));
    refused(() => jwtCookieAuth({ ...base(), csrf: { trustedOrigins: ['https://app.example/path'] } }));
  });

  it('LEAK-14 the cookie name is generic: __Host-access_token, or access_token without Secure', () => {
    expect(jwtCookieAuth(base()).cookieName).toBe('__Host-access_token');
    expect(jwtCookieAuth({ ...base(), cookie: { secure: false } }).cookieName).toBe('access_token');
  });

  it('OAU-10 the password grant is opt-in: jwtAuth has no token endpoint; oauth2PasswordBearer needs a signing key', async () => {
    expect('tokenEndpoint' in jwtAuth(base())).toBe(false);
    const rsa = await keyPair('RS256');
    refused(() =>
      oauth2PasswordBearer({ ...base(), secret: undefined, algorithms: ['RS256'], publicKey: rsa.publicKey, tokenUrl: '/token', verifyCredentials: () => null }),
    );
    refused(() => oauth2PasswordBearer({ ...base(), tokenUrl: 'https://evil.example/token', verifyCredentials: () => null }));
    expect(() => oauth2PasswordBearer({ ...base(), tokenUrl: '/token', verifyCredentials: () => null })).not.toThrow();
  });

  it('configuration is copied: changing the secret buffer afterwards changes nothing', async () => {
    const secret = new Uint8Array(SECRET);
    const jwt = jwtAuth({ ...base(), secret });
    const { token } = await jwt.issue('alice');
    secret.fill(0);
    await expect(jwt.verify(token, { now: Date.now() })).resolves.toMatchObject({ sub: 'alice' });
  });
});
