import { sessionAuth, SimpleUser, type SessionEvent } from '@portcullis/core';
import { assertCanLogin } from '@portcullis/core/adapter';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import type { AppSpec, SessionSpec } from '../../spec.js';
import { takeControl, taken } from '../../control.js';
import {
  CountingStore,
  SAME_ORIGIN,
  answering,
  cookie,
  cookieAttributes,
  cookieValue,
  isDeletion,
  loginOf,
  logoutRoute,
  sessionsOf,
  setCookieLine,
  setCookies,
  type SessionStoreFactory,
} from './fixtures.js';

const HOST_ID = '__Host-id';
const HTTPS = { 'X-Forwarded-Proto': 'https' } as const;

function loginRoutes(): AppSpec['routes'] {
  return [
    {
      method: 'POST',
      path: '/login',
      handler: (view) =>
        answering(view, async () => {
          await loginOf(view)(new SimpleUser('alice'), { username: 'alice' });
          return { text: 'in' };
        }),
    },
    logoutRoute(),
    { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.isAuthenticated ? view.user.displayName : 'anonymous' }) },
  ];
}

const backend = () =>
  sessionAuth({ retrieveUser: (session) => (typeof session.username === 'string' ? new SimpleUser(session.username) : null), mode: 'optional' });

/**
 * The session cookie in production mode, behind a trusted TLS proxy (CK-01,
 * CK-08, LEAK-09, LEAK-14): `__Host-id`, `Path=/`, `HttpOnly`, `Secure`,
 * `SameSite=Lax`, no `Domain`, no expiry; `Cache-Control: no-store` with it; a
 * logout deletes it with the same attributes.
 */
export function productionCookie(stores: SessionStoreFactory): Scenario {
  const login = (t: Client) => t.post('/login').set(SAME_ORIGIN).set(HTTPS);
  return {
    id: `sessions-cookie (${stores.name})`,
    title: 'production cookie attributes, no-store, deletion on logout',
    needs: ['sessions'],
    app: () => ({
      backend: backend(),
      sessions: sessionsOf(stores, { cookie: { secure: true }, trustProxy: true }),
      routes: loginRoutes(),
    }),
    cases: [
      {
        name: 'CK-01 Set-Cookie: __Host-id=…; Path=/; HttpOnly; Secure; SameSite=Lax — no Domain, not persistent',
        async run(t) {
          const res = await login(t);
          expect(res.status).toBe(200);
          const line = setCookieLine(res, HOST_ID);
          expect(line, JSON.stringify(setCookies(res))).toBeDefined();
          const attrs = cookieAttributes(line as string);
          expect(attrs.get('path')).toBe('/');
          expect(attrs.has('httponly')).toBe(true);
          expect(attrs.has('secure')).toBe(true);
          expect(attrs.get('samesite')?.toLowerCase()).toBe('lax');
          expect(attrs.has('domain')).toBe(false);
          expect(attrs.has('expires')).toBe(false);
          expect(attrs.has('max-age')).toBe(false);
          expect(setCookies(res)).toHaveLength(1);
        },
      },
      {
        name: 'LEAK-14 the cookie name is generic: not connect.sid, koa.sess or koa:sess',
        async run(t) {
          const res = await login(t);
          const names = setCookies(res).map((l) => l.slice(0, l.indexOf('=')));
          expect(names).toEqual([HOST_ID]);
          for (const framework of ['connect.sid', 'koa.sess', 'koa:sess', 'koa.sess.sig']) expect(names).not.toContain(framework);
        },
      },
      {
        name: 'LEAK-09 the response that sets the session cookie carries Cache-Control: no-store',
        async run(t) {
          const res = await login(t);
          expect(res.headers['cache-control']).toBe('no-store');
        },
      },
      {
        name: 'CK-08 logout deletes the cookie with the same name, Path, Secure, HttpOnly and SameSite',
        async run(t) {
          const sid = cookieValue(await login(t), HOST_ID) as string;
          const res = await t.post('/logout').set(SAME_ORIGIN).set(HTTPS).set('Cookie', cookie(sid, HOST_ID));
          expect(res.status).toBe(200);
          const line = setCookieLine(res, HOST_ID);
          expect(line).toBeDefined();
          expect(isDeletion(line as string)).toBe(true);
          const attrs = cookieAttributes(line as string);
          expect(attrs.get('path')).toBe('/');
          expect(attrs.has('httponly')).toBe(true);
          expect(attrs.has('secure')).toBe(true);
          expect(attrs.get('samesite')?.toLowerCase()).toBe('lax');
          expect(attrs.has('domain')).toBe(false);
          expect(res.headers['cache-control']).toBe('no-store');
          const after = await t.get('/me').set(HTTPS).set('Cookie', cookie(sid, HOST_ID));
          expect(after.text).toBe('anonymous');
        },
      },
    ],
  };
}

