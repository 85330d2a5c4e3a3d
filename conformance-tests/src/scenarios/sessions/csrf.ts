import { SimpleUser, bearerAuth, multi, sessionAuth, timingSafeEqual } from '@portcullis/core';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import { SAME_ORIGIN, answering, cookie, cookieValue, loginOf, logoutRoute, sessionOf, sessionsOf, setCookies, type SessionStoreFactory } from './fixtures.js';

const FORM = 'application/x-www-form-urlencoded';
const EVIL = 'https://evil.example';

/**
 * CSRF protection of cookie-authenticated unsafe requests (CSRF-01, 05, 06, 07,
 * 08, 09, 10, 11, 12) and content-type bypasses (CF-CSRF, HONO-CSRF): Origin and
 * Sec-Fetch-Site checks, a signed double-submit token bound to the session id
 * for clients that send neither, login forms included, `GET /logout` → 405.
 */
export function csrf(stores: SessionStoreFactory): Scenario {
  let transfers = 0;

  async function logIn(t: Client, name = 'alice'): Promise<string> {
    const res = await t.post('/login').set(SAME_ORIGIN).send({ name });
    expect(res.status).toBe(200);
    return cookieValue(res) as string;
  }
  async function tokenFor(t: Client, sid?: string): Promise<string> {
    const req = t.get('/token');
    if (sid !== undefined) req.set('Cookie', cookie(sid));
    const res = await req;
    expect(res.status).toBe(200);
    return res.body.token as string;
  }
  async function refused(t: Client, run: () => Promise<{ status: number }>, label?: string): Promise<void> {
    const before = await t.control('transfers');
    const res = await run();
    expect(res.status, label).toBe(403);
    expect(await t.control('transfers'), label).toBe(before);
  }

  return {
    id: `sessions-csrf (${stores.name})`,
    title: 'CSRF: Origin / Sec-Fetch-Site, signed double-submit token bound to the session, login forms, GET /logout',
    needs: ['sessions'],
    app: () => {
      transfers = 0;
      return {
        backend: multi([
          bearerAuth({ verify: async (token) => ((await timingSafeEqual(token, 'api-token')) ? new SimpleUser('robot') : null) }),
          sessionAuth({ retrieveUser: (s) => (typeof s.name === 'string' ? new SimpleUser(s.name) : null), mode: 'optional' }),
        ]),
        sessions: sessionsOf(stores),
        controls: { transfers: () => transfers },
        routes: [
          {
            method: 'POST',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                let name = 'alice';
                try {
                  const body = JSON.parse(view.body.text) as { name?: unknown };
                  if (typeof body.name === 'string') name = body.name;
                } catch {
                  // a form login: the default user
                }
                await loginOf(view)(new SimpleUser(name), { name });
                return { text: 'in' };
              }),
          },
          {
            method: 'POST',
            path: '/transfer',
            requires: { scopes: 'authenticated' },
            handler: () => {
              transfers++;
              return { text: 'moved' };
            },
          },
          logoutRoute(),
          { method: 'GET', path: '/token', handler: async (view) => ({ json: { token: await sessionOf(view).csrfToken() } }) },
          { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.isAuthenticated ? view.user.displayName : 'anonymous' }) },
        ],
      };
    },
    cases: [
      {
        name: 'a same-origin POST (Sec-Fetch-Site: same-origin, own Origin) with the cookie → 200',
        async run(t) {
          const sid = await logIn(t);
          const res = await t.post('/transfer').set('Cookie', cookie(sid)).set('Origin', t.url).set(SAME_ORIGIN).type(FORM).send('amount=1');
          expect(res.status).toBe(200);
          expect(res.text).toBe('moved');
        },
      },
      {
        name: 'CSRF-01 cross-site POST (Origin evil, Sec-Fetch-Site: cross-site, form) with the cookie → 403, handler not run',
        async run(t) {
          const sid = await logIn(t);
          await refused(t, () =>
            t.post('/transfer').set('Cookie', cookie(sid)).set('Origin', EVIL).set('Sec-Fetch-Site', 'cross-site').type(FORM).send('amount=1'),
          );
        },
      },
      {
        name: 'CSRF-01 a foreign Origin without Sec-Fetch-Site, and Origin: null → 403',
        async run(t) {
          const sid = await logIn(t);
          for (const origin of [EVIL, 'null', `http://127.0.0.1.evil.example`, 'https://app.example']) {
            await refused(t, () => t.post('/transfer').set('Cookie', cookie(sid)).set('Origin', origin).type(FORM).send('amount=1'), origin);
          }
        },
      },
      {
        name: 'CF-CSRF HONO-CSRF no spelling of Content-Type gets a cross-site POST through',
        async run(t) {
          const sid = await logIn(t);
          const types = [
            'TEXT/PLAIN',
            'text/plain;charset=UTF-8',
            'Application/X-WWW-Form-Urlencoded',
            'application/x-www-form-urlencoded; charset=utf-8',
            'MULTIPART/FORM-DATA; boundary=x',
            'application/json',
            undefined,
          ];
          for (const type of types) {
            await refused(t, () => {
              const req = t.post('/transfer').set('Cookie', cookie(sid)).set('Origin', EVIL).set('Sec-Fetch-Site', 'cross-site');
              if (type !== undefined) req.set('Content-Type', type);
              return req.send('amount=1');
            }, String(type));
          }
          // Without any Content-Type at all (raw request).
          const raw = await t.raw([
            'POST /transfer HTTP/1.1',
            `Host: 127.0.0.1:${t.port}`,
            `Cookie: ${cookie(sid)}`,
            `Origin: ${EVIL}`,
            'Content-Length: 0',
          ]);
          expect(raw.status).toBe(403);
        },
      },
      {
        name: 'CSRF-05 Sec-Fetch-Site: same-site (a sibling subdomain) → 403 by default',
        async run(t) {
          const sid = await logIn(t);
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(sid)).set('Sec-Fetch-Site', 'same-site').type(FORM).send('amount=1'));
        },
      },
      {
        name: 'CSRF-06 neither Origin nor Sec-Fetch-Site, with the cookie → 403 unless a valid token',
        async run(t) {
          const sid = await logIn(t);
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(sid)).type(FORM).send('amount=1'));
          const token = await tokenFor(t, sid);
          const header = await t.post('/transfer').set('Cookie', cookie(sid)).set('X-CSRF-Token', token).type(FORM).send('amount=1');
          expect(header.status).toBe(200);
          const field = await t.post('/transfer').set('Cookie', cookie(sid)).type(FORM).send(`amount=1&_csrf=${encodeURIComponent(token)}`);
          expect(field.status).toBe(200);
          const odd = await t
            .post('/transfer')
            .set('Cookie', cookie(sid))
            .set('Content-Type', 'APPLICATION/X-WWW-FORM-URLENCODED; charset=UTF-8')
            .send(`_csrf=${encodeURIComponent(token)}&amount=1`);
          expect(odd.status).toBe(200);
        },
      },
      {
        name: 'CSRF-07 a cross-origin POST with Authorization: Bearer and no cookie is allowed',
        async run(t) {
          const before = await t.control<number>('transfers');
          const res = await t.post('/transfer').set('Authorization', 'Bearer api-token').set('Origin', EVIL).set('Sec-Fetch-Site', 'cross-site');
          expect(res.status).toBe(200);
          expect(await t.control('transfers')).toBe(before + 1);
        },
      },
      {
        name: 'CSRF-08 a cross-site POST /login (login CSRF) → 403 and no session',
        async run(t) {
          for (const headers of [{ Origin: EVIL, 'Sec-Fetch-Site': 'cross-site' }, { Origin: EVIL }, { 'Sec-Fetch-Site': 'cross-site' }]) {
            const res = await t.post('/login').set(headers).type(FORM).send('name=attacker');
            expect(res.status).toBe(403);
            expect(setCookies(res)).toEqual([]);
          }
        },
      },
      {
        name: 'CSRF-09 GET /logout → 405 with Allow: POST, and the session stays',
        async run(t) {
          const sid = await logIn(t);
          const res = await t.get('/logout').set('Cookie', cookie(sid));
          expect(res.status).toBe(405);
          expect(res.headers['allow']).toBe('POST');
          expect((await t.get('/me').set('Cookie', cookie(sid))).text).toBe('alice');
          expect((await t.post('/logout').set('Cookie', cookie(sid)).set(SAME_ORIGIN)).status).toBe(200);
          expect((await t.get('/me').set('Cookie', cookie(sid))).text).toBe('anonymous');
        },
      },
      {
        name: 'CSRF-10 a token of another session, an anonymous token or a tampered token → 403',
        async run(t) {
          const alice = await logIn(t, 'alice');
          const mallory = await logIn(t, 'mallory');
          const malloryToken = await tokenFor(t, mallory);
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(alice)).set('X-CSRF-Token', malloryToken));
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(alice)).set('X-CSRF-Token', `${'x'.repeat(5)}`));
          const anonymous = await tokenFor(t);
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(alice)).set('X-CSRF-Token', anonymous));
          const good = await tokenFor(t, alice);
          const [nonce, mac] = good.split('.') as [string, string];
          const flipped = `${nonce}.${mac.slice(0, -2)}${mac.at(-2) === 'A' ? 'B' : 'A'}${mac.at(-1)}`;
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(alice)).set('X-CSRF-Token', flipped));
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(alice)).type(FORM).send(`_csrf=${encodeURIComponent(malloryToken)}`));
          const ok = await t.post('/transfer').set('Cookie', cookie(alice)).set('X-CSRF-Token', good);
          expect(ok.status).toBe(200);
        },
      },
      {
        name: 'CSRF-10 a token minted before login does not survive the rotation',
        async run(t) {
          const sid = await logIn(t);
          const before = await tokenFor(t, sid);
          const again = await t.post('/login').set('Cookie', cookie(sid)).set(SAME_ORIGIN).send({ name: 'alice' });
          const rotated = cookieValue(again) as string;
          await refused(t, () => t.post('/transfer').set('Cookie', cookie(rotated)).set('X-CSRF-Token', before));
        },
      },
      {
        name: 'CSRF-12 an OPTIONS preflight is not blocked and does not run the handler',
        async run(t) {
          const sid = await logIn(t);
          const before = await t.control('transfers');
          const res = await t.raw([
            'OPTIONS /transfer HTTP/1.1',
            `Host: 127.0.0.1:${t.port}`,
            `Cookie: ${cookie(sid)}`,
            `Origin: ${EVIL}`,
            'Access-Control-Request-Method: POST',
          ]);
          expect(res.status).not.toBe(403);
          expect(res.status).toBeLessThan(500);
          expect(await t.control('transfers')).toBe(before);
        },
      },
      {
        name: 'CSRF-11 no Access-Control-Allow-Origin is reflected to a foreign Origin',
        async run(t) {
          const sid = await logIn(t);
          const res = await t.get('/me').set('Cookie', cookie(sid)).set('Origin', EVIL);
          expect(res.headers['access-control-allow-origin']).toBeUndefined();
          const post = await t.post('/transfer').set('Cookie', cookie(sid)).set('Origin', EVIL);
          expect(post.headers['access-control-allow-origin']).toBeUndefined();
        },
      },
    ],
  };
}
