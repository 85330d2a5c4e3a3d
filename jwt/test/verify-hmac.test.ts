import { createHmac } from 'node:crypto';
import type { SimpleUser } from '@portcullis/core';
import * as jose from 'jose';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isJwtError, jwtAuth, type JwtAuthOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, T0S, b64url, connection, retrieveUser } from './helpers.js';

// Counts jose's verifications: the synchronous path must never call it for HS256 secrets given as bytes.
vi.mock('jose', async (importOriginal) => {
  const original = await importOriginal<typeof import('jose')>();
  return { ...original, jwtVerify: vi.fn(original.jwtVerify) };
});

// The reference: the same backend with verify-hmac.ts switched off, so every check is jose's own.
const path = vi.hoisted(() => ({ sync: true }));
vi.mock('../src/verify-hmac.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../src/verify-hmac.js')>();
  return { verifyHmac: (...args: Parameters<typeof original.verifyHmac>) => (path.sync ? original.verifyHmac(...args) : undefined) };
});

afterEach(() => {
  vi.mocked(jose.jwtVerify).mockClear();
  path.sync = true;
});

/**
 * The differential test of verify-hmac.ts: one backend (HS256, the secret as bytes)
 * verifies every token twice, once on the synchronous path and once with it switched
 * off (jose's `jwtVerify` and Web Crypto, as before this path existed). Every token
 * below must get the same answer from both: the same claims, or the same `JwtError` code.
 */
const HS256_KEY = await crypto.subtle.importKey('raw', SECRET, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
const OTHER_SECRET = new Uint8Array(32).fill(9);
const NOW = T0S;

type Outcome = { ok: unknown } | { code: string | undefined };

function pair(extra: Partial<JwtAuthOptions<SimpleUser>> = {}) {
  const base: JwtAuthOptions<SimpleUser> = {
    algorithms: ['HS256'],
    issuer: ISSUER,
    audience: AUDIENCE,
    retrieveUser,
    cache: false,
    claims: ['role', 'nested'],
    clock: () => T0,
    ...extra,
  };
  return { backend: jwtAuth({ ...base, secret: SECRET }), viaCryptoKey: jwtAuth({ ...base, secret: HS256_KEY }) };
}

async function outcome(backend: ReturnType<typeof jwtAuth<SimpleUser>>, token: string): Promise<Outcome> {
  try {
    return { ok: await backend.verify(token) };
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause;
    return { code: isJwtError(cause) ? cause.code : `not a JwtError: ${String(error)}` };
  }
}

/** Both answers; the synchronous one must not have called jose. */
async function both(backends: ReturnType<typeof pair>, token: string): Promise<{ sync: Outcome; jose: Outcome }> {
  vi.mocked(jose.jwtVerify).mockClear();
  path.sync = true;
  const sync = await outcome(backends.backend, token);
  expect(jose.jwtVerify).not.toHaveBeenCalled();
  path.sync = false;
  const reference = await outcome(backends.backend, token); // jose's answer (unless the shared size and shape check refused first)
  path.sync = true;
  return { sync, jose: reference };
}

const text = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));
/** A compact JWS from raw header and payload text (or bytes), HMAC-SHA256'd with node:crypto. */
function forge(header: unknown, payload: unknown, secret: Uint8Array = SECRET): string {
  const seg = (v: unknown) => (v instanceof Uint8Array ? b64url(v) : b64url(text(v)));
  const input = `${seg(header)}.${seg(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}
/** The same, on segments given already encoded (for bad base64url). */
function forgeEncoded(header: string, payload: string, secret: Uint8Array = SECRET): string {
  const input = `${header}.${payload}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

const H = { alg: 'HS256', typ: 'at+jwt' };
const P = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: NOW, exp: NOW + 300 };

