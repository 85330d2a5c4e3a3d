import { SimpleUser, type Principal } from '@portcullis/core';
import { createGuard } from '@portcullis/core/adapter';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { JwtCredentials, jwtAuth, tokenOf } from '../src/index.js';
import {
  AUDIENCE,
  INVALID_TOKEN,
  ISSUER,
  REALM,
  SECRET,
  T0,
  T0S,
  b64url,
  connection,
  handmade,
  hsOptions,
  keyPair,
  refusal,
  retrieveUser,
  sign,
} from './helpers.js';

const options = hsOptions;

const jwt = jwtAuth(options());
const auth = (backend: ReturnType<typeof jwtAuth>, token: string) => backend.authenticate(connection({ token })) as Promise<Principal<SimpleUser>>;

describe('a valid token', () => {
  it('authenticates as retrieveUser’s user, with the token on the credentials', async () => {
    const token = await sign({ scope: 'orders:read orders:write' });
    const principal = await auth(jwt, token);
    expect(principal.user.identity).toBe('alice');
    expect(principal.auth).toBeInstanceOf(JwtCredentials);
    expect(principal.auth.scopes).toEqual(['authenticated', 'orders:read', 'orders:write']);
    const t = tokenOf(principal.auth);
    expect(t).toMatchObject({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: T0S + 300, iat: T0S });
    expect(Object.isFrozen(t)).toBe(true);
  });

  it('retrieveUser may be async; no user → 401 invalid_token (unknown_user)', async () => {
    const asyncJwt = jwtAuth(options({ retrieveUser: async (t) => (t.sub === 'alice' ? new SimpleUser('alice') : null) }));
    expect((await auth(asyncJwt, await sign({}))).user.identity).toBe('alice');
    const r = await refusal(auth(asyncJwt, await sign({ sub: 'mallory' })));
    expect(r).toEqual({ status: 'invalid_credentials', code: 'unknown_user', challenge: INVALID_TOKEN });
  });

  it('retrieveUser throwing fails closed: backend_unavailable (503), never anonymous', async () => {
    const broken = jwtAuth(options({ retrieveUser: () => { throw new Error('db down'); } }));
    const r = await refusal(auth(broken, await sign({})));
    expect(r.status).toBe('backend_unavailable');
    expect(r.code).toBe('user_lookup_failed');
  });

  it('no Authorization header → null (anonymous; the core answers 401-∅ in required mode)', () => {
    expect(jwt.authenticate(connection())).toBeNull();
    expect(jwt.authenticate(connection({ headers: { authorization: 'Basic dXNlcjpwYXNz' } }))).toBeNull();
  });

  it('BEA-11 a guard answers 403 insufficient_scope with scope="admin" for JWT credentials', async () => {
    const principal = await auth(jwt, await sign({ scope: 'orders:read' }));
    const denied = createGuard('admin').check(connection(), { ...principal, challenges: jwt.challenges });
    expect(denied?.status).toBe(403);
    expect(denied?.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="admin"`);
  });
});

describe('algorithms', () => {
  const none = { sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: 4102444800 };
  it.each(['none', 'None', 'NONE', 'nOnE'])('JWT-01 alg:%s, empty and dummy signature → 401-T', async (alg) => {
    for (const signature of ['', 'c2lnbmF0dXJl']) {
      const token = await handmade({ alg, typ: 'at+jwt' }, none, null, signature);
      const r = await refusal(auth(jwt, token));
      expect(r.status).toBe('invalid_credentials');
      expect(r.challenge).toBe(INVALID_TOKEN);
      expect(r.code).toBe('algorithm_not_allowed');
    }
  });

  it('JWT-01 the catalogue token eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0… → 401-T', async () => {
    const r = await refusal(auth(jwt, 'eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.eyJzdWIiOiJhZG1pbiIsImV4cCI6NDEwMjQ0NDgwMH0.'));
    expect(r.challenge).toBe(INVALID_TOKEN);
  });

  it('JWT-05 HS512 when HS256 is pinned → 401-T algorithm_not_allowed', async () => {
    const token = await sign({}, { alg: 'HS512', key: new Uint8Array(64).fill(3) });
    expect((await refusal(auth(jwt, token))).code).toBe('algorithm_not_allowed');
  });

  it('JWT-05 PS256 and ES256 when RS256 is pinned → 401-T algorithm_not_allowed', async () => {
    const rsa = await keyPair('RS256');
    const rs = jwtAuth(options({ secret: undefined, algorithms: ['RS256'], publicKey: rsa.publicKey }));
    expect((await auth(rs, await sign({}, { alg: 'RS256', key: rsa.privateKey }))).user.identity).toBe('alice');
    const ps = await keyPair('PS256');
    const ec = await keyPair('ES256');
    expect((await refusal(auth(rs, await sign({}, { alg: 'PS256', key: ps.privateKey })))).code).toBe('algorithm_not_allowed');
    expect((await refusal(auth(rs, await sign({}, { alg: 'ES256', key: ec.privateKey })))).code).toBe('algorithm_not_allowed');
  });

  it('JWT-04/JSONWT-23541 typed keys: an HS256 token HMAC-signed with the RSA public key is refused', async () => {
    const rsa = await keyPair('RS256');
    const mixed = jwtAuth(
      options({ secret: undefined, algorithms: ['HS256', 'RS256'], keys: [{ alg: 'HS256', secret: SECRET }, { alg: 'RS256', publicKey: rsa.publicKey }] }),
    );
    const spki = new Uint8Array(await crypto.subtle.exportKey('spki', rsa.publicKey));
    const confused = await sign({}, { alg: 'HS256', key: spki });
    expect((await refusal(auth(mixed, confused))).code).toBe('signature_invalid');
    expect((await auth(mixed, await sign({}))).user.identity).toBe('alice');
    expect((await auth(mixed, await sign({}, { alg: 'RS256', key: rsa.privateKey }))).user.identity).toBe('alice');
  });
});

describe('signatures', () => {
  it('JWT-07 one payload character flipped, truncated signature, empty signature, another key → 401-T', async () => {
    const token = await sign({});
    const [h, p, s] = token.split('.') as [string, string, string];
    const flipped = `${h}.${p.slice(0, 10)}${p[10] === 'A' ? 'B' : 'A'}${p.slice(11)}.${s}`;
    const variants = [flipped, `${h}.${p}.${s.slice(0, -4)}`, `${h}.${p}.`, await sign({}, { key: new Uint8Array(32).fill(9) })];
    for (const bad of variants) {
      const r = await refusal(auth(jwt, bad));
      expect(r.status).toBe('invalid_credentials');
      expect(r.challenge).toBe(INVALID_TOKEN);
      expect(['signature_invalid', 'token_malformed']).toContain(r.code);
    }
  });

  it('JWT-08 ES256 "psychic signature" (r = s = 0) → 401-T', async () => {
    const ec = await keyPair('ES256');
    const es = jwtAuth(options({ secret: undefined, algorithms: ['ES256'], publicKey: ec.publicKey }));
    const valid = await sign({}, { alg: 'ES256', key: ec.privateKey });
    expect((await auth(es, valid)).user.identity).toBe('alice');
    const [h, p] = valid.split('.') as [string, string];
    const r = await refusal(auth(es, `${h}.${p}.${b64url(new Uint8Array(64))}`));
    expect(r.code).toBe('signature_invalid');
  });
});

describe('time claims on a frozen clock', () => {
  it('JWT-09 tolerance 0: exp = now - 1 and exp = now → 401 error_description="expired"', async () => {
    for (const exp of [T0S - 1, T0S]) {
      const r = await refusal(auth(jwt, await sign({ exp })));
      expect(r.code).toBe('token_expired');
      expect(r.challenge).toBe(`${REALM}, error="invalid_token", error_description="expired"`);
    }
    expect((await auth(jwt, await sign({ exp: T0S + 1 }))).user.identity).toBe('alice');
  });

  it('JWT-10 tolerance 60: exp now-30 ok, now-61 expired; nbf now+30 ok, now+61 not yet valid, now ok', async () => {
    const lenient = jwtAuth(options({ clockTolerance: 60 }));
    expect((await auth(lenient, await sign({ exp: T0S - 30 }))).user.identity).toBe('alice');
    expect((await refusal(auth(lenient, await sign({ exp: T0S - 61 })))).code).toBe('token_expired');
    expect((await auth(lenient, await sign({ nbf: T0S + 30 }))).user.identity).toBe('alice');
    const early = await refusal(auth(lenient, await sign({ nbf: T0S + 61 })));
    expect(early.code).toBe('token_not_yet_valid');
    expect(early.challenge).toBe(`${REALM}, error="invalid_token", error_description="not yet valid"`);
    expect((await auth(lenient, await sign({ nbf: T0S }))).user.identity).toBe('alice');
  });

  it('JWT-11 maxTokenAge 3600: iat now-3700 → expired; iat now+120 with tolerance 60 → 401-T', async () => {
    const aged = jwtAuth(options({ maxTokenAge: 3600, clockTolerance: 60 }));
    expect((await refusal(auth(aged, await sign({ iat: T0S - 3700 })))).code).toBe('token_expired');
    const future = await refusal(auth(aged, await sign({ iat: T0S + 120 })));
    expect(future.code).toBe('claim_invalid');
    expect(future.challenge).toBe(INVALID_TOKEN);
    expect((await refusal(auth(aged, await sign({}, { omit: ['iat'] })))).code).toBe('claim_invalid');
    expect((await auth(aged, await sign({ iat: T0S - 3500 }))).user.identity).toBe('alice');
  });

  it('JWT-12 a token without exp → 401-T (exp is required by default)', async () => {
    const r = await refusal(auth(jwt, await sign({}, { omit: ['exp'] })));
    expect(r.code).toBe('claim_invalid');
    expect(r.challenge).toBe(INVALID_TOKEN);
  });

  it('RUSTJWT exp/nbf of the wrong JSON type are refused, not ignored', async () => {
    for (const claims of [{ exp: String(T0S + 300) }, { exp: null }, { nbf: 'later' }, { iat: [1] }]) {
      expect((await refusal(auth(jwt, await handmade({ alg: 'HS256', typ: 'at+jwt' }, { sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: T0S + 300, ...claims })))).status).toBe(
        'invalid_credentials',
      );
    }
  });

  it('the clock is the connection’s when none is configured', async () => {
    const connClock = jwtAuth(options({ clock: undefined }));
    const token = await sign({ exp: T0S + 10 });
    await expect(Promise.resolve(connClock.authenticate(connection({ token, now: T0 })))).resolves.toBeTruthy();
    const r = await refusal(connClock.authenticate(connection({ token, now: T0 + 11_000 })));
    expect(r.code).toBe('token_expired');
  });
});

describe('issuer, audience, subject, type', () => {
  it('JWT-14 aud api://orders: none, billing, [billing], [billing, orders], "api://orders " → reject, reject, reject, accept, reject', async () => {
    const cases: [unknown, boolean][] = [
      [undefined, false],
      ['api://billing', false],
      [['api://billing'], false],
      [['api://billing', 'api://orders'], true],
      ['api://orders ', false],
    ];
    for (const [aud, accepted] of cases) {
      const token = aud === undefined ? await sign({}, { omit: ['aud'] }) : await sign({ aud });
      if (accepted) expect((await auth(jwt, token)).user.identity).toBe('alice');
      else expect((await refusal(auth(jwt, token))).code, JSON.stringify(aud)).toBe('claim_invalid');
    }
  });

  it('PYJWT/FASTJWT/LITESTAR iss is matched exactly: no prefix, suffix, substring, array or missing iss', async () => {
    for (const iss of ['https://issuer.example.evil', 'https://issuer', 'issuer.example', [ISSUER], 'h', undefined]) {
      const token = iss === undefined ? await sign({}, { omit: ['iss'] }) : await sign({ iss });
      expect((await refusal(auth(jwt, token))).code, JSON.stringify(iss)).toBe('claim_invalid');
    }
  });

  it('JWT-15 audience: null accepts any aud (explicit opt-out)', async () => {
    const any = jwtAuth(options({ audience: null }));
    expect((await auth(any, await sign({ aud: 'api://billing' }))).user.identity).toBe('alice');
  });

  it('JWT-17 sub missing, sub:123, sub:"" → 401-T', async () => {
    const header = { alg: 'HS256', typ: 'at+jwt' };
    const claims = { iss: ISSUER, aud: AUDIENCE, exp: T0S + 300 };
    for (const payload of [claims, { ...claims, sub: 123 }, { ...claims, sub: '' }]) {
      const r = await refusal(auth(jwt, await handmade(header, payload)));
      expect(r.challenge).toBe(INVALID_TOKEN);
    }
  });

  it('JWT-18 typ "JWT" (an ID token), a missing typ or "refresh+jwt" when at+jwt is expected → 401-T', async () => {
    for (const typ of ['JWT', 'refresh+jwt', undefined]) {
      const token = await new SignJWT({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: T0S + 300 })
        .setProtectedHeader(typ === undefined ? { alg: 'HS256' } : { alg: 'HS256', typ })
        .sign(SECRET);
      expect((await refusal(auth(jwt, token))).code, String(typ)).toBe('claim_invalid');
    }
    // The media-type form is the same type (RFC 9068 §4).
    expect((await auth(jwt, await sign({}, { header: { typ: 'application/at+jwt' } }))).user.identity).toBe('alice');
  });
});

describe('header parameters', () => {
  it('JWT-22 crit ["exp"], ["x-custom"], [] and b64:false → 401-T', async () => {
    const claims = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: T0S + 300 };
    for (const extra of [{ crit: ['exp'], exp: 1 }, { crit: ['x-custom'], 'x-custom': 1 }, { crit: [] }, { b64: false, crit: ['b64'] }]) {
      const token = await handmade({ alg: 'HS256', typ: 'at+jwt', ...extra }, claims);
      const r = await refusal(auth(jwt, token));
      expect(r.challenge, JSON.stringify(extra)).toBe(INVALID_TOKEN);
    }
  });

  it('JWT-33 a nested JWT (cty: "JWT") → 401-T', async () => {
    const token = await sign({}, { header: { cty: 'JWT' } });
    expect((await refusal(auth(jwt, token))).code).toBe('claim_invalid');
  });

  it('DOS-07 a JWE (PBES2 with p2c 2147483647, or zip DEF) is refused in < 20 ms, never decrypted', async () => {
    const pbes2 = b64url(JSON.stringify({ alg: 'PBES2-HS512+A256KW', enc: 'A256GCM', p2c: 2147483647, p2s: 'AAAAAAAAAAAAAAAAAAAAAA' }));
    const zip = b64url(JSON.stringify({ alg: 'dir', enc: 'A256GCM', zip: 'DEF' }));
    for (const header of [pbes2, zip]) {
      const jwe = `${header}.AAAA.AAAAAAAAAAAAAAAA.AAAA.AAAAAAAAAAAAAAAAAAAAAA`;
      const start = performance.now();
      const r = await refusal(auth(jwt, jwe));
      expect(performance.now() - start).toBeLessThan(20);
      expect(r.code).toBe('token_malformed');
      expect(r.challenge).toBe(INVALID_TOKEN);
    }
  });

  it('BEA-02/LEAK-13 a refused token is never echoed, error_description is fixed text', async () => {
    const token = await sign({ exp: T0S - 10 });
    const r = await refusal(auth(jwt, token));
    expect(r.challenge).not.toContain(token.slice(0, 20));
    expect(r.challenge).toMatch(/^Bearer realm="api", error="invalid_token"(, error_description="(expired|revoked|not yet valid)")?$/);
  });
});

describe('JWT-32 prototype keys in the payload', () => {
  it('verification may pass, but nothing is polluted or escalated; extras are copied by allowlist', async () => {
    const withExtras = jwtAuth(options({ claims: ['tenant'] }));
    const payload =
      '{"sub":"alice","iss":"https://issuer.example","aud":"api://orders","exp":' +
      String(T0S + 300) +
      ',"tenant":{"id":"t1","__proto__":{"admin":true}},"__proto__":{"admin":true,"scope":"admin"},"constructor":{"prototype":{"x":1}},"admin":true}';
    const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'at+jwt' }));
    const input = `${header}.${b64url(payload)}`;
    const key = await crypto.subtle.importKey('raw', SECRET, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    const token = `${input}.${b64url(new Uint8Array(await crypto.subtle.sign('HMAC', key, new TextEncoder().encode(input))))}`;
    const principal = await auth(withExtras, token);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    expect(({} as Record<string, unknown>).x).toBeUndefined();
    expect(principal.auth.scopes).toEqual(['authenticated']);
    const t = tokenOf(principal.auth)!;
    expect(Object.keys(t.extras)).toEqual(['tenant']);
    expect(Object.getPrototypeOf(t.extras)).toBeNull();
    expect((t.extras.tenant as Record<string, unknown>).admin).toBeUndefined();
    expect(Object.keys(t.extras.tenant as object)).toEqual(['id']);
    expect('admin' in t).toBe(false);
  });

  it('default scopes: authenticated plus the token\'s, each request its own credentials (a token without scope shares nothing mutable)', async () => {
    const plain = await sign({});
    const first = await auth(jwt, plain);
    const second = await auth(jwt, plain);
    expect(first.auth.scopes).toEqual(['authenticated']);
    expect(second.auth).not.toBe(first.auth);
    expect(Object.isFrozen(first.auth.scopes)).toBe(true);
    expect(() => (first.auth.scopes as string[]).push('admin')).toThrow(TypeError);
    expect((await auth(jwt, plain)).auth.scopes).toEqual(['authenticated']);
    expect((await auth(jwt, await sign({ scope: 'authenticated orders:read' }))).auth.scopes).toEqual(['authenticated', 'orders:read']);
  });

  it('scope must be a space-separated string of scope tokens', async () => {
    for (const scope of [['admin'], 42, 'a "b"']) {
      expect((await refusal(auth(jwt, await sign({ scope })))).code).toBe('claim_invalid');
    }
  });
});
