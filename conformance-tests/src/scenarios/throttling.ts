import { MemoryThrottleStore, errorResponse, isAuthenticationError, loginThrottle, passwordBackend, type PasswordBackend } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { oauth2PasswordBearer, type OAuth2PasswordBearer } from '@portcullis/jwt';
import { expect } from 'vitest';
import type { Response } from 'supertest';
import { DemoUser, basic, whoami } from '../fixtures.js';
import type { Client, Scenario } from '../scenario.js';
import type { HandlerResult, HandlerView } from '../spec.js';
import { hs256, T0, clockControl, frozenClock, setClock } from './jwt/support.js';

// Login throttling (issue #16 item 2) on every adapter and runtime: one loginThrottle
// behind a Basic route, a login form (verifyCredentials) and an OAuth2 token endpoint.
// The test client is the trusted proxy (127.0.0.1) and names the client address in
// X-Forwarded-For (the routes' own connections must resolve it as the middleware did); the app's clock is frozen and moved through its control (no sleeping).

/** Failures an account may have before it backs off; an address may have five. */
const ACCOUNT_ALLOWANCE = 3;
const ADDRESS_ALLOWANCE = 5;
const MAX_DELAY_MS = 60_000;

class Member extends DemoUser {
  constructor(
    username: string,
    readonly hash: string,
  ) {
    super(username);
  }
}

const PASSWORDS: ReadonlyMap<string, string> = new Map([
  ['alice', 'alicepwd'],
  ['bob', 'bobpwd'],
  ['carol', 'carolpwd'],
  ['dave', 'davepwd'],
  ['erin', 'erinpwd'],
  ['frank', 'frankpwd'],
  ['grace', 'gracepwd'],
  ['heidi', 'slow-guess'], // a right password whose check is slow (the single-flight case, with coalesce: true)
]);
const hasher = pbkdf2Hasher({ iterations: 1_000 }); // tests only
/** A wrong password whose check the app's hasher slows down (the parallel case). */
const SLOW_GUESS = 'slow-guess';
let members: Promise<Map<string, Member>> | undefined;
const clock = frozenClock();

function memberTable(): Promise<Map<string, Member>> {
  members ??= (async () => {
    const table = new Map<string, Member>();
    for (const [name, password] of PASSWORDS) table.set(name, new Member(name, await hasher.hash(password)));
    return table;
  })();
  return members;
}

// #region login-form
/**
 * The login form: `username` and `password`, checked by `verifyCredentials`; a refusal is
 * the table's answer. The connection is the one the route built (`toConnection(req,
 * Date.now)` on every adapter): it resolves the client as the middleware did.
 */
async function loginForm(passwords: PasswordBackend<Member>, view: HandlerView): Promise<HandlerResult> {
  const fields = new URLSearchParams(view.body.text);
  const connection = view.connection;
  try {
    const user = await passwords.verifyCredentials(fields.get('username') ?? '', fields.get('password') ?? '', connection);
    return user === null ? { status: 401, text: 'Invalid username or password' } : { text: `Welcome, ${user.displayName}` };
  } catch (error) {
    if (isAuthenticationError(error)) return { description: errorResponse(error, connection) };
    throw error;
  }
}
// #endregion login-form

async function token(oauth2: OAuth2PasswordBearer<Member>, view: HandlerView): Promise<HandlerResult> {
  return { description: await oauth2.tokenEndpoint.handle(view.connection, view.body) };
}

type Entry = 'basic' | 'form' | 'token';
const ENTRIES: readonly Entry[] = ['basic', 'form', 'token'];

/** One login attempt through `entry`, from client address `from`. */
function attempt(t: Client, entry: Entry, from: string, username: string, password: string): Promise<Response> {
  if (entry === 'basic') return t.get('/me').set('X-Forwarded-For', from).set('Authorization', basic(username, password));
  const fields: Record<string, string> = entry === 'form' ? { username, password } : { grant_type: 'password', username, password };
  return t.post(entry === 'form' ? '/login' : '/token').set('X-Forwarded-For', from).type('form').send(new URLSearchParams(fields).toString());
}

/** The status a wrong password gets through `entry` (the token endpoint's `invalid_grant` is a 400). */
const WRONG: Readonly<Record<Entry, number>> = { basic: 401, form: 401, token: 400 };

/** What THR-15 compares: the status, the body and every header that is not about the connection. */
function shape(res: Response): unknown {
  const { date: _date, connection: _connection, 'keep-alive': _keepAlive, 'content-length': _length, 'transfer-encoding': _te, ...headers } = res.headers as Record<string, string>;
  return { status: res.status, body: res.text, headers };
}

