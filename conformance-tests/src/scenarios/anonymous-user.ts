import { expect } from 'vitest';
import { basicBackend, hello } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const anonymousUser: Scenario = {
  id: 'anonymous-user',
  title: 'every request gets a user; no credentials means anonymous',
  app: () => ({ backend: basicBackend(), routes: [{ method: 'GET', path: '/', handler: hello }] }),
  cases: [
    {
      name: 'GET / without credentials → 200 "Hello, you"',
      async run(t) {
        const res = await t.get('/');
        expect(res.status).toBe(200);
        expect(res.text).toBe('Hello, you');
      },
    },
    {
      name: 'GRD-12 X-User-Id / X-Scopes headers are ignored',
      async run(t) {
        const res = await t.get('/').set('X-User-Id', 'admin').set('X-Scopes', 'admin');
        expect(res.text).toBe('Hello, you');
      },
    },
  ],
};
