import { expect } from 'vitest';
import { basic, basicBackend, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

export const redirectNext: Scenario = {
  id: 'redirect-next',
  title: 'requires(..., { redirect }) sends browsers to the login page with a relative next',
  app: () => ({
    backend: basicBackend(),
    routes: [
      { method: 'GET', path: '/admin', requires: { scopes: 'authenticated', options: { redirect: '/login' } }, handler: whoami },
      { method: 'POST', path: '/admin', requires: { scopes: 'authenticated', options: { redirect: '/login' } }, handler: whoami },
      { method: 'GET', path: '/login', requires: { scopes: 'authenticated', options: { redirect: '/login' } }, handler: whoami },
    ],
  }),
  cases: [
    {
      name: 'browser GET /admin?x=1 → 303 Location: /login?next=%2Fadmin%3Fx%3D1',
      async run(t) {
        const res = await t.get('/admin?x=1').set('Accept', HTML);
        expect(res.status).toBe(303);
        expect(res.headers['location']).toBe('/login?next=%2Fadmin%3Fx%3D1');
      },
    },
    {
      name: 'GRD-13 the redirect carries no WWW-Authenticate',
      async run(t) {
        const res = await t.get('/admin').set('Accept', HTML);
        expect(res.status).toBe(303);
        expect(res.headers['www-authenticate']).toBeUndefined();
        expect(res.headers['location']).toBe('/login?next=%2Fadmin');
      },
    },
    {
      name: 'RED-01 next is relative and never built from Host or X-Forwarded-Host',
      async run(t) {
        const res = await t.raw([
          'GET /admin?tab=1 HTTP/1.1',
          'Host: evil.example',
          'X-Forwarded-Host: evil.example',
          `Accept: ${HTML}`,
        ]);
        expect(res.status).toBe(303);
        expect(res.header('location')).toBe('/login?next=%2Fadmin%3Ftab%3D1');
      },
    },
    {
      name: 'RED-22 fetch asking for JSON gets the status (403 JSON), not a redirect',
      async run(t) {
        const res = await t.get('/admin').set('Accept', 'application/json');
        expect(res.status).toBe(403);
        expect(res.headers['location']).toBeUndefined();
        expect(res.body).toEqual({ error: 'forbidden' });
      },
    },
    {
      name: 'RED-22 a non-GET request gets the status, not a redirect',
      async run(t) {
        const res = await t.post('/admin').set('Accept', HTML);
        expect(res.status).toBe(403);
        expect(res.headers['location']).toBeUndefined();
      },
    },
    {
      name: 'RED-22 the login page itself is never the next target',
      async run(t) {
        const res = await t.get('/login?next=%2Fadmin').set('Accept', HTML);
        expect(res.status).toBe(303);
        expect(res.headers['location']).toBe('/login');
      },
    },
    {
      name: 'an authenticated user without the scope is not sent back to login',
      async run(t) {
        const res = await t.get('/admin').set('Accept', HTML).set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(200);
      },
    },
  ],
};