export const throttling: Scenario = {
  id: 'throttling',
  title: 'login throttling per account and per client address: 429 + Retry-After on Basic, the login form and the token endpoint',
  app: () => {
    clock.reset();
    const throttle = loginThrottle({
      store: new MemoryThrottleStore(),
      accountAllowance: ACCOUNT_ALLOWANCE,
      addressAllowance: ADDRESS_ALLOWANCE,
      maxDelayMs: MAX_DELAY_MS,
      clock: clock.now,
    });
    // Everything the app holds is built here: a runtime may build the app more than once.
    let verified = 0; // password checks that reached the hasher (the `verified` control)
    const passwords = passwordBackend<Member>({
      findUser: async (name) => (await memberTable()).get(name) ?? null,
      passwordHashOf: (member) => member.hash,
      hasher: {
        ...hasher,
        async verify(password, stored) {
          verified++;
          // The parallel case's guesses take a while, as a real hash does: without an atomic
          // attempt, every one of them would pass the check before the first failure lands.
          // Long enough that concurrent requests overlap on a loaded 2-core machine too (100 ms
          // let a CI run under load see a second check: the Nest adapter's ten requests spread).
          if (password === SLOW_GUESS) await new Promise((resolve) => setTimeout(resolve, 400));
          return hasher.verify(password, stored);
        },
      },
      throttle,
      realm: 'api',
      // findUser ignores the connection (one user table, no tenant by Host): concurrent
      // identical logins may share one check (the heidi case). Off by default.
      coalesce: true,
    });
    const oauth2 = oauth2PasswordBearer<Member>({
      ...hs256(clock),
      tokenUrl: '/token',
      verifyCredentials: passwords.verifyCredentials,
      retrieveUser: async (t) => (await memberTable()).get(t.sub) ?? null,
    });
    return {
      backend: passwords,
      trustedProxies: ['127.0.0.1/32'],
      controls: { clock: clockControl(clock), verified: () => verified },
      routes: [
        { method: 'GET', path: '/me', requires: { scopes: 'authenticated' }, handler: whoami },
        { method: 'POST', path: '/login', handler: (view) => loginForm(passwords, view) },
        { method: 'POST', path: '/token', handler: (view) => token(oauth2, view) },
      ],
    };
  },
  cases: [
    {
      name: 'THR-12 wrong passwords for one account from many addresses: the account backs off (429 + Retry-After) on every entry point; other accounts are unaffected',
      async run(t) {
        for (let i = 1; i <= 20; i++) {
          const res = await attempt(t, ENTRIES[i % 3] as Entry, `203.0.113.${i}`, 'alice', 'guess');
          const entry = ENTRIES[i % 3] as Entry;
          if (i <= ACCOUNT_ALLOWANCE + 1) expect(res.status, `attempt ${i}`).toBe(WRONG[entry]);
          else {
            expect(res.status, `attempt ${i}`).toBe(429);
            expect(res.headers['retry-after']).toBe('1');
          }
        }
        for (const entry of ENTRIES) {
          // The right password does not get through while the account waits (no oracle).
          expect((await attempt(t, entry, '198.51.100.200', 'alice', 'alicepwd')).status).toBe(429);
          expect((await attempt(t, entry, '198.51.100.201', 'bob', 'bobpwd')).status).toBe(200);
        }
      },
    },
    {
      name: 'THR-13 wrong passwords from one address over many accounts: the address backs off; a correct login from another address still works',
      async run(t) {
        for (let i = 1; i <= 20; i++) {
          const entry = ENTRIES[i % 3] as Entry;
          const res = await attempt(t, entry, '198.51.100.7', `ghost${i}`, 'guess');
          expect(res.status, `attempt ${i}`).toBe(i <= ADDRESS_ALLOWANCE + 1 ? WRONG[entry] : 429);
        }
        for (const entry of ENTRIES) {
          expect((await attempt(t, entry, '198.51.100.7', 'carol', 'carolpwd')).status).toBe(429);
          expect((await attempt(t, entry, '198.51.100.8', 'carol', 'carolpwd')).status).toBe(200);
        }
      },
    },
    {
      name: 'THR-12 case and Unicode variants of a username (FRANK, ｆｒａｎｋ, "frank ") count in the account\'s one bucket: no bypass',
      async run(t) {
        const variants = ['Frank', 'FRANK', 'ｆｒａｎｋ', 'frank '];
        for (const [i, variant] of variants.entries()) {
          const entry = ENTRIES[i % 3] as Entry;
          expect((await attempt(t, entry, `10.4.0.${i + 1}`, variant, 'guess')).status, variant).toBe(WRONG[entry]);
        }
        for (const entry of ENTRIES) expect((await attempt(t, entry, '10.4.1.1', 'frank', 'frankpwd')).status).toBe(429);
      },
    },
    {
      name: 'THR-12 40 wrong passwords for one account at once, from 40 addresses: exactly the allowance + 1 reach the hasher, the rest are 429',
      async run(t) {
        const before = await t.control<number>('verified');
        const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => attempt(t, 'form', `10.9.0.${i + 1}`, 'grace', SLOW_GUESS)));
        expect((await t.control<number>('verified')) - before).toBe(ACCOUNT_ALLOWANCE + 1);
        expect(answers.filter((res) => res.status === 401)).toHaveLength(ACCOUNT_ALLOWANCE + 1);
        expect(answers.filter((res) => res.status === 429)).toHaveLength(40 - ACCOUNT_ALLOWANCE - 1);
      },
    },
    {
      name: 'THR-12 with passwordBackend({ coalesce: true }), 10 identical right-password logins at once from one address (a browser\'s parallel connections) are one attempt: all 200, one check, on Basic, the login form and the token endpoint',
      async run(t) {
        for (const [i, entry] of ENTRIES.entries()) {
          const before = await t.control<number>('verified');
          const answers = await Promise.all(Array.from({ length: 10 }, () => attempt(t, entry, `10.8.0.${i + 1}`, 'heidi', SLOW_GUESS)));
          expect(answers.map((res) => res.status), entry).toEqual(Array(10).fill(200));
          expect((await t.control<number>('verified')) - before, entry).toBe(1);
        }
      },
    },
    {
      name: 'THR-14 once the backoff has elapsed logins are accepted again; repeated failures wait at most the cap, never for good',
      async run(t) {
        try {
          let now = T0;
          let wait = 0;
          const waits: number[] = [];
          // Wrong passwords, each time the backoff is over, until the wait reaches its cap.
          for (let i = 1; i <= 40 && wait < MAX_DELAY_MS / 1000; i++) {
            const res = await attempt(t, ENTRIES[i % 3] as Entry, `192.0.2.${i}`, 'dave', 'guess');
            if (res.status !== 429) continue;
            wait = Number(res.headers['retry-after']);
            waits.push(wait);
            now += wait * 1000;
            await setClock(t, now);
          }
          expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60]);
          // One more failure: still the cap, never more.
          expect((await attempt(t, 'basic', '192.0.2.99', 'dave', 'guess')).status).toBe(401);
          const capped = await attempt(t, 'token', '192.0.2.100', 'dave', 'davepwd');
          expect([capped.status, capped.headers['retry-after']]).toEqual([429, '60']);
          await setClock(t, now + MAX_DELAY_MS - 1000);
          expect((await attempt(t, 'form', '192.0.2.101', 'dave', 'davepwd')).status).toBe(429);
          await setClock(t, now + MAX_DELAY_MS);
          for (const entry of ENTRIES) expect((await attempt(t, entry, '192.0.2.102', 'dave', 'davepwd')).status).toBe(200);
        } finally {
          await setClock(t, T0);
        }
      },
    },
    {
      name: 'THR-15 the 429 is the same for the account and the address bucket, and for an unknown account: no hint which, nor whether it exists',
      async run(t) {
        for (let i = 1; i <= ACCOUNT_ALLOWANCE + 1; i++) await attempt(t, 'basic', `10.1.0.${i}`, 'erin', 'guess');
        for (let i = 1; i <= ADDRESS_ALLOWANCE + 1; i++) await attempt(t, 'basic', '10.2.0.1', `nobody${i}`, 'guess');
        for (const entry of ENTRIES) {
          const byAccount = shape(await attempt(t, entry, '10.3.0.1', 'erin', 'erinpwd'));
          const byAddress = shape(await attempt(t, entry, '10.2.0.1', 'bob', 'bobpwd'));
          const unknown = shape(await attempt(t, entry, '10.2.0.1', 'nobody-at-all', 'guess'));
          expect(byAccount, entry).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
          expect(byAddress, entry).toEqual(byAccount);
          expect(unknown, entry).toEqual(byAccount);
          expect(JSON.stringify(byAccount)).not.toMatch(/erin|account|address|bucket/i);
        }
      },
    },
  ],
};
