import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator, type AuthenticationFailure } from '../authenticator.js';
import { VerificationCache } from '../cache.js';
import type { Connection } from '../connection.js';
import { AuthenticationError, isAuthenticationError } from '../errors.js';
import { HashingError } from '../hashing/errors.js';
import type { Hasher } from '../hashing/hasher.js';
import { passwordBackend } from '../password.js';
import { errorResponse } from '../response.js';
import { SimpleUser } from '../user.js';
import { FIXED_NOW, configError, conn, responseOf, userOf } from '../../../test-support/connection.js';
import { throttleWait, type ThrottleRule } from './backoff.js';
import { foldUsername, loginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import { MemoryThrottleStore } from './memory-store.js';
import type { ThrottleStore } from './store.js';

/** A memory store that counts the calls it gets, by method. */
function countingStore(inner: ThrottleStore = new MemoryThrottleStore()) {
  const calls = { get: 0, attempt: 0, release: 0 };
  const store: ThrottleStore = {
    get: (key) => (calls.get++, inner.get(key)),
    attempt: (key, now, rule) => (calls.attempt++, inner.attempt(key, now, rule)),
    release: (key, now, ttl) => (calls.release++, inner.release(key, now, ttl)),
  };
  return { store, calls, total: () => calls.get + calls.attempt + calls.release };
}

/** A store whose every method rejects: Redis away. */
const brokenStore: ThrottleStore = {
  get: () => Promise.reject(new Error('down')),
  attempt: () => Promise.reject(new Error('down')),
  release: () => Promise.reject(new Error('down')),
};

afterEach(() => {
  vi.restoreAllMocks();
});

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
    const { throttle, advance } = setup({ maxDelayMs: 60_000, forgetAfterMs: 120_000, addressAllowance: 0 });
    // A failure each time the wait is over, until it reaches its cap.
    for (let i = 0; i < 12; i++) {
      await throttle.failed('alice', from(`203.0.113.${i}`));
      if (i < 11) advance((await throttle.retryAfter('alice')) * 1000);
    }
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

  it('THR-12 case and Unicode variants of a username share one bucket (NFKC + case fold)', async () => {
    const { throttle } = setup({ addressAllowance: 0 });
    for (const variant of ['alice', 'ALICE', 'Ａｌｉｃｅ', ' alice ']) await throttle.failed(variant);
    expect(await throttle.retryAfter('aLiCe')).toBe(1);
    const second = setup({ addressAllowance: 0 });
    for (const variant of ['strasse', 'STRASSE', 'straße']) await second.throttle.failed(variant);
    expect(await second.throttle.retryAfter('STRAẞE')).toBe(0);
    await second.throttle.failed('Strasse');
    expect(await second.throttle.retryAfter('straße')).toBe(1);
  });

  it('THR-12 accents and default-ignorable characters fold too: alíce, al\u200Bice, al\u00ADice and alice share one bucket', async () => {
    const { throttle } = setup({ addressAllowance: 0 });
    for (const variant of ['al\u00EDce', 'al\u200Bice', 'al\u00ADice', 'ali\u0301ce\uFE0F']) await throttle.failed(variant);
    expect(await throttle.retryAfter('alice')).toBe(1);
    expect(await throttle.retryAfter('alicia')).toBe(0);
  });

  it('accountKey: the app\'s own canonical form (case-sensitive usernames), still hashed; a non-string result fails closed', async () => {
    const keys: string[] = [];
    const inner = new MemoryThrottleStore();
    const store: ThrottleStore = { get: (k) => inner.get(k), attempt: (k, n, r) => (keys.push(k), inner.attempt(k, n, r)), release: (k, n, t) => inner.release(k, n, t) };
    const exact = loginThrottle({ store, accountAllowance: 1, addressAllowance: 0, accountKey: (u) => u, clock: () => FIXED_NOW });
    for (let i = 0; i < 2; i++) await exact.failed('Alice');
    expect(await exact.retryAfter('Alice')).toBe(1);
    expect(await exact.retryAfter('alice')).toBe(0);
    expect(keys.every((k) => /^a:[0-9a-f]{40}$/.test(k))).toBe(true);
    for (const accountKey of [() => 42, () => undefined, () => { throw new Error('bug'); }]) {
      const broken = loginThrottle({ store: new MemoryThrottleStore(), accountKey: accountKey as never, onStoreError: 'open' });
      const error = await broken.attempt('alice', from('203.0.113.1')).catch((e: unknown) => e);
      expect(isAuthenticationError(error) && [error.code, error.reason]).toEqual(['backend_unavailable', 'throttle_unavailable']);
    }
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

  it('an IPv6 client also counts in its /48, with 4× the address allowance (rotating /64s does not escape)', async () => {
    const { throttle } = setup({ accountAllowance: 100 });
    for (let i = 1; i <= 21; i++) await throttle.failed(`u${i}`, from(`2001:db8:1:${i.toString(16)}::1`));
    expect(await throttle.retryAfter('x', from('2001:db8:1:ff::1'))).toBe(1);
    expect(await throttle.retryAfter('x', from('2001:db8:2:1::1'))).toBe(0);
  });

  it('requests whose client address is unknown share one bucket with its own larger allowance (10× by default), and warn once', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { throttle } = setup({ accountAllowance: 1000 });
    const unknown = () => conn({ method: 'POST', target: '/login' });
    for (let i = 0; i < 50; i++) await throttle.failed(`u${i}`, unknown());
    expect(await throttle.retryAfter('x', unknown())).toBe(0); // 20 clients behind one broken proxy do not lock each other out at 5
    await throttle.failed('u50', unknown());
    expect(await throttle.retryAfter('x', unknown())).toBe(1); // hiding the address does not escape the bucket
    expect(await throttle.retryAfter('x', from('203.0.113.1'))).toBe(0);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(String(warn.mock.calls[0]![0])).toMatch(/trustedProxies.*peerAddress/);
    const own = setup({ accountAllowance: 1000, unknownAddressAllowance: 2 });
    for (let i = 0; i < 3; i++) await own.throttle.failed(`u${i}`, unknown());
    expect(await own.throttle.retryAfter('x', unknown())).toBe(1);
  });

  it('keys are hashed: no username reaches the store', async () => {
    const keys: string[] = [];
    const inner = new MemoryThrottleStore();
    const store: ThrottleStore = { get: (k) => (keys.push(k), inner.get(k)), attempt: (k, n, r) => (keys.push(k), inner.attempt(k, n, r)), release: (k, n, t) => (keys.push(k), inner.release(k, n, t)) };
    const throttle = loginThrottle({ store });
    await throttle.failed('alice@example.com', from('203.0.113.1'));
    expect(keys).toEqual([expect.stringMatching(/^k:[0-9a-f]{40}$/), expect.stringMatching(/^a:[0-9a-f]{40}$/), 'n:203.0.113.1']);
    await (await throttle.attempt('alice@example.com', from('203.0.113.1'))).succeeded();
    expect(keys.join(' ')).not.toMatch(/alice|example/);
  });

  it('attempt() counts up front; failed() adds nothing; succeeded() gives back its own counts only, once', async () => {
    const { throttle } = setup({ knownFor: 0 });
    for (let i = 0; i < 2; i++) await throttle.failed('alice', from(`203.0.113.${i}`));
    const ok = await throttle.attempt('alice', from('203.0.113.9'));
    expect(ok.retryAfter).toBe(0);
    await ok.succeeded();
    await ok.succeeded();
    // The two failures stay (a success no longer resets the account): two more and it waits.
    const wrong = await throttle.attempt('alice', from('203.0.113.9'));
    await wrong.failed();
    expect(await throttle.retryAfter('alice')).toBe(0);
    await throttle.failed('alice', from('203.0.113.9'));
    expect(await throttle.retryAfter('alice')).toBe(1);
    // The address's pending count came back too: 203.0.113.9 holds the two failures only.
    expect(await throttle.retryAfter('nobody', from('203.0.113.9'))).toBe(0);
  });

  it('THR-12 a success as ALICE does not reset alice\'s failures (register ALICE, guess alice, log in as ALICE, repeat)', async () => {
    // ALICE and alice are two accounts only where the lookup tells them apart, and then accountKey must too.
    const { throttle } = setup({ addressAllowance: 0, accountKey: (u) => u });
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 2; i++) {
        const guess = await throttle.attempt('alice', from('198.51.100.66'));
        if (guess.retryAfter === 0) await guess.failed();
      }
      await (await throttle.attempt('ALICE', from('198.51.100.66'))).succeeded();
    }
    expect(await throttle.retryAfter('alice', from('203.0.113.1'))).toBe(1);
    // Nor does ALICE's success from that address make it known for the username alice.
    expect((await throttle.attempt('alice', from('198.51.100.66'))).retryAfter).toBe(1);
  });

  it('THR-14 a known (account, address) pair is throttled on its own bucket: a flood from elsewhere does not lock the owner out there; a new address waits', async () => {
    const { throttle, advance } = setup({ addressAllowance: 5, maxDelayMs: 900_000 });
    const home = from('192.0.2.10');
    await (await throttle.attempt('alice', home)).succeeded(); // the owner logged in once from home
    advance(60_000);
    // The attacker: one guess per lapse, from ever new addresses, keeps the account waiting.
    for (let i = 1; i <= 30; i++) {
      const guess = await throttle.attempt('alice', from(`203.0.113.${i}`));
      if (guess.retryAfter === 0) await guess.failed();
      else advance(guess.retryAfter * 1000);
    }
    expect((await throttle.attempt('alice', from('198.51.100.1'))).retryAfter).toBeGreaterThan(0); // the owner, from a new address
    const owner = await throttle.attempt('alice', home);
    expect(owner.retryAfter).toBe(0);
    await owner.succeeded();
    // The known pair has the account's allowance and backoff: guessing from the owner's address backs off too.
    for (let i = 0; i < 4; i++) await throttle.failed('alice', home);
    expect((await throttle.attempt('alice', home)).retryAfter).toBe(1);
    // Known for knownFor only; logins without an address never become known.
    const unknown = setup({ knownFor: 1000, addressAllowance: 0, baseDelayMs: 10_000, maxDelayMs: 10_000 });
    await (await unknown.throttle.attempt('bob', conn({ method: 'POST', target: '/login' }))).succeeded();
    for (let i = 0; i < 4; i++) await unknown.throttle.failed('bob', from(`203.0.113.${i}`));
    expect((await unknown.throttle.attempt('bob', conn({ method: 'POST', target: '/login' }))).retryAfter).toBe(10);
    await (await unknown.throttle.attempt('carol', home)).succeeded();
    for (let i = 0; i < 4; i++) await unknown.throttle.failed('carol', from(`203.0.113.${i}`));
    expect((await unknown.throttle.attempt('carol', home)).retryAfter).toBe(0);
    unknown.advance(1000);
    expect((await unknown.throttle.attempt('carol', home)).retryAfter).toBe(9);
  });

  it('a refused attempt counts nothing, and gives back what the other bucket counted', async () => {
    const { throttle } = setup({ accountAllowance: 0, addressAllowance: 100 });
    await throttle.failed('alice', from('203.0.113.1'));
    for (let i = 0; i < 50; i++) expect((await throttle.attempt('alice', from('203.0.113.1'))).retryAfter).toBe(1);
    // 50 refusals left the address bucket at its one failure.
    const address = setup({ accountAllowance: 100, addressAllowance: 1 });
    for (let i = 0; i < 60; i++) await address.throttle.attempt('alice', from('203.0.113.1'));
    expect(await address.counting.store.get('n:203.0.113.1')).toEqual({ failures: 2, last: FIXED_NOW });
  });

  it('a store outage fails closed by default (backend_unavailable, reason throttle_unavailable), open when configured', async () => {
    const closed = loginThrottle({ store: brokenStore });
    const error = await closed.retryAfter('alice', from('203.0.113.1')).catch((e: unknown) => e);
    expect(isAuthenticationError(error) && [error.code, error.reason]).toEqual(['backend_unavailable', 'throttle_unavailable']);
    await expect(closed.failed('alice')).rejects.toBeInstanceOf(AuthenticationError);
    await expect(closed.attempt('alice')).rejects.toBeInstanceOf(AuthenticationError);
    const open = loginThrottle({ store: brokenStore, onStoreError: 'open' });
    expect(await open.retryAfter('alice')).toBe(0);
    await expect(open.failed('alice')).resolves.toBeUndefined();
    const admitted = await open.attempt('alice', from('203.0.113.1'));
    expect(admitted.retryAfter).toBe(0);
    await expect(admitted.succeeded()).resolves.toBeUndefined();
  });

  it('a store answering a malformed record fails closed (throttle_unavailable), even with onStoreError: open', async () => {
    const lies: unknown[] = [
      { waitMs: 0, failures: Number.NaN, last: FIXED_NOW },
      { waitMs: 0, failures: 1, last: Number.NaN },
      { waitMs: 0, failures: -1, last: FIXED_NOW },
      { waitMs: 0, failures: '3', last: FIXED_NOW },
      { waitMs: 0, failures: 1.5, last: FIXED_NOW },
      { waitMs: Number.NaN, failures: 9, last: FIXED_NOW },
      { waitMs: -5, failures: 9, last: FIXED_NOW },
      { failures: 9, last: FIXED_NOW },
      { waitMs: 0, failures: 0, last: FIXED_NOW }, // admitted but not counted
      undefined,
      null,
      7,
    ];
    for (const lie of lies) {
      const store: ThrottleStore = { get: async () => undefined, attempt: async () => lie as never, release: async () => {} };
      for (const onStoreError of ['closed', 'open'] as const) {
        const error = await loginThrottle({ store, onStoreError }).attempt('alice', from('203.0.113.1')).catch((e: unknown) => e);
        expect(isAuthenticationError(error) && [error.code, error.reason], JSON.stringify(lie)).toEqual(['backend_unavailable', 'throttle_unavailable']);
      }
    }
    const lyingGet: ThrottleStore = { get: async () => ({ failures: Number.POSITIVE_INFINITY, last: 0 }), attempt: async () => ({ waitMs: 0, failures: 1, last: 0 }), release: async () => {} };
    await expect(loginThrottle({ store: lyingGet, onStoreError: 'open' }).retryAfter('alice')).rejects.toBeInstanceOf(AuthenticationError);
  });

  it('checks its options at construction', () => {
    const store = new MemoryThrottleStore();
    expect(configError(() => loginThrottle(undefined as never)).detail).toMatch(/store/);
    expect(configError(() => loginThrottle({ store: { get() {}, hit() {}, reset() {} } as never })).detail).toMatch(/store\.attempt.*replaced/);
    expect(configError(() => loginThrottle({ store: { get() {}, attempt() {} } as never })).detail).toMatch(/store\.release/);
    expect(configError(() => loginThrottle({ store, accountKey: 'lower' as never })).detail).toMatch(/accountKey/);
    expect(configError(() => loginThrottle({ store, knownFor: -1 })).detail).toMatch(/knownFor/);
    expect(configError(() => loginThrottle({ store, unknownAddressAllowance: 0 })).detail).toMatch(/unknownAddressAllowance/);
    expect(configError(() => loginThrottle({ store, accountAllowance: -1 })).detail).toMatch(/accountAllowance/);
    expect(configError(() => loginThrottle({ store, maxDelayMs: 10, baseDelayMs: 100 })).detail).toMatch(/maxDelayMs/);
    expect(configError(() => loginThrottle({ store, forgetAfterMs: 1000, maxDelayMs: 5000 })).detail).toMatch(/forgetAfterMs/);
    expect(configError(() => loginThrottle({ store, onStoreError: 'maybe' as never })).detail).toMatch(/onStoreError/);
  });
});

