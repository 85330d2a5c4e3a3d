import { describe, it, expect, vi } from 'vitest';
import fc from 'fast-check';
import { createAuthenticator, type AuthDecision } from './authenticator.js';
import type { AuthenticationBackend } from './backend.js';
import { basicAuth } from './basic.js';
import { bearerAuth, bearerScheme, type BearerErrorDescription } from './bearer.js';
import type { Connection } from './connection.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import { createGuard } from './guard.js';
import { multi } from './multi.js';
import { tokenAuth } from './token.js';
import type { ResponseDescription } from './response.js';
import { ANONYMOUS, SimpleUser, type BaseUser } from './user.js';
import { conn as connection, configError, jsonErrorOf as codeOf, responseOf, userOf } from '../../test-support/connection.js';

interface Req {
  method?: string;
  target?: string;
  headers?: Record<string, string>;
  authorization?: string[];
}

const conn = ({ method, target = '/api', headers = {}, authorization }: Req = {}): Connection =>
  connection({ method, target, headers: { accept: 'application/json', ...headers }, authorization });

const bearer = (value: string, req: Req = {}): Connection => conn({ ...req, headers: { ...req.headers, authorization: value } });

/** RFC 6750 §2.1's example token: b64token characters only. */
const TOKEN = 'mF_9.B5f-4.1JqM';
const UNKNOWN = 'Zm9vYmFyLXVua25vd24tdG9rZW4tOTk5';
const alice = new SimpleUser('alice');

const CHALLENGE = 'Bearer realm="api"';
const INVALID_TOKEN = 'Bearer realm="api", error="invalid_token"';
const INVALID_REQUEST = 'Bearer realm="api", error="invalid_request"';

function fixture(scopes?: readonly string[]) {
  const verify = vi.fn((token: string) => (token === TOKEN ? alice : null));
  const backend = bearerAuth({ realm: 'api', verify, ...(scopes === undefined ? {} : { scopes }) });
  return { verify, backend };
}

async function run(backend: AuthenticationBackend<BaseUser>, c: Connection, mode: 'optional' | 'required' = 'optional') {
  return createAuthenticator({ backend, mode }).run(c);
}

/**
 * RFC 9110 §11.2: `Bearer` followed by comma-separated auth-params whose values are
 * tokens or quoted-strings (qdtext or quoted-pair); Latin-1, no CTLs.
 */
const QUOTED = String.raw`"(?:[\t \x21\x23-\x5b\x5d-\x7e\x80-\xff]|\\[\t \x21-\x7e\x80-\xff])*"`;
const TOKEN_CHARS = "[!#$%&'*+\\-.^_`|~0-9A-Za-z]+";
const PARAM = `${TOKEN_CHARS}=(?:${TOKEN_CHARS}|${QUOTED})`;
const CHALLENGE_SYNTAX = new RegExp(`^Bearer ${PARAM}(?:, ${PARAM})*$`);

function expectValidChallenge(value: string): void {
  expect(value).toMatch(CHALLENGE_SYNTAX);
  expect(value).not.toMatch(/[\r\n\u0000-\u001f\u007f]/);
}

