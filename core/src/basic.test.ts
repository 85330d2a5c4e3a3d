import { describe, it, expect } from 'vitest';
import { createAuthenticator, type AuthDecision } from './authenticator.js';
import type { Principal } from './backend.js';
import { basicAuth, parseBasic } from './basic.js';
import type { Connection } from './connection.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import { SimpleUser, type BaseUser } from './user.js';
import { codeThrown, conn as connection, responseOf as respond, thrown } from '../../test-support/connection.js';

const conn = (headers: Record<string, string> = {}, authorization?: string[]): Connection => connection({ headers, authorization });
const codeOf = (fn: () => unknown): string => codeThrown(fn, AuthenticationError);

const auth = (value: string): Connection => conn({ authorization: value });
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

const CHALLENGE = 'Basic realm="api", charset="UTF-8"';

/** The fixture user `user` / `pass`, compared exactly (byte-exact policy). */
function fixture(users: Record<string, string> = { user: 'pass' }) {
  return basicAuth({
    realm: 'api',
    verify: (username, password) =>
      Object.hasOwn(users, username) && users[username] === password ? new SimpleUser(username) : null,
  });
}

describe('parseBasic', () => {
  it('BAS-01 decodes user:pass', () => {
    expect(parseBasic(auth('Basic dXNlcjpwYXNz'))).toEqual({ username: 'user', password: 'pass' });
  });

  it('BAS-02 no Authorization header: no Basic credentials', () => {
    expect(parseBasic(conn())).toBeNull();
  });

  for (const value of ['basic dXNlcjpwYXNz', 'BASIC dXNlcjpwYXNz', 'bAsIc dXNlcjpwYXNz']) {
    it(`BAS-03 scheme is case-insensitive: ${value}`, () => {
      expect(parseBasic(auth(value))).toEqual({ username: 'user', password: 'pass' });
    });
  }

  for (const value of ['NotBasic dXNlcjpwYXNz', 'Basicx dXNlcjpwYXNz', 'XBasic dXNlcjpwYXNz', 'Token dXNlcjpwYXNz']) {
    it(`BAS-04 another scheme is not Basic: ${value}`, () => {
      expect(parseBasic(auth(value))).toBeNull();
    });
  }

  for (const value of ['Basic', 'Basic ', 'Basic   ']) {
    it(`BAS-04 "${value}" without a token is invalid_credentials`, () => {
      expect(codeOf(() => parseBasic(auth(value)))).toBe('invalid_credentials');
    });
  }

  it('BAS-05 multiple spaces between scheme and token are accepted', () => {
    expect(parseBasic(auth('Basic  dXNlcjpwYXNz'))).toEqual({ username: 'user', password: 'pass' });
    expect(parseBasic(auth(' Basic dXNlcjpwYXNz '))).toEqual({ username: 'user', password: 'pass' });
  });

  it('BAS-05 a TAB between scheme and token is invalid_credentials', () => {
    expect(codeOf(() => parseBasic(auth('Basic\tdXNlcjpwYXNz')))).toBe('invalid_credentials');
  });

  it('BAS-06 the password is everything after the first colon', () => {
    expect(parseBasic(auth('Basic dXNlcjpwYTpzcw=='))).toEqual({ username: 'user', password: 'pa:ss' });
    expect(parseBasic(auth('Basic ' + b64('user:::')))).toEqual({ username: 'user', password: '::' });
  });

  it('BAS-08 no colon is malformed_credentials', () => {
    expect(codeOf(() => parseBasic(auth('Basic dXNlcg==')))).toBe('malformed_credentials');
  });

  for (const [value, decodedAs] of [
    ['Basic OnBhc3M=', ':pass'],
    ['Basic dXNlcjo=', 'user:'],
    ['Basic Og==', ':'],
  ] as const) {
    it(`BAS-09 empty user-id or password (${decodedAs}) is invalid_credentials`, () => {
      expect(codeOf(() => parseBasic(auth(value)))).toBe('invalid_credentials');
    });
  }

  for (const [value, decodedAs] of [
    ['Basic dXNlcgA6cGFzcw==', 'user\\0:pass'],
    ['Basic dXMKZXI6cGFzcw==', 'us\\ner:pass'],
    ['Basic dXNlcjpwYX9zcw==', 'user:pa\\x7fss'],
  ] as const) {
    it(`BAS-10 control character (${decodedAs}) is invalid_credentials`, () => {
      expect(codeOf(() => parseBasic(auth(value)))).toBe('invalid_credentials');
    });
  }

  it('BAS-10 a TAB or CR inside the decoded password is invalid_credentials', () => {
    expect(codeOf(() => parseBasic(auth('Basic ' + b64('user:pa\tss'))))).toBe('invalid_credentials');
    expect(codeOf(() => parseBasic(auth('Basic ' + b64('user:pass\r'))))).toBe('invalid_credentials');
  });

  it('BAS-11 UTF-8 user-id and password are decoded', () => {
    expect(parseBasic(auth('Basic w7xzZXI6cMOkc3N3b3Jk'))).toEqual({ username: 'üser', password: 'pässword' });
  });

  it('BAS-13 byte-exact policy: NFD and NFC passwords stay different strings', () => {
    const nfd = parseBasic(auth('Basic dXNlcjplzIE='));
    const nfc = parseBasic(auth('Basic dXNlcjrDqQ=='));
    expect(nfd?.password).toBe('e\u0301');
    expect(nfc?.password).toBe('\u00e9');
    expect(nfd?.password).not.toBe(nfc?.password);
    // Never case-folded or truncated either.
    expect(parseBasic(auth('Basic ' + b64('User:PaSS')))).toEqual({ username: 'User', password: 'PaSS' });
  });

  it('BAS-14 non-canonical or URL-safe base64 is malformed_credentials', () => {
    for (const token of ['dXNlcjpwYXNz=', 'dXNlcjpwYXN6=', 'dXNlcjpwYXNz====', 'dXNl-_pwYXNz', '!!!', 'dXNlcjpw YXNz']) {
      expect(codeOf(() => parseBasic(auth(`Basic ${token}`)))).toBe('malformed_credentials');
    }
    // 'user:pa' is dXNlcjpwYQ==; dXNlcjpwYR== sets unused bits.
    expect(parseBasic(auth('Basic dXNlcjpwYQ=='))).toEqual({ username: 'user', password: 'pa' });
    expect(codeOf(() => parseBasic(auth('Basic dXNlcjpwYR==')))).toBe('malformed_credentials');
  });

  it('BAS-12 invalid UTF-8 is malformed_credentials', () => {
    // "u:" followed by 0xff.
    expect(codeOf(() => parseBasic(auth('Basic dTr/')))).toBe('malformed_credentials');
    // "user:" followed by a lone continuation byte.
    expect(codeOf(() => parseBasic(auth('Basic ' + Buffer.from([0x75, 0x73, 0x65, 0x72, 0x3a, 0x80]).toString('base64'))))).toBe(
      'malformed_credentials',
    );
  });

  it('BAS-15 two Authorization values are duplicate_authorization', () => {
    expect(codeOf(() => parseBasic(conn({}, ['Basic dXNlcjpwYXNz', 'Basic dXNlcjpwYXNz'])))).toBe('duplicate_authorization');
    expect(codeOf(() => parseBasic(conn({}, ['Basic dXNlcjpwYXNz', 'Basic Og=='])))).toBe('duplicate_authorization');
  });

  it('BAS-15 a ", "-joined value is duplicate_authorization', () => {
    expect(codeOf(() => parseBasic(auth('Basic dXNlcjpwYXNz, Basic dXNlcjpwYXNz')))).toBe('duplicate_authorization');
  });

  it('BAS-16 more than 8192 characters is oversized_authorization', () => {
    expect(codeOf(() => parseBasic(auth('Basic ' + 'A'.repeat(17_000))))).toBe('oversized_authorization');
  });

  it('BAS-16 a token longer than 4096 characters is invalid_credentials before decoding', () => {
    // Valid base64 (a multiple of 4), so only the length cap can refuse it.
    expect(codeOf(() => parseBasic(auth('Basic ' + 'A'.repeat(4100))))).toBe('invalid_credentials');
    const longest = b64('u:' + 'p'.repeat(3070));
    expect(longest.length).toBe(4096);
    expect(parseBasic(auth('Basic ' + longest))?.password).toHaveLength(3070);
  });

  it('BAS-20 Proxy-Authorization is ignored', () => {
    expect(parseBasic(conn({ 'proxy-authorization': 'Basic dXNlcjpwYXNz' }))).toBeNull();
  });
});

