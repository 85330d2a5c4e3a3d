import type { SimpleUser } from '@portcullis/core';
import { createAuthenticator, createConnection } from '@portcullis/core/adapter';
import { describe, expect, it } from 'vitest';
import { jwtCookieAuth, type JwtCookieAuthOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, REALM, SECRET, T0, T0S, connection, refusal, retrieveUser, sign } from './helpers.js';

const options = (extra: Partial<JwtCookieAuthOptions<SimpleUser>> = {}): JwtCookieAuthOptions<SimpleUser> => ({
  algorithms: ['HS256'],
  secret: SECRET,
  issuer: ISSUER,
  audience: AUDIENCE,
  retrieveUser,
  clock: () => T0,
  cookie: { secure: false },
  ...extra,
});

const HOST = 'app.example';

async function request(
  backend: ReturnType<typeof jwtCookieAuth<SimpleUser>>,
  init: { method?: string; headers?: Record<string, string>; cookie?: boolean; bearer?: boolean },
) {
  const token = await sign({});
  const headers: Record<string, string> = { host: HOST, ...(init.headers ?? {}) };
  if (init.cookie !== false) headers.cookie = `access_token=${token}`;
  if (init.bearer) headers.authorization = `Bearer ${token}`;
  return backend.authenticate(connection({ method: init.method ?? 'POST', headers }));
}