const RULE: ThrottleRule = { allowance: 2, baseDelayMs: 1000, maxDelayMs: 8000, ttlMs: 60_000 };

describe('MemoryThrottleStore', () => {
  it('is bounded: the least recently counted buckets go first', async () => {
    const store = new MemoryThrottleStore({ max: 3 });
    for (let i = 0; i < 10; i++) await store.attempt(`k${i}`, FIXED_NOW, RULE);
    expect(store.size).toBe(3);
    expect(await store.get('k0')).toBeUndefined();
    expect(await store.get('k9')).toEqual({ failures: 1, last: FIXED_NOW });
  });

  it('a flood of new keys evicts expired and non-waiting buckets first, never a waiting one while others are idle', async () => {
    const store = new MemoryThrottleStore({ max: 3 });
    for (let i = 0; i < 4; i++) await store.attempt('locked', FIXED_NOW, RULE); // 3 counted, the 4th refused
    await store.attempt('old', FIXED_NOW - 60_000, RULE); // expired at FIXED_NOW
    for (let i = 0; i < 100; i++) await store.attempt(`flood${i}`, FIXED_NOW, RULE);
    expect(store.size).toBe(3);
    expect(await store.get('locked')).toEqual({ failures: 3, last: FIXED_NOW });
    expect((await store.attempt('locked', FIXED_NOW + 10, RULE)).waitMs).toBe(990);
    // Only when every bucket waits does the oldest go.
    const full = new MemoryThrottleStore({ max: 2 });
    for (const key of ['a', 'b', 'c']) for (let i = 0; i < 3; i++) await full.attempt(key, FIXED_NOW, RULE);
    expect([await full.get('a'), full.size]).toEqual([undefined, 2]);
  });

  it('attempt() restarts a count older than the ttl, refuses a waiting bucket without counting, keeps last = max(last, now)', async () => {
    const store = new MemoryThrottleStore();
    const rule = { ...RULE, ttlMs: 1000 };
    await store.attempt('k', FIXED_NOW, rule);
    expect(await store.attempt('k', FIXED_NOW + 999, rule)).toEqual({ waitMs: 0, failures: 2, last: FIXED_NOW + 999 });
    expect(await store.attempt('k', FIXED_NOW + 1999, rule)).toEqual({ waitMs: 0, failures: 1, last: FIXED_NOW + 1999 });
    expect(await store.attempt('k', FIXED_NOW + 1500, rule)).toEqual({ waitMs: 0, failures: 2, last: FIXED_NOW + 1999 }); // a late clock never moves last back
    await store.attempt('k', FIXED_NOW + 1999, rule);
    expect(await store.attempt('k', FIXED_NOW + 2000, rule)).toEqual({ waitMs: 999, failures: 3, last: FIXED_NOW + 1999 });
    expect(await store.get('k')).toEqual({ failures: 3, last: FIXED_NOW + 1999 });
  });

  it('release() gives one back, never below 0, and leaves a stale record alone', async () => {
    const store = new MemoryThrottleStore();
    await store.attempt('k', FIXED_NOW, RULE);
    await store.attempt('k', FIXED_NOW, RULE);
    await store.release('k', FIXED_NOW, RULE.ttlMs);
    expect(await store.get('k')).toEqual({ failures: 1, last: FIXED_NOW });
    await store.release('k', FIXED_NOW, RULE.ttlMs);
    await store.release('k', FIXED_NOW, RULE.ttlMs);
    await store.release('never', FIXED_NOW, RULE.ttlMs);
    expect(await store.get('k')).toBeUndefined();
    expect((await store.attempt('k', FIXED_NOW, RULE)).failures).toBe(1);
  });

  it('200 concurrent attempts on one bucket admit exactly allowance + 1', async () => {
    const store = new MemoryThrottleStore();
    const answers = await Promise.all(Array.from({ length: 200 }, () => store.attempt('k', FIXED_NOW, RULE)));
    expect(answers.filter((a) => a.waitMs === 0)).toHaveLength(RULE.allowance + 1);
  });
});

