import { expect } from 'vitest';
import { greeting, tokenBackend } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const tokenScheme: Scenario = {
  id: 'token-scheme',
  title: 'Authorization: Token <key>',
  app: () => ({
    backend: tokenBackend(),
    routes: [{ method: 'GET', path: '/protected', requires: { scopes: 'authenticated' }, handler: greeting }],
  }),
  cases: [
    {
      name: 'TOK-01 Token abcd → 200 as bob',
      async run(t) {
        const res = await t.get('/protected').set('Authorization', 'Token abcd');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ message: 'Hello, bob!' });
      },
    },
    {
      name: 'TOK-02 token abcd, TOKEN abcd → 200',
      async run(t) {
        for (const scheme of ['token', 'TOKEN']) {
          const res = await t.get('/protected').set('Authorization', `${scheme} abcd`);
          expect(res.status).toBe(200);
        }
      },
    },
    {
      name: 'TOK-03 "Token" with no key → 401 WWW-Authenticate: Token',
      async run(t) {
        const res = await t.get('/protected').set('Authorization', 'Token');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Token');
        expect(res.text).toBe('Unauthorized');
      },
    },
    {
      name: 'TOK-04 Token abc def → 401',
      async run(t) {
        const res = await t.get('/protected').set('Authorization', 'Token abc def');
        expect(res.status).toBe(401);
      },
    },
    {
      name: 'an unknown token → 401, never anonymous',
      async run(t) {
        const res = await t.get('/protected').set('Authorization', 'Token abce');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Token');
      },
    },
    {
      name: 'TOK-10 a token in the query string is ignored',
      async run(t) {
        const res = await t.get('/protected?token=abcd&api_key=abcd');
        expect(res.status).toBe(403);
      },
    },
  ],
};