describe('cookie transport and cross-site requests', () => {
  const jwt = jwtCookieAuth(options());

  it('a same-origin POST (Sec-Fetch-Site: same-origin, Origin = Host) with the cookie → authenticated', async () => {
    await expect(request(jwt, { headers: { 'sec-fetch-site': 'same-origin', origin: `http://${HOST}` } })).resolves.toMatchObject({ user: { username: 'alice' } });
    await expect(request(jwt, { headers: { origin: `https://${HOST}` } })).resolves.toBeTruthy();
    await expect(request(jwt, { headers: { 'sec-fetch-site': 'same-origin' } })).resolves.toBeTruthy();
  });

  it('GET, HEAD and OPTIONS with the cookie need no origin check', async () => {
    for (const method of ['GET', 'HEAD', 'OPTIONS']) {
      await expect(request(jwt, { method, headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' } })).resolves.toBeTruthy();
    }
  });

  it('CSRF-01 cookie POST with Origin https://evil.example, Sec-Fetch-Site: cross-site → refused (cross_site_request)', async () => {
    const variants: Record<string, string>[] = [
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', 'content-type': 'application/x-www-form-urlencoded' },
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
      { origin: 'null' },
      { origin: `https://${HOST}.evil.example` },
      { origin: `https://${HOST}`, 'sec-fetch-site': 'cross-site' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'same-origin' },
    ];
    for (const headers of variants) {
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const r = await refusal(request(jwt, { method, headers }));
        expect(r.code, `${method} ${JSON.stringify(headers)}`).toBe('cross_site_request');
      }
    }
  });

  it('CSRF-05 Sec-Fetch-Site: same-site → refused by default, accepted with allowSameSite', async () => {
    expect((await refusal(request(jwt, { headers: { 'sec-fetch-site': 'same-site' } }))).code).toBe('cross_site_request');
    const relaxed = jwtCookieAuth(options({ csrf: { allowSameSite: true } }));
    await expect(request(relaxed, { headers: { 'sec-fetch-site': 'same-site' } })).resolves.toBeTruthy();
  });

  it('CSRF-06 neither Origin nor Sec-Fetch-Site → refused unless allowMissingOrigin', async () => {
    expect((await refusal(request(jwt, {}))).code).toBe('cross_site_request');
    const relaxed = jwtCookieAuth(options({ csrf: { allowMissingOrigin: true } }));
    await expect(request(relaxed, {})).resolves.toBeTruthy();
    expect((await refusal(request(relaxed, { headers: { origin: 'https://evil.example' } }))).code).toBe('cross_site_request');
  });

  it('trustedOrigins add other origins (even cross-site); Sec-Fetch-Site: none (typed URL) passes', async () => {
    const trusted = jwtCookieAuth(options({ csrf: { trustedOrigins: ['https://front.example'] } }));
    await expect(request(trusted, { headers: { origin: 'https://front.example', 'sec-fetch-site': 'cross-site' } })).resolves.toBeTruthy();
    await expect(request(trusted, { headers: { origin: `https://${HOST}` } })).resolves.toBeTruthy();
    expect((await refusal(request(trusted, { headers: { origin: 'https://other.example', 'sec-fetch-site': 'cross-site' } }))).code).toBe('cross_site_request');
    expect((await refusal(request(jwt, { headers: { origin: 'https://front.example' } }))).code).toBe('cross_site_request');
    await expect(request(jwt, { headers: { 'sec-fetch-site': 'none' } })).resolves.toBeTruthy();
  });

  it('a websocket upgrade authenticated by the cookie must be same-origin (cross-site websocket hijacking)', async () => {
    const token = await sign({});
    const ws = async (origin: string) =>
      jwt.authenticate(
        createConnection({
          method: 'GET',
          target: '/ws',
          header: (n) => ({ host: HOST, upgrade: 'websocket', origin, cookie: `access_token=${token}` })[n],
          now: () => T0,
        }),
      );
    await expect(ws(`https://${HOST}`)).resolves.toBeTruthy();
    expect((await refusal(ws('https://evil.example'))).code).toBe('cross_site_request');
  });

  it('CSRF-07 a cross-origin POST with Authorization: Bearer and no cookie is allowed (no ambient credential)', async () => {
    await expect(request(jwt, { cookie: false, bearer: true, headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' } })).resolves.toBeTruthy();
  });

  it('BEA-06 a token in both the header and the cookie → 400 invalid_request, equal or not', async () => {
    const r = await refusal(request(jwt, { bearer: true, method: 'GET' }));
    expect(r).toEqual({ status: 'malformed_credentials', code: 'multiple_transports', challenge: `${REALM}, error="invalid_request"` });
  });

  it('an empty cookie counts as no cookie', async () => {
    const res = jwt.authenticate(connection({ headers: { cookie: 'access_token=' } }));
    expect(res).toBeNull();
  });
});

describe('jwtCookieAuth.onError and crossSiteRefusal', () => {
  const jwt = jwtCookieAuth(options());
  const authenticator = createAuthenticator({ backend: jwt, onError: jwt.onError, mode: 'required' });
  const run = async (headers: Record<string, string>, method = 'POST') =>
    authenticator.run(createConnection({ method, target: '/transfer', header: (n) => ({ host: HOST, ...headers })[n], now: () => T0 }));

  it('CSRF-01 with the hook, a cross-site cookie POST is answered 403, generic body', async () => {
    const token = await sign({});
    const d = await run({ cookie: `access_token=${token}`, origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(d.type).toBe('respond');
    if (d.type === 'respond') {
      expect(d.response.status).toBe(403);
      expect(d.response.body).toBe('Forbidden');
      expect(d.response.headers['www-authenticate']).toBeUndefined();
    }
  });

  it('a refused cookie (expired) is answered 401 expired and deleted, so the browser can sign in again', async () => {
    const expired = await sign({ exp: T0S - 1 });
    const d = await run({ cookie: `access_token=${expired}` }, 'GET');
    expect(d.type).toBe('respond');
    if (d.type === 'respond') {
      expect(d.response.status).toBe(401);
      expect(d.response.headers['www-authenticate']).toBe(`${REALM}, error="invalid_token", error_description="expired"`);
      expect(d.response.headers['set-cookie']).toBe(jwt.clearCookie);
    }
  });

  it('a refused header token keeps the default answer (no cookie deleted)', async () => {
    const d = await run({ authorization: `Bearer ${await sign({ exp: T0S - 1 })}` }, 'GET');
    expect(d.type === 'respond' && d.response.status).toBe(401);
    if (d.type === 'respond') expect(d.response.headers['set-cookie']).toBeUndefined();
  });

  it('OAU-09/CSRF-08 crossSiteRefusal: a cross-site POST /login gets 403 before any cookie is set', () => {
    const login = (headers: Record<string, string>) =>
      jwt.crossSiteRefusal(createConnection({ method: 'POST', target: '/login', header: (n) => ({ host: HOST, ...headers })[n] }));
    expect(login({ origin: 'https://evil.example' })?.status).toBe(403);
    expect(login({ 'sec-fetch-site': 'cross-site' })?.status).toBe(403);
    expect(login({})?.status).toBe(403);
    expect(login({ origin: `https://${HOST}` })).toBeNull();
    expect(jwt.crossSiteRefusal(createConnection({ method: 'GET', target: '/login', header: () => undefined }))).toBeNull();
  });
});
