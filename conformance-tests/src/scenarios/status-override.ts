import { expect } from 'vitest';
import { basic, basicBackend, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const statusOverride: Scenario = {
  id: 'status-override',
  title: 'requires(..., { status: 404 }) is indistinguishable from a real 404',
  app: () => ({
    backend: basicBackend(),
    routes: [
      { method: 'GET', path: '/secret', requires: { scopes: ['authenticated', 'admin'], options: { status: 404 } }, handler: whoami },
    ],
  }),
  cases: [
    {
      name: 'GRD-03 anonymous GET /secret answers exactly like GET /no-such-page',
      async run(t) {
        const guarded = await t.get('/secret');
        const missing = await t.get('/no-such-page');
        expect(guarded.status).toBe(404);
        expect(missing.status).toBe(404);
        expect(guarded.headers['content-type']).toBe(missing.headers['content-type']);
        expect(guarded.headers['www-authenticate']).toBeUndefined();
        expect(guarded.headers['vary']).toBe(missing.headers['vary']);
        // Frameworks may echo the path in their 404 page ("Cannot GET /secret").
        expect(guarded.text.replaceAll('/secret', '<path>')).toBe(missing.text.replaceAll('/no-such-page', '<path>'));
      },
    },
    {
      name: 'GRD-03 an authenticated user without the scope gets the same 404',
      async run(t) {
        const res = await t.get('/secret').set('Authorization', basic('alice', 'alicepwd'));
        const missing = await t.get('/no-such-page');
        expect(res.status).toBe(404);
        expect(res.headers['content-type']).toBe(missing.headers['content-type']);
        expect(res.headers['www-authenticate']).toBeUndefined();
      },
    },
    {
      name: 'with the scopes the page answers 200',
      async run(t) {
        const res = await t.get('/secret').set('Authorization', basic('root', 'rootpwd'));
        expect(res.status).toBe(200);
      },
    },
  ],
};