describe('throttleWait (the one backoff formula)', () => {
  it('waits nothing within the allowance or after the ttl; doubles from baseDelayMs; caps at maxDelayMs after last', () => {
    const at = (failures: number, now = 0) => throttleWait({ failures, last: 0 }, now, RULE);
    expect([0, 1, 2].map((f) => at(f))).toEqual([0, 0, 0]);
    expect([3, 4, 5, 6, 7, 60].map((f) => at(f))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect([at(4, 500), at(4, 2000), at(60, 59_999), at(60, 60_000)]).toEqual([1500, 0, 0, 0]);
    expect(throttleWait(undefined, 0, RULE)).toBe(0);
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

  it('only logins touch the store; a cached valid credential does not call the store at all', async () => {
    const { throttle, counting } = setup();
    const cache = new VerificationCache<Member>();
    const authenticator = createAuthenticator({ backend: backendWith(throttle, { cache }) });
    userOf(await authenticator.run(basicFrom('203.0.113.1', 'alice', 'alicepwd')));
    // The known-pair marker read, both buckets attempted, both given back, the pair marked known.
    expect(counting.calls).toEqual({ get: 1, attempt: 3, release: 2 });
    const before = counting.total();
    for (let i = 0; i < 5; i++) userOf(await authenticator.run(basicFrom('203.0.113.1', 'alice', 'alicepwd')));
    expect(counting.total()).toBe(before);
    expect(responseOf(await authenticator.run(basicFrom('203.0.113.1', 'alice', 'nope'))).status).toBe(401);
    expect(counting.calls).toEqual({ get: 2, attempt: 5, release: 2 });
  });

  it('THR-12 200 parallel wrong guesses for one account: exactly allowance + 1 reach the hasher, the rest are 429', async () => {
    let verified = 0;
    const slowHasher: Hasher = { ...plainHasher, verify: async (p, s) => (verified++, await new Promise((r) => setTimeout(r, 1)), plainHasher.verify(p, s)) };
    const backend = passwordBackend<Member>({
      findUser: (name) => (HASHES.has(name) ? new Member(name) : null),
      passwordHashOf: (user) => HASHES.get(user.identity),
      hasher: slowHasher,
      throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 5 }),
    });
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        backend.verifyCredentials('alice', `guess${i}`, from(`10.${i >> 8}.${i & 255}.1`)).then(
          (user) => (user === null ? 'wrong' : 'in'),
          (error: unknown) => (isAuthenticationError(error) ? error.code : 'other'),
        ),
      ),
    );
    expect(verified).toBe(6);
    expect(outcomes.filter((o) => o === 'wrong')).toHaveLength(6);
    expect(outcomes.filter((o) => o === 'too_many_requests')).toHaveLength(194);
  });

  it('THR-15 the 429 is the same whichever bucket refused: account, address, known pair, IPv6 /48, unknown address', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const { throttle } = setup({ accountAllowance: 3, addressAllowance: 5, unknownAddressAllowance: 5 });
    const backend = backendWith(throttle);
    const refusal = async (username: string, connection: Connection) => {
      const error = await backend.verifyCredentials(username, 'nope', connection).catch((e: unknown) => e);
      expect(isAuthenticationError(error) && error.code, username).toBe('too_many_requests');
      return errorResponse(error as AuthenticationError, connection);
    };
    for (let i = 0; i < 4; i++) await backend.verifyCredentials('alice', 'nope', from(`203.0.113.${i}`));
    const byAccount = await refusal('alice', from('198.51.100.1'));
    for (let i = 0; i < 6; i++) await backend.verifyCredentials(`ghost${i}`, 'nope', from('192.0.2.1'));
    const byAddress = await refusal('bob', from('192.0.2.1'));
    await backend.verifyCredentials('bob', 'bobpwd', from('192.0.2.50'));
    for (let i = 0; i < 4; i++) await backend.verifyCredentials('bob', 'nope', from('192.0.2.50'));
    const byPair = await refusal('bob', from('192.0.2.50'));
    for (let i = 1; i <= 21; i++) await backend.verifyCredentials(`v6user${i}`, 'nope', from(`2001:db8:7:${i.toString(16)}::1`));
    const by48 = await refusal('nobody', from('2001:db8:7:ff::1'));
    const unknown = () => conn({ method: 'POST', target: '/login' });
    for (let i = 0; i < 6; i++) await backend.verifyCredentials(`hidden${i}`, 'nope', unknown());
    const byUnknown = await refusal('nobody', unknown());
    expect(byAccount).toMatchObject({ status: 429, headers: { 'retry-after': '1' } });
    for (const other of [byAddress, byPair, by48, byUnknown]) expect(other).toEqual(byAccount);
    expect(warn).toHaveBeenCalledTimes(1);
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

  it('refuses a throttle without attempt() (a retryAfter()/failed() throttle races): no silent fallback', () => {
    expect(configError(() => backendWith({} as never)).detail).toMatch(/throttle must implement attempt/);
    const racy = { retryAfter: async () => 0, failed: async () => {} };
    expect(configError(() => backendWith(racy as never)).detail).toMatch(/parallel guesses/);
  });
});

