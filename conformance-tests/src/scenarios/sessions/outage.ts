import { SimpleUser, sessionAuth } from '@portcullis/core';
import { expect } from 'vitest';
import type { Scenario } from '../../scenario.js';
import type { SessionSpec } from '../../spec.js';
import { SAME_ORIGIN, SwitchableStore, answering, cookie, cookieValue, loginOf, sessionsOf, type SessionStoreFactory } from './fixtures.js';

/**
 * SES-14: a store that fails fails closed — a request carrying the session
 * cookie gets 503 with the generic body (never anonymous access, never the
 * store's error), a login gets 503 — and the app recovers when the store returns.
 */
export function storeOutage(stores: SessionStoreFactory): Scenario {
  let spec: SessionSpec & { store: SwitchableStore };
  return {
    id: `sessions-outage (${stores.name})`,
    title: 'SES-14 a store outage answers 503, never anonymous access, and recovers',
    needs: ['sessions'],
    app: () => {
      spec = { ...sessionsOf(stores), store: new SwitchableStore(stores.create()) };
      return {
        backend: sessionAuth({ retrieveUser: (s) => (typeof s.name === 'string' ? new SimpleUser(s.name) : null), exclude: ['/login', '/public'] }),
        mode: 'required',
        exclude: ['/login', '/public'],
        sessions: spec,
        controls: {
          /** Switches the app's store off (`true`: every call rejects) or on. */
          storeDown: (down) => {
            spec.store.down = down === true;
          },
        },
        routes: [
          {
            method: 'POST',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                await loginOf(view)(new SimpleUser('alice'), { name: 'alice' });
                return { text: 'in' };
              }),
          },
          { method: 'GET', path: '/user', handler: (view) => ({ text: view.user.displayName }) },
          { method: 'GET', path: '/public', handler: (view) => ({ text: view.user.isAuthenticated ? 'member' : 'anonymous' }) },
        ],
      };
    },
    cases: [
      {
        name: 'SES-14 the store throws during get: the protected route answers 503 with the generic body',
        async run(t) {
          await t.control('storeDown', false);
          const sid = cookieValue(await t.post('/login').set(SAME_ORIGIN)) as string;
          expect((await t.get('/user').set('Cookie', cookie(sid))).status).toBe(200);
          await t.control('storeDown', true);
          try {
            const res = await t.get('/user').set('Cookie', cookie(sid));
            expect(res.status).toBe(503);
            expect(res.text).toBe('Service Unavailable');
            expect(res.text).not.toMatch(/ECONNREFUSED|6379|redis/i);
            const json = await t.get('/user').set('Cookie', cookie(sid)).set('Accept', 'application/json');
            expect(json.status).toBe(503);
            expect(json.body).toEqual({ error: 'backend_unavailable' });
            // Never anonymous access: the public page does not pretend the user is anonymous either.
            expect((await t.get('/public').set('Cookie', cookie(sid))).status).toBe(503);
          } finally {
            await t.control('storeDown', false);
          }
          expect((await t.get('/user').set('Cookie', cookie(sid))).status).toBe(200);
        },
      },
      {
        name: 'SES-14 a login while the store is down → 503 and no cookie; requests without a cookie stay anonymous',
        async run(t) {
          await t.control('storeDown', true);
          try {
            const res = await t.post('/login').set(SAME_ORIGIN);
            expect(res.status).toBe(503);
            expect(res.headers['set-cookie']).toBeUndefined();
            expect((await t.get('/user')).status).toBe(401);
            expect((await t.get('/public')).text).toBe('anonymous');
          } finally {
            await t.control('storeDown', false);
          }
          const res = await t.post('/login').set(SAME_ORIGIN);
          expect(res.status).toBe(200);
          expect((await t.get('/user').set('Cookie', cookie(cookieValue(res) as string))).text).toBe('alice');
        },
      },
    ],
  };
}
