import { jwtAuth, withSecurity, type JwtAuth } from '@portcullis/jwt';
import { expect } from 'vitest';
import { DemoUser } from '../../fixtures.js';
import type { Scenario } from '../../scenario.js';
import { AUDIENCE, INVALID_TOKEN, ISSUER, REALM, SECRET, frozenClock, me } from './support.js';

const clock = frozenClock();
let jwt: JwtAuth<DemoUser>;

const EXCLUDE = ['/login', '/schema', '/public/*'];

/**
 * Litestar's `exclude=["/login", "/schema"]` is the core's
 * `authentication({ mode: 'required', exclude })`: excluded paths let anonymous
 * requests through, nothing more. A token sent to an excluded path is still
 * verified, and a bad one is still refused.
 */
export const jwtExcludedPaths: Scenario = {
  id: 'jwt-excluded-paths',
  title: 'JWT with required mode and excluded paths (Litestar exclude=[...]); the OpenAPI scheme at /schema',
  app: () => {
    clock.reset();
    jwt = jwtAuth<DemoUser>({
      algorithms: ['HS256'],
      secret: SECRET,
      issuer: ISSUER,
      audience: AUDIENCE,
      clock: clock.now,
      retrieveUser: (t) => new DemoUser(t.sub),
    });
    const schema = withSecurity(
      { openapi: '3.1.0', info: { title: 'My API', version: '1.0.0' }, paths: { '/login': { post: {} }, '/some-path': { get: {} } } },
      jwt.securityScheme,
      { exclude: EXCLUDE },
    );
    return {
      backend: jwt,
      mode: 'required',
      exclude: EXCLUDE,
      routes: [
        { method: 'POST', path: '/login', handler: async () => ({ description: await jwt.login('alice') }) },
        { method: 'GET', path: '/schema', handler: () => ({ json: schema }) },
        { method: 'GET', path: '/public/docs', handler: me },
        { method: 'GET', path: '/login-as-admin', handler: me },
        { method: 'GET', path: '/some-path', handler: me },
      ],
    };
  },
  cases: [
    {
      name: 'excluded paths answer anonymous requests: POST /login, GET /schema, GET /public/docs',
      async run(t) {
        expect((await t.post('/login')).status).toBe(201);
        const schema = await t.get('/schema');
        expect(schema.status).toBe(200);
        expect(schema.body.components.securitySchemes.BearerToken).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' });
        expect(schema.body.security).toEqual([{ BearerToken: [] }]);
        expect(schema.body.paths['/login'].post.security).toEqual([]);
        const pub = await t.get('/public/docs');
        expect(pub.status).toBe(200);
        expect(pub.body.authenticated).toBe(false);
      },
    },
    {
      name: 'GRD-01 everything else needs the token: 401 Bearer realm="api"',
      async run(t) {
        const res = await t.get('/some-path');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(REALM);
      },
    },
    {
      name: 'LITESTAR #3700 patterns are not greedy: /login-as-admin is not /login',
      async run(t) {
        expect((await t.get('/login-as-admin')).status).toBe(401);
      },
    },
    {
      name: 'GRD-08 non-canonical spellings of an excluded prefix stay protected',
      async run(t) {
        for (const path of ['/public/..%2Fsome-path', '/public/%2e%2e/some-path', '//public/docs']) {
          const res = await t.raw([`GET ${path} HTTP/1.1`, 'Host: app.example']);
          expect(res.status, path).toBe(401);
        }
      },
    },
    {
      name: 'a bad token on an excluded path is still refused (401-T), never treated as anonymous',
      async run(t) {
        const res = await t.get('/public/docs').set('Authorization', 'Bearer not.a.jwt');
        expect(res.status).toBe(401);
        expect(res.headers['www-authenticate']).toBe(INVALID_TOKEN);
      },
    },
    {
      name: 'a good token on an excluded path authenticates the request',
      async run(t) {
        const { token } = await jwt.issue('carol');
        const res = await t.get('/public/docs').set('Authorization', `Bearer ${token}`);
        expect(res.body).toMatchObject({ user: 'carol', authenticated: true });
      },
    },
  ],
};
