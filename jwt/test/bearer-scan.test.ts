// One scan of a bearer JWT (issue #17): the JWT backends read the Authorization token
// with `BearerScheme.readUnchecked` (no token68 test) and let the engine's compact-JWS
// check be the only scan on a miss, and none on a verified-token cache hit; a refused
// token is tested for token68 then, so a token that is not one still gets the core's 400.
// Differential tests against the old sequence (`read`'s token68 test, then the engine)
// on generated tokens: the same answer, sync or async, code, challenge and cause.
import { AuthenticationError, SimpleUser, type Connection } from '@portcullis/core';
import { createConnection, readAuthorization } from '@portcullis/core/adapter';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createEngine, type Engine } from '../src/engine.js';
import { JwtError, isJwtError, jwtAuth, jwtCookieAuth, type JwtAuthOptions, type JwtCookieAuthOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, T0S, handmade, retrieveUser, sign } from './helpers.js';

/** The expressions of the old sequence, kept as the oracle: core's token68 (RFC 6750 §2.1), then jwt's compact JWS. */
const OLD_B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const OLD_COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

/** token68 and compact-JWS characters, padding, and hostile ones: space, tab, comma, quote, non-ASCII, a lone surrogate, NUL. */
const CHARS = ['A', 'z', '0', '9', '-', '.', '_', '~', '+', '/', '=', ' ', '\t', ',', '"', '!', 'é', '\u00ff', '\ud800', '😀', '\u0000'];

type Outcome =
  | { readonly sync: boolean; readonly principal: { readonly user: string; readonly via: string; readonly scopes: readonly string[] } | null }
  | {
      readonly sync: boolean;
      readonly error: string;
      readonly code: unknown;
      readonly challenge: unknown;
      readonly cause: unknown;
      readonly reason: unknown;
      readonly subject: unknown;
    };

function errorOf(sync: boolean, error: unknown): Outcome {
  const e = error as AuthenticationError;
  return {
    sync,
    error: e?.constructor?.name,
    code: e?.code,
    challenge: e?.challenge,
    cause: isJwtError(e?.cause) ? e.cause.code : e?.cause,
    reason: e?.reason,
    subject: e?.subject,
  };
}

function principalOf(sync: boolean, p: unknown): Outcome {
  const principal = p as { user: SimpleUser; auth: { via: string; scopes: readonly string[] } } | null;
  return { sync, principal: principal === null ? null : { user: principal.user.identity, via: principal.auth.via, scopes: [...principal.auth.scopes] } };
}

/** What `authenticate` answered: a throw, a rejection, a principal (sync or async), or null. */
async function outcome(run: () => unknown): Promise<Outcome> {
  let result: unknown;
  try {
    result = run();
  } catch (error) {
    return errorOf(true, error);
  }
  if (!(result instanceof Promise)) return principalOf(true, result);
  try {
    return principalOf(false, await result);
  } catch (error) {
    return errorOf(false, error);
  }
}

/** The old `headerTransport.authenticate`: `read` (token68 test), then the engine. */
function oldHeaderAuthenticate(engine: Engine<SimpleUser>, c: Connection) {
  const token = engine.scheme.read(c);
  if (token === null) return null;
  return engine.authenticateToken(token, c);
}

/** The old `jwtCookieAuth` authenticate, for requests with an Authorization header. */
function oldCookieAuthenticate(engine: Engine<SimpleUser>, cookieName: string, c: Connection) {
  const header = engine.scheme.read(c);
  const raw = c.cookies.get(cookieName);
  const cookie = raw === undefined || raw === '' ? undefined : raw;
  if (header !== null && cookie !== undefined) throw engine.reject(new JwtError('multiple_transports'));
  if (header !== null) return engine.authenticateToken(header, c);
  throw new Error('the oracle covers header requests only');
}

let valid: string[] = [];
beforeAll(async () => {
  valid = [
    await sign({}),
    await sign({ sub: 'bob', scope: 'read write' }),
    await sign({ sub: 'nobody' }), // unknown user
    await sign({ exp: T0S + 5 }), // expires while the test's clock moves
    await sign({}, { key: new Uint8Array(32).fill(7) }), // another key: signature_invalid
    await handmade({ alg: 'HS256' }, { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: T0S, exp: T0S + 300, jti: 'j' }),
  ];
});

