import { sessionAuth } from '@portcullis/core';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import { Accounts, FrozenClock, SAME_ORIGIN, answering, fastHasher, cookie, cookieValue, idOf, jsonBody, loginOf, sessionsOf, type SessionStoreFactory } from './fixtures.js';

const PASSWORD = 'first password, long enough';

/**
 * The session re-reads the user on every request: a deleted user's sessions end
 * (SES-09), a revoked role takes effect at once (GRD-10), and a password change
 * renews the current session and ends the others (SES-08).
 */
export function userState(stores: SessionStoreFactory): Scenario {
  let accounts: Accounts;
  let clock: FrozenClock;

  async function account(t: Client): Promise<{ email: string; id: string }> {
    const email = `u-${crypto.randomUUID().slice(0, 8)}@example.com`;
    return { email, id: await t.control<string>('createAdmin', email) };
  }
  async function logIn(t: Client, email: string, password = PASSWORD): Promise<string> {
    const res = await t.post('/login').set(SAME_ORIGIN).send({ email, password });
    expect(res.status).toBe(200);
    return cookieValue(res) as string;
  }

  return {
    id: `sessions-users (${stores.name})`,
    title: 'deleted users, revoked roles and password changes take effect on the next request',
    needs: ['sessions'],
    app: () => {
      accounts = new Accounts();
      clock = new FrozenClock();
      return {
        backend: sessionAuth({
          retrieveUser: (session) => accounts.byId(session.user_id),
          scopes: (user) => ['authenticated', ...user.roles],
          validAfter: (user) => user.sessionsValidAfter,
          exclude: ['/login'],
        }),
        mode: 'required',
        exclude: ['/login'],
        sessions: sessionsOf(stores, { clock: clock.read }),
        controls: {
          /** An account with the `admin` role, by e-mail: answers its id. */
          createAdmin: async (email) => {
            const created = await accounts.create('User', email as string, PASSWORD);
            created.roles = ['admin'];
            return created.id;
          },
          removeAccount: (id) => accounts.remove(id as string),
          revokeRoles: (id) => {
            const account = accounts.byId(id);
            if (account !== null) account.roles = [];
          },
          advance: (ms) => clock.advance(ms as number),
        },
        routes: [
          {
            method: 'POST',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                const { email, password } = jsonBody(view);
                const user = await accounts.backend.verifyCredentials(String(email), String(password), view.connection);
                if (user === null) return { status: 401, text: 'Unauthorized' };
                await loginOf(view)(user, { user_id: user.id });
                return { text: 'in' };
              }),
          },
          {
            method: 'POST',
            path: '/password',
            handler: (view) =>
              answering(view, async () => {
                const user = accounts.byId(view.user.identity);
                const { password } = jsonBody(view);
                if (user === null || typeof password !== 'string') return { status: 400, text: 'Bad Request' };
                user.passwordHash = await fastHasher.hash(password);
                // Every session logged in before now ends; this one is renewed (a new id).
                user.sessionsValidAfter = view.connection.session?.config.clock() ?? Date.now();
                await loginOf(view)(user, { user_id: user.id });
                return { text: 'changed' };
              }),
          },
          { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.displayName }) },
          { method: 'GET', path: '/admin', requires: { scopes: 'admin' }, handler: () => ({ text: 'admin area' }) },
        ],
      };
    },
    cases: [
      {
        name: 'SES-09 a user deleted by an admin: all their sessions are rejected on the next request',
        async run(t) {
          const { email, id } = await account(t);
          const a = await logIn(t, email);
          const b = await logIn(t, email);
          expect((await t.get('/me').set('Cookie', cookie(a))).status).toBe(200);
          await t.control('removeAccount', id);
          expect((await t.get('/me').set('Cookie', cookie(a))).status).toBe(401);
          expect((await t.get('/me').set('Cookie', cookie(b))).status).toBe(401);
        },
      },
      {
        name: 'GRD-10 a role revoked while the session is live → 403 on the next request',
        async run(t) {
          const { email, id } = await account(t);
          const sid = await logIn(t, email);
          expect((await t.get('/admin').set('Cookie', cookie(sid))).status).toBe(200);
          await t.control('revokeRoles', id);
          expect((await t.get('/admin').set('Cookie', cookie(sid))).status).toBe(403);
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(200);
        },
      },
      {
        name: 'SES-08 a password change in session A renews A and ends session B',
        async run(t) {
          const { email } = await account(t);
          const a = await logIn(t, email);
          await t.control('advance', 1000);
          const b = await logIn(t, email);
          await t.control('advance', 1000);
          const res = await t.post('/password').set(SAME_ORIGIN).set('Cookie', cookie(a)).send({ password: 'second password, long enough' });
          expect(res.status).toBe(200);
          const renewed = cookieValue(res) as string;
          expect(idOf(renewed)).not.toBe(idOf(a));
          expect((await t.get('/me').set('Cookie', cookie(renewed))).status).toBe(200);
          expect((await t.get('/me').set('Cookie', cookie(a))).status).toBe(401);
          expect((await t.get('/me').set('Cookie', cookie(b))).status).toBe(401);
          await t.post('/login').set(SAME_ORIGIN).send({ email, password: PASSWORD }).expect(401);
        },
      },
    ],
  };
}
