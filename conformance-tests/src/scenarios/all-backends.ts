import { all } from '@portcullis/core';
import { expect } from 'vitest';
import { CLIENT_KEYS, basic, basicBackend, clientKeyBackend, whoVia } from '../fixtures.js';
import { headerLines, type RawResponse } from '../raw.js';
import type { Scenario } from '../scenario.js';

const KEY_CHALLENGE = 'ApiKey header="x-client-key"';
const BASIC_CHALLENGE = 'Basic realm="api", charset="UTF-8"';

/** The `WWW-Authenticate` lines of a raw answer. */
const challengesOf = (res: RawResponse): string[] => headerLines(res, 'www-authenticate');

export const allBackends: Scenario = {
  id: 'all-backends',
  title: 'all([client key, Basic]): every backend must accept; partial credentials are 401 with the missing challenges',
  app: () => ({
    backend: all([clientKeyBackend(), basicBackend()]),
    mode: 'required',
    routes: [
      { method: 'GET', path: '/me', handler: whoVia },
      { method: 'GET', path: '/admin', requires: { scopes: 'admin' }, handler: whoVia },
    ],
  }),
  cases: [
    {
      name: 'both credentials → 200: the user is the person (the last part), via lists both, each part is reachable',
      async run(t) {
        const res = await t.get('/me').set('X-Client-Key', CLIENT_KEYS.reader).set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          user: 'alice',
          via: 'apiKey+basic',
          parts: [['apiKey', 'reader'], ['basic', 'alice']],
          scopes: ['authenticated'],
        });
      },
    },
    {
      name: 'CHN-07 the client key without Basic → 401 incomplete_credentials with only the Basic challenge',
      async run(t) {
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', 'Accept: application/json', `X-Client-Key: ${CLIENT_KEYS.reader}`]);
        expect(res.status).toBe(401);
        expect(challengesOf(res)).toEqual([BASIC_CHALLENGE]);
        expect(JSON.parse(res.body)).toEqual({ error: 'incomplete_credentials' });
      },
    },
    {
      name: 'CHN-07 Basic without the client key → 401 with only the ApiKey challenge, never the person alone',
      async run(t) {
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', `Authorization: ${basic('alice', 'alicepwd')}`]);
        expect(res.status).toBe(401);
        expect(challengesOf(res)).toEqual([KEY_CHALLENGE]);
        expect(res.body).toBe('Unauthorized');
      },
    },
    {
      name: 'LEAK-12 a wrong password without the client key → byte for byte the answer a right one gets: the password is not checked',
      async run(t) {
        const lines = (password: string) => ['GET /me HTTP/1.1', 'Host: app.example', 'Accept: application/json', `Authorization: ${basic('alice', password)}`];
        const right = await t.raw(lines('alicepwd'));
        const wrong = await t.raw(lines('not-her-password'));
        expect(right.status).toBe(401);
        expect(JSON.parse(right.body)).toEqual({ error: 'incomplete_credentials' });
        expect(challengesOf(right)).toEqual([KEY_CHALLENGE]);
        // Every header but the clock's.
        const seen = (r: RawResponse) => [r.status, r.body, r.headers.filter(([name]) => name !== 'date')];
        expect(seen(wrong)).toEqual(seen(right));
      },
    },
    {
      name: 'CHN-02 no credentials in required mode → 401 with every challenge',
      async run(t) {
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example']);
        expect(res.status).toBe(401);
        expect(challengesOf(res)).toEqual([`${KEY_CHALLENGE}, ${BASIC_CHALLENGE}`]);
      },
    },
    {
      name: 'CHN-06 a wrong client key with valid Basic → the key backend\'s 401 invalid_credentials',
      async run(t) {
        const res = await t.get('/me').set('Accept', 'application/json').set('X-Client-Key', 'ck_wrong_0123456789abcdef').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ error: 'invalid_credentials' });
      },
    },
    {
      name: 'CHN-06 a malformed Basic credential with a valid client key → the Basic backend\'s 400',
      async run(t) {
        const res = await t.get('/me').set('X-Client-Key', CLIENT_KEYS.reader).set('Authorization', 'Basic !!!');
        expect(res.status).toBe(400);
        expect(res.text).toBe('Invalid authorization credentials');
      },
    },
    {
      name: 'GRD-06 the scopes are the intersection: an admin person through a client without admin → 403; both admin → 200',
      async run(t) {
        const reader = await t.get('/admin').set('X-Client-Key', CLIENT_KEYS.reader).set('Authorization', basic('root', 'rootpwd'));
        expect(reader.status).toBe(403);
        const adminClientOnly = await t.get('/admin').set('X-Client-Key', CLIENT_KEYS.console).set('Authorization', basic('alice', 'alicepwd'));
        expect(adminClientOnly.status).toBe(403);
        const both = await t.get('/admin').set('X-Client-Key', CLIENT_KEYS.console).set('Authorization', basic('root', 'rootpwd'));
        expect(both.status).toBe(200);
        expect(both.body.scopes).toEqual(['authenticated', 'admin']);
      },
    },
  ],
};