/** A seeded generator (mulberry32): every run draws the same inputs; a failure names its seed. */
function random(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const int = (r: () => number, min: number, max: number): number => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: () => number, list: readonly T[]): T => list[int(r, 0, list.length - 1)] as T;

/** A token mutated: a character replaced, inserted or removed, padding, dots, a pasted signature, past the size cap. */
function mutated(r: () => number): string {
  const t = pick(r, valid);
  const p = int(r, 0, t.length);
  const c = pick(r, CHARS);
  const [h, b, s] = t.split('.') as [string, string, string];
  switch (int(r, 0, 9)) {
    case 0:
      return t.slice(0, p) + c + t.slice(p + 1);
    case 1:
      return t.slice(0, p) + c + t.slice(p);
    case 2:
      return t.slice(0, p) + t.slice(p + 1);
    case 3:
      return `${t}${'='.repeat(int(r, 1, 3))}`;
    case 4:
      return `${t}.${s}`; // extra segment
    case 5:
      return `${h}..${s}`; // empty payload
    case 6:
      return `${h}.${b}.`; // empty signature
    case 7:
      return `a${c}b.${b}.${s}`; // another header, the verified signature pasted
    case 8:
      return `${t}${'A'.repeat(int(r, 200, 300))}`; // past maxTokenLength (400) on the small configuration
    default:
      return `${t.slice(0, p)}${c}${'x'.repeat(300)}${t.slice(p)}`;
  }
}

/** A token: a valid one, one mutated, random text over {@link CHARS}, or a long one. */
function token(r: () => number): string {
  const w = r();
  if (w < 0.3) return pick(r, valid);
  if (w < 0.7) return mutated(r);
  if (w < 0.9) return Array.from({ length: int(r, 1, 60) }, () => pick(r, CHARS)).join('');
  return `${'A'.repeat(int(r, 250, 8000))}${pick(r, CHARS)}`;
}

const FORMS = ['Bearer ', 'bearer ', 'Bearer  ', 'Bearer\t'];
const ADVANCES = [0, 0, 0, 2, 4];

const CONFIGURATIONS: readonly [string, Partial<JwtAuthOptions<SimpleUser>>][] = [
  ['cache on', {}],
  ['cache off', { cache: false }],
  ['small cache, maxTokenLength 400', { cache: { max: 2 }, maxTokenLength: 400 }],
];

function options(clock: () => number, extra: Partial<JwtAuthOptions<SimpleUser>>): JwtAuthOptions<SimpleUser> {
  return { algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock, ...extra };
}

function httpConnection(authorization: string, cookie?: string): Connection {
  const headers: Record<string, string> = { authorization };
  if (cookie !== undefined) headers.cookie = cookie;
  return createConnection({ method: 'GET', target: '/me', header: (n) => headers[n], now: () => T0 });
}

