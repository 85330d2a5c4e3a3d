import { expect } from 'vitest';
import type { Client, Scenario } from '../../scenario.js';
import { SAME_ORIGIN, aliceLoginApp, cookie, cookieValue, type SessionStoreFactory } from './fixtures.js';

/** Logs alice in and returns her session cookie's value. */
async function aliceSession(t: Client): Promise<string> {
  const res = await t.post('/login').set(SAME_ORIGIN);
  expect(res.status).toBe(200);
  return cookieValue(res) as string;
}

/** Who `GET /me` is, with these raw `Cookie` lines (sent as written, over a socket). */
async function whoWith(t: Client, lines: readonly string[]): Promise<string> {
  const res = await t.raw(['GET /me HTTP/1.1', 'Host: app.example', ...lines.map((l) => `Cookie: ${l}`)]);
  expect(res.status).toBe(200);
  return res.body;
}

/** Swaps the last character: a forged id or a broken signature. */
function tampered(value: string): string {
  return value.slice(0, -1) + (value.endsWith('A') ? 'B' : 'A');
}

/**
 * One Cookie header means one session on every adapter. express-session and
 * koa-session parse cookies with parsers of their own (`cookie`, `cookies`), which
 * read ambiguous headers differently from the core (found by the differential
 * fuzzer); the session bridges hand them the core's reading. Rules: pairs end at
 * `;` or `,` (Web runtimes join repeated Cookie lines with `, `, Node with `; `,
 * and HTTP parsers differ on trimming a line's trailing space), so a header reads
 * alike on every runtime; the first occurrence of a name wins; white space around
 * a value is not part of it.
 */
export function cookieParsing(stores: SessionStoreFactory): Scenario {
  return {
    id: `sessions-cookie-parsing (${stores.name})`,
    title: 'ambiguous Cookie headers select the same session on every adapter',
    needs: ['sessions'],
    app: () => aliceLoginApp(stores),
    cases: [
      {
        name: '"id=S, id=S", "id=S ; x=1", "id=S, x%ZZ; id=T", "id=S," and "id=S, " are the session; "id=S-" is not',
        async run(t) {
          const s = await aliceSession(t);
          expect(await whoWith(t, [`${cookie(s)}, ${cookie(s)}`])).toBe('alice');
          expect(await whoWith(t, [`${cookie(s)} ; x=1`])).toBe('alice');
          expect(await whoWith(t, [`x=1; ${cookie(s)}`])).toBe('alice');
          // Node's HTTP parser trims the line's trailing space, workerd's keeps it: the same session either way.
          expect(await whoWith(t, [`${cookie(s)}, `])).toBe('alice');
          expect(await whoWith(t, [`${cookie(s)}, x%ZZ; id=other`])).toBe('alice');
          expect(await whoWith(t, [`${cookie(s)},`])).toBe('alice');
          expect(await whoWith(t, [`${cookie(s)}-`])).toBe('anonymous');
        },
      },
      {
        name: 'the first occurrence wins, on one line or on two: a forged first id is no session, a forged second one is ignored',
        async run(t) {
          const s = await aliceSession(t);
          const forged = tampered(s);
          expect(await whoWith(t, [`${cookie(forged)}, ${cookie(s)}`])).toBe('anonymous');
          expect(await whoWith(t, [`${cookie(forged)}; ${cookie(s)}`])).toBe('anonymous');
          expect(await whoWith(t, [cookie(forged), cookie(s)])).toBe('anonymous');
          expect(await whoWith(t, [`${cookie(s)}, ${cookie(forged)}`])).toBe('alice');
          expect(await whoWith(t, [cookie(s), cookie(forged)])).toBe('alice');
          expect(await whoWith(t, [`${cookie(s)}, `, cookie(forged)])).toBe('alice');
          expect(await whoWith(t, [cookie(s), `x%ZZ; ${cookie(forged)}`])).toBe('alice');
        },
      },
    ],
  };
}
