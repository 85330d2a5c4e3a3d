import { protectedResourceMetadata, type AuthenticationFailure } from '@portcullis/core';
import { jwtAuth } from '@portcullis/jwt';
import { expect } from 'vitest';
import { takeControl, taken } from '../control.js';
import { DemoUser } from '../fixtures.js';
import type { Client, Scenario } from '../scenario.js';
import { AUDIENCE, ISSUER, SECRET, claims, signJws } from './jwt/support.js';
import { SAME_ORIGIN, aliceLoginApp, cookie, cookieValue, type SessionStoreFactory } from './sessions/fixtures.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
const MFA = 'urn:example:mfa';

/** The API's protected-resource metadata (RFC 9728): absolute, from configuration. */
const METADATA = protectedResourceMetadata({
  resource: 'https://api.example.com',
  authorizationServers: [ISSUER],
  scopesSupported: ['orders:read'],
});
const RESOURCE_METADATA = `resource_metadata="${METADATA.url}"`;
const RECENT = `Bearer realm="api", error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300", ${RESOURCE_METADATA}`;
const LEVEL = `Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required", acr_values="${MFA}", ${RESOURCE_METADATA}`;

/**
 * A token signed now on the real clock (the guard measures the authentication's age
 * on the connection's clock, the app's and the test's alike), with `extra` claims;
 * `authAgo`: `auth_time` that many seconds ago.
 */
function tokenWith(extra: Record<string, unknown>, authAgo?: number): Promise<string> {
  const now = Date.now();
  const authTime = authAgo === undefined ? {} : { auth_time: Math.floor(now / 1000) - authAgo };
  return signJws({ alg: 'HS256', typ: 'at+jwt' }, claims({ ...authTime, ...extra }, now));
}

/** What `authentication({ log })` received (`takeEvents`). */
const events: AuthenticationFailure[] = [];

const bearer = (t: Client, path: string, token: string) => t.get(path).set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');

/**
 * Step-up for Bearer clients (RFC 9470) and protected-resource metadata (RFC 9728):
 * `requires('authenticated', { maxAge: 300 })` and `{ acr: 'urn:example:mfa' }` on a
 * JWT backend whose challenges name the metadata; the metadata document is served
 * as a core answer on its well-known path.
 */
export const stepUpBearer: Scenario = {
  id: 'step-up-bearer',
  title: 'step-up (RFC 9470) and resource_metadata (RFC 9728) for Bearer clients',
  app: () => {
    events.length = 0;
    return {
      backend: jwtAuth<DemoUser>({
        algorithms: ['HS256'],
        secret: SECRET,
        issuer: ISSUER,
        audience: AUDIENCE,
        resourceMetadata: METADATA.url,
        retrieveUser: (token) => new DemoUser(token.sub, []),
      }),
      log: (event) => events.push(event),
      controls: { takeEvents: takeControl(events) },
      routes: [
        { method: 'GET', path: '/recent', requires: { scopes: 'authenticated', options: { maxAge: 300 } }, handler: () => ({ text: 'recent enough' }) },
        { method: 'GET', path: '/mfa', requires: { scopes: 'authenticated', options: { acr: MFA } }, handler: () => ({ text: 'strong enough' }) },
        { method: 'GET', path: '/orders', requires: { scopes: 'authenticated', options: { status: 401 } }, handler: () => ({ text: 'orders' }) },
        { method: 'GET', path: METADATA.path, handler: () => ({ description: METADATA.response }) },
      ],
    };
  },
  cases: [
    {
      name: 'STP-10 auth_time within maxAge: the guard passes',
      async run(t) {
        const res = await bearer(t, '/recent', await tokenWith({}, 10));
        expect(res.status).toBe(200);
        expect(res.text).toBe('recent enough');
      },
    },
    {
      name: 'STP-11 auth_time older than maxAge, or none: 401 insufficient_user_authentication with max_age',
      async run(t) {
        for (const token of [await tokenWith({}, 3600), await tokenWith({})]) {
          const res = await bearer(t, '/recent', token);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe(RECENT);
          expect(res.body).toEqual({ error: 'insufficient_user_authentication' });
        }
      },
    },
    {
      name: 'STP-12 acr different from the required one: 401 with acr_values; the right acr passes',
      async run(t) {
        const weak = await bearer(t, '/mfa', await tokenWith({ acr: 'urn:example:pwd' }, 10));
        expect(weak.status).toBe(401);
        expect(weak.headers['www-authenticate']).toBe(LEVEL);
        const none = await bearer(t, '/mfa', await tokenWith({}, 10));
        expect(none.headers['www-authenticate']).toBe(LEVEL);
        const strong = await bearer(t, '/mfa', await tokenWith({ acr: MFA }, 10));
        expect(strong.status).toBe(200);
      },
    },
    {
      name: 'LEAK-07 STP-11 STP-12 a step-up refusal reaches authentication({ log }): insufficient_user_authentication, reason step_up_required, the subject, never the token',
      async run(t) {
        await t.control('takeEvents');
        const old = await tokenWith({}, 3600);
        expect((await bearer(t, '/recent', old)).status).toBe(401);
        expect((await bearer(t, '/mfa', await tokenWith({ acr: 'urn:example:pwd' }, 10))).status).toBe(401);
        expect((await bearer(t, '/recent', await tokenWith({}, 10))).status).toBe(200);
        const logged = await taken<AuthenticationFailure>(t);
        expect(logged).toEqual([
          { event: 'authentication_failed', code: 'insufficient_user_authentication', method: 'GET', path: '/recent', subject: 'alice', reason: 'step_up_required' },
          { event: 'authentication_failed', code: 'insufficient_user_authentication', method: 'GET', path: '/mfa', subject: 'alice', reason: 'step_up_required' },
        ]);
        expect(JSON.stringify(logged)).not.toContain(old);
      },
    },
    {
      name: 'MD-10 every Bearer 401 names the configured metadata URL, whatever Host says',
      async run(t) {
        const anonymous = await t.get('/orders').set('Host', 'evil.example');
        expect(anonymous.status).toBe(401);
        expect(anonymous.headers['www-authenticate']).toBe(`Bearer realm="api", ${RESOURCE_METADATA}`);
        const invalid = await t.get('/orders').set('Host', 'evil.example').set('Authorization', 'Bearer not.a.jwt');
        expect(invalid.status).toBe(401);
        expect(invalid.headers['www-authenticate']).toBe(`Bearer realm="api", error="invalid_token", ${RESOURCE_METADATA}`);
        expect(METADATA.url).toBe('https://api.example.com/.well-known/oauth-protected-resource');
      },
    },
    {
      name: 'MD-10 the metadata document is served on its well-known path (RFC 9728 §3)',
      async run(t) {
        const res = await t.get(METADATA.path).set('Host', 'evil.example');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(/^application\/json/);
        expect(res.body).toEqual({
          resource: 'https://api.example.com',
          authorization_servers: [ISSUER],
          scopes_supported: ['orders:read'],
          bearer_methods_supported: ['header'],
        });
      },
    },
  ],
};

