import { sessionAuth, type AuthenticationFailure, type SessionEvent } from '@portcullis/core';
import { expect } from 'vitest';
import type { Scenario } from '../../scenario.js';
import { Accounts, SAME_ORIGIN, answering, cookie, cookieValue, idOf, jsonBody, loginOf, logoutOf, sessionsOf, type SessionStoreFactory } from './fixtures.js';

const PASSWORD = 'S3cr3t!Pw';

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
      const accounts = new Accounts();
      const ready = accounts.create('Alice', 'alice@example.com', PASSWORD);
      return {
        backend: sessionAuth({ retrieveUser: (s) => accounts.byId(s.user_id), exclude: ['/login'] }),
        mode: 'required',
        exclude: ['/login'],
        log: (event: AuthenticationFailure) => lines.push(JSON.stringify(event)),
        sessions: sessionsOf(stores, { log: (event: SessionEvent) => lines.push(JSON.stringify(event)) }),
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
          {
            method: 'POST',
            path: '/logout',
            handler: (view) =>
              answering(view, async () => {
                await logoutOf(view)();
                return { text: 'out' };
              }),
          },
          { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.displayName }) },
        ],
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
          const all = lines.join('\n');
          expect(lines.some((l) => l.includes('"session_login"'))).toBe(true);
          expect(lines.some((l) => l.includes('"session_logout"'))).toBe(true);
          for (const secret of [PASSWORD, sid, decodeURIComponent(sid), idOf(sid), idOf(sid).slice(0, 16)]) {
            expect(all).not.toContain(secret);
          }
          for (const line of lines.filter((l) => l.includes('"sid"'))) expect(JSON.parse(line).sid).toMatch(/^[0-9a-f]{12}$/);
        },
      },
    ],
  };
}