describe('passwordBackend({ coalesce: true }): concurrent identical logins are one attempt (single flight)', () => {
  /** The backend of `backendWith`, with a hasher that counts its verifications and takes a few ms. */
  function slowBackend(throttle: ReturnType<typeof loginThrottle>, extra: { onRehash?: (user: Member, fresh: string, old: string) => void; coalesce?: boolean } = {}) {
    const hashed = { count: 0 };
    const hasher: Hasher = {
      ...plainHasher,
      verify: async (p, s) => (hashed.count++, await new Promise((r) => setTimeout(r, 5)), { ...(await plainHasher.verify(p, s)), needsRehash: extra.onRehash !== undefined }),
    };
    const backend = passwordBackend<Member>({
      findUser: (name) => (HASHES.has(name) ? new Member(name) : null),
      passwordHashOf: (user) => HASHES.get(user.identity),
      hasher,
      throttle,
      coalesce: true,
      ...extra,
    });
    return { backend, hashed };
  }

  it('THR-12 by default (no coalesce) each parallel request is its own attempt: 20 right-password requests get allowance+1 checks, the rest 429', async () => {
    const { throttle, counting } = setup({ accountAllowance: 5, addressAllowance: 50 });
    const { backend, hashed } = slowBackend(throttle, { coalesce: false });
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () =>
        backend.verifyCredentials('alice', 'alicepwd', from('203.0.113.7')).then(
          (user) => user?.identity,
          (error: unknown) => (isAuthenticationError(error) ? error.code : 'other'),
        ),
      ),
    );
    expect(outcomes.filter((o) => o === 'alice')).toHaveLength(6);
    expect(outcomes.filter((o) => o === 'too_many_requests')).toHaveLength(14);
    expect(hashed.count).toBe(6);
    expect(counting.calls.attempt).toBeGreaterThanOrEqual(20);
  });

  it('20 parallel right-password Basic requests, accountAllowance 5, no cache: all 200, one hash, one count', async () => {
    const { throttle, counting } = setup({ accountAllowance: 5 });
    const { backend, hashed } = slowBackend(throttle);
    const authenticator = createAuthenticator({ backend });
    const decisions = await Promise.all(Array.from({ length: 20 }, () => authenticator.run(basicFrom('203.0.113.7', 'alice', 'alicepwd'))));
    expect(decisions.map((d) => userOf(d).identity)).toEqual(Array(20).fill('alice'));
    expect(hashed.count).toBe(1);
    // One attempt: the marker read, the account and the address bucket counted, both given back, the pair marked.
    expect(counting.calls).toEqual({ get: 1, attempt: 3, release: 2 });
  });

  it('20 parallel identical wrong passwords: all 401, one hash, one counted failure', async () => {
    const { throttle, counting } = setup({ accountAllowance: 5, addressAllowance: 50 });
    const { backend, hashed } = slowBackend(throttle);
    const authenticator = createAuthenticator({ backend });
    const decisions = await Promise.all(Array.from({ length: 20 }, () => authenticator.run(basicFrom('203.0.113.7', 'alice', 'wrong'))));
    expect(decisions.map((d) => responseOf(d).status)).toEqual(Array(20).fill(401));
    expect(hashed.count).toBe(1);
    expect(counting.calls).toEqual({ get: 1, attempt: 2, release: 0 });
    // One failure counted: the account admits allowance (5) more before it backs off.
    const next = [];
    for (let i = 0; i < 6; i++) next.push(responseOf(await authenticator.run(basicFrom(`198.51.100.${i}`, 'alice', `other${i}`))).status);
    expect(next).toEqual([401, 401, 401, 401, 401, 429]);
  });

  it('THR-12 200 parallel DIFFERENT wrong passwords from one address still get exactly allowance + 1 hashed', async () => {
    const { throttle } = setup({ accountAllowance: 5, addressAllowance: 500 });
    const { backend, hashed } = slowBackend(throttle);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        backend.verifyCredentials('alice', `guess${i}`, from('203.0.113.7')).then(
          (user) => (user === null ? 'wrong' : 'in'),
          (error: unknown) => (isAuthenticationError(error) ? error.code : 'other'),
        ),
      ),
    );
    expect(hashed.count).toBe(6);
    expect(outcomes.filter((o) => o === 'wrong')).toHaveLength(6);
    expect(outcomes.filter((o) => o === 'too_many_requests')).toHaveLength(194);
  });

  it('the same credentials from two addresses are two flights (one address never rides on another); one IPv6 /64 is one', async () => {
    const { throttle, counting } = setup({ accountAllowance: 5 });
    const { backend, hashed } = slowBackend(throttle);
    const logins = ['203.0.113.7', '203.0.113.8', '203.0.113.7', '203.0.113.8'].map((a) => backend.verifyCredentials('alice', 'wrong', from(a)));
    expect(await Promise.all(logins)).toEqual([null, null, null, null]);
    expect(hashed.count).toBe(2);
    expect(counting.calls.attempt).toBe(4);
    // The throttle buckets an IPv6 client by its /64: two hosts of one /64 are one address to it.
    const v6 = ['2001:db8:1:2::1', '2001:db8:1:2::2'].map((a) => backend.verifyCredentials('alice', 'wrong', from(a)));
    expect(await Promise.all(v6)).toEqual([null, null]);
    expect(hashed.count).toBe(3);
    // Nor do different usernames as typed, or different passwords, share a flight.
    await Promise.all([backend.verifyCredentials('alice', 'a', from('192.0.2.1')), backend.verifyCredentials('Alice', 'a', from('192.0.2.1')), backend.verifyCredentials('alice', 'b', from('192.0.2.1'))]);
    expect(hashed.count).toBe(6);
  });

  it('coalesced callers get the same AuthenticationError when the flight is throttled, and nothing more is counted', async () => {
    const { throttle, counting } = setup({ accountAllowance: 1 });
    const { backend, hashed } = slowBackend(throttle);
    for (let i = 0; i < 2; i++) await backend.verifyCredentials('alice', `nope${i}`, from(`198.51.100.${i}`));
    const before = { ...counting.calls };
    const errors = await Promise.all(Array.from({ length: 10 }, () => backend.verifyCredentials('alice', 'alicepwd', from('203.0.113.7')).catch((e: unknown) => e)));
    expect(errors.every((e) => isAuthenticationError(e) && e.code === 'too_many_requests' && e.retryAfter === 1)).toBe(true);
    expect(new Set(errors).size).toBe(1);
    expect(counting.calls.attempt - before.attempt).toBe(2);
    expect(hashed.count).toBe(2);
  });

  it('a rehash runs once for parallel logins; a later login checks again (the flight is forgotten when it ends)', async () => {
    const rehashed: string[] = [];
    const { throttle, counting } = setup({ accountAllowance: 5 });
    const { backend, hashed } = slowBackend(throttle, { onRehash: (user) => void rehashed.push(user.identity) });
    const users = await Promise.all(Array.from({ length: 8 }, () => backend.verifyCredentials('alice', 'alicepwd', from('203.0.113.7'))));
    expect(users.every((u) => u?.identity === 'alice')).toBe(true);
    expect(new Set(users).size).toBe(1);
    expect(rehashed).toEqual(['alice']);
    expect(hashed.count).toBe(1);
    await backend.verifyCredentials('alice', 'alicepwd', from('203.0.113.7'));
    expect(hashed.count).toBe(2);
    expect(rehashed).toEqual(['alice', 'alice']);
    expect(counting.calls.attempt).toBe(6);
  });
});

