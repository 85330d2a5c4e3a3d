import { describe, expect, it } from 'vitest';
import { createAuthenticator, type AuthenticationFailure } from '../authenticator.js';
import { VerificationCache } from '../cache.js';
import type { Connection } from '../connection.js';
import { AuthenticationError, isAuthenticationError } from '../errors.js';
import type { Hasher } from '../hashing/hasher.js';
import { passwordBackend } from '../password.js';
import { errorResponse } from '../response.js';
import { SimpleUser } from '../user.js';
import { FIXED_NOW, configError, conn, responseOf, userOf } from '../../../test-support/connection.js';
import { loginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { MemoryThrottleStore } from './memory-store.js';
import type { ThrottleStore } from './store.js';

/** A memory store that counts the calls it gets, by method. */
function countingStore(inner: ThrottleStore = new MemoryThrottleStore()) {
  const calls = { get: 0, hit: 0, reset: 0 };
  const store: ThrottleStore = {
    get: (key) => (calls.get++, inner.get(key)),
    hit: (key, now, ttl) => (calls.hit++, inner.hit(key, now, ttl)),
    reset: (key) => (calls.reset++, inner.reset(key)),
  };
  return { store, calls, total: () => calls.get + calls.hit + calls.reset };
}

/** A store whose every method rejects: Redis away. */
const brokenStore: ThrottleStore = {
  get: () => Promise.reject(new Error('down')),
  hit: () => Promise.reject(new Error('down')),
  reset: () => Promise.reject(new Error('down')),
};

function setup(options: Partial<LoginThrottleOptions> = {}) {
  let now = FIXED_NOW;
  const counting = countingStore();
  const throttle = loginThrottle({ store: counting.store, accountAllowance: 3, addressAllowance: 5, clock: () => now, ...options });
  return { throttle, counting, advance: (ms: number) => (now += ms) };
}

const from = (address: string): Connection => conn({ method: 'POST', target: '/login', peerAddress: address });

/** A hasher that stores `h:<password>`: fast, for throttle tests only. */
const plainHasher: Hasher = {
  id: 'plain',
  identifies: (stored) => stored.startsWith('h:'),
  hash: async (password) => `h:${password}`,
  verify: async (password, stored) => ({ ok: stored === `h:${password}`, needsRehash: false }),
};

class Member extends SimpleUser {}
const HASHES = new Map([['alice', 'h:alicepwd'], ['bob', 'h:bobpwd']]);

function backendWith(throttle: ReturnType<typeof loginThrottle>, extra: { cache?: VerificationCache<Member>; log?: (e: AuthenticationFailure) => void } = {}) {
  return passwordBackend<Member>({
    findUser: (name) => (HASHES.has(name) ? new Member(name) : null),
    passwordHashOf: (user) => HASHES.get(user.identity),
    hasher: plainHasher,
    throttle,
    realm: 'api',
    ...extra,
  });
}

const basicFrom = (address: string, username: string, password: string): Connection =>
  conn({
    method: 'GET',
    target: '/me',
    peerAddress: address,
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
  });

describe('loginThrottle', () => {
  it('THR-12 failures of one account from many addresses back off that account only', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 3; i++) {
      expect(await throttle.retryAfter('alice', from(`203.0.113.${i}`))).toBe(0);
      await throttle.failed('alice', from(`203.0.113.${i}`));
    }
    expect(await throttle.retryAfter('alice', from('198.51.100.1'))).toBe(0); // allowance: 3 failures
    await throttle.failed('alice', from('198.51.100.1'));
    expect(await throttle.retryAfter('alice', from('198.51.100.2'))).toBe(1);
    expect(await throttle.retryAfter('bob', from('198.51.100.2'))).toBe(0);
  });

  it('THR-13 failures from one address over many accounts back off that address only', async () => {
    const { throttle } = setup();
    for (let i = 0; i < 6; i++) await throttle.failed(`user${i}`, from('203.0.113.9'));
    expect(await throttle.retryAfter('someone-else', from('203.0.113.9'))).toBe(1);
    expect(await throttle.retryAfter('someone-else', from('203.0.113.10'))).toBe(0);
  });

  it('backs off exponentially, capped at maxDelayMs after the last failure', async () => {
    const { throttle, advance } = setup({ maxDelayMs: 8000, addressAllowance: 0 });
    const seen: number[] = [];
    for (let i = 0; i < 8; i++) {
      await throttle.failed('alice');
      seen.push(await throttle.retryAfter('alice'));
      advance(seen[i]! * 1000);
    }
    expect(seen).toEqual([0, 0, 0, 1, 2, 4, 8, 8]);
  });

  it('THR-14 once the backoff has elapsed the account may try again; no lock is permanent', async () => {
    const { throttle, advance } = setup({ maxDelayMs: 60_000, forgetAfterMs: 120_000 });
    for (let i = 0; i < 40; i++) await throttle.failed('alice', from('203.0.113.1'));
    expect(await throttle.retryAfter('alice', from('203.0.113.2'))).toBe(60);
    advance(59_000);
    expect(await throttle.retryAfter('alice', from('203.0.113.2'))).toBe(1);
    advance(1000);
    expect(await throttle.retryAfter('alice', from('203.0.113.2'))).toBe(0);
    // Quiet for forgetAfterMs: the bucket starts again with its whole allowance.
    advance(120_000);
    await throttle.failed('alice', from('203.0.113.2'));
    expect(await throttle.retryAfter('alice', from('203.0.113.3'))).toBe(0);
  });

  it('case and Unicode variants of a username share one bucket (NFKC + case fold)', async () => {
    const { throttle } = setup({ addressAllowance: 0 });
    for (const variant of ['alice', 'ALICE', 'Ａｌｉｃｅ', ' alice ']) await throttle.failed(variant);
    expect(await throttle.retryAfter('aLiCe')).toBe(1);
    const second = setup({ addressAllowance: 0 });
    for (const variant of ['strasse', 'STRASSE', 'straße']) await second.throttle.failed(variant);
    expect(await second.throttle.retryAfter('STRAẞE')).toBe(0);
    await second.throttle.failed('Strasse');
    expect(await second.throttle.retryAfter('straße')).toBe(1);
  });

  it('an IPv6 client counts as its /64; IPv4-mapped IPv6 as its IPv4 address', async () => {
    const { throttle } = setup({ accountAllowance: 100 });
    for (let i = 1; i <= 6; i++) await throttle.failed(`u${i}`, from(`2001:db8:1:2::${i}`));
    expect(await throttle.retryAfter('x', from('2001:db8:1:2:ffff::1'))).toBe(1);
    expect(await throttle.retryAfter('x', from('2001:db8:1:3::1'))).toBe(0);
    const v4 = setup({ accountAllowance: 100 });
    for (let i = 1; i <= 6; i++) await v4.throttle.failed(`u${i}`, from('::ffff:203.0.113.5'));
    expect(await v4.throttle.retryAfter('x', from('203.0.113.5'))).toBe(1);
  });

  it('requests whose client address is unknown share one address bucket (hiding the address does not escape it)', async () => {
    const { throttle } = setup({ accountAllowance: 100 });
    const unknown = () => conn({ method: 'POST', target: '/login' });
    for (let i = 0; i < 6; i++) await throttle.failed(`u${i}`, unknown());
    expect(await throttle.retryAfter('x', unknown())).toBe(1);
    expect(await throttle.retryAfter('x', from('203.0.113.1'))).toBe(0);
  });

  it('keys are hashed: no username reaches the store', async () => {
    const keys: string[] = [];
    const inner = new MemoryThrottleStore();
    const store: ThrottleStore = { get: (k) => (keys.push(k), inner.get(k)), hit: (k, n, t) => (keys.push(k), inner.hit(k, n, t)), reset: (k) => inner.reset(k) };
    const throttle = loginThrottle({ store });
    await throttle.failed('alice@example.com', from('203.0.113.1'));
    expect(keys).toEqual([expect.stringMatching(/^a:[0-9a-f]{40}$/), 'n:203.0.113.1']);
  });

  it('a success forgets the account bucket only when its check saw failures; never the address bucket', async () => {
    const { throttle, counting } = setup();
    const clean = from('203.0.113.1');
    await throttle.retryAfter('alice', clean);
    await throttle.succeeded?.('alice', clean);
    expect(counting.calls.reset).toBe(0);
    for (let i = 0; i < 6; i++) await throttle.failed(`x${i}`, from('203.0.113.7'));
    await throttle.failed('alice', from('203.0.113.7'));
    const after = from('203.0.113.8');
    await throttle.retryAfter('alice', after);
    await throttle.succeeded?.('alice', after);
    expect(counting.calls.reset).toBe(1);
    expect(await throttle.retryAfter('anyone', from('203.0.113.7'))).toBe(2);
  });

  it('a store outage fails closed by default (backend_unavailable, reason throttle_unavailable), open when configured', async () => {
    const closed = loginThrottle({ store: brokenStore });
    const error = await closed.retryAfter('alice', from('203.0.113.1')).catch((e: unknown) => e);
    expect(isAuthenticationError(error) && [error.code, error.reason]).toEqual(['backend_unavailable', 'throttle_unavailable']);
    await expect(closed.failed('alice')).rejects.toBeInstanceOf(AuthenticationError);
    const open = loginThrottle({ store: brokenStore, onStoreError: 'open' });
    expect(await open.retryAfter('alice')).toBe(0);
    await expect(open.failed('alice')).resolves.toBeUndefined();
  });

  it('checks its options at construction', () => {
    const store = new MemoryThrottleStore();
    expect(configError(() => loginThrottle(undefined as never)).detail).toMatch(/store/);
    expect(configError(() => loginThrottle({ store: { get() {}, hit() {} } as never })).detail).toMatch(/store\.reset/);
    expect(configError(() => loginThrottle({ store, accountAllowance: -1 })).detail).toMatch(/accountAllowance/);
    expect(configError(() => loginThrottle({ store, maxDelayMs: 10, baseDelayMs: 100 })).detail).toMatch(/maxDelayMs/);
    expect(configError(() => loginThrottle({ store, forgetAfterMs: 1000, maxDelayMs: 5000 })).detail).toMatch(/forgetAfterMs/);
    expect(configError(() => loginThrottle({ store, onStoreError: 'maybe' as never })).detail).toMatch(/onStoreError/);
  });
});

