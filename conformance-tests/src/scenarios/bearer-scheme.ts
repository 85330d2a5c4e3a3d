import { AuthCredentials, AuthenticationError, MemoryTokenStore, bearerAuth, hashedTokens, multi, type AuthenticationBackend } from '@portcullis/core';
import { expect } from 'vitest';
import { DemoUser, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

let store = new MemoryTokenStore<DemoUser>();
let carol = '';
let dave = '';
let verifyCalls = 0;

function backend(): AuthenticationBackend<DemoUser> {
  const verify = hashedTokens(store);
  return bearerAuth({
    realm: 'api',
    verify: (token) => {
      verifyCalls++;
      return verify(token);
    },
    scopes: (user) => ['authenticated', ...user.roles],
  });
}

const REALM = 'Bearer realm="api"';

export const bearerScheme: Scenario = {
  id: 'bearer-scheme',
  title: 'Authorization: Bearer <opaque token> follows RFC 6750 §3.1',
  app: () => {
    store = new MemoryTokenStore<DemoUser>();
    return {
      backend: backend(),
      mode: 'required',
      routes: [
        { method: 'GET', path: '/me', handler: whoami },
        { method: 'GET', path: '/admin', requires: { scopes: 'admin' }, handler: whoami },
        { method: 'GET', path: '/hidden', requires: { scopes: 'admin', options: { status: 404 } }, handler: whoami },
      ],
      controls: {
        /** Issues a token for `{ name, roles }` in the app's store. */
        issue: (arg) => {
          const { name, roles = [] } = arg as { name: string; roles?: string[] };
          return store.issue(new DemoUser(name, roles));
        },
        revoke: async (token) => {
          await store.revoke(token as string);
        },
        verifyCalls: () => verifyCalls,
      },
    };
  },
  cases: [
    {
      name: 'issue tokens (setup)',
      async run(t) {
        carol = await t.control<string>('issue', { name: 'carol' });
        dave = await t.control<string>('issue', { name: 'dave', roles: ['admin'] });
      },
    },
    {
      name: 'a valid token → 200 as its user',
      async run(t) {
        const res = await t.get('/me').set('Authorization', `Bearer ${carol}`);
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('carol');
      },
    },
    {
      name: 'BEA-01 no credentials → 401 Bearer realm="api" with no error=',
      async run(t) {
        const res = await t.get('/me');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(REALM);
      },
    },
    {
      name: 'BEA-02 an unknown token → 401 invalid_token, the token is not echoed',
      async run(t) {
        const res = await t.get('/me').set('Authorization', 'Bearer not-a-real-token-0123456789');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(`${REALM}, error="invalid_token"`);
        expect(JSON.stringify(res.headers) + res.text).not.toContain('not-a-real-token');
      },
    },
    {
      name: 'BEA-09 two Authorization: Bearer lines → 400 with Bearer error="invalid_request", whichever comes first',
      async run(t) {
        const before = await t.control('verifyCalls');
        for (const pair of [[`Bearer ${carol}`, 'Bearer not-a-real-token-0123456789'], ['Bearer not-a-real-token-0123456789', `Bearer ${carol}`]]) {
          const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', ...pair.map((v) => `Authorization: ${v}`)]);
          expect(res.status).toBe(400);
          expect(res.header('www-authenticate')).toBe(`${REALM}, error="invalid_request"`);
        }
        expect(await t.control('verifyCalls')).toBe(before);
      },
    },
    {
      name: 'BEA-03 "Bearer", "Bearer " and "Bearer a b" → 400 invalid_request',
      async run(t) {
        for (const value of ['Bearer', 'Bearer ', 'Bearer a b']) {
          const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', `Authorization: ${value}`]);
          expect(res.status, value).toBe(400);
          expect(res.header('www-authenticate'), value).toBe(`${REALM}, error="invalid_request"`);
        }
      },
    },
    {
      name: 'BEA-04 the scheme is case-insensitive',
      async run(t) {
        for (const scheme of ['bearer', 'BEARER']) {
          const res = await t.get('/me').set('Authorization', `${scheme} ${carol}`);
          expect(res.status).toBe(200);
        }
      },
    },
    {
      name: 'BEA-07 ?access_token= is not read → 401 with no error=',
      async run(t) {
        const res = await t.get(`/me?access_token=${carol}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(REALM);
      },
    },
    {
      name: 'BEA-10 other schemes are not verified by the Bearer backend → 401 with no error=',
      async run(t) {
        const before = await t.control('verifyCalls');
        for (const value of [`Basic ${carol}`, `Token ${carol}`, `JWT ${carol}`, 'Digest username="x"']) {
          const res = await t.get('/me').set('Authorization', value);
          expect([400, 401], value).toContain(res.status);
          expect(res.headers['www-authenticate'], value).not.toContain('invalid_token');
        }
        expect(await t.control('verifyCalls')).toBe(before);
      },
    },
    {
      name: 'BEA-11 a valid token without the scope → 403 insufficient_scope with scope="admin"',
      async run(t) {
        const res = await t.get('/admin').set('Authorization', `Bearer ${carol}`);
        expect(res.status).toBe(403);
        expect(res.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="admin"`);
        const ok = await t.get('/admin').set('Authorization', `Bearer ${dave}`);
        expect(ok.status).toBe(200);
      },
    },
    {
      name: 'GRD-03 status 404 hides the route: no insufficient_scope challenge',
      async run(t) {
        const res = await t.get('/hidden').set('Authorization', `Bearer ${carol}`);
        expect(res.status).toBe(404);
        expect(res.headers['www-authenticate']).toBeUndefined();
      },
    },
    {
      name: 'TOK-07 a revoked token is refused on the very next request',
      async run(t) {
        const token = await t.control<string>('issue', { name: 'erin' });
        expect((await t.get('/me').set('Authorization', `Bearer ${token}`)).status).toBe(200);
        await t.control('revoke', token);
        const res = await t.get('/me').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(`${REALM}, error="invalid_token"`);
      },
    },
  ],
};

/** A chain where the Bearer backend fails before a backend that would accept anyone. */
const acceptsAnyone: AuthenticationBackend<DemoUser> = {
  authenticate: () => ({ user: new DemoUser('anyone'), auth: new AuthCredentials(['authenticated']) }),
};

export const bearerChain: Scenario = {
  id: 'bearer-chain',
  title: 'an invalid bearer token stops the chain before a permissive backend',
  app: () => ({
    backend: multi([
      bearerAuth({
        verify: () => {
          throw new AuthenticationError('invalid_credentials');
        },
      }),
      acceptsAnyone,
    ]),
    routes: [{ method: 'GET', path: '/me', handler: whoami }],
  }),
  cases: [
    {
      name: 'CHN-06 invalid bearer credentials → 401, the next backend never runs',
      async run(t) {
        const res = await t.get('/me').set('Authorization', 'Bearer abc');
        expect(res.status).toBe(401);
        expect(res.text).not.toContain('anyone');
      },
    },
    {
      name: 'CHN-06 no bearer credentials → the next backend decides',
      async run(t) {
        const res = await t.get('/me');
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('anyone');
      },
    },
  ],
};