describe('the throttle review\'s findings (issue #16)', () => {
  it('THR-12 a username past 1024 code units is never known: another account sharing its head cannot make an address known for it (round-3 review, A)', async () => {
    const { throttle } = setup({ accountAllowance: 1, addressAllowance: 0 });
    const head = 'v'.repeat(1024);
    const attacker = `${head}attacker`;
    const victim = `${head}victim`;
    // The attacker logs in to their own account from Z …
    const own = await throttle.attempt(attacker, from('203.0.113.9'));
    expect(own.retryAfter).toBe(0);
    await own.succeeded();
    // … the victim's account (the same head: the same account bucket) is flooded from elsewhere …
    for (let i = 0; i < 2; i++) {
      const guess = await throttle.attempt(victim, from(`198.51.100.${i}`));
      if (guess.retryAfter === 0) await guess.failed();
    }
    // … and a guess at the victim from Z is still held by the account bucket (no known-pair bucket).
    expect((await throttle.attempt(victim, from('203.0.113.9'))).retryAfter).toBeGreaterThan(0);
  });

  it('allowances above 1,000,000,000 are refused at construction (the unbounded allowance marks known-pair markers in a store; round-3 review, E)', () => {
    for (const name of ['accountAllowance', 'addressAllowance', 'unknownAddressAllowance'] as const) {
      expect(() => loginThrottle({ store: new MemoryThrottleStore(), [name]: Number.MAX_SAFE_INTEGER })).toThrow(/at most 1000000000/);
    }
    expect(() => loginThrottle({ store: new MemoryThrottleStore(), addressAllowance: 1_000_000_000 })).not.toThrow();
  });

  it('THR-12 the fold is stable: fold(fold(x)) = fold(x) = fold(lower(x)) = fold(upper(x)) for every code point', () => {
    // Unassigned, private-use and unified ideograph code points have no case or compatibility mapping: skipped for speed.
    const inert = /^[\p{Cn}\p{Co}\p{Unified_Ideograph}]$/u;
    const unstable: string[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      const x = String.fromCodePoint(c);
      if (inert.test(x)) continue;
      const f = foldUsername(x);
      if (foldUsername(f) !== f || foldUsername(x.toLowerCase()) !== f || foldUsername(x.toUpperCase()) !== f) unstable.push(c.toString(16));
    }
    expect(unstable).toEqual([]);
    // ẞ → ß → ss in one fold; an ignorable after Σ no longer makes it a final ς.
    expect(['STRAẞE', 'straße', 'STRASSE', 'strasse'].map(foldUsername)).toEqual(['strasse', 'strasse', 'strasse', 'strasse']);
    expect(foldUsername('αΣ\u115Fβ')).toBe(foldUsername('ασβ'));
    expect(foldUsername('ασ\u3164β')).toBe(foldUsername('ασβ'));
  });

  it('THR-12 STRAẞE, straße and strasse are one account bucket', async () => {
    const { throttle } = setup({ accountAllowance: 0, addressAllowance: 0 });
    await throttle.failed('STRAẞE');
    expect(await throttle.retryAfter('strasse')).toBe(1);
    expect(await throttle.retryAfter('MIẞISSIPPI')).toBe(0);
    await throttle.failed('mississippi');
    expect(await throttle.retryAfter('MIẞIẞIPPI')).toBe(1);
  });

  it('THR-12 an over-long username is not folded nor hashed whole: its cost is bounded, and it still counts', async () => {
    const seen: number[] = [];
    const { throttle } = setup({ accountAllowance: 0, addressAllowance: 0, accountKey: (u) => (seen.push(u.length), u) });
    const huge = 'a'.repeat(1_000_000);
    await throttle.failed(`${huge}1`);
    expect(seen).toEqual([1024]); // accountKey (the fold by default) saw the first 1024 code units only
    expect(await throttle.retryAfter(`${huge}1`)).toBe(1);
    expect(await throttle.retryAfter(`${huge}12`)).toBe(1); // same head: one bucket (only throttles more)
    expect(await throttle.retryAfter('a'.repeat(1024))).toBe(1); // the head itself is that account
    expect(await throttle.retryAfter('a'.repeat(1023))).toBe(0);
  });

  it('THR-12 padding a username past 1024 code units (maxUsernameBytes 4096, a trimming lookup) never makes a new account bucket', async () => {
    const { throttle } = setup({ accountAllowance: 5, addressAllowance: 1000 });
    let hashed = 0;
    const backend = passwordBackend<Member>({
      findUser: (name) => (HASHES.has(name.trim()) ? new Member(name.trim()) : null),
      passwordHashOf: (user) => HASHES.get(user.identity),
      hasher: { ...plainHasher, verify: async (p, stored) => (hashed++, plainHasher.verify(p, stored)) },
      throttle,
      maxUsernameBytes: 4096,
    });
    const outcomes: string[] = [];
    for (let i = 0; i < 120; i++) {
      outcomes.push(await backend.verifyCredentials(`alice${' '.repeat(1020 + i)}`, `guess${i}`, from(`198.51.100.${i}`)).then(
        () => 'wrong',
        (error: unknown) => (isAuthenticationError(error) ? error.code : 'other'),
      ));
    }
    expect(hashed).toBe(6);
    expect(outcomes.filter((o) => o === 'too_many_requests')).toHaveLength(114);
    expect(await throttle.retryAfter('alice')).toBeGreaterThan(0); // the account itself waits
  });

  it('THR-14 a known pair counts on the pair and its /64, not the /48: others in the owner\'s /48 cannot keep the owner out', async () => {
    const { throttle } = setup({ accountAllowance: 5, addressAllowance: 20 });
    const home = from('2001:db8:77:1::10');
    await (await throttle.attempt('alice', home)).succeeded();
    for (let i = 2; i <= 82; i++) await throttle.failed(`u${i}`, from(`2001:db8:77:${i.toString(16)}::1`)); // 81 failures over 81 /64s
    expect(await throttle.retryAfter('mallory', from('2001:db8:77:ff::1'))).toBe(1); // the /48 waits for everyone else
    const owner = await throttle.attempt('alice', home);
    expect(owner.retryAfter).toBe(0);
    await owner.succeeded();
  });

  it('THR-14 known-pair markers are keyed on the account, not the spelling: 1000 case variants of one\'s own account write one marker', async () => {
    const store = new MemoryThrottleStore({ max: 1000 });
    let now = FIXED_NOW;
    const throttle = loginThrottle({ store, clock: () => now });
    const variant = (i: number) => [...'mallorymallory'].map((c, k) => ((i >> k) & 1 ? c.toUpperCase() : c)).join('');
    await (await throttle.attempt('alice', from('203.0.113.9'))).succeeded(); // the owner, at home
    const before = store.size;
    for (let i = 0; i < 1000; i++) {
      const attempt = await throttle.attempt(variant(i), from('192.0.2.77'));
      expect(attempt.retryAfter).toBe(0);
      await attempt.succeeded();
    }
    expect(store.size).toBe(before + 1);
    for (let i = 0; i < 6; i++) await throttle.failed('alice', from(`10.5.${i}.1`)); // the account waits
    expect((await throttle.attempt('alice', from('198.51.100.1'))).retryAfter).toBeGreaterThan(0);
    expect((await throttle.attempt('alice', from('203.0.113.9'))).retryAfter).toBe(0); // home is still known
    // Under pressure, idle buckets go before markers: a flood of new usernames does not make home unknown.
    for (let i = 0; i < 2000; i++) await throttle.failed(`flood${i}`, from(`198.18.${i >> 8}.${i & 255}`));
    expect(store.size).toBe(1002); // max buckets, plus the two markers (home and mallory) in their own space
    expect((await throttle.attempt('alice', from('203.0.113.9'))).retryAfter).toBe(0);
  });

  it('THR-12 a store\'s corrupt record fails closed even with onStoreError: open; other rejections are outages', async () => {
    const corrupt = Object.assign(new Error('corrupt'), { name: 'ThrottleRecordCorrupt' });
    const store: ThrottleStore = { get: async () => undefined, attempt: () => Promise.reject(corrupt), release: async () => {} };
    const error = await loginThrottle({ store, onStoreError: 'open' }).attempt('alice', from('203.0.113.1')).catch((e: unknown) => e);
    expect(isAuthenticationError(error) && [error.code, error.reason]).toEqual(['backend_unavailable', 'throttle_unavailable']);
    expect((await loginThrottle({ store: brokenStore, onStoreError: 'open' }).attempt('alice', from('203.0.113.1'))).retryAfter).toBe(0);
  });

  it('THR-14 a last failure in the future (a server whose clock runs ahead) never stretches a wait beyond maxDelayMs', async () => {
    expect(throttleWait({ failures: 60, last: 3_600_000 }, 0, RULE)).toBe(RULE.maxDelayMs);
    expect(throttleWait({ failures: 3, last: 3_600_000 }, 0, RULE)).toBe(RULE.baseDelayMs);
    const store = new MemoryThrottleStore();
    const ahead = loginThrottle({ store, accountAllowance: 0, addressAllowance: 0, maxDelayMs: 900_000, clock: () => FIXED_NOW + 3_600_000 });
    const onTime = loginThrottle({ store, accountAllowance: 0, addressAllowance: 0, maxDelayMs: 900_000, clock: () => FIXED_NOW });
    for (let i = 0; i < 30; i++) {
      const attempt = await ahead.attempt('alice');
      if (attempt.retryAfter === 0) await attempt.failed();
    }
    const waits = [await onTime.retryAfter('alice'), (await onTime.attempt('alice')).retryAfter];
    expect(waits.every((w) => w >= 1 && w <= 900)).toBe(true);
  });

  it('THR-13 an IPv6 address carrying an IPv4 client (NAT64, IPv4-compatible, Teredo) counts as that IPv4 address, not a shared /64', async () => {
    const { throttle } = setup({ accountAllowance: 100, addressAllowance: 2 });
    for (let i = 1; i <= 3; i++) await throttle.failed(`u${i}`, from(`64:ff9b::198.51.100.${i}`));
    for (let i = 1; i <= 3; i++) await throttle.failed(`v${i}`, from(`::203.0.113.${i}`));
    expect(await throttle.retryAfter('x', from('64:ff9b::198.51.100.9'))).toBe(0);
    expect(await throttle.retryAfter('x', from('::203.0.113.9'))).toBe(0);
    for (let i = 0; i < 3; i++) await throttle.failed(`w${i}`, from('64:ff9b::c633:6405')); // 198.51.100.5
    expect(await throttle.retryAfter('x', from('198.51.100.5'))).toBe(1);
    // Teredo: 2001:0::/32, the client's address inverted in the last 32 bits (~192.0.2.45 = 3fff:fdd2).
    for (let i = 0; i < 3; i++) await throttle.failed(`t${i}`, from('2001:0:4136:e378:8000:63bf:3fff:fdd2'));
    expect(await throttle.retryAfter('x', from('192.0.2.45'))).toBe(1);
    expect(await throttle.retryAfter('x', from('2001:0:4136:e378:8000:63bf:3fff:fdd3'))).toBe(0);
  });
});

