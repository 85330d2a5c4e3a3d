import { VerificationCache, basicAuth, timingSafeEqual, type AuthenticationFailure } from '@portcullis/core';
import { expect } from 'vitest';
import { DemoUser, basic, whoami } from '../fixtures.js';
import type { Scenario } from '../scenario.js';
import { takeControl, taken } from '../control.js';

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
      controls: {
        verifications: () => verifications,
        /** Changes a password in the app's user table: `{ username, password }`. */
        setPassword: (arg) => {
          const { username, password } = arg as { username: string; password: string };
          passwords.set(username, password);
        },
        invalidate: (username) => {
          cache.invalidate(username as string);
        },
      },
    };
  },
  cases: [
    {
      name: 'the second request with the same credentials does not verify again',
      async run(t) {
        const before = await t.control<number>('verifications');
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        expect(await t.control('verifications')).toBe(before + 1);
      },
    },
    {
      name: 'failed verifications are not cached',
      async run(t) {
        const before = await t.control<number>('verifications');
        expect((await t.get('/me').set('Authorization', basic('alice', 'nope'))).status).toBe(401);
        expect((await t.get('/me').set('Authorization', basic('alice', 'nope'))).status).toBe(401);
        expect(await t.control('verifications')).toBe(before + 2);
      },
    },
    {
      name: 'a changed password stops working at once after invalidate',
      async run(t) {
        await t.control('setPassword', { username: 'alice', password: 'new-password' });
        // Still cached: the documented trade-off of the cache.
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        await t.control('invalidate', 'alice');
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(401);
        expect((await t.get('/me').set('Authorization', basic('alice', 'new-password'))).status).toBe(200);
      },
    },
  ],
};

const events: AuthenticationFailure[] = [];

export const failureLog: Scenario = {
  id: 'failure-log',
  title: 'failed authentications are logged without secrets, with CR/LF escaped',
  app: () => {
    events.length = 0;
    return {
      backend: basicAuth({
        realm: 'api',
        verify: async (username, password) =>
          username === 'alice' && (await timingSafeEqual(password, 'alicepwd')) ? new DemoUser(username) : null,
      }),
      log: (event) => events.push(event),
      routes: [{ method: 'GET', path: '/me', handler: whoami }],
      controls: {
        /** The failure events logged since the last call (and forgets them). */
        takeEvents: takeControl(events),
      },
    };
  },
  cases: [
    {
      name: 'LEAK-07 BAS-22 a failed login is logged once, without the password or the header value',
      async run(t) {
        await t.control('takeEvents');
        const value = basic('alice', 'S3cr3t!Pw');
        const res = await t.get('/me').set('Authorization', value);
        expect(res.status).toBe(401);
        const logged = await taken<AuthenticationFailure>(t);
        expect(logged).toHaveLength(1);
        const line = JSON.stringify(logged);
        expect(line).not.toContain('S3cr3t!Pw');
        expect(line).not.toContain(value.slice(6));
        expect(logged[0]).toMatchObject({ event: 'authentication_failed', code: 'invalid_credentials', subject: 'alice', path: '/me' });
      },
    },
    {
      name: 'LEAK-08 a username with CR/LF is logged escaped, forging no line',
      async run(t) {
        await t.control('takeEvents');
        await t.get('/me').set('Authorization', basic('alice\r\n2026-01-01 INFO login ok user=admin', 'x'));
        const logged = await taken<AuthenticationFailure>(t);
        expect(logged).toHaveLength(1);
        for (const field of Object.values(logged[0] ?? {})) expect(String(field)).not.toMatch(/[\r\n]/);
        expect(logged[0]?.subject).toBe('alice\\r\\n2026-01-01 INFO login ok user=admin');
      },
    },
    {
      name: 'a successful request logs nothing',
      async run(t) {
        await t.control('takeEvents');
        expect((await t.get('/me').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(200);
        expect(await t.control('takeEvents')).toHaveLength(0);
      },
    },
  ],
};
