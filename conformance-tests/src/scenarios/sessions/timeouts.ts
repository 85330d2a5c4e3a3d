import { sessionAuth } from '@portcullis/core';
import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import { Accounts, FrozenClock, SAME_ORIGIN, answering, cookie, cookieValue, loginOf, sessionsOf, type SessionStoreFactory } from './fixtures.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Idle and absolute timeouts, enforced on the server with a frozen clock
 * (SES-06: 15 min idle, rolling; SES-07: 8 h absolute, whatever the activity).
 */
export function timeouts(stores: SessionStoreFactory): Scenario {
  let clock: FrozenClock;

  async function logIn(t: Client): Promise<string> {
    const res = await t.post('/login').set(SAME_ORIGIN);
    expect(res.status).toBe(200);
    return cookieValue(res) as string;
  }
  const me = (t: Client, sid: string) => t.get('/me').set('Cookie', cookie(sid)).then((r) => r.status);

  return {
    id: `sessions-timeouts (${stores.name})`,
    title: 'idle (15 min, rolling) and absolute (8 h) timeouts on the server, frozen clock',
    needs: ['sessions'],
    app: () => {
      clock = new FrozenClock();
      const accounts = new Accounts();
      const alice = accounts.create('Alice', 'alice@example.com', 'alicepwd-long-enough');
      return {
        backend: sessionAuth({ retrieveUser: (session) => accounts.byId(session.user_id), exclude: ['/login'] }),
        mode: 'required',
        exclude: ['/login'],
        sessions: sessionsOf(stores, { clock: clock.read, idleTimeout: 15 * MINUTE, absoluteTimeout: 8 * HOUR }),
        controls: { advance: (ms) => clock.advance(ms as number) },
        routes: [
          {
            method: 'POST',
            path: '/login',
            handler: (view) =>
              answering(view, async () => {
                const account = await alice;
                await loginOf(view)(account, { user_id: account.id });
                return { text: 'in' };
              }),
          },
          { method: 'GET', path: '/me', handler: (view) => ({ text: view.user.displayName }) },
        ],
      };
    },
    cases: [
      {
        name: 'SES-06 +14 min → 200, +29 min → 200 (rolling), then 16 idle minutes → 401',
        async run(t) {
          const sid = await logIn(t);
          await t.control('advance', 14 * MINUTE);
          expect(await me(t, sid)).toBe(200);
          await t.control('advance', 15 * MINUTE);
          expect(await me(t, sid)).toBe(200);
          await t.control('advance', 16 * MINUTE);
          expect(await me(t, sid)).toBe(401);
          // Expired means destroyed: going back in time does not revive it.
          await t.control('advance', -16 * MINUTE);
          expect(await me(t, sid)).toBe(401);
        },
      },
      {
        name: 'SES-06 exactly the idle timeout is still valid; one millisecond more is not',
        async run(t) {
          const sid = await logIn(t);
          await t.control('advance', 15 * MINUTE);
          expect(await me(t, sid)).toBe(200);
          const other = await logIn(t);
          await t.control('advance', 15 * MINUTE + 1);
          expect(await me(t, other)).toBe(401);
        },
      },
      {
        name: 'SES-07 with a request every 10 minutes the session ends at 8 h + ε',
        async run(t) {
          const sid = await logIn(t);
          for (let elapsed = 10 * MINUTE; elapsed <= 8 * HOUR; elapsed += 10 * MINUTE) {
            await t.control('advance', 10 * MINUTE);
            expect(await me(t, sid), `after ${elapsed / MINUTE} min`).toBe(200);
          }
          await t.control('advance', 1);
          expect(await me(t, sid)).toBe(401);
        },
      },
    ],
  };
}