describe('basicAuth', () => {
  it('BAS-18 the challenge is Basic realm="<realm>", charset="UTF-8"', () => {
    expect(fixture().challenges).toEqual([CHALLENGE]);
    expect(basicAuth({ verify: () => null }).challenges).toEqual(['Basic realm="Restricted", charset="UTF-8"']);
  });

  it('BAS-18 a " in the realm is escaped', () => {
    expect(basicAuth({ realm: 'a"b', verify: () => null }).challenges).toEqual(['Basic realm="a\\"b", charset="UTF-8"']);
  });

  for (const realm of ['a\rb', 'a\nb', 'api\r\nSet-Cookie: x=y', '', '日本']) {
    it(`BAS-18 realm ${JSON.stringify(realm)} throws ConfigurationError at construction`, () => {
      const error = thrown(() => basicAuth({ realm, verify: () => null }));
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe('invalid_configuration');
    });
  }

  it('throws ConfigurationError without a verify function', () => {
    const error = thrown(() => basicAuth({} as never));
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe('invalid_configuration');
    expect(thrown(() => basicAuth(undefined as never))).toBeInstanceOf(ConfigurationError);
  });

  it('throws ConfigurationError for unusable scopes', () => {
    expect(thrown(() => basicAuth({ verify: () => null, scopes: [''] }))).toBeInstanceOf(ConfigurationError);
    expect(thrown(() => basicAuth({ verify: () => null, scopes: 'admin' as never }))).toBeInstanceOf(ConfigurationError);
    expect(thrown(() => basicAuth({ verify: () => null, scopes: [1] as never }))).toBeInstanceOf(ConfigurationError);
  });

  it('BAS-01 a sync verify gives a sync principal with the default scope', () => {
    const result = fixture().authenticate(auth('Basic dXNlcjpwYXNz'));
    expect(result).not.toBeInstanceOf(Promise);
    const p = result as Principal;
    expect(p.user.identity).toBe('user');
    expect(p.user.isAuthenticated).toBe(true);
    expect(p.auth.scopes).toEqual(['authenticated']);
  });

  it('BAS-01 an async verify gives a promise of the principal', async () => {
    const backend = basicAuth({ verify: async (u, p) => (u === 'user' && p === 'pass' ? new SimpleUser(u) : null) });
    const result = backend.authenticate(auth('Basic dXNlcjpwYXNz'));
    expect(result).toBeInstanceOf(Promise);
    expect((await result)?.user.identity).toBe('user');
  });

  it('scopes can be a list or a function of the user', () => {
    const listed = basicAuth({ verify: (u) => new SimpleUser(u), scopes: ['authenticated', 'admin'] });
    expect((listed.authenticate(auth('Basic dXNlcjpwYXNz')) as Principal).auth.scopes).toEqual(['authenticated', 'admin']);
    const computed = basicAuth({ verify: (u) => new SimpleUser(u), scopes: (user) => ['authenticated', `user:${user.username}`] });
    expect((computed.authenticate(auth('Basic dXNlcjpwYXNz')) as Principal).auth.scopes).toEqual(['authenticated', 'user:user']);
  });

  it('no Basic credentials: the backend returns null and verify is not called', () => {
    let calls = 0;
    const backend = basicAuth({ verify: () => (calls++, null) });
    expect(backend.authenticate(conn())).toBeNull();
    expect(backend.authenticate(auth('Token abc'))).toBeNull();
    expect(calls).toBe(0);
  });

  it('BAS-04 verify is not called for a malformed credential', () => {
    let calls = 0;
    const backend = basicAuth({ verify: () => (calls++, null) });
    for (const value of ['Basic', 'Basic ', 'Basic\tdXNlcjpwYXNz', 'Basic !!!', 'Basic dXNlcg==', 'Basic Og==']) {
      thrown(() => backend.authenticate(auth(value)));
    }
    expect(calls).toBe(0);
  });

  it('BAS-06 verify receives the whole password after the first colon, and the connection', () => {
    const seen: [string, string, Connection][] = [];
    const backend = basicAuth({ verify: (u, p, c) => (seen.push([u, p, c]), new SimpleUser(u)) });
    const c = auth('Basic dXNlcjpwYTpzcw==');
    backend.authenticate(c);
    expect(seen).toEqual([['user', 'pa:ss', c]]);
  });

  it('a mismatch is invalid_credentials (sync throw, async rejection)', async () => {
    expect(codeOf(() => fixture().authenticate(auth('Basic ' + b64('user:wrong'))))).toBe('invalid_credentials');
    const backend = basicAuth({ verify: async () => null });
    const rejection = await Promise.resolve(backend.authenticate(auth('Basic dXNlcjpwYXNz'))).catch((e: unknown) => e);
    expect(rejection).toBeInstanceOf(AuthenticationError);
    expect((rejection as AuthenticationError).code).toBe('invalid_credentials');
  });

  it('BAS-13 byte-exact: a stored NFC password does not match an NFD one', () => {
    const backend = fixture({ user: '\u00e9' });
    expect((backend.authenticate(auth('Basic dXNlcjrDqQ==')) as Principal).user.identity).toBe('user');
    expect(codeOf(() => backend.authenticate(auth('Basic dXNlcjplzIE=')))).toBe('invalid_credentials');
  });

  it('BAS-11 a UTF-8 user with that user stored is accepted', () => {
    const backend = fixture({ üser: 'pässword' });
    expect((backend.authenticate(auth('Basic w7xzZXI6cMOkc3N3b3Jk')) as Principal).user.identity).toBe('üser');
  });
});