function vectors(): Array<[string, string]> {
  const valid = forge(H, P);
  const [h, p, s] = valid.split('.') as [string, string, string];
  const flip = (seg: string, i: number) => seg.slice(0, i) + (seg[i] === 'A' ? 'B' : 'A') + seg.slice(i + 1);
  const list: Array<[string, string]> = [
    ['valid', valid],
    ['valid with extras, nested and __proto__ (JWT-32)', forge(H, `{"sub":"alice","iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${NOW + 300},"role":"admin","nested":{"a":[1,{"b":2}]},"__proto__":{"admin":true}}`)],
    ['JWT-07 signature flipped', `${h}.${p}.${flip(s, 5)}`],
    ['JWT-07 signature truncated', `${h}.${p}.${s.slice(0, -2)}`],
    ['JWT-07 empty signature', `${h}.${p}.`],
    ['JWT-07 payload flipped', `${h}.${flip(p, 10)}.${s}`],
    ['header flipped', `${flip(h, 3)}.${p}.${s}`],
    ['JWT-07 wrong key', forge(H, P, OTHER_SECRET)],
    ['signature of 44 characters', `${h}.${p}.${s}A`],
    ['signature length 4n+1', `${h}.${p}.${s.slice(0, 41)}`],
    ['JWT-01 alg none, no signature', `${b64url('{"alg":"none","typ":"at+jwt"}')}.${p}.`],
    ['JWT-01 alg none, HMAC signature', forge({ alg: 'none', typ: 'at+jwt' }, P)],
    ['JWT-01 alg None', forge({ alg: 'None', typ: 'at+jwt' }, P)],
    ['alg hs256 (case)', forge({ alg: 'hs256', typ: 'at+jwt' }, P)],
    ['JWT-05 alg HS512 with an HS256 signature', forge({ alg: 'HS512', typ: 'at+jwt' }, P)],
    ['alg RS256 with an HMAC signature (confusion)', forge({ alg: 'RS256', typ: 'at+jwt' }, P)],
    ['alg ES256', forge({ alg: 'ES256', typ: 'at+jwt' }, P)],
    ['alg missing', forge({ typ: 'at+jwt' }, P)],
    ['alg empty', forge({ alg: '', typ: 'at+jwt' }, P)],
    ['alg a number', forge({ alg: 256, typ: 'at+jwt' }, P)],
    ['duplicate alg: none then HS256 (last wins in both)', forge('{"alg":"none","alg":"HS256","typ":"at+jwt"}', P)],
    ['duplicate alg: HS256 then none', forge('{"alg":"HS256","alg":"none","typ":"at+jwt"}', P)],
    ['duplicate sub in the payload', forge(H, `{"sub":"mallory","sub":"alice","iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${NOW + 300}}`)],
    ['JWT-20 jku ignored', forge({ ...H, jku: 'http://127.0.0.1:1/jwks.json' }, P)],
    ['JWT-21 jwk ignored', forge({ ...H, jwk: { kty: 'oct', k: 'AAAA' } }, P)],
    ['kid a string (no kid on the key)', forge({ ...H, kid: 'k1' }, P)],
    ['kid a number', forge({ ...H, kid: 7 }, P)],
    ['JWT-33 cty JWT', forge({ ...H, cty: 'JWT' }, P)],
    ['JWT-22 crit exp', forge({ ...H, crit: ['exp'], exp: 1 }, P)],
    ['JWT-22 crit x-custom', forge({ ...H, crit: ['x-custom'], 'x-custom': 1 }, P)],
    ['JWT-22 crit empty', forge({ ...H, crit: [] }, P)],
    ['crit a string', forge({ ...H, crit: 'b64', b64: true }, P)],
    ['crit with an empty name', forge({ ...H, crit: [''] }, P)],
    ['crit with a number', forge({ ...H, crit: [1] }, P)],
    ['crit b64 without b64', forge({ ...H, crit: ['b64'] }, P)],
    ['crit b64, b64 "false"', forge({ ...H, crit: ['b64'], b64: 'false' }, P)],
    ['crit b64, b64 true', forge({ ...H, crit: ['b64'], b64: true }, P)],
    ['JWT-22 crit b64, b64 false (RFC 7797)', forge({ ...H, crit: ['b64'], b64: false }, P)],
    ['crit b64 twice', forge({ ...H, crit: ['b64', 'b64'], b64: true }, P)],
    ['JWT-22 b64 false without crit (ignored)', forge({ ...H, b64: false }, P)],
    ['crit b64 then x', forge({ ...H, crit: ['b64', 'x'], b64: true, x: 1 }, P)],
    ['header not JSON', forge('{alg:HS256}', P)],
    ['header an array', forge('["HS256"]', P)],
    ['header null', forge('null', P)],
    ['header with a BOM', forge(`\uFEFF${text(H)}`, P)],
    ['header invalid UTF-8', forge(new Uint8Array([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), P)],
    ['header length 4n+1', forgeEncoded(`${h}A`, p)],
    ['header non-canonical last character', forgeEncoded(h.slice(0, -1) + String.fromCharCode(h.charCodeAt(h.length - 1) + 1), p)],
    ['payload length 4n+1', forgeEncoded(h, `${p}A`)],
    ['payload not JSON', forge(H, '{"sub":')],
    ['payload an array', forge(H, '[1]')],
    ['payload a string', forge(H, '"alice"')],
    ['payload with a BOM', forge(H, `\uFEFF${text(P)}`)],
    ['payload invalid UTF-8', forge(H, new Uint8Array([0x7b, 0x22, 0x73, 0xc3, 0x28, 0x22, 0x3a, 0x31, 0x7d]))],
    ['JWT-18 typ JWT', forge({ alg: 'HS256', typ: 'JWT' }, P)],
    ['typ missing', forge({ alg: 'HS256' }, P)],
    ['typ AT+JWT', forge({ alg: 'HS256', typ: 'AT+JWT' }, P)],
    ['typ application/at+jwt', forge({ alg: 'HS256', typ: 'application/at+jwt' }, P)],
    ['typ a number', forge({ alg: 'HS256', typ: 1 }, P)],
    ['iss wrong', forge(H, { ...P, iss: 'https://evil.example' })],
    ['iss missing', forge(H, { ...P, iss: undefined })],
    ['iss an array', forge(H, { ...P, iss: [ISSUER] })],
    ['JWT-14 aud missing', forge(H, { ...P, aud: undefined })],
    ['JWT-14 aud other', forge(H, { ...P, aud: 'api://billing' })],
    ['JWT-14 aud [other]', forge(H, { ...P, aud: ['api://billing'] })],
    ['JWT-14 aud [other, ours]', forge(H, { ...P, aud: ['api://billing', AUDIENCE] })],
    ['aud a number', forge(H, { ...P, aud: 1 })],
    ['aud [ours, 1]', forge(H, { ...P, aud: [AUDIENCE, 1] })],
    ['JWT-17 sub missing', forge(H, { ...P, sub: undefined })],
    ['JWT-17 sub a number', forge(H, { ...P, sub: 123 })],
    ['JWT-17 sub empty', forge(H, { ...P, sub: '' })],
    ['JWT-12 exp missing', forge(H, { ...P, exp: undefined })],
    ['JWT-09 exp = now', forge(H, { ...P, exp: NOW })],
    ['JWT-09 exp = now - 1', forge(H, { ...P, exp: NOW - 1 })],
    ['exp = now + 1', forge(H, { ...P, exp: NOW + 1 })],
    ['exp a string', forge(H, { ...P, exp: String(NOW + 300) })],
    ['exp a fraction', forge(H, { ...P, exp: NOW + 300.5 })],
    ['exp negative', forge(H, { ...P, exp: -1 })],
    ['exp 1e400 (Infinity)', forge(H, `{"sub":"alice","iss":"${ISSUER}","aud":"${AUDIENCE}","exp":1e400}`)],
    ['exp past and nbf a string', forge(H, { ...P, exp: NOW - 10, nbf: 'x' })],
    ['exp past and nbf negative', forge(H, { ...P, exp: NOW - 10, nbf: -5 })],
    ['nbf = now', forge(H, { ...P, nbf: NOW })],
    ['nbf = now + 1', forge(H, { ...P, nbf: NOW + 1 })],
    ['nbf a string', forge(H, { ...P, nbf: 'soon' })],
    ['nbf future and iat a fraction', forge(H, { ...P, nbf: NOW + 100, iat: NOW + 0.5 })],
    ['iat in the future', forge(H, { ...P, iat: NOW + 1 })],
    ['iat a string', forge(H, { ...P, iat: 'now' })],
    ['iat missing', forge(H, { ...P, iat: undefined })],
    ['scope with a quote', forge(H, { ...P, scope: 'read "write"' })],
    ['scope a list', forge(H, { ...P, scope: 'read write read' })],
    ['huge token (~7 KB)', forge(H, { ...P, nested: 'x'.repeat(5000) })],
  ];
  return list;
}

describe('the synchronous HS256 path gives the same answer as jose on the same tokens', () => {
  it('JWT-01 JWT-05 JWT-07 JWT-09 JWT-12 JWT-14 JWT-17 JWT-18 JWT-20 JWT-21 JWT-22 JWT-32 JWT-33: every vector, default options', async () => {
    const backends = pair();
    let accepted = 0;
    for (const [name, token] of vectors()) {
      const { sync, jose: reference } = await both(backends, token);
      if (process.env.P2DEBUG) console.log(name, JSON.stringify(sync).slice(0, 60), JSON.stringify(reference).slice(0, 60));
      expect(sync, name).toEqual(reference);
      if ('ok' in sync) accepted++;
    }
    expect(accepted).toBeGreaterThan(5); // the vectors are not all refusals
  });

  it('JWT-10 JWT-11 with a clock tolerance of 60 s and maxTokenAge', async () => {
    const backends = pair({ clockTolerance: 60, maxTokenAge: 3600 });
    const cases: Array<Record<string, unknown>> = [
      { exp: NOW - 30 }, { exp: NOW - 60 }, { exp: NOW - 61 }, { nbf: NOW + 30 }, { nbf: NOW + 60 }, { nbf: NOW + 61 },
      { iat: NOW - 3700 }, { iat: NOW - 3660 }, { iat: NOW - 3661 }, { iat: NOW + 60 }, { iat: NOW + 61 }, { iat: NOW + 120 },
      { iat: undefined }, { iat: 'x' }, { iat: NOW - 3700, exp: -1 },
    ];
    for (const claims of cases) {
      const token = forge(H, { ...P, ...claims });
      const { sync, jose: reference } = await both(backends, token);
      expect(sync, JSON.stringify(claims)).toEqual(reference);
    }
  });

  it('typ null, no audience, several audiences, extra required claims', async () => {
    const backends = pair({ typ: null, audience: ['api://billing', AUDIENCE], requiredClaims: ['jti'] });
    for (const [name, token] of [...vectors(), ['jti present', forge(H, { ...P, jti: 'j1' })] as [string, string]]) {
      const { sync, jose: reference } = await both(backends, token);
      expect(sync, name).toEqual(reference);
    }
    const noAudience = pair({ audience: null });
    for (const [name, token] of vectors()) {
      const { sync, jose: reference } = await both(noAudience, token);
      expect(sync, name).toEqual(reference);
    }
  });

  it('key rotation: two HS256 keys told apart by kid, the same answers', async () => {
    const K2 = new Uint8Array(32).fill(5);
    const base = { algorithms: ['HS256'] as const, issuer: ISSUER, audience: AUDIENCE, retrieveUser, cache: false as const, clock: () => T0 };
    const rotating = { backend: jwtAuth<SimpleUser>({ ...base, keys: [{ alg: 'HS256', kid: 'k1', secret: SECRET }, { alg: 'HS256', kid: 'k2', secret: K2 }] }) } as ReturnType<typeof pair>;
    const cases: Array<[string, string]> = [
      ['k1 signed with k1', forge({ ...H, kid: 'k1' }, P)],
      ['k2 signed with k2', forge({ ...H, kid: 'k2' }, P, K2)],
      ['k2 signed with k1', forge({ ...H, kid: 'k2' }, P)],
      ['no kid', forge(H, P)],
      ['unknown kid', forge({ ...H, kid: 'k3' }, P)],
    ];
    const answers: Outcome[] = [];
    for (const [name, token] of cases) {
      const { sync, jose: reference } = await both(rotating, token);
      expect(sync, name).toEqual(reference);
      answers.push(sync);
    }
    expect(answers.map((a) => ('ok' in a ? 'ok' : a.code))).toEqual(['ok', 'ok', 'signature_invalid', 'key_not_found', 'key_not_found']);
  });

  it('JWT-07 generated tampering: every single-character change of a valid token gets the same answer', async () => {
    const backends = pair();
    const valid = forge(H, P);
    const alphabet = 'AQgw_-.9z';
    let compared = 0;
    for (let i = 0; i < valid.length; i++) {
      for (const c of alphabet) {
        if (valid[i] === c) continue;
        const token = valid.slice(0, i) + c + valid.slice(i + 1);
        if (token.split('.').length !== 3 || token.split('.').some((seg, k) => seg === '' && k < 2)) continue;
        const { sync, jose: reference } = await both(backends, token);
        const signature = token.split('.')[2] as string;
        const original = valid.split('.')[2] as string;
        if (signature !== original && Buffer.from(signature, 'base64url').equals(Buffer.from(original, 'base64url'))) {
          // The one deliberate difference: the same MAC spelled with non-zero unused bits.
          expect(reference).toHaveProperty('ok');
          expect(sync).toEqual({ code: 'signature_invalid' });
        } else {
          expect(sync, `${i}:${c}`).toEqual(reference);
        }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(1000);
  });

  it('generated claim sets: random dates, issuers, audiences and types, the same answers', async () => {
    const backends = pair({ clockTolerance: 5 });
    let seed = 17;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    const pick = <T,>(values: readonly T[]): T => values[random(values.length)] as T;
    const dates = [undefined, NOW - 6, NOW - 5, NOW - 4, NOW, NOW + 4, NOW + 5, NOW + 6, 'x', -1, 1.5, null];
    for (let n = 0; n < 400; n++) {
      const header = { alg: pick(['HS256', 'HS256', 'HS256', 'HS384', 'none']), ...pick([{ typ: 'at+jwt' }, { typ: 'JWT' }, {}, { typ: 'AT+jwt' }]) };
      const payload = {
        sub: pick(['alice', '', 7, undefined]),
        iss: pick([ISSUER, ISSUER, 'x', undefined]),
        aud: pick([AUDIENCE, [AUDIENCE], ['x'], undefined, 5]),
        exp: pick(dates), nbf: pick(dates), iat: pick(dates),
      };
      const token = forge(header, payload, pick([SECRET, SECRET, OTHER_SECRET]));
      const { sync, jose: reference } = await both(backends, token);
      expect(sync, JSON.stringify({ header, payload })).toEqual(reference);
    }
  });

  it('JWT-07 signatures of every length from 0 to 48 characters, and every last character, get the same answer', async () => {
    const backends = pair();
    const valid = forge(H, P);
    const input = valid.slice(0, valid.lastIndexOf('.'));
    const signature = valid.slice(valid.lastIndexOf('.') + 1);
    const candidates: string[] = [];
    for (let n = 0; n <= 48; n++) candidates.push(`${input}.${(signature + signature).slice(0, n)}`);
    for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_') candidates.push(`${input}.${signature.slice(0, 42)}${c}`);
    for (const token of candidates) {
      const { sync, jose: reference } = await both(backends, token);
      const spelled = token.slice(token.lastIndexOf('.') + 1);
      if (spelled !== signature && spelled.length === 43 && Buffer.from(spelled, 'base64url').equals(Buffer.from(signature, 'base64url'))) {
        expect(sync).toEqual({ code: 'signature_invalid' }); // the deliberate difference: non-zero unused bits
      } else {
        expect(sync, spelled).toEqual(reference);
      }
    }
  });

  it('JWT-05 JWT-18 the checked header is remembered per backend: backends sharing a header segment, interleaved, answer as jose does', async () => {
    // One header segment for all; the backends differ in secret, typ, issuer and audience.
    const a = pair();
    const b = { backend: jwtAuth<SimpleUser>({ algorithms: ['HS256'], secret: OTHER_SECRET, issuer: 'https://other.example', audience: ['x'], typ: null, retrieveUser, cache: false, clock: () => T0 }) } as ReturnType<typeof pair>;
    // The same secret as `a`, but only under a kid: a token without one finds no key.
    const c = { backend: jwtAuth<SimpleUser>({ algorithms: ['HS256'], keys: [{ alg: 'HS256', kid: 'k1', secret: SECRET }], issuer: ISSUER, audience: AUDIENCE, retrieveUser, cache: false, clock: () => T0 }) } as ReturnType<typeof pair>;
    const tokens = [
      forge(H, P),
      forge(H, P, OTHER_SECRET),
      forge(H, { ...P, iss: 'https://other.example', aud: 'x' }, OTHER_SECRET),
      forge({ alg: 'HS256', typ: 'JWT' }, { ...P, iss: 'https://other.example', aud: 'x' }, OTHER_SECRET),
      forge({ alg: 'HS256', typ: 'JWT' }, P),
    ];
    const answers: string[] = [];
    for (let round = 0; round < 2; round++) {
      for (const token of tokens) {
        for (const backends of [a, b, c]) {
          const { sync, jose: reference } = await both(backends, token);
          expect(sync).toEqual(reference);
          answers.push('ok' in sync ? 'ok' : String(sync.code));
        }
      }
    }
    // [a, b, c] per token: a accepts only the first, b the third and fourth (typ: null), c none (no key without a kid).
    expect(answers.slice(0, 15)).toEqual([
      'ok', 'signature_invalid', 'key_not_found',
      'signature_invalid', 'claim_invalid', 'key_not_found',
      'signature_invalid', 'ok', 'key_not_found',
      'signature_invalid', 'ok', 'key_not_found',
      'claim_invalid', 'signature_invalid', 'key_not_found',
    ]);
    expect(answers.slice(15)).toEqual(answers.slice(0, 15));
  });

  it('the miss is synchronous: no promise, no jose, no Web Crypto for an HS256 secret given as bytes', () => {
    const sync = pair().backend;
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const principal = sync.authenticate(connection({ token: forge(H, P) }));
    expect(principal).not.toBeInstanceOf(Promise);
    expect(principal).toMatchObject({ user: { username: 'alice' } });
    expect(verify).not.toHaveBeenCalled();
    expect(jose.jwtVerify).not.toHaveBeenCalled();
    verify.mockRestore();
  });

  it('other algorithms and CryptoKey secrets still go through jose', async () => {
    const viaJose = pair().viaCryptoKey;
    await expect(viaJose.verify(forge(H, P))).resolves.toMatchObject({ sub: 'alice' });
    expect(jose.jwtVerify).toHaveBeenCalledTimes(1);
    const hs512 = jwtAuth<SimpleUser>({ algorithms: ['HS512'], secret: new Uint8Array(64).fill(3), issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0 });
    const token = await new jose.SignJWT(P).setProtectedHeader({ alg: 'HS512', typ: 'at+jwt' }).sign(new Uint8Array(64).fill(3));
    await expect(hs512.verify(token)).resolves.toMatchObject({ sub: 'alice' });
    expect(jose.jwtVerify).toHaveBeenCalledTimes(2);
  });
});
