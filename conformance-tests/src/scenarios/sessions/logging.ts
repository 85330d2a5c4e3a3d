import { sessionAuth, type AuthenticationFailure, type SessionEvent } from '@portcullis/core';
import { generateSessionId } from '@portcullis/core/adapter';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import type { AppSpec } from '../../spec.js';
import { takeControl, taken } from '../../control.js';
import { Accounts, SAME_ORIGIN, answering, cookie, cookieValue, idOf, jsonBody, loginOf, logoutRoute, sessionsOf, type SessionStoreFactory } from './fixtures.js';

const PASSWORD = 'S3cr3t!Pw';

/**
 * The app of the logging scenarios: Alice's account, `POST /login` (JSON), `POST
 * /logout`, and `GET /me` behind required session authentication; session
 * events go to `sessionLog`.
 */
function aliceApp(stores: SessionStoreFactory, sessionLog: (event: SessionEvent) => void): AppSpec {
  const accounts = new Accounts();
  const ready = accounts.create('Alice', 'alice@example.com', PASSWORD);
  return {
    backend: sessionAuth({ retrieveUser: (s) => accounts.byId(s.user_id), exclude: ['/login'] }),
    mode: 'required',
    exclude: ['/login'],
    sessions: sessionsOf(stores, { log: sessionLog }),
    routes: [
      {
        method: 'POST',
        path: '/login',
        handler: (view) =>
          answering(view, async () => {
            await ready;
            const { email, password } = jsonBody(view);
            const user = await accounts.backend.verifyCredentials(String(email), String(password), view.connection);
            if (user === null) return { status: 401, text: 'Unauthorized' };
            await loginOf(view)(user, { user_id: user.id });
            return { text: 'in' };
          }),
      },
      logoutRoute(),
      { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.displayName }) },
    ],
  };
}

/**
 * LEAK-07: with capturing loggers on authentication and sessions, a failed
 * login, a failed session (destroyed, forged) and a logout log nothing secret:
 * no password, no cookie value, no raw session id — hashed ids only.
 */
export function logging(stores: SessionStoreFactory): Scenario {
  const lines: string[] = [];
  return {
    id: `sessions-logging (${stores.name})`,
    title: 'LEAK-07 session logs carry hashed ids only, never a cookie, id or password',
    needs: ['sessions'],
    app: () => {
      lines.length = 0;
      return {
        ...aliceApp(stores, (event) => lines.push(JSON.stringify(event))),
        log: (event: AuthenticationFailure) => lines.push(JSON.stringify(event)),
        controls: { takeLines: takeControl(lines) },
      };
    },
    cases: [
      {
        name: 'LEAK-07 no password, cookie value or raw session id in any log line; ids appear hashed',
        async run(t) {
          expect((await t.post('/login').set(SAME_ORIGIN).send({ email: 'alice@example.com', password: `${PASSWORD}x` })).status).toBe(401);
          const res = await t.post('/login').set(SAME_ORIGIN).send({ email: 'alice@example.com', password: PASSWORD });
          const sid = cookieValue(res) as string;
          await t.get('/me').set('Cookie', cookie(sid));
          await t.get('/me').set('Cookie', cookie(`${sid}x`));
          await t.post('/logout').set(SAME_ORIGIN).set('Cookie', cookie(sid));
          await t.get('/me').set('Cookie', cookie(sid));
          await new Promise((resolve) => setTimeout(resolve, 20));
          const logged = await taken<string>(t, 'takeLines');
          const all = logged.join('\n');
          expect(logged.some((l) => l.includes('"session_login"'))).toBe(true);
          expect(logged.some((l) => l.includes('"session_logout"'))).toBe(true);
          for (const secret of [PASSWORD, sid, decodeURIComponent(sid), idOf(sid), idOf(sid).slice(0, 16)]) {
            expect(all).not.toContain(secret);
          }
          for (const line of logged.filter((l) => l.includes('"sid"'))) expect(JSON.parse(line).sid).toMatch(/^[0-9a-f]{12}$/);
        },
      },
    ],
  };
}

/**
 * A session cookie whose id the server does not hold — forged, never issued, or
 * destroyed by a logout and replayed — is never adopted and reaches the session
 * log once per request as `session_unknown_id` (no id, hashed or raw, since the
 * client chose it). A live cookie and a request without one log no such event.
 */
export function unknownIdLogging(stores: SessionStoreFactory): Scenario {
  const events: SessionEvent[] = [];
  /** The events the test process has read from the app since the last {@link clear}. */
  const seen: SessionEvent[] = [];
  const named = async (t: Client, name: string) => {
    seen.push(...(await taken<SessionEvent>(t)));
    return seen.filter((e) => e.event === name);
  };
  const clear = async (t: Client) => {
    await taken(t);
    seen.length = 0;
  };
  const logIn = async (t: Client, sid?: string) => {
    const req = t.post('/login').set(SAME_ORIGIN);
    if (sid !== undefined) req.set('Cookie', cookie(sid));
    const res = await req.send({ email: 'alice@example.com', password: PASSWORD });
    expect(res.status).toBe(200);
    return cookieValue(res) as string;
  };
  return {
    id: `sessions-unknown-id (${stores.name})`,
    title: 'a session cookie with an unknown or forged id is logged as session_unknown_id',
    needs: ['sessions'],
    app: () => {
      events.length = 0;
      seen.length = 0;
      return { ...aliceApp(stores, (event) => events.push(event)), controls: { takeEvents: takeControl(events) } };
    },
    cases: [
      {
        name: 'a forged session cookie on a guarded route: 401 and one session_unknown_id event, without a sid',
        async run(t) {
          const forged = generateSessionId();
          for (const value of [forged, `${forged}.AAAA`, `s%3A${forged}.AAAA`]) {
            await clear(t);
            const res = await t.get('/me').set('Cookie', cookie(value));
            expect(res.status).toBe(401);
            expect(await named(t, 'session_unknown_id')).toHaveLength(1);
            expect((await named(t, 'session_unknown_id'))[0]).toEqual({ event: 'session_unknown_id', method: 'GET', path: '/me' });
          }
        },
      },
      {
        name: 'SES-01 login holding a forged cookie issues a new id and logs session_unknown_id once',
        async run(t) {
          await clear(t);
          const forged = generateSessionId();
          const sid = await logIn(t, forged);
          expect(idOf(sid)).not.toBe(forged);
          expect(await named(t, 'session_unknown_id')).toHaveLength(1);
          // session_login carries a hashed sid, computed asynchronously.
          await expect.poll(async () => (await named(t, 'session_login')).length).toBe(1);
        },
      },
      {
        name: 'SES-02 a cookie replayed after logout is logged as session_unknown_id',
        async run(t) {
          const sid = await logIn(t);
          expect((await t.post('/logout').set(SAME_ORIGIN).set('Cookie', cookie(sid))).status).toBe(200);
          await clear(t);
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(401);
          expect(await named(t, 'session_unknown_id')).toHaveLength(1);
        },
      },
      {
        name: 'a live session cookie, or none, logs no session_unknown_id',
        async run(t) {
          const sid = await logIn(t);
          await clear(t);
          expect((await t.get('/me').set('Cookie', cookie(sid))).status).toBe(200);
          expect((await t.get('/me')).status).toBe(401);
          expect((await t.post('/login').set(SAME_ORIGIN).send({ email: 'alice@example.com', password: PASSWORD })).status).toBe(200);
          expect(await named(t, 'session_unknown_id')).toEqual([]);
        },
      },
    ],
  };
}