describe('MemoryThrottleStore eviction (issue #16)', () => {
  it('THR-12 never evicts a waiting bucket while a bucket within its allowance remains, however many wait before it', async () => {
    const store = new MemoryThrottleStore({ max: 200 });
    const throttle = loginThrottle({ store, addressAllowance: 0, clock: () => FIXED_NOW });
    for (let i = 0; i < 7; i++) await throttle.failed('alice'); // 6 counted: waits 1 s
    for (let k = 0; k < 63; k++) for (let i = 0; i < 7; i++) await throttle.failed(`attacker${k}`);
    for (let k = 0; k < 130; k++) await throttle.failed(`idle${k}`);
    expect([store.size, await throttle.retryAfter('alice')]).toEqual([194, 1]);
    for (let k = 0; k < 7; k++) await throttle.failed(`new${k}`);
    expect(store.size).toBe(200);
    expect(await throttle.retryAfter('alice')).toBe(1); // the one evicted bucket was an idle one
  });

  it('THR-12 a store full of known-pair markers still admits exactly allowance+1 guesses, sequential and parallel', async () => {
    for (const parallel of [false, true]) {
      const store = new MemoryThrottleStore({ max: 1000 });
      let now = FIXED_NOW;
      const throttle = loginThrottle({ store, clock: () => now });
      // Ordinary logins over 25 days: 1100 (account, address) pairs, more markers than max/2.
      for (let i = 0; i < 1100; i++) {
        now += 25 * 86_400_000 / 1100;
        await (await throttle.attempt(`user${i}`, from(`10.${i >> 8}.${i & 255}.1`))).succeeded();
      }
      expect(store.size).toBeLessThanOrEqual(1000 + 500);
      let admitted = 0;
      const guess = async () => {
        const attempt = await throttle.attempt('alice', from('198.51.100.7'));
        if (attempt.retryAfter > 0) return;
        admitted++;
        await attempt.failed();
      };
      if (parallel) await Promise.all(Array.from({ length: 200 }, guess));
      else for (let i = 0; i < 200; i++) await guess();
      expect([parallel, admitted]).toEqual([parallel, 6]);
    }
  });
});

