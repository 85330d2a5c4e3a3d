import { all } from '@portcullis/core';
import { expect } from 'vitest';
import { CLIENT_KEYS, clientKeyBackend, whoVia } from '../../fixtures.js';
import type { Client, Scenario } from '../../scenario.js';
import { SAME_ORIGIN, aliceLoginApp, cookie, cookieValue, type SessionStoreFactory } from './fixtures.js';

/**
 * Issue #15's case: a client key **and** a user session (`all([apiKey, session])`).
 * The session's user is the request's user; a session without the key, or the key
 * without a session, is 401 with the missing part's challenge, never a partial user.
 */
export function allWithSession(stores: SessionStoreFactory): Scenario {
  async function logIn(t: Client): Promise<string> {
    const res = await t.post('/login').set(SAME_ORIGIN);
    expect(res.status).toBe(200);
    return cookieValue(res) as string;
  }

  return {
    id: `sessions-all (${stores.name})`,
    title: 'all([client key, session]): the session user through a known client, and nothing less',
    needs: ['sessions'],
    app: () => {
      const base = aliceLoginApp(stores);
      return {
        ...base,
        backend: all([clientKeyBackend(), base.backend]),
        routes: [...base.routes, { method: 'GET', path: '/whoami', handler: whoVia }],
      };
    },
    cases: [
      {
        name: 'a client key and a logged-in session → 200 as the session user, via apiKey+session',
        async run(t) {
          const sid = await logIn(t);
          const res = await t.get('/whoami').set('Cookie', cookie(sid)).set('X-Client-Key', CLIENT_KEYS.reader);
          expect(res.status).toBe(200);
          expect(res.body).toEqual({
            user: 'alice',
            via: 'apiKey+session',
            parts: [['apiKey', 'reader'], ['session', 'alice']],
            scopes: ['authenticated'],
          });
        },
      },
      {
        name: 'CHN-07 a logged-in session without the client key → 401 with only the ApiKey challenge, even in optional mode',
        async run(t) {
          const sid = await logIn(t);
          const res = await t.get('/whoami').set('Cookie', cookie(sid)).set('Accept', 'application/json');
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe('ApiKey header="x-client-key"');
          expect(res.body).toEqual({ error: 'incomplete_credentials' });
        },
      },
      {
        name: 'CHN-07 the client key without a session → 401 with only the Cookie challenge',
        async run(t) {
          const res = await t.get('/whoami').set('X-Client-Key', CLIENT_KEYS.reader);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe('Cookie realm="app"');
        },
      },
      {
        name: 'neither → anonymous in optional mode',
        async run(t) {
          const res = await t.get('/whoami');
          expect(res.status).toBe(200);
          expect(res.body).toEqual({ user: '', via: null, parts: [], scopes: [] });
        },
      },
    ],
  };
}
