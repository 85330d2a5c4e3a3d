import { expect } from 'vitest';
import { basic, basicBackend, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const severalScopes: Scenario = {
  id: 'several-scopes',
  title: 'every listed scope must be held',
  app: () => ({
    backend: basicBackend(),
    routes: [{ method: 'GET', path: '/dashboard', requires: { scopes: ['authenticated', 'admin'] }, handler: whoami }],
  }),
  cases: [
    {
      name: 'GRD-06 alice has authenticated but not admin → 403',
      async run(t) {
        const res = await t.get('/dashboard').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(403);
        expect(res.headers['www-authenticate']).toBeUndefined();
      },
    },
    {
      name: 'GRD-02 an authenticated Basic user without the scope gets a plain 403',
      async run(t) {
        const res = await t.get('/dashboard').set('Authorization', basic('user', 'pass'));
        expect(res.status).toBe(403);
        expect(res.text).toBe('Forbidden');
      },
    },
    {
      name: 'root has both scopes → 200',
      async run(t) {
        const res = await t.get('/dashboard').set('Authorization', basic('root', 'rootpwd'));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ user: 'root', authenticated: true, scopes: ['authenticated', 'admin'] });
      },
    },
  ],
};
