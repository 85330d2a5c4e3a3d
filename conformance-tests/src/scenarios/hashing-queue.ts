import { passwordBackend, type AuthenticationFailure } from '@portcullis/core';
import { boundedHasher, hashingBound, type Hasher, type HashingBound, type VerifyOutcome } from '@portcullis/core/hashing';
import { expect } from 'vitest';
import { DemoUser, basic, whoami } from '../fixtures.js';
import type { Client, Scenario } from '../scenario.js';
import { takeControl, taken } from '../control.js';

/**
 * A hasher whose verifications wait, between the `hold` and `release` controls, at a
 * gate (so the scenario decides what is in flight instead of racing a real KDF),
 * counting the ones that started. Its hashes are `gated$<password>`.
 */
let started = 0;
let open = false;
let waiters: (() => void)[] = [];
const gate = (): Promise<void> => (open ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve)));
const gated: Hasher = {
  id: 'gated',
  identifies: (stored) => stored.startsWith('gated$'),
  hash: async (password) => `gated$${password}`,
  async verify(password, stored): Promise<VerifyOutcome> {
    started++;
    await gate();
    return { ok: stored === `gated$${password}`, needsRehash: false };
  },
};

// No time limit in line: the scenario holds the queue as long as its requests take.
const limits = { concurrency: 1, queue: 1, maxWaitMs: 0 };
let bound: HashingBound = hashingBound(limits);
const events: AuthenticationFailure[] = [];

/** Asks the app until the bound has one login computing and one waiting (at most 5 s). */
async function untilFull(t: Client): Promise<void> {
  for (const until = Date.now() + 5000; Date.now() < until; await new Promise((resolve) => setTimeout(resolve, 10))) {
    const gauge = await t.control<{ active: number; waiting: number }>('gauge');
    if (gauge.active === 1 && gauge.waiting === 1) return;
  }
  throw new Error('the two logins never filled the bound');
}

export const hashingQueue: Scenario = {
  id: 'hashing-queue',
  title: 'a login flood beyond the password hashing queue is refused with 503 + Retry-After, without hashing',
  notOn: {
    workerd: 'it cancels a request that waits on a promise another request settles (a queue shared across requests); bound with queue: 0 there',
  },
  app: () => {
    started = 0;
    open = true;
    waiters = [];
    events.length = 0;
    bound = hashingBound(limits);
    return {
      backend: passwordBackend({
        realm: 'api',
        findUser: (username) => (username === 'alice' ? new DemoUser('alice') : null),
        passwordHashOf: () => 'gated$alicepwd',
        hasher: boundedHasher(gated, bound),
      }),
      mode: 'required',
      log: (event) => events.push(event),
      routes: [{ method: 'GET', path: '/me', handler: whoami }],
      controls: {
        /** The bound's gauge and how many verifications started. */
        gauge: () => ({ active: bound.active, waiting: bound.waiting, started }),
        /** Verifications from now on wait for `release`. */
        hold: () => {
          open = false;
          started = 0;
          return null;
        },
        /** Lets every verification finish, now and from now on. */
        release: () => {
          open = true;
          for (const resume of waiters.splice(0)) resume();
          return null;
        },
        takeEvents: takeControl(events),
      },
    };
  },
  cases: [
    {
      name: 'THR-16 with one login computing and one waiting, the next gets 503 + Retry-After at once; the held ones still get their answers',
      async run(t) {
        // An unknown user first, so the backend's dummy hash exists before the gate closes.
        expect((await t.get('/me').set('Authorization', basic('mallory', 'guess'))).status).toBe(401);
        await t.control('hold');
        // Started now (a supertest request is sent when awaited or `then`-ed), answered after `release`.
        const right = t.get('/me').set('Authorization', basic('alice', 'alicepwd')).then((res) => res);
        const wrong = t.get('/me').set('Authorization', basic('mallory', 'guess')).then((res) => res);
        await untilFull(t);
        await t.control('takeEvents');

        // Other guesses: with `coalesce: true` a copy of a login in progress would share its check.
        const json = await t.get('/me').set('Authorization', basic('alice', 'another guess')).set('Accept', 'application/json');
        expect(json.status).toBe(503);
        expect(json.headers['retry-after']).toBe('1');
        expect(json.headers['cache-control']).toBe('no-store');
        expect(JSON.parse(json.text)).toEqual({ error: 'backend_busy' });
        const text = await t.get('/me').set('Authorization', basic('mallory', 'guess 2'));
        expect([text.status, text.headers['retry-after'], text.text]).toEqual([503, '1', 'Service Unavailable']);
        // Nothing was hashed for them: only the held login started computing.
        expect(await t.control('gauge')).toEqual({ active: 1, waiting: 1, started: 1 });
        const logged = await taken<AuthenticationFailure>(t);
        expect(logged.map((e) => [e.code, e.subject])).toEqual([
          ['backend_busy', 'alice'],
          ['backend_busy', 'mallory'],
        ]);

        await t.control('release');
        expect((await right).status).toBe(200);
        expect((await wrong).status).toBe(401);
        expect(await t.control('gauge')).toEqual({ active: 0, waiting: 0, started: 2 });
      },
    },
  ],
};
