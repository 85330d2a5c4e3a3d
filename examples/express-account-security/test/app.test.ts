import type { Express } from 'express';
import request from 'supertest';
import { beforeEach, describe, expect, it } from 'vitest';
import type { AuthenticationFailure } from '@portcullis/core';
import { testClock } from '@portcullis/testing';
import { createApp, pbkdf2Hasher } from '../src/app.js';

const PASSWORD = 'correct horse battery staple';
const SECRET = new Uint8Array(32).fill(7);
const clock = testClock(); // 2026-01-01T00:00:00Z; time moves only when the test says so
let app: Express;
let events: AuthenticationFailure[];

// A fresh app per test: the throttle and refresh stores start empty.
beforeEach(async () => {
  clock.reset();
  events = [];
  app = await createApp({
    secret: SECRET,
    accounts: [{ username: 'alice', password: PASSWORD, scopes: ['admin'] }],
    hasher: pbkdf2Hasher({ iterations: 1_000 }), // tests only; the server uses OWASP's default
    clock,
    log: (event) => events.push(event),
  });
});

const passwordGrant = (password: string) =>
  request(app).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password });
const refreshGrant = (token: string) => request(app).post('/token').type('form').send({ grant_type: 'refresh_token', refresh_token: token });
const transfer = (accessToken: string) => request(app).post('/admin/transfer').set('Authorization', `Bearer ${accessToken}`).accept('json');

interface Tokens {
  readonly access_token: string;
  readonly refresh_token: string;
}

async function login(): Promise<Tokens> {
  const res = await passwordGrant(PASSWORD);
  expect(res.status, res.text).toBe(200);
  return res.body as Tokens;
}

describe('login throttling', () => {
  it('THR-12 after 5 free failures the account backs off: 429 + Retry-After, even for the right password; once the delay has passed it works again', async () => {
    for (let i = 0; i < 6; i++) {
      const res = await passwordGrant('wrong');
      expect([res.status, res.body], `failure ${i + 1}`).toEqual([400, { error: 'invalid_grant' }]);
    }
    const throttled = await passwordGrant(PASSWORD);
    expect([throttled.status, throttled.body, throttled.headers['retry-after']]).toEqual([429, { error: 'too_many_requests' }, '1']);
    expect(events.map((e) => [e.code, e.reason])).toContainEqual(['too_many_requests', 'login_throttled']);

    clock.advance(1_000); // the backoff (1 s after the 6th failure) has elapsed
    expect((await passwordGrant(PASSWORD)).status).toBe(200);
  });

  it('THR-14 the delay doubles with each further failure and is never permanent', async () => {
    for (let i = 0; i < 6; i++) await passwordGrant('wrong');
    clock.advance(1_000);
    await passwordGrant('wrong'); // 7th failure: 2 s
    expect((await passwordGrant(PASSWORD)).headers['retry-after']).toBe('2');
    clock.advance(2_000);
    expect((await passwordGrant(PASSWORD)).status).toBe(200);
  });

  it('THR-12 20 wrong passwords sent at once: only the 6 the allowance admits are hashed, the other 14 get 429', async () => {
    let verified = 0;
    const base = pbkdf2Hasher({ iterations: 1_000 });
    const burst = await createApp({
      secret: SECRET,
      accounts: [{ username: 'alice', password: PASSWORD, scopes: ['admin'] }],
      hasher: { ...base, verify: async (password, stored) => (verified++, await new Promise((r) => setTimeout(r, 20)), base.verify(password, stored)) },
      clock,
      log: (event) => events.push(event),
    });
    // Twenty different guesses: with `coalesce: true` copies of one guess in flight would share one check.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => request(burst).post('/token').type('form').send({ grant_type: 'password', username: 'alice', password: `wrong${i}` })));
    expect(verified).toBe(6);
    expect(answers.map((res) => res.status).sort()).toEqual([...Array(6).fill(400), ...Array(14).fill(429)]);
  });
});

describe('refresh token rotation', () => {
  it('RT-11 a refresh returns a new access token and a new refresh token; the new one refreshes again', async () => {
    const first = await login();
    clock.advance(60_000);
    const res = await refreshGrant(first.refresh_token);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const second = res.body as Tokens;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await request(app).get('/me').set('Authorization', `Bearer ${second.access_token}`)).body).toEqual({ user: 'alice', scopes: ['authenticated', 'admin'] });
    expect((await refreshGrant(second.refresh_token)).status).toBe(200);
  });

  it('RFC 9700 §4.14.2 the old refresh token replayed → invalid_grant, the family is revoked (the newest token fails too), refresh_token_reused is logged', async () => {
    const first = await login();
    const second = (await refreshGrant(first.refresh_token)).body as Tokens;
    const replay = await refreshGrant(first.refresh_token);
    expect([replay.status, replay.body]).toEqual([400, { error: 'invalid_grant' }]);
    const newest = await refreshGrant(second.refresh_token);
    expect([newest.status, newest.body]).toEqual([400, { error: 'invalid_grant' }]);
    expect(events).toContainEqual(expect.objectContaining({ event: 'authentication_failed', subject: 'alice', reason: 'refresh_token_reused' }));
    expect(JSON.stringify(events)).not.toContain(first.refresh_token);
  });
});

describe('step-up on /admin/transfer (RFC 9470)', () => {
  const STEP_UP = 'Bearer realm="api", error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300"';

  it('STP-10 a token from a password typed just now passes', async () => {
    const { access_token } = await login();
    clock.advance(299_000);
    const res = await transfer(access_token);
    expect([res.status, res.body]).toEqual([200, { transferred: true, by: 'alice' }]);
  });

  it('STP-11 a login older than max_age → 401 insufficient_user_authentication with max_age; a refresh does not renew it, a password does', async () => {
    const { access_token, refresh_token } = await login();
    clock.advance(301_000); // the access token (15 minutes) is still valid, the login is not recent
    expect((await request(app).get('/me').set('Authorization', `Bearer ${access_token}`)).status).toBe(200);
    const stale = await transfer(access_token);
    expect([stale.status, stale.headers['www-authenticate'], stale.body]).toEqual([401, STEP_UP, { error: 'insufficient_user_authentication' }]);

    const refreshed = (await refreshGrant(refresh_token)).body as Tokens;
    expect((await transfer(refreshed.access_token)).status).toBe(401); // the refreshed token keeps the login's auth_time

    expect((await transfer((await login()).access_token)).status).toBe(200);
  });
});