describe('passwordBackend({ throttle }): a check that throws gives its count back (issue #16)', () => {
  it('THR-12 hashing queue full (backend_busy) and a failing user lookup do not lock the owner out', async () => {
    const { throttle } = setup({ accountAllowance: 1, addressAllowance: 100 });
    let busy = true;
    let lookupDown = false;
    const withThrottle = passwordBackend<Member>({
      findUser: (name) => {
        if (lookupDown) throw new Error('user store down');
        return HASHES.has(name) ? new Member(name) : null;
      },
      passwordHashOf: (user) => HASHES.get(user.identity),
      hasher: { ...plainHasher, verify: async (password, stored) => {
        if (busy) throw new HashingError('hasher_busy');
        return plainHasher.verify(password, stored);
      } },
      throttle,
    });
    for (let i = 0; i < 6; i++) await expect(withThrottle.verifyCredentials('alice', 'alicepwd', from('192.0.2.1'))).rejects.toMatchObject({ code: 'backend_busy' });
    busy = false;
    lookupDown = true;
    for (let i = 0; i < 6; i++) await expect(withThrottle.verifyCredentials('alice', 'alicepwd', from('192.0.2.1'))).rejects.toThrow('user store down');
    lookupDown = false;
    expect((await withThrottle.verifyCredentials('alice', 'alicepwd', from('192.0.2.1')))?.identity).toBe('alice');
    // A wrong password still counts.
    for (let i = 0; i < 2; i++) await withThrottle.verifyCredentials('alice', 'wrong', from('192.0.2.2'));
    await expect(withThrottle.verifyCredentials('alice', 'alicepwd', from('192.0.2.3'))).rejects.toMatchObject({ code: 'too_many_requests' });
  });
});

