import type { AuthenticationBackend, Connection } from '@portcullis/core';
import { jwtAuth, type JwtAuth } from '@portcullis/jwt';
import { expect } from 'vitest';
import { DemoUser } from '../../fixtures.js';
import type { Scenario } from '../../scenario.js';
import { AUDIENCE, INVALID_TOKEN, ISSUER, REALM, T0, b64url, claims, es256, frozenClock, me, signJws, startJwksServer, type JwksServer } from './support.js';

const clock = frozenClock();
let idp: JwksServer | undefined;
let attacker: JwksServer | undefined;
/** The backend, where the app runs (built by its `configure` control). */
let inner: JwtAuth<DemoUser> | undefined;
let key: Awaited<ReturnType<typeof es256>>;

/**
 * The backend is built once the JWKS server listens (its URL is configuration);
 * until then every request fails closed.
 */
const deferred: AuthenticationBackend<DemoUser> = {
  challenges: [REALM],
  authenticate(connection: Connection) {
    if (inner === undefined) throw new Error('JWKS scenario not set up');
    return inner.authenticate(connection);
  },
};

/** Tokens from an identity provider, verified with its remote JWK Set (on 127.0.0.1, counting its hits). */
export const jwtJwks: Scenario = {
  id: 'jwt-jwks',
  title: 'JWT verified with a remote JWKS: cached keys, unknown kids, keys named by the token',
  app: () => {
    clock.reset();
    inner = undefined;
    return {
      backend: deferred,
      mode: 'required',
      routes: [{ method: 'GET', path: '/some-path', handler: me }],
      controls: {
        /** Builds the backend where the app runs, once the JWKS server listens: `{ jwksUrl }`. */
        configure: (arg) => {
          const { jwksUrl } = arg as { jwksUrl: string };
          inner = jwtAuth<DemoUser>({
            algorithms: ['ES256'],
            jwks: { url: jwksUrl, cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 1_000 },
            issuer: ISSUER,
            audience: AUDIENCE,
            clock: clock.now,
            retrieveUser: (t) => new DemoUser(t.sub),
          });
        },
      },
    };
  },
  cases: [
    {
      name: 'start the JWKS server and the attacker’s server (setup)',
      async run(t) {
        key = await es256('idp-1');
        idp = await startJwksServer([key.jwk]);
        attacker = await startJwksServer([]);
        await t.control('configure', { jwksUrl: idp.url });
      },
    },
    {
      name: 'an ES256 token signed by the provider → 200; the JWKS is fetched once for many requests',
      async run(t) {
        for (const sub of ['alice', 'bob', 'carol']) {
          const token = await signJws({ alg: 'ES256', typ: 'at+jwt', kid: 'idp-1' }, claims({ sub }), key.privateKey);
          const res = await t.get('/some-path').set('Authorization', `Bearer ${token}`);
          expect(res.status).toBe(200);
          expect(res.body.user).toBe(sub);
        }
        expect(idp?.hits).toBe(1);
      },
    },
    {
      name: 'DOS-05 200 requests with random kids → 401-T each, and no refetch within cooldownDuration',
      async run(t) {
        const body = b64url(JSON.stringify(claims()));
        for (let batch = 0; batch < 4; batch++) {
          const answers = await Promise.all(
            Array.from({ length: 50 }, () => {
              const header = b64url(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: crypto.randomUUID() }));
              return t.get('/some-path').set('Authorization', `Bearer ${header}.${body}.${b64url('sig')}`);
            }),
          );
          for (const res of answers) {
            expect(res.status).toBe(401);
            expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
          }
        }
        expect(idp?.hits).toBe(1);
      },
    },
    {
      name: 'JWT-20/21 jku, x5u and an embedded jwk naming the attacker’s key → 401-T, and the attacker’s server gets 0 requests',
      async run(t) {
        const evil = await es256('idp-1');
        attacker!.keys = [evil.jwk];
        const headers = [{ jku: attacker!.url }, { x5u: attacker!.url }, { jwk: evil.jwk }, { jku: attacker!.url, kid: 'idp-1' }];
        for (const extra of headers) {
          const token = await signJws({ alg: 'ES256', typ: 'at+jwt', kid: 'idp-1', ...extra }, claims(), evil.privateKey);
          const res = await t.get('/some-path').set('Authorization', `Bearer ${token}`);
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
        }
        expect(attacker?.hits).toBe(0);
      },
    },
    {
      name: 'JWT-05/06 an HS256 token carrying the provider’s kid → 401-T (the algorithm is pinned, never taken from the token)',
      async run(t) {
        const token = await signJws({ alg: 'HS256', typ: 'at+jwt', kid: 'idp-1' }, claims(), new TextEncoder().encode(JSON.stringify(key.jwk)));
        const res = await t.get('/some-path').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
      },
    },
    {
      name: 'expired provider token → 401 expired',
      async run(t) {
        const token = await signJws({ alg: 'ES256', typ: 'at+jwt', kid: 'idp-1' }, claims({}, T0 - 3_600_000), key.privateKey);
        const res = await t.get('/some-path').set('Authorization', `Bearer ${token}`);
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(`${REALM}, error="invalid_token", error_description="expired"`);
      },
    },
    {
      name: 'stop the servers (teardown)',
      async run() {
        await idp?.close();
        await attacker?.close();
      },
    },
  ],
};
