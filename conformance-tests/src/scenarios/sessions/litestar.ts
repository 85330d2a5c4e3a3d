import { sessionAuth } from '@portcullis/core';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import {
  Accounts,
  SAME_ORIGIN,
  answering,
  cookie,
  cookieAttributes,
  cookieValue,
  jsonBody,
  loginOf,
  logoutOf,
  sessionsOf,
  setCookieLine,
  uniqueEmail,
  type SessionStoreFactory,
} from './fixtures.js';

const EXCLUDE = ['/login', '/signup', '/schema'];

async function signup(t: Client, email: string, password = 'correct horse battery') {
  return t.post('/signup').set(SAME_ORIGIN).send({ name: 'Alice', email, password });
}

/**
 * The Litestar `SessionAuth` example on every adapter: `POST /signup` creates the
 * user and the session, `GET /user` returns it, `POST /login` verifies the
 * password, `POST /logout` ends the session; `/login`, `/signup` and `/schema`
 * are excluded from the required authentication.
 */
export function litestarExample(stores: SessionStoreFactory): Scenario {
  return {
    id: `sessions-litestar (${stores.name})`,
    title: 'the Litestar SessionAuth example: signup, user, login, logout',
    needs: ['sessions'],
    app: () => {
      const accounts = new Accounts();
      return {
        backend: sessionAuth({ retrieveUser: (session) => accounts.byId(session.user_id), exclude: EXCLUDE }),
        mode: 'required',
        exclude: EXCLUDE,
        sessions: sessionsOf(stores),
        routes: [
          {
            method: 'POST',
            path: '/signup',
            handler: (view) =>
              answering(view, async () => {
                const { name, email, password } = jsonBody(view);
                if (typeof name !== 'string' || typeof email !== 'string' || typeof password !== 'string' || accounts.byEmail(email)) {
                  return { status: 400, json: { error: 'invalid_signup' } };
                }
                const account = await accounts.create(name, email, password);
                await loginOf(view)(account, { user_id: account.id });
                return { status: 201, json: account };
              }),
          },
          {
            method: 'POST',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                const { email, password } = jsonBody(view);
                const account =
                  typeof email === 'string' && typeof password === 'string'
                    ? await accounts.backend.verifyCredentials(email, password, view.connection)
                    : null;
                if (account === null) return { status: 401, json: { error: 'unauthorized' } };
                await loginOf(view)(account, { user_id: account.id });
                return { json: account };
              }),
          },
          {
            method: 'POST',
            path: '/logout',
            handler: (view) =>
              answering(view, async () => {
                await logoutOf(view)();
                return { text: 'Logged out' };
              }),
          },
          { method: 'GET', path: '/user', handler: (view) => ({ json: view.user }) },
          { method: 'GET', path: '/schema', handler: () => ({ json: { openapi: '3.1.0', info: { title: 'My API', version: '1.0.0' } } }) },
        ],
      };
    },
    cases: [
      {
        name: 'POST /signup creates the user and the session (201 + session cookie)',
        async run(t) {
          const email = uniqueEmail('signup');
          const res = await signup(t, email);
          expect(res.status).toBe(201);
          expect(res.body).toMatchObject({ name: 'Alice', email });
          expect(typeof res.body.id).toBe('string');
          const line = setCookieLine(res);
          expect(line).toBeDefined();
          const attrs = cookieAttributes(line as string);
          expect(attrs.has('httponly')).toBe(true);
          expect(attrs.get('samesite')?.toLowerCase()).toBe('lax');
          expect(attrs.get('path')).toBe('/');
          expect(attrs.has('domain')).toBe(false);
          expect(res.headers['cache-control']).toBe('no-store');
        },
      },
      {
        name: 'GET /user returns the user of the session',
        async run(t) {
          const email = uniqueEmail('user');
          const created = await signup(t, email);
          const sid = cookieValue(created) as string;
          const res = await t.get('/user').set('Cookie', cookie(sid));
          expect(res.status).toBe(200);
          expect(res.body).toEqual(created.body);
          expect(res.headers['set-cookie']).toBeUndefined();
        },
      },
      {
        name: 'GET /user without a session → 401 with the Cookie challenge',
        async run(t) {
          const res = await t.get('/user');
          expect(res.status).toBe(401);
          expect(res.headers['www-authenticate']).toBe('Cookie realm="app"');
          expect(res.headers['set-cookie']).toBeUndefined();
        },
      },
      {
        name: 'POST /login with a wrong email → 401 and no session',
        async run(t) {
          const email = uniqueEmail('wrong');
          await signup(t, email);
          const res = await t.post('/login').set(SAME_ORIGIN).send({ email: `nobody-${email}`, password: 'correct horse battery' });
          expect(res.status).toBe(401);
          expect(setCookieLine(res)).toBeUndefined();
        },
      },
      {
        name: 'POST /login with a wrong password → 401 and no session',
        async run(t) {
          const email = uniqueEmail('pw');
          await signup(t, email);
          const res = await t.post('/login').set(SAME_ORIGIN).send({ email, password: 'wrong horse' });
          expect(res.status).toBe(401);
          expect(setCookieLine(res)).toBeUndefined();
        },
      },
      {
        name: 'POST /login → 200 with a new session; GET /user returns the user',
        async run(t) {
          const email = uniqueEmail('login');
          const created = await signup(t, email);
          const res = await t.post('/login').set(SAME_ORIGIN).send({ email, password: 'correct horse battery' });
          expect(res.status).toBe(200);
          expect(res.body).toEqual(created.body);
          const sid = cookieValue(res) as string;
          expect(sid).not.toBe(cookieValue(created));
          const user = await t.get('/user').set('Cookie', cookie(sid));
          expect(user.status).toBe(200);
          expect(user.body).toEqual(created.body);
        },
      },
      {
        name: 'SES-02 POST /logout, then GET /user with the same cookie → 401',
        async run(t) {
          const created = await signup(t, uniqueEmail('logout'));
          const sid = cookieValue(created) as string;
          const out = await t.post('/logout').set(SAME_ORIGIN).set('Cookie', cookie(sid));
          expect(out.status).toBe(200);
          const replay = await t.get('/user').set('Cookie', cookie(sid));
          expect(replay.status).toBe(401);
        },
      },
      {
        name: '/schema, /login and /signup are excluded: anonymous requests reach them',
        async run(t) {
          const schema = await t.get('/schema');
          expect(schema.status).toBe(200);
          expect(schema.body.openapi).toBe('3.1.0');
          expect((await t.post('/login').set(SAME_ORIGIN).send({})).status).toBe(401);
          expect((await t.post('/signup').set(SAME_ORIGIN).send({})).status).toBe(400);
        },
      },
    ],
  };
}
