import type { SimpleUser } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import { jwtAuth, jwtCookieAuth, oauth2PasswordBearer, type JwtAuthOptions } from '../src/index.js';
import { AUDIENCE, INVALID_TOKEN, ISSUER, RawJson, SECRET, T0, T0S, connection, frozenClock, handmade, refusal, retrieveUser } from './helpers.js';

/** The largest NumericDate accepted: 9999-12-31T23:59:59Z. */
const MAX_DATE = 253_402_300_799;
const HEADER = { alg: 'HS256', typ: 'at+jwt' };

/** A token signed with the test secret whose payload is `claims` over a valid base (`raw` is spliced in as JSON text). */
function token(claims: Record<string, unknown>, raw?: string): Promise<string> {
  const base: Record<string, unknown> = { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: T0S, exp: T0S + 300, ...claims };
  if (raw === undefined) return handmade(HEADER, base);
  const json = JSON.stringify(base);
  return handmade(HEADER, new RawJson(`${json.slice(0, -1)},${raw}}`));
}

/**
 * Every path that verifies a token, on one frozen clock: the Bearer backend with and
 * without the verified-token cache, the cookie backend, the OAuth2 backend and `verify()`.
 */
function paths(extra: Partial<JwtAuthOptions<SimpleUser>> = {}) {
  const clock = frozenClock();
  const base: JwtAuthOptions<SimpleUser> = { algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: clock.now, ...extra };
  const bearer = jwtAuth({ ...base, cache: false });
  const cached = jwtAuth(base);
  const cookie = jwtCookieAuth({ ...base, cookie: { secure: false } });
  const oauth2 = oauth2PasswordBearer({ ...base, tokenUrl: '/token', verifyCredentials: () => null });
  const list: { name: string; run: (t: string) => unknown }[] = [
    { name: 'jwtAuth', run: (t) => bearer.authenticate(connection({ token: t })) },
    { name: 'jwtAuth (cached)', run: (t) => cached.authenticate(connection({ token: t })) },
    { name: 'jwtCookieAuth', run: (t) => cookie.authenticate(connection({ headers: { cookie: `access_token=${t}` } })) },
    { name: 'oauth2PasswordBearer', run: (t) => oauth2.authenticate(connection({ token: t })) },
    { name: 'verify()', run: (t) => bearer.verify(t) },
  ];
  return { clock, list };
}

async function expectRefused(list: ReturnType<typeof paths>['list'], t: string, code: string, label: string) {
  for (const path of list) {
    const r = await refusal(path.run(t));
    expect(r.code, `${path.name}: ${label}`).toBe(code);
    expect(r.status, `${path.name}: ${label}`).toBe('invalid_credentials');
    if (path.name !== 'verify()') expect(r.challenge, `${path.name}: ${label}`).toBe(INVALID_TOKEN);
  }
}

async function expectAccepted(list: ReturnType<typeof paths>['list'], t: string, label: string) {
  for (const path of list) await expect(Promise.resolve(path.run(t)), `${path.name}: ${label}`).resolves.toBeTruthy();
}

describe('iat in the future is refused by default (RFC 7519 §4.1.6), not only with maxTokenAge', () => {
  it('JWT-11 without maxTokenAge, tolerance 0: iat now+1 → 401-T claim_invalid on every path; iat now → accepted', async () => {
    const { list } = paths();
    await expectRefused(list, await token({ iat: T0S + 1 }), 'claim_invalid', 'iat now+1');
    await expectRefused(list, await token({ iat: T0S + 3600 }), 'claim_invalid', 'iat now+3600');
    await expectAccepted(list, await token({ iat: T0S }), 'iat now');
  });

  it('JWT-11 without maxTokenAge, tolerance 60: iat now+120 → 401-T claim_invalid; iat now+60 → accepted', async () => {
    const { list } = paths({ clockTolerance: 60 });
    await expectRefused(list, await token({ iat: T0S + 120 }), 'claim_invalid', 'iat now+120');
    await expectRefused(list, await token({ iat: T0S + 61 }), 'claim_invalid', 'iat now+61');
    await expectAccepted(list, await token({ iat: T0S + 60 }), 'iat now+60');
  });

  it('a cached token whose iat is ahead of a clock set back is refused on the hit, as a fresh verification refuses it', async () => {
    const { clock, list } = paths();
    const t = await token({ iat: T0S });
    await expectAccepted(list, t, 'at iat'); // cached now
    clock.set(T0 - 120_000);
    await expectRefused(list, t, 'claim_invalid', 'clock 120 s before iat');
    clock.set(T0);
    await expectAccepted(list, t, 'back at iat');
  });
});

describe('numeric dates must be integers from 0 to 253402300799 (RUSTJWT, RFC 8725 §2.6)', () => {
  const bad: { label: string; claims?: Record<string, unknown>; raw?: string }[] = [];
  for (const claim of ['exp', 'nbf', 'iat'] as const) {
    bad.push(
      { label: `${claim}: 1e308`, claims: { [claim]: 1e308 } },
      { label: `${claim}: 1e400 (Infinity through JSON.parse)`, raw: `"${claim}":1e400` },
      { label: `${claim}: -1e400 (-Infinity)`, raw: `"${claim}":-1e400` },
      { label: `${claim}: MAX + 1`, claims: { [claim]: MAX_DATE + 1 } },
      { label: `${claim}: 2^53`, claims: { [claim]: 2 ** 53 } },
      { label: `${claim}: -1`, claims: { [claim]: -1 } },
      { label: `${claim}: a fraction`, claims: { [claim]: claim === 'exp' ? T0S + 300.5 : T0S - 0.5 } },
      { label: `${claim}: a numeric string`, claims: { [claim]: String(claim === 'exp' ? T0S + 300 : T0S) } },
      { label: `${claim}: "NaN"`, claims: { [claim]: 'NaN' } },
      { label: `${claim}: null`, claims: { [claim]: null } },
      { label: `${claim}: true`, claims: { [claim]: true } },
      { label: `${claim}: [n]`, claims: { [claim]: [T0S] } },
      { label: `${claim}: {}`, claims: { [claim]: {} } },
    );
  }

  it('each bad exp, nbf or iat → 401-T claim_invalid on every path (never expired, not-yet-valid, 500 or accepted)', async () => {
    const { list } = paths();
    for (const c of bad) await expectRefused(list, await token(c.claims ?? {}, c.raw), 'claim_invalid', c.label);
  });

  it('also with maxTokenAge and a leeway (jose checks iat itself there)', async () => {
    const { list } = paths({ maxTokenAge: 3600, clockTolerance: 60 });
    for (const c of bad) await expectRefused(list, await token(c.claims ?? {}, c.raw), 'claim_invalid', c.label);
  });

  it('the bounds themselves are accepted: exp 253402300799, nbf and iat 0', async () => {
    const { list } = paths();
    await expectAccepted(list, await token({ exp: MAX_DATE, nbf: 0, iat: 0 }), 'bounds');
  });

  it('a well-formed but past exp is still token_expired, a well-formed future nbf still token_not_yet_valid', async () => {
    const { list } = paths();
    for (const path of list) {
      expect((await refusal(path.run(await token({ exp: T0S - 1 })))).code, path.name).toBe('token_expired');
      expect((await refusal(path.run(await token({ nbf: T0S + 1 })))).code, path.name).toBe('token_not_yet_valid');
    }
  });
});
