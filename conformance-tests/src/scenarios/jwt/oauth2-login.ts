import { oauth2PasswordBearer, withSecurity, type OAuth2PasswordBearer } from '@portcullis/jwt';
import { expect } from 'vitest';
import { DemoUser } from '../../fixtures.js';
import type { Scenario } from '../../scenario.js';
import { frozenClock, hs256, me } from './support.js';

const clock = frozenClock();
let cache = new Map<string, { id: string; name: string; email: string }>();
let oauth2: OAuth2PasswordBearer<DemoUser>;

const BOB = { id: '0d9c3a52-8f0e-4d0b-9d8c-4b7e0f2a1c3d', name: 'bob', email: 'bob@example.com' };

/**
 * Litestar's `OAuth2PasswordBearerAuth` example: `POST /login` answers
 * `oauth2_auth.login(identifier)` — the standard OAuth2 login body — and
 * `POST /login_custom` answers `login(identifier, response_body=data)`. The
 * OpenAPI document served at `/schema` carries the password-flow scheme with
 * `tokenUrl: "/login"`.
 */
export const oauth2Login: Scenario = {
  id: 'oauth2-login',
  title: 'OAuth2PasswordBearerAuth login(): the OAuth2 body, a custom body, and the OpenAPI scheme',
  app: () => {
    cache = new Map();
    clock.reset();
    oauth2 = oauth2PasswordBearer<DemoUser>({
      ...hs256(clock),
      tokenUrl: '/login',
      verifyCredentials: () => null,
      retrieveUser: (t) => {
        const stored = cache.get(t.sub);
        return stored === undefined ? null : new DemoUser(stored.name);
      },
    });
    const exclude = ['/login', '/login_custom', '/schema'];
    const schema = withSecurity(
      {
        openapi: '3.1.0',
        info: { title: 'My API', version: '1.0.0' },
        paths: {
          '/login': { post: { responses: { '201': { description: 'token' } } } },
          '/login_custom': { post: { responses: { '201': { description: 'user' } } } },
          '/some-path': { get: { responses: { '200': { description: 'ok' } } } },
        },
      },
      oauth2.securityScheme,
      { exclude },
    );
    return {
      backend: oauth2,
      mode: 'required',
      exclude,
      routes: [
        {
          method: 'POST',
          path: '/login',
          async handler(view) {
            const data = JSON.parse(view.body.text) as typeof BOB;
            cache.set(data.id, data);
            return { description: await oauth2.login(data.id) };
          },
        },
        {
          method: 'POST',
          path: '/login_custom',
          async handler(view) {
            const data = JSON.parse(view.body.text) as typeof BOB;
            cache.set(data.id, data);
            return { description: await oauth2.login(data.id, { responseBody: data }) };
          },
        },
        { method: 'GET', path: '/some-path', handler: me },
        { method: 'GET', path: '/schema', handler: () => ({ json: schema }) },
      ],
    };
  },
  cases: [
    {
      name: 'POST /login without a response body → the OAuth2 login body {access_token, token_type, expires_in}',
      async run(t) {
        const res = await t.post('/login').send(BOB);
        expect(res.status).toBe(201);
        expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
        expect(res.headers.authorization).toBe(`Bearer ${res.body.access_token as string}`);
        expect(res.headers['cache-control']).toBe('no-store');
        const some = await t.get('/some-path').set('Authorization', `Bearer ${res.body.access_token as string}`);
        expect(some.status).toBe(200);
        expect(some.body.user).toBe('bob');
      },
    },
    {
      name: 'POST /login_custom with response_body → that body; the token is in the Authorization header',
      async run(t) {
        const res = await t.post('/login_custom').send(BOB);
        expect(res.status).toBe(201);
        expect(res.body).toEqual(BOB);
        const token = (res.headers.authorization as string).replace(/^Bearer /, '');
        expect((await t.get('/some-path').set('Authorization', `Bearer ${token}`)).status).toBe(200);
      },
    },
    {
      name: 'GET /schema (excluded) carries the OAuth2 password-flow scheme with tokenUrl, required everywhere but the excluded paths',
      async run(t) {
        const res = await t.get('/schema');
        expect(res.status).toBe(200);
        expect(res.body.components.securitySchemes.OAuth2PasswordBearer).toMatchObject({ type: 'oauth2', flows: { password: { tokenUrl: '/login', scopes: {} } } });
        expect(res.body.security).toEqual([{ OAuth2PasswordBearer: [] }]);
        expect(res.body.paths['/login'].post.security).toEqual([]);
        expect(res.body.paths['/some-path'].get.security).toBeUndefined();
      },
    },
  ],
};
