import { MemoryRevocationStore, jwtCookieAuth, type JwtCookieAuth } from '@portcullis/jwt';
import { expect } from 'vitest';
import { fromBase64url } from '../../base64.js';
import { DemoUser } from '../../fixtures.js';
import type { Client, Scenario } from '../../scenario.js';
import {
  AUDIENCE,
  EXPIRED,
  INVALID_REQUEST,
  INVALID_TOKEN,
  ISSUER,
  REVOKED,
  SECRET,
  T0,
  badDatePayloads,
  claims,
  clockControl,
  frozenClock,
  me,
  setClock,
  signJws,
} from './support.js';

const clock = frozenClock();
let jwt: JwtCookieAuth<DemoUser>;
let cookie = '';
let transfers = 0;

/** `access_token=<jwt>` out of a `Set-Cookie` value. */
function pair(setCookie: string | string[] | undefined): string {
  const value = Array.isArray(setCookie) ? (setCookie[0] as string) : (setCookie ?? '');
  return value.slice(0, value.indexOf(';'));
}

const origin = (t: Client) => `http://127.0.0.1:${t.port}`;

/** How many times the /transfer handler ran, read from the app (wherever it runs). */
function transferCount(t: Client): Promise<number> {
  return t.control<number>('transfers');
}

/**
 * Litestar's `JWTCookieAuth`: the login route sets the token in an HttpOnly cookie.
 * Tests run over plain HTTP, so the cookie is configured `secure: false` (and so
 * named `access_token`; the default is `__Host-access_token` with `Secure`). State
 * (the clock, the /transfer counter) is read and moved through the app's controls only.
 */
