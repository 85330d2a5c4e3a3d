import { expect } from 'vitest';
import { COLON_USERS, basic, basicBackend, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

const CHALLENGE = 'Basic realm="api", charset="UTF-8"';

/** Basic parsing on a required-mode app, where every refusal is a 401 with the challenge. */
export const basicStrict: Scenario = {
  id: 'basic-strict',
  title: 'Basic credentials are parsed strictly and identically everywhere',
  app: () => ({ backend: basicBackend('api'), mode: 'required', routes: [{ method: 'GET', path: '/me', handler: whoami }] }),
  cases: [
    {
      name: 'BAS-02 no Authorization → 401-B with a generic body',
      async run(t) {
        const res = await t.get('/me');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(CHALLENGE);
        expect(res.text).toBe('Unauthorized');
      },
    },
    {
      name: 'BAS-04 NotBasic, Basicx, XBasic, "Basic", "Basic " → 401-B',
      async run(t) {
        for (const value of ['NotBasic dXNlcjpwYXNz', 'Basicx dXNlcjpwYXNz', 'XBasic dXNlcjpwYXNz', 'Basic', 'Basic ']) {
          const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', `Authorization: ${value}`]);
          expect(res.status, value).toBe(401);
          expect(res.header('www-authenticate'), value).toBe(CHALLENGE);
        }
      },
    },
    {
      name: 'BAS-05 a TAB between scheme and token → 401-B',
      async run(t) {
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', 'Authorization: Basic\tdXNlcjpwYXNz']);
        expect(res.status).toBe(401);
        expect(res.header('www-authenticate')).toBe(CHALLENGE);
      },
    },
    {
      name: 'BAS-09 empty user-id or password (:pass, user:, :) → 401-B',
      async run(t) {
        for (const token of ['OnBhc3M=', 'dXNlcjo=', 'Og==']) {
          const res = await t.get('/me').set('Authorization', `Basic ${token}`);
          expect(res.status, token).toBe(401);
          expect(res.headers['www-authenticate']).toBe(CHALLENGE);
        }
      },
    },
    {
      name: 'BAS-10 control characters (NUL, LF, DEL) → 401-B, never 500',
      async run(t) {
        for (const token of ['dXNlcgA6cGFzcw==', 'dXMKZXI6cGFzcw==', 'dXNlcjpwYX9zcw==']) {
          const res = await t.get('/me').set('Authorization', `Basic ${token}`);
          expect(res.status, token).toBe(401);
          expect(res.headers['www-authenticate']).toBe(CHALLENGE);
        }
      },
    },
    {
      name: 'BAS-15 two Authorization header lines → 400, whichever comes first',
      async run(t) {
        for (const pair of [
          [basic('user', 'pass'), basic('alice', 'wrong')],
          [basic('alice', 'wrong'), basic('user', 'pass')],
        ]) {
          const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', ...pair.map((v) => `Authorization: ${v}`)]);
          expect(res.status).toBe(400);
          expect(res.body).toBe('Multiple authorization credentials');
        }
      },
    },
    {
      name: 'BAS-16 an oversized Authorization value → 431, never 500',
      async run(t) {
        for (const size of [9000, 17000]) {
          const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', `Authorization: Basic ${'A'.repeat(size)}`]);
          expect(res.status, String(size)).toBe(431);
        }
      },
    },
    {
      name: 'LEAK-04 the 401 for a wrong password contains neither password nor header value',
      async run(t) {
        const value = basic('user', 'S3cr3t!Pw');
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', `Authorization: ${value}`]);
        expect(res.status).toBe(401);
        const all = res.headers.map(([n, v]) => `${n}: ${v}`).join('\n') + res.body;
        expect(all).not.toContain('S3cr3t!Pw');
        expect(all).not.toContain(value.slice(6));
      },
    },
  ],
};

export const basicColon: Scenario = {
  id: 'basic-colon',
  title: 'the password is everything after the first colon',
  app: () => ({ backend: basicBackend('api', COLON_USERS), mode: 'required', routes: [{ method: 'GET', path: '/me', handler: whoami }] }),
  cases: [
    {
      name: 'BAS-06 user:pa:ss with stored password pa:ss → 200',
      async run(t) {
        const res = await t.get('/me').set('Authorization', 'Basic dXNlcjpwYTpzcw==');
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('user');
      },
    },
    {
      name: 'BAS-06 user:pa (cut at the second colon) → 401',
      async run(t) {
        const res = await t.get('/me').set('Authorization', basic('user', 'pa'));
        expect(res.status).toBe(401);
      },
    },
  ],
};
