import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import { SAME_ORIGIN, aliceLoginApp, cookie, cookieAttributes, cookieValue, setCookieLine, type SessionStoreFactory } from './fixtures.js';

/** The attributes of a session `Set-Cookie` line, `Expires` turned into seconds from now (rounded to 10 s). */
function lifetime(line: string | undefined): Record<string, string> {
  expect(line).toBeDefined();
  const out: Record<string, string> = {};
  for (const [name, value] of cookieAttributes(line as string)) {
    out[name] = name === 'expires' ? String(Math.round((Date.parse(value) - Date.now()) / 10_000) * 10) : value;
  }
  return out;
}

/**
 * A session cookie's lifetime does not depend on whether a session existed
 * before: a first login and a re-login (holding a live session cookie) set the
 * cookie with the same attributes apart from its value, with the default
 * browser-session cookie (no `Expires`, no `Max-Age`) and with `cookie.maxAge`
 * (seconds; `Max-Age` or `Expires` that far ahead).
 */
export function cookieLifetime(stores: SessionStoreFactory, maxAge?: number): Scenario {
  const logIn = async (t: Client, sid?: string) => {
    const req = t.post('/login').set(SAME_ORIGIN);
    if (sid !== undefined) req.set('Cookie', cookie(sid));
    const res = await req;
    expect(res.status).toBe(200);
    const line = setCookieLine(res);
    expect(line).toBeDefined();
    return { line: line as string, value: cookieValue(res) as string };
  };
  return {
    id: `sessions-cookie-lifetime${maxAge === undefined ? '' : '-max-age'} (${stores.name})`,
    title: `a re-login sets the same cookie attributes as a first login (${maxAge === undefined ? 'browser-session cookie' : `maxAge ${maxAge} s`})`,
    needs: ['sessions'],
    app: () => aliceLoginApp(stores, maxAge === undefined ? {} : { cookie: { secure: false, maxAge } }),
    cases: [
      {
        name: 'first login and re-login with a live session cookie: same Set-Cookie attributes apart from the value',
        async run(t) {
          const first = await logIn(t);
          const second = await logIn(t, first.value);
          const third = await logIn(t, second.value);
          expect(second.value).not.toBe(first.value);
          expect((await t.get('/me').set('Cookie', cookie(third.value))).text).toBe('alice');
          expect(lifetime(second.line)).toEqual(lifetime(first.line));
          expect(lifetime(third.line)).toEqual(lifetime(first.line));
          const attrs = lifetime(first.line);
          if (maxAge === undefined) {
            expect(attrs.expires).toBeUndefined();
            expect(attrs['max-age']).toBeUndefined();
          } else {
            const seconds = attrs['max-age'] ?? attrs.expires;
            expect(Math.abs(Number(seconds) - maxAge)).toBeLessThanOrEqual(10);
          }
        },
      },
    ],
  };
}