/**
 * Step-up for browser sessions: `login(…, user, data, { methods })` records when and
 * how; `requires('authenticated', { maxAge: 300, redirect: '/login' })` sends a
 * navigation whose login is too old back to login with `next`, and answers other
 * requests 401. An old login is made by running the sessions' clock behind the
 * connection's (the `lag` control, in seconds): the session records its login time on
 * its own clock, the guard measures the age on the connection's.
 */
export function stepUpSession(stores: SessionStoreFactory): Scenario {
  let lag = 0;
  async function logIn(t: Client, secondsAgo: number, methods = 'pwd'): Promise<string> {
    await t.control('lag', secondsAgo);
    const res = await t.post(`/login?methods=${methods}`).set(SAME_ORIGIN);
    expect(res.status).toBe(200);
    return cookieValue(res) as string;
  }
  return {
    id: `step-up-session (${stores.name})`,
    title: 'step-up for sessions: login records when and how; too old → login with next (browsers) or 401',
    needs: ['sessions'],
    app: () => {
      lag = 0;
      const base = aliceLoginApp(stores, { clock: () => Date.now() - lag * 1000 });
      return {
        ...base,
        controls: {
          lag: (seconds) => {
            lag = seconds as number;
          },
        },
        routes: [
          ...base.routes,
          {
            method: 'GET',
            path: '/account',
            requires: { scopes: 'authenticated', options: { maxAge: 300, redirect: '/login' } },
            handler: (view) => ({ text: `Account of ${view.user.displayName}` }),
          },
          {
            method: 'GET',
            path: '/keys',
            requires: { scopes: 'authenticated', options: { amr: 'otp' } },
            handler: () => ({ text: 'keys' }),
          },
        ],
      };
    },
    cases: [
      {
        name: 'STP-10 a session logged in just now passes maxAge',
        async run(t) {
          const sid = await logIn(t, 0);
          const res = await t.get('/account').set('Cookie', cookie(sid)).set('Accept', HTML);
          expect(res.status).toBe(200);
          expect(res.text).toBe('Account of alice');
        },
      },
      {
        name: 'STP-11 a session older than maxAge: a browser navigation goes to login with next; an API call gets 401',
        async run(t) {
          const sid = await logIn(t, 3600);
          const page = await t.get('/account?tab=keys').set('Cookie', cookie(sid)).set('Accept', HTML);
          expect(page.status).toBe(303);
          expect(page.headers.location).toBe('/login?next=%2Faccount%3Ftab%3Dkeys');
          const api = await t.get('/account').set('Cookie', cookie(sid)).set('Accept', 'application/json');
          expect(api.status).toBe(401);
          expect(api.body).toEqual({ error: 'insufficient_user_authentication' });
          expect(api.headers['www-authenticate']).toBe('Cookie realm="app"');
          // Logging in again (stepping up) passes.
          const fresh = await logIn(t, 0);
          expect((await t.get('/account').set('Cookie', cookie(fresh)).set('Accept', HTML)).status).toBe(200);
        },
      },
      {
        name: 'STP-12 amr: a password-only login is refused where otp is required; pwd+otp passes',
        async run(t) {
          const weak = await logIn(t, 0, 'pwd');
          expect((await t.get('/keys').set('Cookie', cookie(weak)).set('Accept', 'application/json')).status).toBe(401);
          const strong = await logIn(t, 0, 'pwd,otp');
          const res = await t.get('/keys').set('Cookie', cookie(strong)).set('Accept', 'application/json');
          expect(res.status).toBe(200);
          expect(res.text).toBe('keys');
        },
      },
    ],
  };
}
