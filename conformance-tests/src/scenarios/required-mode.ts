import { expect } from 'vitest';
import { basic, basicBackend, hello, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const requiredMode: Scenario = {
  id: 'required-mode',
  title: 'required mode protects everything except anchored exclude patterns and OPTIONS',
  app: () => ({
    backend: basicBackend(),
    mode: 'required',
    exclude: ['/login', '/public/*', /^\/health\/[a-z]+$/],
    routes: [
      { method: 'GET', path: '/login', handler: hello },
      { method: 'GET', path: '/public/page', handler: hello },
      { method: 'GET', path: '/health/live', handler: hello },
      { method: 'GET', path: '/admin', handler: whoami },
      { method: 'GET', path: '/loginx', handler: hello },
    ],
  }),
  cases: [
    {
      name: 'excluded paths answer anonymous requests',
      async run(t) {
        for (const path of ['/login', '/public/page', '/health/live']) {
          const res = await t.get(path);
          expect(res.status, path).toBe(200);
          expect(res.text).toBe('Hello, you');
        }
      },
    },
    {
      name: 'excluded paths still know an authenticated user',
      async run(t) {
        const res = await t.get('/login').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.text).toBe('Hello, alice');
      },
    },
    {
      name: 'GRD-01 a protected path without credentials → 401 with the challenge',
      async run(t) {
        const res = await t.get('/admin');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe('Basic realm="api", charset="UTF-8"');
      },
    },
    {
      name: 'exclude strings are exact: /loginx is protected',
      async run(t) {
        expect((await t.get('/loginx')).status).toBe(401);
      },
    },
    {
      name: 'GRD-08 non-canonical spellings of excluded paths stay protected',
      async run(t) {
        for (const path of ['//public/page', '/public/..%2Fadmin', '/public/%2e%2e/admin', '/public%2Fpage', '/public/%2E%2E/admin']) {
          const res = await t.raw([`GET ${path} HTTP/1.1`, 'Host: app.example']);
          expect([401, 404], path).toContain(res.status);
          expect(res.body, path).not.toBe('Hello, you');
        }
      },
    },
    {
      name: 'OPTIONS preflights pass by default',
      async run(t) {
        const res = await t.raw(['OPTIONS /admin HTTP/1.1', 'Host: app.example', 'Origin: https://app.example']);
        expect(res.status).not.toBe(401);
      },
    },
  ],
};
