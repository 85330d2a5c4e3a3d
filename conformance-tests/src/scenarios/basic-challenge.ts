import { expect } from 'vitest';
import { adminPage, basic, basicBackend } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const basicChallenge: Scenario = {
  id: 'basic-challenge',
  title: 'a login route challenges with Basic until credentials arrive, then 303 to /admin',
  app: () => ({
    backend: basicBackend('Portcullis admin'),
    routes: [
      {
        method: 'GET',
        path: '/login',
        requires: { scopes: 'authenticated', options: { status: 401 } },
        handler: () => ({ status: 303, headers: { location: '/admin' }, text: '' }),
      },
      { method: 'GET', path: '/admin', requires: { scopes: 'authenticated' }, handler: adminPage },
    ],
  }),
  cases: [
    {
      name: 'anonymous GET /login → 401 WWW-Authenticate: Basic realm="Portcullis admin", charset="UTF-8"',
      async run(t) {
        const res = await t.get('/login');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="Portcullis admin", charset="UTF-8"');
        expect(res.text).toBe('Unauthorized');
      },
    },
    {
      name: 'with credentials GET /login → 303 /admin, and /admin answers the user',
      async run(t) {
        const login = await t.get('/login').set('Authorization', basic('alice', 'alicepwd'));
        expect(login.status).toBe(303);
        expect(login.headers['location']).toBe('/admin');
        const admin = await t.get('/admin').set('Authorization', basic('alice', 'alicepwd'));
        expect(admin.status).toBe(200);
        expect(admin.body).toEqual({ authenticated: true, user: 'alice' });
      },
    },
    {
      name: 'a wrong password → 401 with the same challenge and a generic body',
      async run(t) {
        const res = await t.get('/login').set('Authorization', basic('alice', 'nope'));
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="Portcullis admin", charset="UTF-8"');
        expect(res.text).toBe('Unauthorized');
      },
    },
    {
      name: 'LEAK-12 an unknown user and a wrong password get byte-identical answers',
      async run(t) {
        const a = await t.get('/login').set('Authorization', basic('nobody', 'nope'));
        const b = await t.get('/login').set('Authorization', basic('alice', 'nope'));
        expect(a.status).toBe(b.status);
        expect(a.text).toBe(b.text);
        expect(a.headers['www-authenticate']).toBe(b.headers['www-authenticate']);
      },
    },
  ],
};
