import { describe, expect, it } from 'vitest';
import { createAuthenticator, type AuthenticationFailure } from './authenticator.js';
import type { Connection } from './connection.js';
import { isAuthenticationError } from './errors.js';
import { boundedHasher, hashingBound } from './hashing/bounded.js';
import { passwordBackend } from './password.js';
import { SimpleUser } from './user.js';
import { conn, jsonErrorOf, responseOf, userOf } from '../../test-support/connection.js';
import { slowHasher } from '../../test-support/slow-hasher.js';

const basic = (username: string, password: string): Connection =>
  conn({ method: 'POST', target: '/login', headers: { accept: 'application/json', authorization: `Basic ${btoa(`${username}:${password}`)}` } });

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A password backend over a slow hasher bounded to one computing and one waiting. */
function setup() {
  const slow = slowHasher();
  const bound = hashingBound({ concurrency: 1, queue: 1 });
  const events: AuthenticationFailure[] = [];
  const users = new Map([['alice', { user: new SimpleUser('alice'), hash: 'slow$alicepwd' }]]);
  const backend = passwordBackend({
    findUser: (name) => users.get(name)?.user,
    passwordHashOf: (user) => users.get(user.identity)?.hash,
    hasher: boundedHasher(slow.hasher, bound),
    log: (event) => events.push(event),
  });
  return { slow, bound, events, backend };
}

describe('passwordBackend with a bounded hasher (THR-16)', () => {
  it('THR-16 a login beyond the queue is refused with 503 backend_busy + Retry-After, without hashing, and logged', async () => {
    const { slow, bound, events, backend } = setup();
    const authenticator = createAuthenticator({ backend, log: (e) => events.push(e) });
    const running = [authenticator.run(basic('alice', 'alicepwd')), authenticator.run(basic('alice', 'wrong'))];
    await tick();
    expect([bound.active, bound.waiting]).toEqual([1, 1]);
    // Another guess: a copy of a login in progress would share its check (single flight).
    const refused = responseOf(await authenticator.run(basic('alice', 'another')));
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('1');
    expect(jsonErrorOf(refused)).toBe('backend_busy');
    expect(slow.calls).toBe(1);
    expect(events).toEqual([expect.objectContaining({ event: 'authentication_failed', code: 'backend_busy', subject: 'alice', path: '/login' })]);
    slow.release();
    await tick();
    slow.release();
    const [ok, wrong] = await Promise.all(running);
    expect(userOf(ok!).identity).toBe('alice');
    expect(responseOf(wrong!).status).toBe(401);
    expect(slow.maxInFlight).toBe(1);
  });

  it('THR-16 unknown users\' dummy verification takes the same slots: a full queue refuses them alike', async () => {
    const { slow, bound, backend } = setup();
    // The dummy hash is made once, through the bound too.
    const warm = backend.verifyCredentials('nobody', 'x');
    await tick();
    slow.release();
    await tick();
    expect(bound.active).toBe(1); // the dummy verification itself
    slow.release();
    expect(await warm).toBeNull();
    const running = [backend.verifyCredentials('mallory', 'x'), backend.verifyCredentials('alice', 'wrong')];
    await tick();
    expect([bound.active, bound.waiting]).toEqual([1, 1]); // an unknown user holds a slot like a known one
    for (const name of ['mallory', 'alice']) {
      // Not ('mallory', 'x'): a copy of a login in progress would share its check (single flight).
      const error = await backend.verifyCredentials(name, 'y').catch((e: unknown) => e);
      expect(isAuthenticationError(error) && error.code).toBe('backend_busy');
    }
    slow.release();
    await tick();
    slow.release();
    expect(await Promise.all(running)).toEqual([null, null]);
  });

  it('THR-16 verifyCredentials (login forms) logs the refusal to the backend\'s log, with the claimed username', async () => {
    const { slow, events, backend } = setup();
    const running = [backend.verifyCredentials('alice', 'a'), backend.verifyCredentials('alice', 'b')];
    await tick();
    await expect(backend.verifyCredentials('alice', 'alicepwd', basic('alice', 'alicepwd'))).rejects.toMatchObject({ code: 'backend_busy' });
    expect(events).toEqual([{ event: 'authentication_failed', code: 'backend_busy', method: 'POST', path: '/login', subject: 'alice' }]);
    expect(JSON.stringify(events)).not.toContain('alicepwd');
    slow.release();
    await tick();
    slow.release();
    await Promise.all(running);
  });
});
