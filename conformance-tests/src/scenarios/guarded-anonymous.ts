import { expect } from 'vitest';
import { basicBackend, greeting } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const guardedAnonymous: Scenario = {
  id: 'guarded-anonymous',
  title: "requires('authenticated') refuses anonymous requests with 403",
  app: () => ({
    backend: basicBackend(),
    routes: [{ method: 'GET', path: '/protected', requires: { scopes: 'authenticated' }, handler: greeting }],
  }),
  cases: [
    {
      name: 'anonymous GET /protected → 403 Forbidden, no challenge',
      async run(t) {
        const res = await t.get('/protected');
        expect(res.status).toBe(403);
        expect(res.text).toBe('Forbidden');
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.headers['www-authenticate']).toBeUndefined();
      },
    },
    {
      name: 'alice:alicepwd → 200 {"message":"Hello, alice!"}',
      async run(t) {
        const res = await t.get('/protected').auth('alice', 'alicepwd');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ message: 'Hello, alice!' });
      },
    },
    {
      name: 'an API client asking for JSON gets a JSON body with a fixed code',
      async run(t) {
        const res = await t.get('/protected').set('Accept', 'application/json');
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ error: 'forbidden' });
      },
    },
  ],
};
