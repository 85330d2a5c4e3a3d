import { expect } from 'vitest';
import { basic, basicBackend, hello } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

export const basicOk: Scenario = {
  id: 'basic-ok',
  title: 'valid Basic credentials authenticate the user',
  app: () => ({ backend: basicBackend(), routes: [{ method: 'GET', path: '/', handler: hello }] }),
  cases: [
    {
      name: 'BAS-01 Basic alice:alicepwd → 200 with displayName',
      async run(t) {
        const res = await t.get('/').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(200);
        expect(res.text).toBe('Hello, alice');
      },
    },
    {
      name: 'BAS-03 the scheme is case-insensitive (basic, BASIC, bAsIc)',
      async run(t) {
        for (const scheme of ['basic', 'BASIC', 'bAsIc']) {
          const res = await t.get('/').set('Authorization', `${scheme} dXNlcjpwYXNz`);
          expect(res.status).toBe(200);
          expect(res.text).toBe('Hello, user');
        }
      },
    },
    {
      name: 'BAS-05 several spaces after the scheme and spaces around the value are accepted',
      async run(t) {
        for (const value of ['Basic  dXNlcjpwYXNz', ' Basic dXNlcjpwYXNz ']) {
          const res = await t.raw(['GET / HTTP/1.1', 'Host: app.example', `Authorization: ${value}`]);
          expect(res.status).toBe(200);
          expect(res.body).toBe('Hello, user');
        }
      },
    },
    {
      name: 'BAS-11 UTF-8 credentials (üser:pässword) → 200',
      async run(t) {
        const res = await t.get('/').set('Authorization', 'Basic w7xzZXI6cMOkc3N3b3Jk');
        expect(res.status).toBe(200);
        expect(res.text).toBe('Hello, üser');
      },
    },
  ],
};
