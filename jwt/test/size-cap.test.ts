import type { SimpleUser } from '@portcullis/core';
import { afterEach, describe, expect, it, vi } from 'vitest';

// Spies on jose: DOS-04 must refuse before any base64, JSON or crypto work.
vi.mock('jose', async (importOriginal) => {
  const jose = await importOriginal<typeof import('jose')>();
  return { ...jose, jwtVerify: vi.fn(jose.jwtVerify), decodeProtectedHeader: vi.fn(jose.decodeProtectedHeader), decodeJwt: vi.fn(jose.decodeJwt) };
});

const jose = await import('jose');
const { jwtAuth, jwtCookieAuth } = await import('../src/index.js');
const { AUDIENCE, ISSUER, SECRET, T0, b64url, connection, refusal, retrieveUser, sign, INVALID_TOKEN } = await import('./helpers.js');

const options = { algorithms: ['HS256'] as const, secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0 };

afterEach(() => {
  vi.restoreAllMocks();
  vi.mocked(jose.jwtVerify).mockClear();
});

/** A well-formed, validly signed token padded with an extra claim to about `size` characters. */
async function bigToken(size: number): Promise<string> {
  return sign({ pad: 'x'.repeat(Math.ceil((size * 3) / 4)) });
}

describe('DOS-04 size caps', () => {
  it('a 9 KiB JWT in the cookie → 401-T with no jose, base64, JSON or crypto call', async () => {
    const backend = jwtCookieAuth<SimpleUser>({ ...options, algorithms: ['HS256'], cookie: { secure: false } });
    const token = await bigToken(9 * 1024);
    expect(token.length).toBeGreaterThan(9 * 1024);
    const digest = vi.spyOn(crypto.subtle, 'digest');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    const atob = vi.spyOn(globalThis, 'atob');
    const parse = vi.spyOn(JSON, 'parse');
    const r = await refusal(backend.authenticate(connection({ headers: { cookie: `access_token=${token}` } })));
    expect(r).toEqual({ status: 'invalid_credentials', code: 'token_too_large', challenge: INVALID_TOKEN });
    expect(jose.jwtVerify).not.toHaveBeenCalled();
    expect(digest).not.toHaveBeenCalled();
    expect(verify).not.toHaveBeenCalled();
    expect(atob).not.toHaveBeenCalled();
    expect(parse).not.toHaveBeenCalled();
  });

  it('DOS-04 a 9 KiB JWT in the Authorization header → 401 invalid_token from the Bearer reader, jose never called', async () => {
    // Core caps every Authorization value at 8192 characters; for Bearer values the
    // Bearer reader answers that cap as an invalid token (401-T), not 431.
    const backend = jwtAuth<SimpleUser>({ ...options, algorithms: ['HS256'] });
    const token = await bigToken(9 * 1024);
    let thrown: unknown;
    try {
      await backend.authenticate(connection({ token }));
    } catch (error) {
      thrown = error;
    }
    expect((thrown as { code?: string }).code).toBe('invalid_credentials');
    expect((thrown as { challenge?: string }).challenge).toBe(INVALID_TOKEN);
    expect(jose.jwtVerify).not.toHaveBeenCalled();
  });

  it('a header token over a lower cap → 401-T token_too_large, jose never called', async () => {
    const backend = jwtAuth<SimpleUser>({ ...options, algorithms: ['HS256'], maxTokenLength: 4096 });
    const r = await refusal(backend.authenticate(connection({ token: await bigToken(6 * 1024) })));
    expect(r).toEqual({ status: 'invalid_credentials', code: 'token_too_large', challenge: INVALID_TOKEN });
    expect(jose.jwtVerify).not.toHaveBeenCalled();
  });

  it('a lower configured cap applies the same way; tokens under it are verified', async () => {
    const backend = jwtAuth<SimpleUser>({ ...options, algorithms: ['HS256'], maxTokenLength: 1024 });
    const r = await refusal(backend.authenticate(connection({ token: await bigToken(2000) })));
    expect(r.code).toBe('token_too_large');
    expect(jose.jwtVerify).not.toHaveBeenCalled();
    await expect(Promise.resolve(backend.authenticate(connection({ token: await sign({}) })))).resolves.toBeTruthy();
    expect(jose.jwtVerify).not.toHaveBeenCalled(); // HS256 with a secret as bytes is verified synchronously (verify-hmac.ts)
  });

  it('a token that is not three base64url segments never reaches jose', async () => {
    const backend = jwtAuth<SimpleUser>({ ...options, algorithms: ['HS256'] });
    for (const junk of ['a.b', 'a.b.c.d.e', `${b64url('{"alg":"HS256"}')}.e30.sig=`, 'a..b']) {
      const r = await refusal(backend.authenticate(connection({ token: junk })));
      expect(r.code, junk).toBe('token_malformed');
    }
    expect(jose.jwtVerify).not.toHaveBeenCalled();
  });
});