describe('passwordBackend: coalescing is opt-in, the lookup may depend on the connection (issue #16 re-review)', () => {
  /** A multi-tenant lookup keyed on the Host: the attacker's tenant evil.example has an "admin" with the attacker's password. */
  function tenants(coalesce: boolean | undefined) {
    const lookups: string[] = [];
    const backend = passwordBackend<Member>({
      findUser: async (name, connection) => {
        const host = connection?.header('host') ?? '';
        lookups.push(`${host}/${name}`);
        await new Promise((r) => setTimeout(r, 5));
        return host === 'evil.example' && name === 'admin' ? new Member('admin@evil') : null;
      },
      passwordHashOf: (user) => (user.identity === 'admin@evil' ? 'h:attacker-pw' : undefined),
      hasher: plainHasher,
      ...(coalesce === undefined ? {} : { coalesce }),
    });
    const at = (host: string) => conn({ method: 'POST', target: '/login', peerAddress: '192.0.2.66', headers: { host } });
    return { backend, lookups, at };
  }

  it('by default two tenants\' parallel logins with the same credentials each get their own lookup: bank.example never gets evil.example\'s user', async () => {
    const { backend, lookups, at } = tenants(undefined);
    const [evil, bank] = await Promise.all([backend.verifyCredentials('admin', 'attacker-pw', at('evil.example')), backend.verifyCredentials('admin', 'attacker-pw', at('bank.example'))]);
    expect([evil?.identity, bank]).toEqual(['admin@evil', null]);
    expect(lookups.sort()).toEqual(['bank.example/admin', 'evil.example/admin']);
    // The Basic path alike.
    const authenticator = createAuthenticator({ backend });
    const basic = (host: string) =>
      conn({ method: 'GET', target: '/', peerAddress: '192.0.2.66', headers: { host, authorization: `Basic ${btoa('admin:attacker-pw')}` } });
    const decisions = await Promise.all([authenticator.run(basic('evil.example')), authenticator.run(basic('bank.example'))]);
    expect([userOf(decisions[0]!).identity, responseOf(decisions[1]!).status]).toEqual(['admin@evil', 401]);
  });

  it('with coalesce: true the first caller\'s connection serves both (documented: only for a lookup that ignores the connection); a non-boolean is refused', async () => {
    const { backend, lookups, at } = tenants(true);
    const [evil, bank] = await Promise.all([backend.verifyCredentials('admin', 'attacker-pw', at('evil.example')), backend.verifyCredentials('admin', 'attacker-pw', at('bank.example'))]);
    expect([evil?.identity, bank?.identity, lookups]).toEqual(['admin@evil', 'admin@evil', ['evil.example/admin']]);
    expect(configError(() => passwordBackend<Member>({ findUser: () => null, passwordHashOf: () => undefined, hasher: plainHasher, coalesce: 'yes' as unknown as boolean })).message).toContain('coalesce');
  });

  it('a username or password with a lone surrogate is refused before any lookup, and never shares a U+FFFD twin\'s flight', async () => {
    const lookups: string[] = [];
    const backend = passwordBackend<Member>({
      findUser: (name) => (lookups.push(name), HASHES.has(name) ? new Member(name) : null),
      passwordHashOf: (user) => HASHES.get(user.identity),
      hasher: plainHasher,
      coalesce: true,
    });
    expect(await backend.verifyCredentials('alice\uD800', 'alicepwd')).toBeNull();
    expect(await backend.verifyCredentials('alice', 'alicepwd\uDC00')).toBeNull();
    expect(lookups).toEqual([]);
    expect((await backend.verifyCredentials('alice', 'alicepwd'))?.identity).toBe('alice');
  });
});