describe('basicAuth through the authenticator', () => {
  const required = () => createAuthenticator({ backend: fixture(), mode: 'required' });

  it('BAS-01 valid credentials continue as the user', () => {
    const d = required().run(auth('Basic dXNlcjpwYXNz'));
    expect(d).not.toBeInstanceOf(Promise);
    const decision = d as AuthDecision<BaseUser>;
    if (decision.type !== 'continue') throw new Error('expected continue');
    expect(decision.user.identity).toBe('user');
    expect(decision.auth.scopes).toEqual(['authenticated']);
  });

  it('BAS-02 no Authorization header in required mode is 401 with the Basic challenge', () => {
    const r = respond(required().run(conn()));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
  });

  for (const value of ['NotBasic dXNlcjpwYXNz', 'Basicx dXNlcjpwYXNz', 'XBasic dXNlcjpwYXNz']) {
    it(`BAS-04 ${value} in required mode is 401-B`, () => {
      const r = respond(required().run(auth(value)));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    });
  }

  for (const [id, value] of [
    ['BAS-04', 'Basic'],
    ['BAS-04', 'Basic '],
    ['BAS-05', 'Basic\tdXNlcjpwYXNz'],
    ['BAS-09', 'Basic OnBhc3M='],
    ['BAS-09', 'Basic dXNlcjo='],
    ['BAS-09', 'Basic Og=='],
    ['BAS-10', 'Basic dXNlcgA6cGFzcw=='],
    ['BAS-10', 'Basic dXMKZXI6cGFzcw=='],
  ] as const) {
    it(`${id} ${JSON.stringify(value)} is 401-B even in optional mode (never anonymous)`, () => {
      const r = respond(createAuthenticator({ backend: fixture() }).run(auth(value)));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    });
  }

  it('BAS-08 no colon answers 400 and never continues as anonymous', () => {
    const r = respond(createAuthenticator({ backend: fixture() }).run(auth('Basic dXNlcg==')));
    expect(r.status).toBe(400);
  });

  it('BAS-16 an oversized Authorization answers 431', () => {
    const r = respond(createAuthenticator({ backend: fixture() }).run(auth('Basic ' + 'A'.repeat(17_000))));
    expect(r.status).toBe(431);
  });

  it('BAS-15 duplicate Authorization answers 400', () => {
    const r = respond(createAuthenticator({ backend: fixture() }).run(conn({}, ['Basic dXNlcjpwYXNz', 'Basic dXNlcjpwYXNz'])));
    expect(r.status).toBe(400);
  });

  it('BAS-19 verify throws a plain Error: 503, onError sees backend_unavailable, handler not reached', () => {
    const dbDown = new Error('connect ECONNREFUSED db:5432');
    const backend = basicAuth({
      verify: () => {
        throw dbDown;
      },
    });
    const seen: AuthenticationError[] = [];
    const a = createAuthenticator({
      backend,
      onError: (_c, error) => {
        seen.push(error);
        throw new Error('hook declines');
      },
    });
    const r = respond(a.run(auth('Basic dXNlcjpwYXNz')));
    expect(r.status).toBe(503);
    expect(r.body).not.toContain('ECONNREFUSED');
    expect(seen).toHaveLength(1);
    expect(seen[0]?.code).toBe('backend_unavailable');
    expect(seen[0]?.cause).toBe(dbDown);
  });

  it('BAS-19 an async verify that rejects answers 503 backend_unavailable', async () => {
    const backend = basicAuth({ verify: async () => Promise.reject(new Error('timeout')) });
    const codes: string[] = [];
    const a = createAuthenticator({
      backend,
      onError: (c, error) => {
        codes.push(error.code);
        return { status: 503, headers: {}, body: 'down' };
      },
    });
    const d = await a.run(auth('Basic dXNlcjpwYXNz'));
    expect(d.type === 'respond' && d.response.status).toBe(503);
    expect(codes).toEqual(['backend_unavailable']);
  });

  it('BAS-20 Proxy-Authorization alone in required mode is 401-B', () => {
    const r = respond(required().run(conn({ 'proxy-authorization': 'Basic dXNlcjpwYXNz' })));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('LEAK-04 no answer echoes the credential', () => {
    for (const value of ['Basic dXNlcjp3cm9uZw==', 'Basic dXNlcg==', 'Basic dXNlcjpwYXNz, Basic x']) {
      const r = respond(createAuthenticator({ backend: fixture() }).run(auth(value)));
      const everything = r.body + JSON.stringify(r.headers);
      expect(everything).not.toContain(value.slice(6, 14));
      expect(everything).not.toContain('wrong');
    }
  });
});
