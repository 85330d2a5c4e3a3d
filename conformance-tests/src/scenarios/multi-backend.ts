import { multi, type AuthenticationBackend, type BaseUser } from '@portcullis/core';
import { expect } from 'vitest';
import { basic, basicBackend, brokenBackend, tokenBackend, whoVia, whoami } from '../fixtures.js';
import { headerLines } from '../raw.js';
import type { Scenario } from '../scenario.js';

let lateCalls = 0;
/** Counts how often a backend placed after a failing one runs. */
const counting: AuthenticationBackend<BaseUser> = {
  authenticate() {
    lateCalls++;
    return null;
  },
};

export const multiBackend: Scenario = {
  id: 'multi-backend',
  title: 'Token or Basic: the first backend that recognises its scheme decides',
  app: () => ({
    backend: multi([tokenBackend(), basicBackend()]),
    mode: 'required',
    routes: [
      { method: 'GET', path: '/me', handler: whoami },
      { method: 'GET', path: '/admin', requires: { scopes: 'admin' }, handler: whoami },
      { method: 'GET', path: '/via', handler: whoVia },
    ],
  }),
  cases: [
    {
      name: 'auth.via names the backend that decided: token, then basic',
      async run(t) {
        const token = await t.get('/via').set('Authorization', 'Token abcd');
        expect(token.body).toEqual({ user: 'bob', via: 'token', parts: [], scopes: ['authenticated'] });
        const viaBasic = await t.get('/via').set('Authorization', basic('alice', 'alicepwd'));
        expect(viaBasic.body).toEqual({ user: 'alice', via: 'basic', parts: [], scopes: ['authenticated'] });
      },
    },
    {
      name: 'Token abcd → bob',
      async run(t) {
        const res = await t.get('/me').set('Authorization', 'Token abcd');
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('bob');
      },
    },
    {
      name: 'Basic alice → alice',
      async run(t) {
        const res = await t.get('/me').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('alice');
      },
    },
    {
      name: 'CHN-02 no credentials → 401 with both challenges',
      async run(t) {
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example']);
        expect(res.status).toBe(401);
        expect(headerLines(res, 'www-authenticate')).toEqual(['Token, Basic realm="api", charset="UTF-8"']);
      },
    },
    {
      name: 'CHN-06 an invalid token stops the chain with 401 and every challenge',
      async run(t) {
        const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', 'Authorization: Token wrong']);
        expect(res.status).toBe(401);
        expect(headerLines(res, 'www-authenticate')).toEqual(['Token, Basic realm="api", charset="UTF-8"']);
      },
    },
    {
      name: 'LEAK-12 the 401 does not reveal which backend tried',
      async run(t) {
        const token = await t.get('/me').set('Authorization', 'Token wrong');
        const basicAnswer = await t.get('/me').set('Authorization', basic('alice', 'wrong'));
        expect(token.status).toBe(basicAnswer.status);
        expect(token.text).toBe(basicAnswer.text);
      },
    },
    {
      name: 'BAS-20 Proxy-Authorization is ignored → 401 with challenges',
      async run(t) {
        const res = await t.get('/me').set('Proxy-Authorization', 'Basic dXNlcjpwYXNz');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toContain('Basic realm="api", charset="UTF-8"');
      },
    },
    {
      name: 'GRD-01 required mode, unauthenticated API request → 401 with a challenge, never 403',
      async run(t) {
        const res = await t.get('/admin').set('Accept', 'application/json');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBeDefined();
        expect(res.body).toEqual({ error: 'unauthorized' });
      },
    },
  ],
};

export const chainHalts: Scenario = {
  id: 'chain-halts',
  title: 'a backend failure halts the chain and fails closed',
  app: () => ({
    backend: multi([brokenBackend(), counting]),
    routes: [{ method: 'GET', path: '/me', handler: whoami }],
    controls: { lateCalls: () => lateCalls },
  }),
  cases: [
    {
      name: 'CHN-01 BAS-19 the user store throws → 503 generic, the next backend never runs',
      async run(t) {
        const before = await t.control<number>('lateCalls');
        const res = await t.get('/me').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(503);
        expect(res.text).toBe('Service Unavailable');
        expect(res.text).not.toContain('ECONNREFUSED');
        expect(await t.control('lateCalls')).toBe(before);
      },
    },
    {
      name: 'CHN-05 a request the first backend does not recognise reaches the next',
      async run(t) {
        const before = await t.control<number>('lateCalls');
        const res = await t.get('/me').set('Authorization', 'Token abcd');
        expect(res.status).toBe(200);
        expect(await t.control('lateCalls')).toBe(before + 1);
        expect(res.body.user).toBe('');
      },
    },
  ],
};
