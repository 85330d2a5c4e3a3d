import { saveSession, sessionAuth, sessionData, SimpleUser, type SessionData } from '@portcullis/core';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import { SAME_ORIGIN, answering, cookie, cookieValue, loginOf, logoutRoute, sessionsOf, setCookies, type SessionStoreFactory } from './fixtures.js';

/**
 * Keys that the session libraries own on their session objects (express-session's
 * `req.session`, koa-session's `ctx.session`), and the keys of `Object.prototype`.
 */
export const RESERVED_SESSION_KEYS: readonly string[] = Object.freeze([
  // express-session
  'id', 'cookie', 'req', 'regenerate', 'save', 'touch', 'reload', 'destroy', 'resetMaxAge',
  // koa-session
  '_expire', '_maxAge', '_session', '_requireSave', '_sessCtx', '_ctx', 'isNew', 'maxAge', 'length', 'populated',
  'externalKey', 'toJSON', 'inspect', 'commit', 'manuallyCommit', 'changed',
  // Object.prototype
  '__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty',
]);

/** Session data with every reserved key, built by JSON.parse so `__proto__` is an own key. */
function reservedData(): SessionData {
  const entries = RESERVED_SESSION_KEYS.map((key, i) => [key, i % 3 === 0 ? `v-${key}` : i % 3 === 1 ? { n: i, list: [i, null, true] } : i]);
  return JSON.parse(`{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`) as SessionData;
}

/** The app's data as sorted `[key, value]` pairs: `__proto__` compares like any other key. */
function pairs(data: Readonly<SessionData> | null): [string, unknown][] {
  return data === null ? [] : Object.keys(data).sort().map((key) => [key, data[key]]);
}

/**
 * Session data round-trips whatever its keys (DESIGN.md: "the session library's
 * own fields are never overwritten"): every key express-session and koa-session
 * own, and `__proto__`, `constructor`, `toString`, stored at login or before it,
 * come back unchanged; login, re-login and logout still work, and nothing leaks
 * onto `Object.prototype`.
 */
export function reservedKeys(stores: SessionStoreFactory): Scenario {
  const logIn = async (t: Client, sid?: string, path = '/login') => {
    const req = t.post(path).set(SAME_ORIGIN);
    if (sid !== undefined) req.set('Cookie', cookie(sid));
    const res = await req;
    expect(res.status).toBe(200);
    const value = cookieValue(res);
    expect(value).toBeTruthy();
    return value as string;
  };
  const read = async (t: Client, sid: string) => {
    const res = await t.get('/data').set('Cookie', cookie(sid));
    expect(res.status).toBe(200);
    expect(setCookies(res)).toEqual([]);
    return JSON.parse(res.text) as [string, unknown][];
  };
  const expected = pairs(reservedData());

  return {
    id: `sessions-reserved-keys (${stores.name})`,
    title: "session data round-trips whatever its keys; the session library's own fields are never overwritten",
    needs: ['sessions'],
    app: () => ({
      backend: sessionAuth({ retrieveUser: (s) => (s.user_id === 'alice' ? new SimpleUser('alice') : null), mode: 'optional' }),
      sessions: sessionsOf(stores, { keepOnLogin: ['next', ...RESERVED_SESSION_KEYS] }),
      routes: [
        {
          method: 'POST',
          path: '/login',
          handler: (view) =>
            answering(view, async () => {
              // `?bare`: only the user id, so the reserved keys come from keepOnLogin.
              const data = view.query.has('bare') ? {} : reservedData();
              await loginOf(view)(new SimpleUser('alice'), { ...data, user_id: 'alice' });
              return { text: 'in' };
            }),
        },
        {
          method: 'POST',
          path: '/remember',
          handler: (view) =>
            answering(view, async () => {
              await saveSession(view.connection, reservedData());
              return { text: 'remembered' };
            }),
        },
        logoutRoute(),
        {
          method: 'GET',
          path: '/data',
          handler: (view) =>
            answering(view, async () => {
              const data = await sessionData(view.connection);
              return { text: JSON.stringify(pairs(data).filter(([key]) => key !== 'user_id')) };
            }),
        },
        { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.isAuthenticated ? view.user.displayName : 'anonymous' }) },
      ],
    }),
    cases: [
      {
        name: 'data with the session libraries\' own keys and __proto__/constructor/toString round-trips after login',
        async run(t) {
          const sid = await logIn(t);
          expect((await t.get('/me').set('Cookie', cookie(sid))).text).toBe('alice');
          expect(await read(t, sid)).toEqual(expected);
          expect(await read(t, sid)).toEqual(expected);
          expect(({} as Record<string, unknown>).n).toBeUndefined();
        },
      },
      {
        name: 'the same data stored before login round-trips, is carried over by keepOnLogin, and login still rotates the id',
        async run(t) {
          const res = await t.post('/remember').set(SAME_ORIGIN);
          expect(res.status).toBe(200);
          const before = cookieValue(res) as string;
          expect(before).toBeTruthy();
          expect(await read(t, before)).toEqual(expected);
          expect((await t.get('/me').set('Cookie', cookie(before))).text).toBe('anonymous');
          const after = await logIn(t, before, '/login?bare=1');
          expect(after).not.toBe(before);
          expect((await t.get('/me').set('Cookie', cookie(after))).text).toBe('alice');
          expect(await read(t, after)).toEqual(expected);
          expect(await read(t, before)).toEqual([]);
        },
      },
      {
        name: 're-login and logout work on a session holding these keys; the replayed cookie is anonymous',
        async run(t) {
          const first = await logIn(t);
          const second = await logIn(t, first);
          expect(second).not.toBe(first);
          expect((await t.get('/me').set('Cookie', cookie(first))).text).toBe('anonymous');
          expect((await t.get('/me').set('Cookie', cookie(second))).text).toBe('alice');
          const out = await t.post('/logout').set(SAME_ORIGIN).set('Cookie', cookie(second));
          expect(out.status).toBe(200);
          expect((await t.get('/me').set('Cookie', cookie(second))).text).toBe('anonymous');
          expect(await read(t, second)).toEqual([]);
        },
      },
    ],
  };
}