export const jwtCookie: Scenario = {
  id: 'jwt-cookie',
  title: 'JWT in an HttpOnly cookie (Litestar JWTCookieAuth): login, CSRF checks, one transport at a time',
  app: () => {
    clock.reset();
    transfers = 0;
    jwt = jwtCookieAuth<DemoUser>({
      algorithms: ['HS256'],
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: clock.now,
      expiresIn: 600,
      cookie: { secure: false },
      revocation: new MemoryRevocationStore({ clock: clock.now }),
      retrieveUser: (t) => (t.sub === 'alice' || t.sub === 'bob' ? new DemoUser(t.sub) : null),
    });
    return {
      backend: jwt,
      onError: jwt.onError,
      mode: 'required',
      exclude: ['/login'],
      controls: { clock: clockControl(clock), transfers: () => transfers },
      routes: [
        {
          method: 'POST',
          path: '/login',
          async handler(view) {
            // Login CSRF (CSRF-08, OAU-09): refuse cross-site form posts before setting a cookie.
            const refused = jwt.crossSiteRefusal(view.connection);
            if (refused !== null) return { description: refused };
            const { username } = JSON.parse(view.body.text || '{}') as { username?: string };
            if (username !== 'alice') return { status: 400, json: { error: 'invalid_grant' } };
            return { description: await jwt.login(username, { responseBody: { user: username } }) };
          },
        },
        { method: 'GET', path: '/some-path', handler: me },
        {
          method: 'POST',
          path: '/transfer',
          handler: (view) => {
            transfers++;
            return me(view);
          },
        },
        { method: 'POST', path: '/logout', handler: async (view) => ({ description: await jwt.logout(view.auth) }) },
      ],
    };
  },
  cases: [
    {
      name: 'CK-02 POST /login sets an HttpOnly, SameSite=Lax cookie with Max-Age ≤ exp - iat; the token is not in the body',
      async run(t) {
        const res = await t.post('/login').set('Origin', origin(t)).send({ username: 'alice' });
        expect(res.status).toBe(201);
        const setCookie = res.headers['set-cookie'] as unknown as string[];
        expect(setCookie).toHaveLength(1);
        expect(setCookie[0]).toMatch(/^access_token=[\w-]+\.[\w-]+\.[\w-]+; Max-Age=600; Path=\/; HttpOnly; SameSite=Lax$/);
        cookie = pair(setCookie);
        const jwtValue = cookie.slice('access_token='.length);
        const payload = JSON.parse(fromBase64url(jwtValue.split('.')[1] as string)) as { exp: number; iat: number };
        expect(600).toBeLessThanOrEqual(payload.exp - payload.iat);
        expect(res.text).not.toContain(jwtValue);
        expect(res.headers.authorization).toBeUndefined();
        expect(res.body).toEqual({ user: 'alice' });
        expect(res.headers['cache-control']).toBe('no-store');
      },
    },
    {
      name: 'GET /some-path with the cookie → 200 as alice',
      async run(t) {
        const res = await t.get('/some-path').set('Cookie', cookie);
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('alice');
      },
    },
    {
      name: 'a same-origin POST with the cookie (Origin = the app, Sec-Fetch-Site: same-origin) → 200',
      async run(t) {
        const before = await transferCount(t);
        const res = await t.post('/transfer').set('Cookie', cookie).set('Origin', origin(t)).set('Sec-Fetch-Site', 'same-origin');
        expect(res.status).toBe(200);
        expect(await transferCount(t)).toBe(before + 1);
      },
    },
    {
      name: 'CSRF-01 a cross-site POST with the cookie → 403, the handler is not invoked',
      async run(t) {
        const before = await transferCount(t);
        const res = await t
          .post('/transfer')
          .set('Cookie', cookie)
          .set('Origin', 'https://evil.example')
          .set('Sec-Fetch-Site', 'cross-site')
          .type('form')
          .send('amount=100');
        expect(res.status).toBe(403);
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(await transferCount(t)).toBe(before);
      },
    },
    {
      name: 'CSRF-05 Sec-Fetch-Site: same-site (a sibling subdomain) → 403',
      async run(t) {
        const before = await transferCount(t);
        const res = await t.post('/transfer').set('Cookie', cookie).set('Sec-Fetch-Site', 'same-site');
        expect(res.status).toBe(403);
        expect(await transferCount(t)).toBe(before);
      },
    },
    {
      name: 'CSRF-06 a cookie POST with neither Origin nor Sec-Fetch-Site → 403',
      async run(t) {
        const before = await transferCount(t);
        const res = await t.post('/transfer').set('Cookie', cookie);
        expect(res.status).toBe(403);
        expect(await transferCount(t)).toBe(before);
      },
    },
    {
      name: 'CSRF-07 a cross-origin POST with Authorization: Bearer and no cookie → 200 (no ambient credential)',
      async run(t) {
        const token = cookie.slice('access_token='.length);
        const res = await t.post('/transfer').set('Authorization', `Bearer ${token}`).set('Origin', 'https://evil.example').set('Sec-Fetch-Site', 'cross-site');
        expect(res.status).toBe(200);
      },
    },
    {
      name: 'BEA-06 a token in both the header and the cookie → 400 invalid_request, equal or not',
      async run(t) {
        const token = cookie.slice('access_token='.length);
        const res = await t.get('/some-path').set('Cookie', cookie).set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(400);
        expect(res.headers['www-authenticate']).toBe(INVALID_REQUEST);
      },
    },
    {
      name: 'JWT-28 a cookie holding "Bearer%20<jwt>" → 401-T (one format: the bare JWT), and the cookie is deleted',
      async run(t) {
        const token = cookie.slice('access_token='.length);
        const res = await t.get('/some-path').set('Cookie', `access_token=Bearer%20${token}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        expect(res.headers['set-cookie']).toEqual(['access_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
      },
    },
    {
      name: 'an expired cookie → 401 error_description="expired", and the cookie is deleted so the user can sign in again',
      async run(t) {
        try {
          await setClock(t, T0 + 601_000);
          const res = await t.get('/some-path').set('Cookie', cookie);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe(EXPIRED);
          expect(res.headers['set-cookie']).toEqual(['access_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
        } finally {
          await setClock(t, T0);
        }
      },
    },
    {
      name: 'JWT-11 a cookie whose iat is in the future, or whose exp/nbf/iat are not whole seconds in range → 401-T, never "expired"',
      async run(t) {
        for (const payload of badDatePayloads()) {
          const bad = await signJws({ alg: 'HS256', typ: 'at+jwt' }, payload);
          const res = await t.get('/some-path').set('Cookie', `access_token=${bad}`);
          expect(res.status, payload).toBe(401);
          expect(res.headers['www-authenticate'], payload).toBe(INVALID_TOKEN);
        }
      },
    },
    {
      name: 'DOS-04 a 9 KiB JWT in the cookie → 401-T',
      async run(t) {
        const big = await signJws({ alg: 'HS256', typ: 'at+jwt' }, claims({ pad: 'x'.repeat(7000) }));
        expect(big.length).toBeGreaterThan(9 * 1024);
        const res = await t.get('/some-path').set('Cookie', `access_token=${big}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
      },
    },
    {
      name: 'OAU-09/CSRF-08 a cross-site POST /login → 403 and no cookie is set',
      async run(t) {
        for (const headers of [{ Origin: 'https://evil.example' }, { 'Sec-Fetch-Site': 'cross-site' }, {}]) {
          const res = await t.post('/login').set(headers).send({ username: 'alice' });
          expect(res.status, JSON.stringify(headers)).toBe(403);
          expect(res.headers['set-cookie']).toBeUndefined();
        }
      },
    },
    {
      name: 'CK-08 POST /logout deletes the cookie (same attributes, Max-Age=0) and revokes the token',
      async run(t) {
        const res = await t.post('/logout').set('Cookie', cookie).set('Origin', origin(t));
        expect(res.status).toBe(204);
        expect(res.headers['set-cookie']).toEqual(['access_token=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
        const replay = await t.get('/some-path').set('Cookie', cookie);
        expect(replay.status).toBe(401);
        expect(replay.headers['www-authenticate']).toBe(REVOKED);
      },
    },
  ],
};
