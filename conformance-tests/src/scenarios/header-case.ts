import { AuthCredentials, AuthenticationError, multi, timingSafeEqual, type AuthenticationBackend } from '@portcullis/core';
import { expect } from 'vitest';
import { DemoUser, whoami } from '../fixtures.js';
import type { Client, Scenario } from '../scenario.js';

/**
 * A custom backend that reads its credential from a header named in whatever
 * case its author chose: absent → not mine; the key → `user`; anything else →
 * invalid (never anonymous).
 */
function headerBackend(name: string, key: string, user: string): AuthenticationBackend<DemoUser> {
  return {
    challenges: [`Header name="${name.toLowerCase()}"`],
    async authenticate(connection) {
      const value = connection.header(name);
      if (value === undefined) return null;
      if (!(await timingSafeEqual(value, key))) throw new AuthenticationError('invalid_credentials');
      return { user: new DemoUser(user), auth: new AuthCredentials(['authenticated']) };
    },
  };
}

const CHALLENGES = 'Header name="x-auth-a", Header name="x-auth-b"';

/** `GET /me` with `lines`, written byte for byte (the header names keep the case given here). */
function me(t: Client, lines: readonly string[]) {
  return t.raw(['GET /me HTTP/1.1', 'Host: app.example', 'Accept: application/json', ...lines]);
}

export const headerCase: Scenario = {
  id: 'header-case',
  title: 'Connection.header(name) is case-insensitive: custom backends reading X-Auth-A and x-AUTH-b',
  app: () => ({
    // Optional mode: a credential that were ignored would make the request anonymous (200).
    backend: multi([headerBackend('X-Auth-A', 'alpha-key', 'ann'), headerBackend('x-AUTH-b', 'beta-key', 'ben')]),
    routes: [{ method: 'GET', path: '/me', handler: whoami }],
  }),
  cases: [
    {
      name: 'a valid X-Auth-A, whatever case the client sends → 200 as ann',
      async run(t) {
        for (const name of ['X-Auth-A', 'x-auth-a', 'X-AUTH-A', 'x-AuTh-A']) {
          const res = await me(t, [`${name}: alpha-key`]);
          expect(res.status, name).toBe(200);
          expect(JSON.parse(res.body), name).toEqual({ user: 'ann', authenticated: true, scopes: ['authenticated'] });
        }
      },
    },
    {
      name: 'a valid x-AUTH-b (the second backend of the chain) → 200 as ben',
      async run(t) {
        for (const name of ['x-AUTH-b', 'X-Auth-B', 'x-auth-b']) {
          const res = await me(t, [`${name}: beta-key`]);
          expect(res.status, name).toBe(200);
          expect(JSON.parse(res.body), name).toEqual({ user: 'ben', authenticated: true, scopes: ['authenticated'] });
        }
      },
    },
    {
      name: 'CHN-06 an invalid X-Auth-A → 401 with every challenge, never anonymous, never the next backend',
      async run(t) {
        for (const lines of [['X-Auth-A: wrong'], ['x-auth-a: wrong'], ['X-Auth-A: wrong', 'x-AUTH-b: beta-key']]) {
          const res = await me(t, lines);
          expect(res.status, lines.join(' / ')).toBe(401);
          expect(res.header('www-authenticate')).toBe(CHALLENGES);
          expect(JSON.parse(res.body)).toEqual({ error: 'invalid_credentials' });
        }
      },
    },
    {
      name: 'CHN-06 an invalid x-AUTH-b → 401, never anonymous',
      async run(t) {
        for (const name of ['x-AUTH-b', 'X-AUTH-B']) {
          const res = await me(t, [`${name}: wrong`]);
          expect(res.status, name).toBe(401);
          expect(res.header('www-authenticate')).toBe(CHALLENGES);
        }
      },
    },
    {
      name: 'neither header → anonymous (the chain passes)',
      async run(t) {
        const res = await me(t, []);
        expect(res.status).toBe(200);
        expect(JSON.parse(res.body)).toEqual({ user: '', authenticated: false, scopes: [] });
      },
    },
  ],
};
