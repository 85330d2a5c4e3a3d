import { MemoryRevocationStore, jwtAuth, tokenOf, type JwtAuth } from '@portcullis/jwt';
import { expect } from 'vitest';
import { DemoUser } from '../../fixtures.js';
import type { Scenario } from '../../scenario.js';
import {
  AUDIENCE,
  EXPIRED,
  INVALID_REQUEST,
  INVALID_TOKEN,
  ISSUER,
  REALM,
  REVOKED,
  SECRET,
  T0,
  b64url,
  badDatePayloads,
  claims,
  clockControl,
  frozenClock,
  me,
  setClock,
  signJws,
} from './support.js';

/** Litestar's `connection.cache`: users stored by the login route, read by `retrieveUser`. */
let cache = new Map<string, { id: string; name: string; email: string; roles?: string[] }>();
const clock = frozenClock();
let jwt: JwtAuth<DemoUser>;
let token = '';

function backend(): JwtAuth<DemoUser> {
  return jwtAuth<DemoUser>({
    algorithms: ['HS256'],
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    clock: clock.now,
    revocation: new MemoryRevocationStore({ clock: clock.now }),
    claims: ['tenant'],
    // Litestar's retrieve_user_handler: may be sync or async.
    retrieveUser: async (t) => {
      const stored = cache.get(t.sub);
      return stored === undefined ? null : new DemoUser(stored.name, stored.roles ?? []);
    },
  });
}

const ALICE = { id: '5c2b6a5e-0f3b-4f0e-9a1b-7c1d2e3f4a5b', name: 'alice', email: 'alice@example.com' };

/**
 * Litestar's `JWTAuth` example: `POST /login` stores the user and answers
 * `jwt_auth.login(identifier, response_body=data)`; `GET /some-path` needs the token;
 * `/login` and `/schema` are excluded from authentication. All state (users, the
 * revocation store, the clock) lives where the app runs; cases reach it over HTTP
 * and through the app's controls only, so the scenario runs unchanged when the app
 * is in another runtime (workerd, Bun, Deno).
 * Tokens the cases sign themselves use the same fixed secret.
 */
