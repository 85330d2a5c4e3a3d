import { MemoryRefreshTokenStore, oauth2PasswordBearer, type OAuth2PasswordBearer } from '@portcullis/jwt';
import { expect } from 'vitest';
import { DemoUser, USERS } from '../../fixtures.js';
import type { HandlerView, HandlerResult } from '../../spec.js';
import type { Client, Scenario } from '../../scenario.js';
import { clockControl, frozenClock, hs256, me, setClock, T0 } from './support.js';

const clock = frozenClock();
let oauth2: OAuth2PasswordBearer<DemoUser>;

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function token(view: HandlerView): Promise<HandlerResult> {
  return { description: await oauth2.tokenEndpoint.handle(view.connection, view.body) };
}

async function revoke(view: HandlerView): Promise<HandlerResult> {
  return { description: await oauth2.revocationEndpoint.handle(view.connection, view.body) };
}

const login = async (t: Client) => {
  const res = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'root', password: 'rootpwd' }));
  expect(res.status).toBe(200);
  return res.body as { access_token: string; refresh_token: string; scope?: string };
};
const refresh = (t: Client, refreshToken: string, extra: Record<string, string> = {}) =>
  t.post('/token').type('form').send(form({ grant_type: 'refresh_token', refresh_token: refreshToken, ...extra }));

/**
 * The token endpoint's refresh grant (RFC 6749 §6) with rotation and reuse detection
 * (RFC 9700 §4.14.2), and the RFC 7009 revocation endpoint, on every adapter. The
 * password check is a plain comparison here: the password grant has its own scenario.
 */
export const oauth2Refresh: Scenario = {
  id: 'oauth2-refresh',
  title: 'OAuth2 refresh tokens: rotation, reuse revokes the family, lifetimes, revocation (RFC 6749 §6, RFC 9700, RFC 7009)',
  app: () => {
    clock.reset();
    oauth2 = oauth2PasswordBearer<DemoUser>({
      ...hs256(clock),
      tokenUrl: '/token',
      verifyCredentials: (username, password) => (USERS.get(username)?.password === password ? demoUser(username) : null),
      grantableScopes: (user) => user.roles,
      retrieveUser: (t) => demoUser(t.sub),
      refreshTokens: { store: new MemoryRefreshTokenStore(), idleTtl: 3600, absoluteTtl: 86_400 },
    });
    return {
      backend: oauth2,
      mode: 'required',
      exclude: ['/token', '/revoke'],
      controls: { clock: clockControl(clock) },
      routes: [
        { method: 'POST', path: '/token', handler: token },
        { method: 'POST', path: '/revoke', handler: revoke },
        { method: 'GET', path: '/some-path', handler: me },
      ],
    };
  },
  cases: [
    {
      name: 'RT-11 a refresh returns a new access token and a new refresh token; the new access token works',
      async run(t) {
        const first = await login(t);
        expect(first.refresh_token).toMatch(/^[\w-]{22}\.[\w-]{43}$/);
        const res = await refresh(t, first.refresh_token);
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'admin', refresh_token: expect.any(String) });
        expect(res.body.refresh_token).not.toBe(first.refresh_token);
        const whoami = await t.get('/some-path').set('Authorization', `Bearer ${res.body.access_token as string}`);
        expect(whoami.body).toEqual({ user: 'root', authenticated: true, scopes: ['authenticated', 'admin'] });
      },
    },
    {
      name: 'RFC 9700 §4.14.2 a rotated refresh token again → 400 invalid_grant, and the family is revoked (the newer token too)',
      async run(t) {
        const first = await login(t);
        const second = await refresh(t, first.refresh_token);
        const replay = await refresh(t, first.refresh_token);
        expect([replay.status, replay.text]).toEqual([400, '{"error":"invalid_grant"}']);
        expect((await refresh(t, second.body.refresh_token as string)).body).toEqual({ error: 'invalid_grant' });
      },
    },
    {
      name: 'RT-13 no refresh_token, an empty one, or one of 10 KiB → 400 invalid_request',
      async run(t) {
        for (const text of ['grant_type=refresh_token', 'grant_type=refresh_token&refresh_token=', form({ grant_type: 'refresh_token', refresh_token: 'a'.repeat(10 * 1024) })]) {
          const res = await t.post('/token').type('form').send(text);
          expect([res.status, res.body]).toEqual([400, { error: 'invalid_request' }]);
        }
        expect((await refresh(t, 'not-one-of-ours')).body).toEqual({ error: 'invalid_grant' });
      },
    },
    {
      name: 'RFC 6749 §6 scope may narrow on refresh, never widen',
      async run(t) {
        const first = await login(t);
        expect((await refresh(t, first.refresh_token, { scope: 'admin write' })).body).toEqual({ error: 'invalid_scope' });
        const same = await refresh(t, first.refresh_token, { scope: 'admin' });
        expect([same.status, same.body.scope]).toEqual([200, 'admin']);
      },
    },
    {
      name: 'idle lifetime: a refresh token unused for idleTtl (1 h) → invalid_grant',
      async run(t) {
        const first = await login(t);
        await setClock(t, T0 + 3_600_000);
        try {
          expect((await refresh(t, first.refresh_token)).body).toEqual({ error: 'invalid_grant' });
        } finally {
          await setClock(t, T0);
        }
      },
    },
    {
      name: 'RT-12 POST /revoke with a refresh token (RFC 7009) → 200 and the family is gone; unknown tokens get the same 200',
      async run(t) {
        const first = await login(t);
        const res = await t.post('/revoke').type('form').send(form({ token: first.refresh_token, token_type_hint: 'refresh_token' }));
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect((await refresh(t, first.refresh_token)).body).toEqual({ error: 'invalid_grant' });
        expect((await t.post('/revoke').type('form').send(form({ token: 'unknown' }))).status).toBe(200);
        expect((await t.post('/revoke').type('form').send('')).body).toEqual({ error: 'invalid_request' });
      },
    },
  ],
};

/** The fixture user of `name`, or null. */
function demoUser(name: string): DemoUser | null {
  const entry = USERS.get(name);
  return entry === undefined ? null : new DemoUser(name, entry.roles);
}