describe('jwtAuth reads the bearer JWT once: the same answers as read + the engine', () => {
  for (const [label, extra] of CONFIGURATIONS) {
    it(`every generated token answers as before (${label})`, async () => {
      for (let seed = 1; seed <= 150; seed++) {
        const r = random(seed);
        let now = T0;
        const clock = () => now;
        const before = createEngine<SimpleUser>(options(clock, extra), 'jwtAuth');
        const after = jwtAuth<SimpleUser>(options(clock, extra));
        for (let step = int(r, 1, 30); step > 0; step--) {
          const t = token(r);
          now += pick(r, ADVANCES) * 1000;
          const value = `${pick(r, FORMS)}${t}`;
          const old = await outcome(() => oldHeaderAuthenticate(before, httpConnection(value)));
          const got = await outcome(() => after.authenticate(httpConnection(value)));
          const where = JSON.stringify({ seed, value: value.slice(0, 300) });
          expect(got, where).toEqual(old);
          // The oracle is the old sequence on the token the header carries: malformed_credentials
          // (thrown) exactly when it is no token68, then the size, then the compact-JWS shape.
          let parsed: string | undefined;
          try {
            parsed = readAuthorization(httpConnection(value), 'bearer')?.credentials;
          } catch {
            parsed = undefined;
          }
          if (parsed === undefined || parsed === '') continue;
          if (!OLD_B64TOKEN.test(parsed)) expect(old, where).toMatchObject({ sync: true, code: 'malformed_credentials' });
          else if (parsed.length > (extra.maxTokenLength ?? 8192)) expect(old, where).toMatchObject({ sync: false, cause: 'token_too_large' });
          else if (!OLD_COMPACT_JWS.test(parsed)) expect(old, where).toMatchObject({ sync: false, cause: 'token_malformed' });
          if ('principal' in old && old.principal !== null) expect(OLD_COMPACT_JWS.test(parsed), where).toBe(true);
        }
      }
    });
  }

  it('the websocket carrier (webSocketProtocol: true) answers as before', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const carried = token(r);
      const header = r() < 0.5 ? undefined : token(r);
      const clock = () => T0;
      const before = createEngine<SimpleUser>(options(clock, { webSocketProtocol: true }), 'jwtAuth');
      const after = jwtAuth<SimpleUser>(options(clock, { webSocketProtocol: true }));
      const headers: Record<string, string> = { upgrade: 'websocket', 'sec-websocket-protocol': `app.v1, portcullis.bearer.${carried}` };
      if (header !== undefined) headers.authorization = `Bearer ${header}`;
      const c = () => createConnection({ kind: 'websocket', method: 'GET', target: '/ws', header: (n) => headers[n], now: clock });
      for (let i = 0; i < 2; i++) expect(await outcome(() => after.authenticate(c())), `seed ${seed}`).toEqual(await outcome(() => oldHeaderAuthenticate(before, c())));
    }
  });

  it('jwtCookieAuth: a header token, with or without the cookie, answers as before (the 400 before multiple_transports)', async () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = random(seed);
      const t = token(r);
      const cookie = pick(r, [undefined, '', 'x', 'a.b.c']);
      const clock = () => T0;
      const name = 'access_token';
      const { name: _, ...shared } = options(clock, {});
      const cookieOptions: JwtCookieAuthOptions<SimpleUser> = { ...shared, cookie: { name, secure: false } };
      const before = createEngine<SimpleUser>(cookieOptions, 'jwtCookieAuth', 'jwtCookie');
      const after = jwtCookieAuth<SimpleUser>(cookieOptions);
      const c = () => httpConnection(`Bearer ${t}`, cookie === undefined ? undefined : `${name}=${cookie}`);
      for (let i = 0; i < 2; i++) expect(await outcome(() => after.authenticate(c())), `seed ${seed}`).toEqual(await outcome(() => oldCookieAuthenticate(before, name, c())));
    }
  });
});

describe('how many times a bearer JWT is scanned', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  /** Counts the tests of the token68 and compact-JWS expressions while `run` runs. */
  async function scans(run: () => unknown): Promise<{ token68: number; compactJws: number }> {
    const counts = { token68: 0, compactJws: 0 };
    const test = RegExp.prototype.test;
    const spy = vi.spyOn(RegExp.prototype, 'test').mockImplementation(function (this: RegExp, s: string) {
      if (this.source === OLD_B64TOKEN.source) counts.token68++;
      if (this.source === OLD_COMPACT_JWS.source) counts.compactJws++;
      return test.call(this, s);
    });
    try {
      await run();
    } finally {
      spy.mockRestore();
    }
    return counts;
  }

  it('a miss scans once (the compact JWS), a verified-token cache hit not at all; a refused token is tested for token68', async () => {
    const jwt = jwtAuth<SimpleUser>(options(() => T0, {}));
    const token = valid[0] as string;
    expect(await scans(() => jwt.authenticate(httpConnection(`Bearer ${token}`)))).toEqual({ token68: 0, compactJws: 1 });
    expect(await scans(() => jwt.authenticate(httpConnection(`Bearer ${token}`)))).toEqual({ token68: 0, compactJws: 0 });
    // Refused by the shape check: the token68 test decides between 400 and 401, as read did.
    let error: unknown;
    const counts = await scans(() => {
      try {
        jwt.authenticate(httpConnection('Bearer a!b'));
      } catch (e) {
        error = e;
      }
    });
    expect(counts).toEqual({ token68: 1, compactJws: 1 });
    expect((error as AuthenticationError).code).toBe('malformed_credentials');
  });
});
