import { passwordBackend } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { memoryThrottle, oauth2PasswordBearer, type OAuth2PasswordBearer } from '@portcullis/jwt';
import { expect } from 'vitest';
import { DemoUser, USERS } from '../../fixtures.js';
import type { HandlerView, HandlerResult } from '../../spec.js';
import type { Scenario } from '../../scenario.js';
import { HS256_OPTIONS, REALM, T0, clockControl, frozenClock, me, setClock } from './support.js';

/** A fixture user with its stored password hash. */
class Member extends DemoUser {
  constructor(
    username: string,
    roles: readonly string[],
    readonly hash: string,
  ) {
    super(username, roles);
  }
}

const clock = frozenClock();
const hasher = pbkdf2Hasher({ iterations: 1_000 }); // tests only: OWASP's 600,000 in production
let members: Promise<Map<string, Member>> | undefined;
let oauth2: OAuth2PasswordBearer<DemoUser>;

/** The fixture users (alice, root…) with hashed passwords, made once. */
function memberTable(): Promise<Map<string, Member>> {
  members ??= (async () => {
    const table = new Map<string, Member>();
    for (const [name, { password, roles }] of USERS) table.set(name, new Member(name, roles, await hasher.hash(password)));
    return table;
  })();
  return members;
}

const FORM = 'application/x-www-form-urlencoded';
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

async function token(view: HandlerView): Promise<HandlerResult> {
  return { description: await oauth2.tokenEndpoint.handle(view.connection, view.body) };
}

/**
 * Litestar's `OAuth2PasswordBearerAuth` with an RFC 6749 §4.3 token endpoint
 * (`POST /token`, form-encoded). The password grant is legacy (RFC 9700 §2.4) and
 * opt-in; core's `passwordBackend(...).verifyCredentials` checks the password.
 */
