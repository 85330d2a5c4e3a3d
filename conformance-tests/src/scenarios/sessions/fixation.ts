import { sessionAuth } from '@portcullis/core';
import { generateSessionId } from '@portcullis/core/adapter';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import type { SessionSpec } from '../../spec.js';
import {
  Accounts,
  FrozenClock,
  SAME_ORIGIN,
  answering,
  cookie,
  cookieValue,
  idOf,
  jsonBody,
  loginOf,
  logoutOf,
  sessionOf,
  sessionsOf,
  type SessionStoreFactory,
} from './fixtures.js';

const PASSWORD = 'correct horse battery';

/**
 * Session fixation and replay (SES-01, SES-02, SES-05, SES-10, SES-11, SES-13,
 * SES-15): login always issues a new id and destroys the old session, an id the
 * server never issued is never adopted, logout destroys server-side, the cookie
 * holds only a random id, and a refresh racing a logout cannot revive it.
 */
export function fixation(stores: SessionStoreFactory): Scenario {
  let spec: SessionSpec;
  let clock: FrozenClock;
  let accounts: Accounts;

  async function user(t: Client): Promise<{ email: string }> {
    const email = `fix-${crypto.randomUUID().slice(0, 8)}@example.com`;
    await t.control('createAccount', email);
    return { email };
  }
  /** Whether the app's store holds the session `id`. */
  const stored = (t: Client, id: string) => t.control<boolean>('stored', id);

  async function logIn(t: Client, email: string, sid?: string): Promise<string> {
    const req = t.post('/login').set(SAME_ORIGIN);
    if (sid !== undefined) req.set('Cookie', cookie(sid));
    const res = await req.send({ email, password: PASSWORD });
    expect(res.status).toBe(200);
    const value = cookieValue(res);
    expect(value).toBeTruthy();
    return value as string;
  }

  return {
    id: `sessions-fixation (${stores.name})`,
    title: 'login rotates the id, unknown ids are never adopted, logout destroys server-side',
    needs: ['sessions'],
    app: () => {
      accounts = new Accounts();
      clock = new FrozenClock();
      spec = sessionsOf(stores, { clock: clock.read });
      return {
        backend: sessionAuth({ retrieveUser: (session) => accounts.byId(session.user_id), exclude: ['/login', '/remember'] }),
        mode: 'required',
        exclude: ['/login', '/remember'],
        sessions: spec,
        controls: {
          createAccount: async (email) => {
            await accounts.create('Fix', email as string, PASSWORD);
          },
          stored: async (id) => (await spec.store.get(id as string)) !== undefined,
          advance: (ms) => clock.advance(ms as number),
        },
        routes: [
          {
            method: 'POST',
            path: '/remember',
            handler: (view) =>
              answering(view, async () => {
                await sessionOf(view).set('note', 'pre-login');
                return { text: 'remembered' };
              }),
          },
          {
            method: 'POST',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                const { email, password } = jsonBody(view);
                const account = await accounts.backend.verifyCredentials(String(email), String(password), view.connection);
                if (account === null) return { status: 401, text: 'Unauthorized' };
                await loginOf(view)(account, { user_id: account.id });
                return { json: { ok: true } };
              }),
          },
          {
            method: 'POST',
            path: '/sudo',
            handler: (view) =>
              answering(view, async () => {
                await loginOf(view)(view.user, { user_id: view.user.identity, sudo: true });
                return { text: 'elevated' };
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
          { method: 'GET', path: '/me', handler: (view) => ({ json: { user: view.user.displayName } }) },
        ],
      };
    },
    cases: [
      {
        name: 'SES-01 an id the client made up is never adopted: login answers a new id, the made-up one stays unknown',
        async run(t) {
          const { email } = await user(t);
          for (const madeUp of [generateSessionId(), 'attacker-chosen', `s:${generateSessionId()}.forged`]) {
            const sid = await logIn(t, email, madeUp);
            expect(sid).not.toBe(madeUp);
            expect(idOf(sid)).not.toBe(idOf(madeUp));
            expect(await stored(t, idOf(madeUp))).toBe(false);
            expect((await t.get('/me').set('Cookie', cookie(madeUp))).status).toBe(401);
            expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(200);
          }
        },
      },
      {
        name: 'SES-01 login rotates an issued pre-login id: S2 ≠ S1, S1 is destroyed and anonymous',
        async run(t) {
          const { email } = await user(t);
          const pre = cookieValue(await t.post('/remember').set(SAME_ORIGIN)) as string;
          expect(pre).toBeTruthy();
          expect(await stored(t, idOf(pre))).toBe(true);
          const sid = await logIn(t, email, pre);
          expect(idOf(sid)).not.toBe(idOf(pre));
          expect(await stored(t, idOf(pre))).toBe(false);
          expect((await t.get('/me').set('Cookie', cookie(pre))).status).toBe(401);
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(200);
        },
      },
      {
        name: 'SES-01 logging in again from a live session rotates again',
        async run(t) {
          const { email } = await user(t);
          const first = await logIn(t, email);
          const second = await logIn(t, email, first);
          expect(idOf(second)).not.toBe(idOf(first));
          expect((await t.get('/me').set('Cookie', cookie(first))).status).toBe(401);
          expect((await t.get('/me').set('Cookie', cookie(second))).status).toBe(200);
        },
      },
      {
        name: 'SES-02 logout destroys the session server-side: the replayed cookie is anonymous',
        async run(t) {
          const { email } = await user(t);
          const sid = await logIn(t, email);
          expect(await stored(t, idOf(sid))).toBe(true);
          expect((await t.post('/logout').set(SAME_ORIGIN).set('Cookie', cookie(sid))).status).toBe(200);
          expect(await stored(t, idOf(sid))).toBe(false);
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(401);
          // Replaying the logout changes nothing either.
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(401);
        },
      },
      {
        name: 'SES-05 SES-10 the cookie holds only a 256-bit random id (43 base64url characters), no user data',
        async run(t) {
          const { email } = await user(t);
          const sid = await logIn(t, email);
          expect(idOf(sid)).toMatch(/^[A-Za-z0-9_-]{43}$/);
          expect(decodeURIComponent(sid)).not.toContain(email.split('@')[0]);
          expect(decodeURIComponent(sid)).not.toMatch(/user_id|\{|eyJ/);
          const ids = new Set<string>();
          for (let i = 0; i < 20; i++) ids.add(idOf(await logIn(t, email)));
          expect(ids.size).toBe(20);
        },
      },
      {
        name: 'SES-11 a session id in the query or a path parameter is ignored',
        async run(t) {
          const { email } = await user(t);
          const sid = await logIn(t, email);
          const id = idOf(sid);
          for (const target of [`/me?sid=${encodeURIComponent(sid)}`, `/me?id=${encodeURIComponent(sid)}`, `/me;jsessionid=${id}`]) {
            expect([401, 404], target).toContain((await t.get(target)).status);
          }
        },
      },
      {
        name: 'SES-13 a privilege change inside the session (sudo) regenerates the id',
        async run(t) {
          const { email } = await user(t);
          const sid = await logIn(t, email);
          const res = await t.post('/sudo').set(SAME_ORIGIN).set('Cookie', cookie(sid));
          expect(res.status).toBe(200);
          const elevated = cookieValue(res) as string;
          expect(elevated).toBeTruthy();
          expect(idOf(elevated)).not.toBe(idOf(sid));
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(401);
          expect((await t.get('/me').set('Cookie', cookie(elevated))).status).toBe(200);
        },
      },
      {
        name: 'SES-15 refreshes racing a logout do not bring the session back',
        async run(t) {
          const { email } = await user(t);
          const sid = await logIn(t, email);
          // Past the touch interval: every authenticated request now writes lastSeen.
          await t.control('advance', 5 * 60_000);
          const reads = Array.from({ length: 8 }, () => t.get('/me').set('Cookie', cookie(sid)).then((r) => r.status));
          const out = t.post('/logout').set(SAME_ORIGIN).set('Cookie', cookie(sid)).then((r) => r.status);
          const statuses = await Promise.all([...reads, out]);
          for (const s of statuses.slice(0, -1)) expect([200, 401]).toContain(s);
          expect(statuses.at(-1)).toBe(200);
          expect(await stored(t, idOf(sid))).toBe(false);
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(401);
        },
      },
      {
        name: 'SES-15 two concurrent logins from one pre-login id: the old id is invalid afterwards',
        async run(t) {
          const { email } = await user(t);
          const pre = cookieValue(await t.post('/remember').set(SAME_ORIGIN)) as string;
          const [a, b] = await Promise.all([logIn(t, email, pre), logIn(t, email, pre)]);
          expect(idOf(a)).not.toBe(idOf(b));
          expect(await stored(t, idOf(pre))).toBe(false);
          expect((await t.get('/me').set('Cookie', cookie(pre))).status).toBe(401);
        },
      },
    ],
  };
}