describe('MemoryThrottleStore', () => {
  it('is bounded: the least recently failed buckets go first', async () => {
    const store = new MemoryThrottleStore({ max: 3 });
    for (let i = 0; i < 10; i++) await store.hit(`k${i}`, FIXED_NOW, 60_000);
    expect(store.size).toBe(3);
    expect(await store.get('k0')).toBeUndefined();
    expect(await store.get('k9')).toEqual({ failures: 1, last: FIXED_NOW });
  });

  it('restarts a count whose last failure is older than the ttl', async () => {
    const store = new MemoryThrottleStore();
    await store.hit('k', FIXED_NOW, 1000);
    expect(await store.hit('k', FIXED_NOW + 999, 1000)).toEqual({ failures: 2, last: FIXED_NOW + 999 });
    expect(await store.hit('k', FIXED_NOW + 1999, 1000)).toEqual({ failures: 1, last: FIXED_NOW + 1999 });
  });
});

describe('passwordBackend({ throttle })', () => {
  it('THR-12 THR-15 the Basic path answers 429 with Retry-After, the same for the account and the address bucket, known user or not', async () => {
    const { throttle } = setup();
    const authenticator = createAuthenticator({ backend: backendWith(throttle) });
    for (let i = 0; i < 4; i++) expect(responseOf(await authenticator.run(basicFrom(`203.0.113.${i}`, 'alice', 'nope'))).status).toBe(401);
    const byAccount = responseOf(await authenticator.run(basicFrom('198.51.100.1', 'alice', 'alicepwd')));
    for (let i = 0; i < 6; i++) await authenticator.run(basicFrom('192.0.2.1', `ghost${i}`, 'nope'));
    const byAddress = responseOf(await authenticator.run(basicFrom('192.0.2.1', 'bob', 'bobpwd')));
    const unknown = responseOf(await authenticator.run(basicFrom('192.0.2.1', 'nobody', 'x')));
    expect(byAccount).toEqual({ status: 429, headers: expect.objectContaining({ 'retry-after': '1' }), body: 'Too Many Requests' });
    expect(byAddress).toEqual(byAccount);
    expect(unknown).toEqual(byAccount);
    expect(byAccount.headers['www-authenticate']).toBeUndefined();
    // Another account from another address is not affected.
    expect(userOf(await authenticator.run(basicFrom('198.51.100.2', 'bob', 'bobpwd'))).identity).toBe('bob');
  });

  it('THR-14 logs login_throttled without the password; once the backoff elapsed the right password works', async () => {
    const { throttle, advance } = setup();
    const events: AuthenticationFailure[] = [];
    const authenticator = createAuthenticator({ backend: backendWith(throttle), log: (e) => events.push(e) });
    for (let i = 0; i < 4; i++) await authenticator.run(basicFrom('203.0.113.1', 'alice', 'S3cr3t!Pw'));
    expect(responseOf(await authenticator.run(basicFrom('203.0.113.2', 'alice', 'alicepwd'))).status).toBe(429);
    expect(events.at(-1)).toEqual({ event: 'authentication_failed', code: 'too_many_requests', method: 'GET', path: '/me', subject: 'alice', reason: 'login_throttled' });
    expect(JSON.stringify(events)).not.toContain('S3cr3t');
    advance(1000);
    expect(userOf(await authenticator.run(basicFrom('203.0.113.2', 'alice', 'alicepwd'))).identity).toBe('alice');
  });

  it('only failures write the store; a cached valid credential does not call the store at all', async () => {
    const { throttle, counting } = setup();
    const cache = new VerificationCache<Member>();
    const authenticator = createAuthenticator({ backend: backendWith(throttle, { cache }) });
    userOf(await authenticator.run(basicFrom('203.0.113.1', 'alice', 'alicepwd')));
    expect(counting.calls).toEqual({ get: 2, hit: 0, reset: 0 }); // the first check reads both buckets
    const before = counting.total();
    for (let i = 0; i < 5; i++) userOf(await authenticator.run(basicFrom('203.0.113.1', 'alice', 'alicepwd')));
    expect(counting.total()).toBe(before);
    expect(responseOf(await authenticator.run(basicFrom('203.0.113.1', 'alice', 'nope'))).status).toBe(401);
    expect(counting.calls.hit).toBe(2);
  });

  it('a store outage answers 503 before any hashing (fail closed), and logs throttle_unavailable', async () => {
    const events: AuthenticationFailure[] = [];
    let verified = 0;
    const backend = passwordBackend<Member>({
      findUser: (name) => new Member(name),
      passwordHashOf: () => 'h:x',
      hasher: { ...plainHasher, verify: async (p, s) => (verified++, plainHasher.verify(p, s)) },
      throttle: loginThrottle({ store: brokenStore }),
    });
    const authenticator = createAuthenticator({ backend, log: (e) => events.push(e) });
    expect(responseOf(await authenticator.run(basicFrom('203.0.113.1', 'alice', 'x'))).status).toBe(503);
    expect(verified).toBe(0);
    expect(events[0]).toMatchObject({ code: 'backend_unavailable', reason: 'throttle_unavailable', subject: 'alice' });
  });

  it('verifyCredentials (login forms) rejects with too_many_requests, logged; errorResponse gives the table answer', async () => {
    const { throttle } = setup();
    const events: AuthenticationFailure[] = [];
    const backend = backendWith(throttle, { log: (e) => events.push(e) });
    const connection = from('203.0.113.1');
    for (let i = 0; i < 4; i++) expect(await backend.verifyCredentials('alice', 'nope', connection)).toBeNull();
    const error = await backend.verifyCredentials('alice', 'alicepwd', connection).catch((e: unknown) => e);
    expect(isAuthenticationError(error) && [error.code, error.retryAfter]).toEqual(['too_many_requests', 1]);
    expect(events).toEqual([{ event: 'authentication_failed', code: 'too_many_requests', method: 'POST', path: '/login', subject: 'alice', reason: 'login_throttled' }]);
    const json = conn({ method: 'POST', target: '/login', headers: { accept: 'application/json' } });
    expect(errorResponse(error as AuthenticationError, json)).toEqual({
      status: 429,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store', vary: 'Accept', 'retry-after': '1' },
      body: '{"error":"too_many_requests"}',
    });
  });

  it('refuses a throttle without retryAfter() and failed()', () => {
    expect(configError(() => backendWith({} as never)).detail).toMatch(/throttle/);
  });
});