export const oauth2Password: Scenario = {
  id: 'oauth2-password',
  title: 'OAuth2 password grant token endpoint (RFC 6749 §4.3), tokens used as Bearer JWTs',
  app: () => {
    clock.reset();
    const passwords = passwordBackend<Member>({
      findUser: async (name) => (await memberTable()).get(name) ?? null,
      passwordHashOf: (member) => member.hash,
      hasher,
    });
    oauth2 = oauth2PasswordBearer<DemoUser>({
      ...HS256_OPTIONS,
      clock: clock.now,
      tokenUrl: '/token',
      verifyCredentials: passwords.verifyCredentials,
      grantableScopes: (user) => user.roles,
      retrieveUser: async (t) => (await memberTable()).get(t.sub) ?? null,
      throttle: memoryThrottle({ maxFailures: 5, windowMs: 60_000, clock: clock.now }),
    });
    return {
      backend: oauth2,
      mode: 'required',
      exclude: ['/token'],
      controls: { clock: clockControl(clock) },
      routes: [
        { method: 'POST', path: '/token', handler: token },
        { method: 'GET', path: '/token', handler: token },
        { method: 'GET', path: '/some-path', handler: me },
        { method: 'GET', path: '/admin', requires: { scopes: 'admin' }, handler: me },
      ],
    };
  },
  cases: [
    {
      name: 'OAU-01 grant_type=password with a good password → 200 {access_token, token_type, expires_in, scope}, no-store, no-cache',
      async run(t) {
        const res = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'root', password: 'rootpwd' }));
        expect(res.status).toBe(200);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers.pragma).toBe('no-cache');
        expect(res.body).toEqual({ access_token: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/), token_type: 'Bearer', expires_in: 900, scope: 'admin' });
        const whoami = await t.get('/some-path').set('Authorization', `Bearer ${res.body.access_token as string}`);
        expect(whoami.status).toBe(200);
        expect(whoami.body).toEqual({ user: 'root', authenticated: true, scopes: ['authenticated', 'admin'] });
        expect((await t.get('/admin').set('Authorization', `Bearer ${res.body.access_token as string}`)).status).toBe(200);
      },
    },
    {
      name: 'OAU-02 a wrong password and an unknown user get byte-identical 400 {"error":"invalid_grant"} answers',
      async run(t) {
        const wrong = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'alice', password: 'nope' }));
        const unknown = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'nobody', password: 'nope' }));
        expect(wrong.status).toBe(400);
        expect(wrong.text).toBe('{"error":"invalid_grant"}');
        expect(unknown.status).toBe(wrong.status);
        expect(unknown.text).toBe(wrong.text);
        const strip = (h: Record<string, string>) => Object.fromEntries(Object.entries(h).filter(([k]) => !['date', 'etag'].includes(k)));
        expect(strip(unknown.headers as Record<string, string>)).toEqual(strip(wrong.headers as Record<string, string>));
      },
    },
    {
      name: 'OAU-03 no grant_type → invalid_request; grant_type=client_credentials → unsupported_grant_type',
      async run(t) {
        const missing = await t.post('/token').type('form').send(form({ username: 'alice', password: 'alicepwd' }));
        expect([missing.status, missing.body.error]).toEqual([400, 'invalid_request']);
        const other = await t.post('/token').type('form').send(form({ grant_type: 'client_credentials', username: 'alice', password: 'alicepwd' }));
        expect([other.status, other.body.error]).toEqual([400, 'unsupported_grant_type']);
      },
    },
    {
      name: 'RFC 6749 §3.1 a repeated parameter → 400 invalid_request',
      async run(t) {
        const res = await t.post('/token').type('form').send('grant_type=password&username=alice&username=root&password=rootpwd');
        expect([res.status, res.body.error]).toEqual([400, 'invalid_request']);
      },
    },
    {
      name: 'OAU-04 GET /token?username=…&password=… → 405, credentials in the URL are never processed',
      async run(t) {
        const res = await t.get('/token?grant_type=password&username=alice&password=alicepwd');
        expect(res.status).toBe(405);
        expect(res.headers.allow).toBe('POST');
        expect(res.text).not.toContain('access_token');
      },
    },
    {
      name: 'OAU-05 a JSON body → 400 invalid_request',
      async run(t) {
        const res = await t.post('/token').set('Content-Type', 'application/json').send(JSON.stringify({ grant_type: 'password', username: 'alice', password: 'alicepwd' }));
        expect([res.status, res.body.error]).toEqual([400, 'invalid_request']);
      },
    },
    {
      name: 'OAU-08 scope=admin for a user entitled to nothing more → the token and the answer carry only what the user may have',
      async run(t) {
        const res = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'alice', password: 'alicepwd', scope: 'admin' }));
        expect(res.status).toBe(200);
        expect(res.body.scope).toBeUndefined();
        const admin = await t.get('/admin').set('Authorization', `Bearer ${res.body.access_token as string}`);
        expect(admin.status).toBe(403);
        expect(admin.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="admin"`);
        const narrowed = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'root', password: 'rootpwd', scope: 'admin write' }));
        expect(narrowed.body.scope).toBe('admin');
      },
    },
    {
      name: 'DOS-08 a 10 KiB form → 400 (the endpoint caps bodies at 8 KiB)',
      async run(t) {
        const res = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'alice', password: 'x'.repeat(10 * 1024) }));
        expect(res.status).toBe(400);
        expect(res.text).not.toContain('access_token');
      },
    },
    {
      name: 'OAU-07 repeated failures for one account → 429 with Retry-After; other accounts are unaffected; the lockout ends',
      async run(t) {
        const attempt = () => t.post('/token').type('form').send(form({ grant_type: 'password', username: 'user', password: 'guess' }));
        for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(400);
        const limited = await attempt();
        expect(limited.status).toBe(429);
        expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
        expect(limited.headers['cache-control']).toBe('no-store');
        const other = await t.post('/token').type('form').send(form({ grant_type: 'password', username: 'alice', password: 'alicepwd' }));
        expect(other.status).toBe(200);
        await setClock(t, T0 + 61_000);
        try {
          expect((await attempt()).status).toBe(400);
        } finally {
          await setClock(t, T0);
        }
      },
    },
    {
      name: 'GRD-01 GET /some-path without a token → 401 Bearer realm="api"; /token stays reachable (excluded)',
      async run(t) {
        const res = await t.get('/some-path');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(REALM);
        expect((await t.post('/token').set('Content-Type', FORM).send('')).status).toBe(400);
      },
    },
  ],
};