describe('bearerAuth: RFC 6750 answers', () => {
  it('BEA-01 required mode, no credentials: 401 Bearer realm="api" with no error=', async () => {
    const { backend, verify } = fixture();
    const r = responseOf(await run(backend, conn(), 'required'));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(String(r.headers['www-authenticate'])).not.toContain('error=');
    expect(verify).not.toHaveBeenCalled();
  });

  it('BEA-01 optional mode, no credentials: anonymous, verify not called', async () => {
    const { backend, verify } = fixture();
    expect(userOf(await run(backend, conn()))).toBe(ANONYMOUS);
    expect(verify).not.toHaveBeenCalled();
  });

  it('BEA-01 the backend offers exactly the bare challenge', () => {
    expect(fixture().backend.challenges).toEqual([CHALLENGE]);
    expect(bearerAuth({ verify: () => null }).challenges).toEqual([CHALLENGE]);
  });

  for (const mode of ['optional', 'required'] as const) {
    it(`BEA-02 unknown token (${mode}): 401 error="invalid_token", never anonymous, token not echoed`, async () => {
      const { backend, verify } = fixture();
      const r = responseOf(await run(backend, bearer(`Bearer ${UNKNOWN}`), mode));
      expect(r.status).toBe(401);
      expect(codeOf(r)).toBe('invalid_credentials');
      expect(r.headers['www-authenticate']).toBe(INVALID_TOKEN);
      expect(r.body + JSON.stringify(r.headers)).not.toContain(UNKNOWN);
      expect(verify).toHaveBeenCalledTimes(1);
      expect(verify.mock.calls[0]?.[0]).toBe(UNKNOWN);
    });
  }

  it('BEA-02 an async verify that returns null is 401 invalid_token', async () => {
    const backend = bearerAuth({ realm: 'api', verify: async () => null });
    const r = responseOf(await run(backend, bearer(`Bearer ${UNKNOWN}`)));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(INVALID_TOKEN);
  });

  for (const value of ['Bearer', 'Bearer ', 'Bearer a b', 'Bearer   ', 'Bearer\tabc', 'Bearer a"b', 'Bearer ab=c']) {
    it(`BEA-03 ${JSON.stringify(value)}: 400 error="invalid_request", verify not called`, async () => {
      const { backend, verify } = fixture();
      for (const mode of ['optional', 'required'] as const) {
        const r = responseOf(await run(backend, bearer(value), mode));
        expect(r.status).toBe(400);
        expect(codeOf(r)).toBe('malformed_credentials');
        expect(r.headers['www-authenticate']).toBe(INVALID_REQUEST);
      }
      expect(verify).not.toHaveBeenCalled();
    });
  }

  for (const value of [`bearer ${TOKEN}`, `BEARER ${TOKEN}`, `bEaReR ${TOKEN}`, `Bearer ${TOKEN}`, `Bearer  ${TOKEN}`]) {
    it(`BEA-04 ${JSON.stringify(value)} is accepted (case-insensitive scheme)`, async () => {
      const { backend, verify } = fixture();
      const d = await run(backend, bearer(value), 'required');
      expect(userOf(d)).toBe(alice);
      expect(d.type === 'continue' && d.auth.scopes).toEqual(['authenticated']);
      expect(verify).toHaveBeenCalledTimes(1);
      expect(verify.mock.calls[0]?.[0]).toBe(TOKEN);
    });
  }

  it('BEA-04 base64 padding is part of the token', async () => {
    const verify = vi.fn((token: string) => (token === 'abc+/def==' ? alice : null));
    expect(userOf(await run(bearerAuth({ verify }), bearer('Bearer abc+/def==')))).toBe(alice);
  });

  it('BEA-07 ?access_token= is ignored: required mode answers 401 with no error=', async () => {
    const { backend, verify } = fixture();
    const r = responseOf(await run(backend, conn({ target: `/api?access_token=${TOKEN}` }), 'required'));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(verify).not.toHaveBeenCalled();
  });

  it('BEA-07 ?access_token= is ignored: optional mode stays anonymous', async () => {
    const { backend, verify } = fixture();
    expect(userOf(await run(backend, conn({ target: `/api?access_token=${TOKEN}` })))).toBe(ANONYMOUS);
    expect(verify).not.toHaveBeenCalled();
  });

  it('BEA-08 a form-body access_token is never read (the backend only sees headers)', async () => {
    const { backend, verify } = fixture();
    const c = conn({ method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(userOf(await run(backend, c))).toBe(ANONYMOUS);
    expect(verify).not.toHaveBeenCalled();
  });

  for (const value of [
    'Basic dXNlcjpwYXNz',
    `Token ${TOKEN}`,
    `JWT ${TOKEN}`,
    'Digest username="alice", realm="api", nonce="x", uri="/", response="y"'.replace(/,/g, ''),
    `Bearerx ${TOKEN}`,
    `XBearer ${TOKEN}`,
  ]) {
    it(`BEA-10 ${value.split(' ')[0]} to a Bearer backend is not verified: anonymous, 401-∅ when required`, async () => {
      const { backend, verify } = fixture();
      expect(userOf(await run(backend, bearer(value)))).toBe(ANONYMOUS);
      const r = responseOf(await run(backend, bearer(value), 'required'));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe(CHALLENGE);
      expect(verify).not.toHaveBeenCalled();
    });
  }

  it('BEA-09 two Authorization values: 400 duplicate_authorization, verify not called', async () => {
    const { backend, verify } = fixture();
    const r = responseOf(await run(backend, conn({ authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] })));
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('duplicate_authorization');
    const joined = responseOf(await run(backend, bearer(`Bearer ${TOKEN}, Bearer ${UNKNOWN}`)));
    expect(joined.status).toBe(400);
    expect(verify).not.toHaveBeenCalled();
  });

  it('BEA-09 repeated Bearer values (two lines or ", "-joined) answer 400 with Bearer error="invalid_request"', async () => {
    const { backend, verify } = fixture();
    for (const c of [
      conn({ authorization: [`Bearer ${TOKEN}`, `Bearer ${TOKEN}`] }),
      conn({ authorization: [`Bearer ${TOKEN}`, 'Basic dXNlcjpwYXNz'] }),
      bearer(`Bearer ${TOKEN}, Bearer ${UNKNOWN}`),
      bearer(`Basic dXNlcjpwYXNz, bearer ${TOKEN}`),
    ]) {
      for (const mode of ['optional', 'required'] as const) {
        const r = responseOf(await run(backend, c, mode));
        expect(r.status).toBe(400);
        expect(codeOf(r)).toBe('duplicate_authorization');
        expect(r.headers['www-authenticate']).toBe(INVALID_REQUEST);
      }
    }
    expect(verify).not.toHaveBeenCalled();
  });

  it('BEA-10 repeated values of another scheme are not Bearer credentials: anonymous, 401-∅ when required', async () => {
    const { backend, verify } = fixture();
    const c = conn({ authorization: ['Basic dXNlcjpwYXNz', 'Basic Og=='] });
    expect(userOf(await run(backend, c))).toBe(ANONYMOUS);
    const r = responseOf(await run(backend, c, 'required'));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(verify).not.toHaveBeenCalled();
  });

  it('a chain [Token, Bearer]: repeated Bearer values reach the Bearer backend and carry its invalid_request challenge', async () => {
    const { backend, verify } = fixture();
    const token = vi.fn(() => alice);
    const chain = multi([tokenAuth({ verify: token }), backend]);
    const r = responseOf(await run(chain, bearer(`Bearer ${TOKEN}, Bearer ${TOKEN}`)));
    expect(r.status).toBe(400);
    expect(codeOf(r)).toBe('duplicate_authorization');
    expect(r.headers['www-authenticate']).toBe(INVALID_REQUEST);
    // Repeated Token values are the Token backend's: 400 without a Bearer challenge (Token has no error challenge).
    const t = responseOf(await run(chain, conn({ authorization: [`Token ${TOKEN}`, `Token ${TOKEN}`] })));
    expect(t.status).toBe(400);
    expect(codeOf(t)).toBe('duplicate_authorization');
    expect(t.headers['www-authenticate']).toBeUndefined();
    // Mixed schemes: the first backend of the chain whose scheme is among them answers.
    const mixed = conn({ authorization: [`Bearer ${TOKEN}`, `Token ${TOKEN}`] });
    expect(responseOf(await run(chain, mixed)).headers['www-authenticate']).toBeUndefined();
    const reversed = responseOf(await run(multi([backend, tokenAuth({ verify: token })]), mixed));
    expect(reversed.status).toBe(400);
    expect(reversed.headers['www-authenticate']).toBe(INVALID_REQUEST);
    expect(verify).not.toHaveBeenCalled();
    expect(token).not.toHaveBeenCalled();
  });

  it('CHN-01 verify throws (store down): 503 backend_unavailable, never anonymous', async () => {
    const backend = bearerAuth({
      verify: () => {
        throw new Error('redis: connection refused');
      },
    });
    const r = responseOf(await run(backend, bearer(`Bearer ${TOKEN}`)));
    expect(r.status).toBe(503);
    expect(codeOf(r)).toBe('backend_unavailable');
    expect(r.body).not.toContain('redis');
  });

  it('the connection is passed to verify', async () => {
    const verify = vi.fn((_token: string, _c: Connection) => alice);
    const c = bearer(`Bearer ${TOKEN}`);
    await run(bearerAuth({ verify }), c);
    expect(verify.mock.calls[0]?.[1]).toBe(c);
  });
});

describe('bearerAuth: scopes and the 403 insufficient_scope challenge', () => {
  async function principal(scopes?: readonly string[]) {
    const d = await run(fixture(scopes).backend, bearer(`Bearer ${TOKEN}`));
    if (d.type !== 'continue') throw new Error('expected continue');
    return { user: d.user, auth: d.auth, challenges: [CHALLENGE] };
  }

  it('BEA-11 a valid token lacking admin: the guard answers 403 with scope="admin"', async () => {
    const r = createGuard('admin').check(bearer(`Bearer ${TOKEN}`), await principal());
    expect(r?.status).toBe(403);
    expect(r?.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
    expect(codeOf(r as ResponseDescription)).toBe('forbidden');
  });

  it('BEA-11 with status: 404 the guard answers notFound, with no challenge and no scope', async () => {
    const r = createGuard('admin', { status: 404 }).check(bearer(`Bearer ${TOKEN}`), await principal());
    expect(r?.status).toBe(404);
    expect(r?.notFound).toBe(true);
    expect(r?.headers['www-authenticate']).toBeUndefined();
    expect(JSON.stringify(r)).not.toContain('scope');
  });

  it('BEA-11 with status: 401 an authenticated token still gets 403-S', async () => {
    const r = createGuard('admin', { status: 401 }).check(bearer(`Bearer ${TOKEN}`), await principal());
    expect(r?.status).toBe(403);
    expect(r?.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
  });

  it('GRD-06 two missing scopes are both named, space-separated', async () => {
    const r = createGuard(['authenticated', 'admin', 'orders:write']).check(bearer(`Bearer ${TOKEN}`), await principal());
    expect(r?.status).toBe(403);
    expect(r?.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="authenticated admin orders:write"');
  });

  it('BEA-11 a token holding admin passes the guard', async () => {
    expect(createGuard('admin').check(bearer(`Bearer ${TOKEN}`), await principal(['authenticated', 'admin']))).toBeNull();
  });

  it('scopes can be a function of the user, and keep the 403-S challenge', async () => {
    const backend = bearerAuth({ realm: 'api', verify: () => alice, scopes: (u) => ['authenticated', `user:${u.username}`] });
    const d = await run(backend, bearer(`Bearer ${TOKEN}`));
    if (d.type !== 'continue') throw new Error('expected continue');
    expect(d.auth.scopes).toEqual(['authenticated', 'user:alice']);
    const r = createGuard('admin').check(bearer(`Bearer ${TOKEN}`), { user: d.user, auth: d.auth, challenges: [CHALLENGE] });
    expect(r?.headers['www-authenticate']).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
  });
});

describe('bearerScheme: header values (BEA-12, LEAK-13)', () => {
  const scheme = bearerScheme('api');

  it('BEA-12 every challenge is a valid Bearer challenge with quoted-string values', () => {
    for (const value of [
      scheme.challenge,
      scheme.invalidRequest,
      scheme.invalidToken(),
      scheme.invalidToken('expired'),
      scheme.invalidToken('revoked'),
      scheme.invalidToken('not yet valid'),
      scheme.insufficientScope(['admin']),
      scheme.insufficientScope(['a', 'b:c', 'https://api.example/x']),
    ]) {
      expectValidChallenge(value);
    }
  });

  it('BEA-12 invalidToken(description) carries only the fixed description', () => {
    expect(scheme.invalidToken('expired')).toBe('Bearer realm="api", error="invalid_token", error_description="expired"');
    expect(scheme.invalidToken('revoked')).toBe('Bearer realm="api", error="invalid_token", error_description="revoked"');
    expect(scheme.invalidToken()).toBe(INVALID_TOKEN);
  });

  it('BEA-12 a description that is not one of the fixed texts is never reflected (JS callers)', () => {
    const hostile = 'x", error="none"\r\nSet-Cookie: sid=evil' as BearerErrorDescription;
    const value = scheme.invalidToken(hostile);
    expectValidChallenge(value);
    expect(value).not.toContain('Set-Cookie');
    expect(value).not.toContain('none');
    const error = scheme.rejection(hostile);
    expectValidChallenge(error.challenge as string);
    expect(error.challenge).not.toContain('Set-Cookie');
  });

  it('BEA-12 a realm with " or \\ is escaped', () => {
    expect(bearerScheme('a"b').challenge).toBe('Bearer realm="a\\"b"');
    expect(bearerScheme('a\\b').challenge).toBe('Bearer realm="a\\\\b"');
    const s = bearerScheme('x"y\\z');
    for (const value of [s.challenge, s.invalidRequest, s.invalidToken('expired'), s.insufficientScope(['admin'])]) {
      expectValidChallenge(value);
    }
    expect(bearerAuth({ realm: 'a"b', verify: () => null }).challenges).toEqual(['Bearer realm="a\\"b"']);
  });

  it('BEA-12 scopes with ", \\, spaces or control characters are left out of scope=""', () => {
    const value = scheme.insufficientScope(['admin', 'a"b', 'c\\d', 'e f', 'g\r\nSet-Cookie: x=y', 'h\u0000', 'ü', 'orders:write']);
    expect(value).toBe('Bearer realm="api", error="insufficient_scope", scope="admin orders:write"');
    expectValidChallenge(value);
    expectValidChallenge(scheme.insufficientScope(['a"b']));
  });

  it('BEA-12 a guard with a hostile scope name still emits a valid header', async () => {
    const d = await run(fixture().backend, bearer(`Bearer ${TOKEN}`));
    if (d.type !== 'continue') throw new Error('expected continue');
    const r = createGuard(['admin', 'x"\r\ny']).check(bearer(`Bearer ${TOKEN}`), { user: d.user, auth: d.auth, challenges: [CHALLENGE] });
    expect(r?.status).toBe(403);
    expectValidChallenge(String(r?.headers['www-authenticate']));
  });

  for (const realm of ['a\rb', 'a\nb', 'api\r\nSet-Cookie: x=y', 'a\u0000b', '', '日本']) {
    it(`BEA-12 realm ${JSON.stringify(realm)} throws ConfigurationError at construction`, () => {
      configError(() => bearerScheme(realm));
      configError(() => bearerAuth({ realm, verify: () => null }));
    });
  }

  it('bearerAuth without verify throws ConfigurationError', () => {
    configError(() => bearerAuth({} as never));
    configError(() => bearerAuth(undefined as never));
    configError(() => bearerAuth({ verify: () => null, scopes: [''] }));
  });

  it('BEA-03 read() throws malformed_credentials carrying the invalid_request challenge', () => {
    for (const value of ['Bearer', 'Bearer ', 'Bearer a b']) {
      let error: unknown;
      try {
        scheme.read(bearer(value));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AuthenticationError);
      expect((error as AuthenticationError).code).toBe('malformed_credentials');
      expect((error as AuthenticationError).challenge).toBe(INVALID_REQUEST);
    }
  });

  it('read() returns the token, or null for no Bearer credentials', () => {
    expect(scheme.read(bearer(`Bearer ${TOKEN}`))).toBe(TOKEN);
    expect(scheme.read(conn())).toBeNull();
    expect(scheme.read(bearer(`Token ${TOKEN}`))).toBeNull();
  });

  it('rejection() is invalid_credentials with the invalid_token challenge', () => {
    const error = scheme.rejection('expired');
    expect(error.code).toBe('invalid_credentials');
    expect(error.challenge).toBe('Bearer realm="api", error="invalid_token", error_description="expired"');
  });
});

describe('bearerAuth in a chain', () => {
  function chain() {
    const basicVerify = vi.fn(() => new SimpleUser('basic-user'));
    const { backend, verify } = fixture();
    return { backend: multi([backend, basicAuth({ realm: 'api', verify: basicVerify })]), verify, basicVerify };
  }

  it('CHN-02 no credentials: 401 with both challenges', async () => {
    const r = responseOf(await run(chain().backend, conn(), 'required'));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="api", Basic realm="api", charset="UTF-8"');
  });

  it('CHN-06 an invalid Bearer token stops the chain: 401 invalid_token, Basic never runs', async () => {
    const { backend, basicVerify } = chain();
    const r = responseOf(await run(backend, bearer(`Bearer ${UNKNOWN}`)));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(INVALID_TOKEN);
    expect(basicVerify).not.toHaveBeenCalled();
  });

  it('CHN-05 a valid Bearer token wins; Basic credentials go to the Basic backend', async () => {
    const { backend, verify, basicVerify } = chain();
    expect(userOf(await run(backend, bearer(`Bearer ${TOKEN}`)))).toBe(alice);
    expect(basicVerify).not.toHaveBeenCalled();
    expect(userOf(await run(backend, bearer('Basic dXNlcjpwYXNz'))).identity).toBe('basic-user');
    expect(verify).toHaveBeenCalledTimes(1);
  });
});

describe('DOS-04 an over-long bearer token', () => {
  it('DOS-04 a Bearer value over the 8192-character cap is 401 invalid_token, never 431, and verify never runs', async () => {
    const { verify, backend } = fixture();
    const d = await run(backend, bearer(`Bearer ${'A'.repeat(9 * 1024)}`));
    expect(d.type).toBe('respond');
    const r = (d as Extract<AuthDecision<BaseUser>, { type: 'respond' }>).response;
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(INVALID_TOKEN);
    expect(verify).not.toHaveBeenCalled();
  });

  it('BAS-16 other schemes over the cap still answer 431', async () => {
    const { backend } = fixture();
    const d = await run(backend, bearer(`Basic ${'A'.repeat(9 * 1024)}`));
    expect((d as Extract<AuthDecision<BaseUser>, { type: 'respond' }>).response.status).toBe(431);
  });
});

describe('readUnchecked + requireToken68 answer exactly what read answers (issue #17: one scan of a bearer JWT)', () => {
  /** The token68 expression `read` tested before this change (RFC 6750 §2.1), kept as the oracle. */
  const OLD_B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
  /** token68, compact JWS (`.`, `_`, `-`), padding, and hostile characters: space, tab, comma, quote, non-ASCII, a lone surrogate, NUL. */
  const CHARS = ['A', 'z', '0', '9', '-', '.', '_', '~', '+', '/', '=', ' ', '\t', ',', '"', '!', ':', 'é', '\u00ff', '\u2028', '\ud800', '😀', '\u0000'];
  const token = fc.oneof(
    fc.string({ unit: fc.constantFrom(...CHARS), maxLength: 40 }),
    fc.constantFrom('A'.repeat(8185), 'A'.repeat(8186), `${'A'.repeat(8100)}!`, 'é'.repeat(4000), 'a.b.c', 'a..c', 'a.b.c.d', 'YQ==', '=', 'a=b'),
  );
  const prefix = fc.constantFrom('Bearer ', 'bearer ', 'BEARER  ', ' Bearer ', 'Bearer\t', 'Bearer', 'Basic ', 'Token ', '');
  const suffix = fc.constantFrom('', ' ', '\t', ', Bearer x', ' x');
  const value = fc.tuple(prefix, token, suffix).map(([p, t, s]) => `${p}${t}${s}`);
  const lines = fc.oneof({ weight: 4, arbitrary: value.map((v) => [v]) }, { weight: 1, arbitrary: fc.array(value, { minLength: 0, maxLength: 3 }) });
  const carrier = fc.constantFrom(
    undefined,
    'app.v1',
    'portcullis.bearer.abc',
    'app.v1, portcullis.bearer.a.b.c',
    'portcullis.bearer.a, portcullis.bearer.b',
    'portcullis.bearer.',
    'portcullis.bearer.a/b',
    `portcullis.bearer.${'x'.repeat(9000)}`,
  );

  type Outcome = { readonly token: string | null } | { readonly error: string; readonly code: unknown; readonly challenge: unknown };
  function outcome(fn: () => string | null): Outcome {
    try {
      return { token: fn() };
    } catch (error) {
      const e = error as AuthenticationError;
      return { error: e.constructor.name, code: e.code, challenge: e.challenge };
    }
  }
  function unchecked(s: ReturnType<typeof bearerScheme>, c: Connection): string | null {
    const t = s.readUnchecked(c);
    if (t !== null) s.requireToken68(t);
    return t;
  }

  for (const webSocketProtocol of [false, true]) {
    it(`same token or same error for every Authorization value (webSocketProtocol: ${webSocketProtocol})`, () => {
      const s = bearerScheme('api', { webSocketProtocol, resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource' });
      fc.assert(
        fc.property(lines, carrier, fc.boolean(), (authorization, protocol, websocket) => {
          const make = (): Connection =>
            connection({
              authorization,
              kind: websocket ? 'websocket' : 'http',
              headers: protocol === undefined ? {} : { 'sec-websocket-protocol': protocol },
            });
          const before = outcome(() => s.read(make()));
          expect(outcome(() => unchecked(s, make()))).toEqual(before);
          // The oracle: read refused with malformed_credentials exactly when the unchecked token is no token68.
          const raw = outcome(() => s.readUnchecked(make()));
          if ('token' in raw && raw.token !== null) {
            expect('code' in before && before.code === 'malformed_credentials').toBe(!OLD_B64TOKEN.test(raw.token));
          }
        }),
        { numRuns: 2000 },
      );
    });
  }

  it('requireToken68 accepts every token read returns, and throws read’s 400 otherwise', () => {
    const s = bearerScheme('api');
    expect(() => s.requireToken68('mF_9.B5f-4.1JqM')).not.toThrow();
    expect(() => s.requireToken68('YQ==')).not.toThrow();
    for (const bad of ['', 'a b', 'a=b', 'é', '=']) {
      const error = outcome(() => (s.requireToken68(bad), null));
      expect(error).toEqual({ error: 'AuthenticationError', code: 'malformed_credentials', challenge: INVALID_REQUEST });
    }
  });

  it('readUnchecked leaves the token68 test out: "Bearer a!b" comes back for the backend to check', () => {
    const s = bearerScheme('api');
    expect(s.readUnchecked(bearer('Bearer a!b'))).toBe('a!b');
    expect(outcome(() => s.read(bearer('Bearer a!b')))).toMatchObject({ code: 'malformed_credentials' });
    // Empty credentials and a scheme without a space are refused as by read: no token to check.
    expect(outcome(() => s.readUnchecked(bearer('Bearer ')))).toMatchObject({ code: 'malformed_credentials' });
    expect(outcome(() => s.readUnchecked(bearer('Bearer')))).toMatchObject({ code: 'malformed_credentials' });
  });
});
