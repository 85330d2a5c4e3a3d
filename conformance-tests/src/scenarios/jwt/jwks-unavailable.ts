import type { AuthenticationBackend, Connection } from '@portcullis/core';
import { multi } from '@portcullis/core';
import { jwtAuth } from '@portcullis/jwt';
import { expect } from 'vitest';
import { DemoUser, basic, basicBackend } from '../../fixtures.js';
import type { Scenario } from '../../scenario.js';
import { AUDIENCE, ISSUER, REALM, claims, es256, frozenClock, me, signJws, startJwksServer, type JwksServer } from './support.js';

const clock = frozenClock();
let idp: JwksServer | undefined;
let inner: AuthenticationBackend<DemoUser> | undefined;
let key: Awaited<ReturnType<typeof es256>>;
let basicCalls = 0;

const deferred: AuthenticationBackend<DemoUser> = {
  challenges: [REALM, 'Basic realm="api", charset="UTF-8"'],
  authenticate(connection: Connection) {
    if (inner === undefined) throw new Error('JWKS scenario not set up');
    return inner.authenticate(connection);
  },
};

/** The provider's JWKS endpoint hangs: Bearer requests fail closed within the timeout, and the chain never falls through. */
export const jwtJwksUnavailable: Scenario = {
  id: 'jwt-jwks-unavailable',
  title: 'JWKS endpoint that hangs: 503 within timeoutDuration, the chain [jwt, basic] halts',
  app: () => {
    clock.reset();
    basicCalls = 0;
    inner = undefined;
    return {
      backend: deferred,
      mode: 'required',
      routes: [{ method: 'GET', path: '/some-path', handler: me }],
      controls: {
        /** Builds the chain [jwt, basic] where the app runs, once the JWKS server listens: `{ jwksUrl }`. */
        configure: (arg) => {
          const { jwksUrl } = arg as { jwksUrl: string };
          const jwt = jwtAuth<DemoUser>({
            algorithms: ['ES256'],
            jwks: { url: jwksUrl, cacheMaxAge: 600_000, cooldownDuration: 30_000, timeoutDuration: 500 },
            issuer: ISSUER,
            audience: AUDIENCE,
            clock: clock.now,
            retrieveUser: (t) => new DemoUser(t.sub),
          });
          inner = multi([jwt, basicBackend('api', undefined, () => basicCalls++)]);
        },
        basicCalls: () => basicCalls,
      },
    };
  },
  cases: [
    {
      name: 'start a JWKS server that sleeps 10 s (setup)',
      async run(t) {
        key = await es256('idp-1');
        idp = await startJwksServer([key.jwk]);
        idp.delay = 10_000;
        await t.control('configure', { jwksUrl: idp.url });
      },
    },
    {
      name: 'DOS-06/CHN-01 a Bearer request fails within timeoutDuration with 503 and a generic body; Basic is never consulted',
      async run(t) {
        const token = await signJws({ alg: 'ES256', typ: 'at+jwt', kid: 'idp-1' }, claims(), key.privateKey);
        const start = Date.now();
        const res = await t.get('/some-path').set('Authorization', `Bearer ${token}`).set('Accept', 'application/json');
        expect(Date.now() - start).toBeLessThan(3_000);
        expect(res.status).toBe(503);
        expect(res.body).toEqual({ error: 'backend_unavailable' });
        expect(res.text).not.toContain(token.slice(0, 16));
        expect(await t.control('basicCalls')).toBe(0);
      },
    },
    {
      name: 'other requests are not blocked meanwhile: Basic credentials still work',
      async run(t) {
        const res = await t.get('/some-path').set('Authorization', basic('alice', 'alicepwd'));
        expect(res.status).toBe(200);
        expect(res.body.user).toBe('alice');
      },
    },
    {
      name: 'CHN-02 no credentials → 401 with both challenges',
      async run(t) {
        const res = await t.get('/some-path');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(`${REALM}, Basic realm="api", charset="UTF-8"`);
      },
    },
    {
      name: 'stop the server (teardown)',
      async run() {
        await idp?.close();
      },
    },
  ],
};