export const jwtHeader: Scenario = {
  id: 'jwt-auth',
  title: 'JWT in the Authorization header (Litestar JWTAuth): login, expiry, tampering, revocation',
  app: () => {
    cache = new Map();
    clock.reset();
    jwt = backend();
    return {
      backend: jwt,
      mode: 'required',
      exclude: ['/login', '/schema'],
      controls: {
        clock: clockControl(clock),
        /** A token the app's backend issues: `{ sub, scopes? }`. */
        issue: async (arg) => {
          const { sub, scopes } = arg as { sub: string; scopes?: string[] };
          return (await jwt.issue(sub, scopes === undefined ? {} : { scopes })).token;
        },
      },
      routes: [
        {
          method: 'POST',
          path: '/login',
          async handler(view) {
            const data = JSON.parse(view.body.text) as typeof ALICE;
            cache.set(data.id, data);
            return { description: await jwt.login(data.id, { responseBody: data }) };
          },
        },
        {
          method: 'GET',
          path: '/some-path',
          handler: (view) => ({ json: { ...(me(view).json as object), sub: tokenOf(view.auth)?.sub } }),
        },
        { method: 'GET', path: '/admin', requires: { scopes: 'admin' }, handler: me },
        { method: 'POST', path: '/logout', handler: async (view) => ({ description: await jwt.logout(view.auth) }) },
        {
          method: 'POST',
          path: '/password',
          async handler(view) {
            // After a password change: every token issued before now stops working (JWT-30).
            await jwt.revokeSubject(tokenOf(view.auth)?.sub as string);
            return { json: { revoked: 'earlier tokens' } };
          },
        },
      ],
    };
  },
  cases: [
    {
      name: 'POST /login returns the token in the Authorization header and the custom body, not cacheable',
      async run(t) {
        const res = await t.post('/login').send(ALICE);
        expect(res.status).toBe(201);
        expect(res.body).toEqual(ALICE);
        expect(res.headers.authorization).toMatch(/^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
        expect(res.headers['cache-control']).toBe('no-store');
        expect(res.headers.pragma).toBe('no-cache');
        token = (res.headers.authorization as string).slice('Bearer '.length);
      },
    },
    {
      name: 'GET /some-path with the token → 200 and the user',
      async run(t) {
        const res = await t.get('/some-path').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ user: 'alice', authenticated: true, scopes: ['authenticated'], sub: ALICE.id });
      },
    },
    {
      name: 'BEA-01 GET /some-path without a token → 401 Bearer realm="api" with no error=',
      async run(t) {
        const res = await t.get('/some-path');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(REALM);
      },
    },
    {
      name: 'BEA-04 the scheme is case-insensitive',
      async run(t) {
        for (const scheme of ['bearer', 'BEARER']) expect((await t.get('/some-path').set('Authorization', `${scheme} ${token}`)).status).toBe(200);
      },
    },
    {
      name: 'JWT-09 expired → 401 invalid_token with error_description="expired" (also when the token was cached)',
      async run(t) {
        try {
          await setClock(t, T0 + 900_000);
          const res = await t.get('/some-path').set('Authorization', `Bearer ${token}`);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe(EXPIRED);
        } finally {
          await setClock(t, T0);
        }
        expect((await t.get('/some-path').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      },
    },
    {
      name: 'JWT-07 tampered (a payload character flipped, the signature cut, another key) → 401-T',
      async run(t) {
        const [h, p, s] = token.split('.') as [string, string, string];
        const flipped = `${h}.${p.slice(0, 5)}${p[5] === 'A' ? 'B' : 'A'}${p.slice(6)}.${s}`;
        const other = await signJws({ alg: 'HS256', typ: 'at+jwt' }, claims({ sub: ALICE.id }), new Uint8Array(32).fill(1));
        for (const bad of [flipped, `${h}.${p}.${s.slice(0, 10)}`, `${h}.${p}.`, other]) {
          const res = await t.get('/some-path').set('Authorization', `Bearer ${bad}`);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        }
      },
    },
    {
      name: 'JWT-01 alg:none (and None, NONE) → 401-T',
      async run(t) {
        for (const alg of ['none', 'None', 'NONE']) {
          const unsigned = `${b64url(JSON.stringify({ alg, typ: 'at+jwt' }))}.${b64url(JSON.stringify(claims({ sub: ALICE.id })))}.`;
          const res = await t.get('/some-path').set('Authorization', `Bearer ${unsigned}`);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        }
      },
    },
    {
      name: 'JWT-12/14/17/18 no exp, another audience, no sub, typ JWT → 401-T',
      async run(t) {
        const header = { alg: 'HS256', typ: 'at+jwt' };
        const { exp: _exp, ...noExp } = claims({ sub: ALICE.id });
        const { sub: _sub, ...noSub } = claims();
        const tokens = [
          await signJws(header, noExp),
          await signJws(header, claims({ sub: ALICE.id, aud: 'https://billing.example' })),
          await signJws(header, noSub),
          await signJws({ alg: 'HS256', typ: 'JWT' }, claims({ sub: ALICE.id })),
        ];
        for (const bad of tokens) {
          const res = await t.get('/some-path').set('Authorization', `Bearer ${bad}`);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        }
      },
    },
    {
      name: 'JWT-11 an iat in the future (no maxTokenAge) and exp/nbf/iat that are not whole seconds in range → 401-T, never "expired"',
      async run(t) {
        for (const payload of badDatePayloads({ sub: ALICE.id })) {
          const bad = await signJws({ alg: 'HS256', typ: 'at+jwt' }, payload);
          const res = await t.get('/some-path').set('Authorization', `Bearer ${bad}`);
          expect(res.status, payload).toBe(401);
          expect(res.headers['www-authenticate'], payload).toBe(INVALID_TOKEN);
        }
      },
    },
    {
      name: 'BEA-03 "Bearer", "Bearer " and "Bearer a b" → 400 invalid_request',
      async run(t) {
        for (const value of ['Bearer', 'Bearer ', 'Bearer a b']) {
          const res = await t.raw(['GET /some-path HTTP/1.1', 'Host: app.example', `Authorization: ${value}`]);
          expect(res.status, value).toBe(400);
          expect(res.header('www-authenticate'), value).toBe(INVALID_REQUEST);
        }
      },
    },
    {
      name: 'BEA-07 ?access_token= is never read → 401 with no error=',
      async run(t) {
        const res = await t.get(`/some-path?access_token=${token}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(REALM);
      },
    },
    {
      name: 'BEA-10 HONO-SCHEME: Basic, Token, JWT and Digest values are not verified as JWTs',
      async run(t) {
        for (const value of [`Basic ${token}`, `Token ${token}`, `JWT ${token}`, 'Digest username="x"']) {
          const res = await t.get('/some-path').set('Authorization', value);
          expect([400, 401], value).toContain(res.status);
          expect(res.headers['www-authenticate'] ?? '', value).not.toContain('invalid_token');
        }
      },
    },
    {
      name: 'BEA-11 a valid token without the scope → 403 insufficient_scope with scope="admin"',
      async run(t) {
        const res = await t.get('/admin').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(403);
        expect(res.headers['www-authenticate']).toBe(`${REALM}, error="insufficient_scope", scope="admin"`);
        const admin = await t.control<string>('issue', { sub: ALICE.id, scopes: ['admin'] });
        expect((await t.get('/admin').set('Authorization', `Bearer ${admin}`)).status).toBe(200);
      },
    },
    {
      name: 'JWT-32 prototype keys in the payload escalate nothing',
      async run(t) {
        const payload = `{"sub":"${ALICE.id}","iss":"${ISSUER}","aud":"${AUDIENCE}","exp":${T0 / 1000 + 300},"jti":"p1","__proto__":{"admin":true},"constructor":{"prototype":{"scope":"admin"}},"scope":"read"}`;
        const polluted = await signJws({ alg: 'HS256', typ: 'at+jwt' }, payload);
        const res = await t.get('/some-path').set('Authorization', `Bearer ${polluted}`);
        expect(res.status).toBe(200);
        expect(res.body.scopes).toEqual(['authenticated', 'read']);
        expect((await t.get('/admin').set('Authorization', `Bearer ${polluted}`)).status).toBe(403);
        expect(({} as Record<string, unknown>).admin).toBeUndefined();
      },
    },
    {
      name: 'DOS-04 a 9 KiB JWT is refused before any verification: 401 invalid_token, never 5xx',
      async run(t) {
        const big = await signJws({ alg: 'HS256', typ: 'at+jwt' }, claims({ sub: ALICE.id, pad: 'x'.repeat(7000) }));
        expect(big.length).toBeGreaterThan(9 * 1024);
        const res = await t.get('/some-path').set('Authorization', `Bearer ${big}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toContain('error="invalid_token"');
      },
    },
    {
      name: 'LEAK-04/LEAK-06 malformed tokens → 4xx with a generic body; neither the token nor the secret is echoed',
      async run(t) {
        for (const junk of ['a.b.c', 'eyJ.eyJ.', `${token}x`, 'x'.repeat(100), `${token.split('.')[0] as string}.e30.AAAA`]) {
          const res = await t.get('/some-path').set('Authorization', `Bearer ${junk}`).set('Accept', 'application/json');
          expect(res.status, junk).toBe(401);
          expect(res.body).toEqual({ error: 'invalid_credentials' });
          const all = JSON.stringify(res.headers) + res.text;
          expect(all).not.toContain(junk.slice(0, 12));
          expect(all).not.toContain(b64url(SECRET).slice(0, 12));
        }
      },
    },
    {
      name: 'TOK-07/JWT-29 POST /logout revokes the token: the next request → 401 error_description="revoked"',
      async run(t) {
        const issued = await t.control<string>('issue', { sub: ALICE.id });
        expect((await t.get('/some-path').set('Authorization', `Bearer ${issued}`)).status).toBe(200);
        const out = await t.post('/logout').set('Authorization', `Bearer ${issued}`);
        expect(out.status).toBe(204);
        const res = await t.get('/some-path').set('Authorization', `Bearer ${issued}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(REVOKED);
        expect((await t.get('/some-path').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      },
    },
    {
      name: 'JWT-30 after a password change, tokens issued before it → 401 revoked; a new login works',
      async run(t) {
        await setClock(t, T0 + 60_000);
        try {
          const res = await t.post('/password').set('Authorization', `Bearer ${token}`);
          expect(res.status).toBe(200);
          const old = await t.get('/some-path').set('Authorization', `Bearer ${token}`);
          expect(old.status).toBe(401);
          expect(old.headers['www-authenticate']).toBe(REVOKED);
          const login = await t.post('/login').send(ALICE);
          const fresh = (login.headers.authorization as string).slice('Bearer '.length);
          expect((await t.get('/some-path').set('Authorization', `Bearer ${fresh}`)).status).toBe(200);
        } finally {
          await setClock(t, T0);
        }
      },
    },
  ],
};
