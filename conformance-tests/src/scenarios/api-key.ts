import { apiKeyAuth, staticTokens } from '@portcullis/core';
import { expect } from 'vitest';
import { DemoUser, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

const KEY = 'k_live_0123456789abcdef0123';

export const apiKey: Scenario = {
  id: 'api-key',
  title: 'API keys in a configured header; never from the query string unless configured',
  app: () => ({
    backend: apiKeyAuth({ header: 'X-API-Key', verify: staticTokens([[KEY, new DemoUser('ci-bot')]]) }),
    mode: 'required',
    routes: [{ method: 'GET', path: '/me', handler: whoami }],
  }),
  cases: [
    {
      name: 'the key in X-API-Key → 200 as its user',
      async run(t) {
        const res = await t.get('/me').set('X-API-Key', KEY);
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('ci-bot');
      },
    },
    {
      name: 'no key → 401 with the ApiKey challenge',
      async run(t) {
        const res = await t.get('/me');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('ApiKey header="x-api-key"');
      },
    },
    {
      name: 'a wrong key → 401, never anonymous',
      async run(t) {
        const res = await t.get('/me').set('X-API-Key', KEY.replace(/.$/, 'x'));
        expect(res.status).toBe(401);
      },
    },
    {
      name: 'TOK-10 ?api_key= is ignored by default',
      async run(t) {
        const res = await t.get(`/me?api_key=${KEY}&x-api-key=${KEY}`);
        expect(res.status).toBe(401);
      },
    },
    {
      name: 'a repeated X-API-Key header → 400 duplicate',
      async run(t) {
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', `X-API-Key: ${KEY}`, 'X-API-Key: other']);
        expect(res.status).toBe(400);
        expect(res.body).toBe('Multiple authorization credentials');
      },
    },
  ],
};
