import { expect } from 'vitest';
import { basicBackend, hello } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const customOnError: Scenario = {
  id: 'custom-on-error',
  title: 'an onError hook answers authentication errors (JSON 401)',
  app: () => ({
    backend: basicBackend(),
    onError: (_conn, error) => ({
      status: 401,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: error.message, code: error.code }),
    }),
    routes: [{ method: 'GET', path: '/', handler: hello }],
    catchAllErrors: true,
  }),
  cases: [
    {
      name: 'malformed credentials → 401 {"error": "..."}',
      async run(t) {
        const res = await t.get('/').set('Authorization', 'Basic !!!');
        expect(res.status).toBe(401);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({ error: 'Invalid authorization credentials', code: 'malformed_credentials' });
      },
    },
    {
      name: 'a wrong password reaches the hook with code invalid_credentials',
      async run(t) {
        const res = await t.get('/').auth('alice', 'wrong');
        expect(res.status).toBe(401);
        expect(res.body.code).toBe('invalid_credentials');
      },
    },
    {
      name: 'LEAK-04 the hook sees no secret: the password is not in the answer',
      async run(t) {
        const res = await t.get('/').auth('alice', 'S3cr3t!Pw');
        expect(res.text).not.toContain('S3cr3t!Pw');
        expect(JSON.stringify(res.headers)).not.toContain('S3cr3t!Pw');
      },
    },
  ],
};