/**
 * CK-04: over plain HTTP, with `X-Forwarded-Proto: https` from an untrusted
 * client (`trustProxy` off), a `Secure` session is not issued: no cookie, no
 * store write, 403 from the core table, and a `session_insecure_transport`
 * event with a hint in the session log. `assertCanLogin` refuses the same way
 * before a signup creates anything.
 */
export function insecureTransport(stores: SessionStoreFactory): Scenario {
  let spec: SessionSpec & { store: CountingStore };
  const events: SessionEvent[] = [];
  let created = 0;
  return {
    id: `sessions-insecure-transport (${stores.name})`,
    title: 'CK-04 the Secure decision ignores a spoofed X-Forwarded-Proto',
    needs: ['sessions'],
    app: () => {
      events.length = 0;
      created = 0;
      spec = {
        ...sessionsOf(stores, { cookie: { secure: true }, log: (event: SessionEvent) => events.push(event) }),
        store: new CountingStore(stores.create()),
      };
      const signup: AppSpec['routes'][number] = {
        method: 'POST',
        path: '/signup',
        handler: (view) =>
          answering(view, async () => {
            assertCanLogin(view.connection);
            created++;
            await loginOf(view)(new SimpleUser('bob'), { username: 'bob' });
            return { status: 201, text: 'created' };
          }),
      };
      return {
        backend: backend(),
        sessions: spec,
        routes: [...loginRoutes(), signup],
        controls: { writes: () => spec.store.writes, created: () => created, takeEvents: takeControl(events) },
      };
    },
    cases: [
      {
        name: 'CK-04 plain HTTP + spoofed X-Forwarded-Proto: https → 403, no Set-Cookie, no store write',
        async run(t) {
          const res = await t.post('/login').set(SAME_ORIGIN).set(HTTPS);
          expect(res.status).toBe(403);
          expect(setCookies(res)).toEqual([]);
          expect(await t.control('writes')).toBe(0);
        },
      },
      {
        name: 'CK-04 the refused login is logged as session_insecure_transport, with a hint and no sid',
        async run(t) {
          await taken(t);
          expect((await t.post('/login').set(SAME_ORIGIN)).status).toBe(403);
          const refused = (await taken<SessionEvent>(t)).filter((e) => e.event === 'session_insecure_transport');
          expect(refused).toHaveLength(1);
          expect(refused[0]).toMatchObject({ method: 'POST', path: '/login' });
          expect(typeof refused[0]?.hint).toBe('string');
          expect(refused[0]?.sid).toBeUndefined();
        },
      },
      {
        name: 'CK-04 assertCanLogin refuses before a signup creates anything: 403, nothing created or stored, logged',
        async run(t) {
          await taken(t);
          const res = await t.post('/signup').set(SAME_ORIGIN);
          expect(res.status).toBe(403);
          expect(setCookies(res)).toEqual([]);
          expect(await t.control('created')).toBe(0);
          expect(await t.control('writes')).toBe(0);
          expect((await taken<SessionEvent>(t)).map((e) => e.event)).toEqual(['session_insecure_transport']);
        },
      },
    ],
  };
}
