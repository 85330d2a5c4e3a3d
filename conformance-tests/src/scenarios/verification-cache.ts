import { VerificationCache, basicAuth, timingSafeEqual, type AuthenticationFailure } from '@portcullis/core';
import { expect } from 'vitest';
import { DemoUser, basic, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';

const passwords = new Map<string, string>();
let cache = new VerificationCache<DemoUser>();
let verifications = 0;

export const verificationCache: Scenario = {
  id: 'verification-cache',
  title: 'repeated Basic credentials skip verify; invalidate(username) takes effect at once',
  app: () => {
    passwords.clear();
    passwords.set('alice', 'alicepwd');
    cache = new VerificationCache<DemoUser>({ ttlMs: 60_000, max: 100 });
    return {
      backend: basicAuth({
        realm: 'api',
        cache,
        async verify(username, password) {
          verifications++;
          const ok = await timingSafeEqual(password, passwords.get(username) ?? '\u0000');
          return ok && passwords.has(username) ? new DemoUser(username) : null;
        },
      }),
      mode: 'required',
      routes: [{ method: 'GET', path: '/me', handler: whoami }],
    };
  },
  cases: [
    {
      name: 'the second request with the same credentials does not verify again',
      async run(t) {
        const before = verifications;
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        expect(verifications).toBe(before + 1);
      },
    },
    {
      name: 'failed verifications are not cached',
      async run(t) {
        const before = verifications;
        expect((await t.get('/me').set('Authorization', basic('alice', 'nope'))).status).toBe(401);
        expect((await t.get('/me').set('Authorization', basic('alice', 'nope'))).status).toBe(401);
        expect(verifications).toBe(before + 2);
      },
    },
    {
      name: 'a changed password stops working at once after invalidate',
      async run(t) {
        passwords.set('alice', 'new-password');
        // Still cached: the documented trade-off of the cache.
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        cache.invalidate('alice');
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(401);
        expect((await t.get('/me').set('Authorization', basic('alice', 'new-password'))).status).toBe(200);
      },
    },
  ],
};

let events: AuthenticationFailure[] = [];

export const failureLog: Scenario = {
  id: 'failure-log',
  title: 'failed authentications are logged without secrets, with CR/LF escaped',
  app: () => {
    events = [];
    return {
      backend: basicAuth({
        realm: 'api',
        verify: async (username, password) =>
          username === 'alice' && (await timingSafeEqual(password, 'alicepwd')) ? new DemoUser(username) : null,
      }),
      log: (event) => events.push(event),
      routes: [{ method: 'GET', path: '/me', handler: whoami }],
    };
  },
  cases: [
    {
      name: 'LEAK-07 BAS-22 a failed login is logged once, without the password or the header value',
      async run(t) {
        events = [];
        const value = basic('alice', 'S3cr3t!Pw');
        const res = await t.get('/me').set('Authorization', value);
        expect(res.status).toBe(401);
        expect(events).toHaveLength(1);
        const line = JSON.stringify(events);
        expect(line).not.toContain('S3cr3t!Pw');
        expect(line).not.toContain(value.slice(6));
        expect(events[0]).toMatchObject({ event: 'authentication_failed', code: 'invalid_credentials', subject: 'alice', path: '/me' });
      },
    },
    {
      name: 'LEAK-08 a username with CR/LF is logged escaped, forging no line',
      async run(t) {
        events = [];
        await t.get('/me').set('Authorization', basic('alice\r\n2026-01-01 INFO login ok user=admin', 'x'));
        expect(events).toHaveLength(1);
        for (const field of Object.values(events[0] ?? {})) expect(String(field)).not.toMatch(/[\r\n]/);
        expect(events[0]?.subject).toBe('alice\\r\\n2026-01-01 INFO login ok user=admin');
      },
    },
    {
      name: 'a successful request logs nothing',
      async run(t) {
        events = [];
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        expect(events).toHaveLength(0);
      },
    },
  ],
};
