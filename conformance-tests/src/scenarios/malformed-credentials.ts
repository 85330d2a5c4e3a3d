import { expect } from 'vitest';
import { basicBackend, hello } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const malformedCredentials: Scenario = {
  id: 'malformed-credentials',
  title: 'the default error answer: 400 with the fixed message as plain text',
  app: () => ({ backend: basicBackend(), routes: [{ method: 'GET', path: '/', handler: hello }], catchAllErrors: true }),
  cases: [
    {
      name: 'Authorization: Basic !!! → 400 plain text',
      async run(t) {
        const res = await t.get('/').set('Authorization', 'Basic !!!');
        expect(res.status).toBe(400);
        expect(res.headers['content-type']).toMatch(/^text\/plain/);
        expect(res.text).toBe('Invalid authorization credentials');
      },
    },
    {
      name: 'BAS-08 Basic dXNlcg== (no colon) → 400, never anonymous',
      async run(t) {
        const res = await t.get('/').set('Authorization', 'Basic dXNlcg==');
        expect(res.status).toBe(400);
        expect(res.text).not.toBe('Hello, you');
      },
    },
    {
      name: 'LEAK-06 bad base64 padding, non-canonical base64 and invalid UTF-8 → 400, never 500',
      async run(t) {
        // "dXNlcjpwYXNz=" (excess padding), "dXNlcjpwYXN=" (stray bits), latin-1 "user:pässword"
        for (const token of ['dXNlcjpwYXNz=', 'dXNlcjpwYXN=', 'dXNlcjpw5HNzd29yZA==', 'dXNl cjpwYXNz']) {
          const res = await t.get('/').set('Authorization', `Basic ${token}`);
          expect(res.status, token).toBe(400);
        }
      },
    },
    {
      name: "the app's catch-all error handler cannot turn the answer into a 500",
      async run(t) {
        const res = await t.get('/').set('Authorization', 'Basic !!!');
        expect(res.status).toBe(400);
      },
    },
  ],
};
