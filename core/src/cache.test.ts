import { describe, it, expect, vi } from 'vitest';
import { createAuthenticator, type AuthDecision } from './authenticator.js';
import { basicAuth } from './basic.js';
import { VerificationCache } from './cache.js';
import type { Connection } from './connection.js';
import { SimpleUser, type BaseUser } from './user.js';
import { FIXED_NOW as FIXED, configError, conn, responseOf, userOf } from '../../test-support/connection.js';

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const basic = (username: string, password: string, now = FIXED): Connection =>
  conn({ target: '/api', headers: { accept: 'application/json', authorization: `Basic ${b64(`${username}:${password}`)}` }, now });

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A password store the test can change, a verify spy over it, and a cached Basic authenticator. */
function setup(passwords: Record<string, string>, options: { ttlMs?: number; max?: number } = {}) {
  const users = new Map(Object.entries(passwords).map(([name]) => [name, new SimpleUser(name)]));
  const verify = vi.fn(async (username: string, password: string) =>
    Object.hasOwn(passwords, username) && passwords[username] === password ? (users.get(username) ?? null) : null,
  );
  const cache = new VerificationCache<SimpleUser>(options);
  const authenticator = createAuthenticator({ backend: basicAuth({ realm: 'api', verify, cache }) });
  return { passwords, users, verify, cache, run: (c: Connection) => authenticator.run(c) };
}

describe('VerificationCache through basicAuth', () => {
  it('a hit skips verify; a miss calls it', async () => {
    const { verify, run, users } = setup({ alice: 'correct horse' });
    expect(userOf(await run(basic('alice', 'correct horse')))).toBe(users.get('alice'));
    expect(verify).toHaveBeenCalledTimes(1);
    expect(userOf(await run(basic('alice', 'correct horse')))).toBe(users.get('alice'));
    expect(userOf(await run(basic('alice', 'correct horse')))).toBe(users.get('alice'));
    expect(verify).toHaveBeenCalledTimes(1);
    // Another password for the same user is a miss.
    expect(responseOf(await run(basic('alice', 'correct horsE'))).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('failed verifications are never cached', async () => {
    const { verify, run, cache } = setup({ alice: 'correct horse' });
    for (let i = 1; i <= 3; i++) {
      expect(responseOf(await run(basic('alice', 'wrong'))).status).toBe(401);
      expect(verify).toHaveBeenCalledTimes(i);
    }
    for (let i = 4; i <= 5; i++) {
      expect(responseOf(await run(basic('mallory', 'x'))).status).toBe(401);
      expect(verify).toHaveBeenCalledTimes(i);
    }
    expect(cache.size).toBe(0);
  });

  it('an entry expires after ttlMs on a frozen clock', async () => {
    const { verify, run } = setup({ alice: 'pw' }, { ttlMs: 1000 });
    await run(basic('alice', 'pw', FIXED));
    await run(basic('alice', 'pw', FIXED + 999));
    expect(verify).toHaveBeenCalledTimes(1);
    await run(basic('alice', 'pw', FIXED + 1000));
    expect(verify).toHaveBeenCalledTimes(2);
    // Re-cached from the new verification.
    await run(basic('alice', 'pw', FIXED + 1999));
    expect(verify).toHaveBeenCalledTimes(2);
    await run(basic('alice', 'pw', FIXED + 2000));
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('a hit does not extend the ttl', async () => {
    const { verify, run } = setup({ alice: 'pw' }, { ttlMs: 1000 });
    await run(basic('alice', 'pw', FIXED));
    for (const t of [200, 400, 600, 800, 999]) await run(basic('alice', 'pw', FIXED + t));
    expect(verify).toHaveBeenCalledTimes(1);
    await run(basic('alice', 'pw', FIXED + 1000));
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('invalidate(username): a CHANGED password stops working immediately after invalidate', async () => {
    const { passwords, verify, cache, run, users } = setup({ alice: 'old-password', bob: 'bobs-password' });
    expect(userOf(await run(basic('alice', 'old-password')))).toBe(users.get('alice'));
    expect(userOf(await run(basic('bob', 'bobs-password')))).toBe(users.get('bob'));
    // The password changes in the store; the old one is still cached (the documented trade-off).
    passwords.alice = 'new-password';
    expect(userOf(await run(basic('alice', 'old-password')))).toBe(users.get('alice'));
    expect(verify).toHaveBeenCalledTimes(2);
    cache.invalidate('alice');
    // The very next request verifies again, and the old password is refused.
    const r = responseOf(await run(basic('alice', 'old-password')));
    expect(r.status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(3);
    expect(userOf(await run(basic('alice', 'new-password')))).toBe(users.get('alice'));
    expect(verify).toHaveBeenCalledTimes(4);
    // Another user's entry is untouched.
    expect(userOf(await run(basic('bob', 'bobs-password')))).toBe(users.get('bob'));
    expect(verify).toHaveBeenCalledTimes(4);
  });

  it('clear(): every entry goes', async () => {
    const { verify, cache, run } = setup({ alice: 'a-pw', bob: 'b-pw' });
    await run(basic('alice', 'a-pw'));
    await run(basic('bob', 'b-pw'));
    expect(cache.size).toBe(2);
    cache.clear();
    expect(cache.size).toBe(0);
    await run(basic('alice', 'a-pw'));
    await run(basic('bob', 'b-pw'));
    expect(verify).toHaveBeenCalledTimes(4);
  });

  it('a verification in flight when invalidate() runs is not stored (generation guard)', async () => {
    const cache = new VerificationCache<SimpleUser>();
    const alice = new SimpleUser('alice');
    const started = deferred<void>();
    const gate = deferred<SimpleUser | null>();
    const verify = vi.fn(async () => {
      started.resolve();
      return gate.promise;
    });
    const authenticator = createAuthenticator({ backend: basicAuth({ verify, cache }) });
    const pending = authenticator.run(basic('alice', 'old-password'));
    await started.promise;
    // The password changes while the old one is being verified.
    cache.invalidate('alice');
    gate.resolve(alice);
    // This request was verified before the change, so it still proceeds…
    expect(userOf(await pending)).toBe(alice);
    // …but it is not remembered: the next request verifies again.
    expect(cache.size).toBe(0);
    verify.mockImplementation(async () => null);
    expect(responseOf(await authenticator.run(basic('alice', 'old-password'))).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('usernames and passwords that concatenate alike do not share an entry', async () => {
    const verify = vi.fn(async (username: string, password: string) =>
      (username === 'ab' && password === 'c') || (username === 'a' && password === 'bc') ? new SimpleUser(username) : null,
    );
    const cache = new VerificationCache<SimpleUser>();
    const authenticator = createAuthenticator({ backend: basicAuth({ verify, cache }) });
    expect(userOf(await authenticator.run(basic('ab', 'c'))).identity).toBe('ab');
    expect(userOf(await authenticator.run(basic('a', 'bc'))).identity).toBe('a');
    expect(verify).toHaveBeenCalledTimes(2);
    expect(cache.size).toBe(2);
    expect(userOf(await authenticator.run(basic('ab', 'c'))).identity).toBe('ab');
    expect(userOf(await authenticator.run(basic('a', 'bc'))).identity).toBe('a');
    expect(verify).toHaveBeenCalledTimes(2);
  });
});

/** A Basic request with exactly this `Authorization` value (or these field lines). */
const raw = (value: string | readonly string[], now = FIXED): Connection =>
  typeof value === 'string'
    ? conn({ target: '/api', headers: { accept: 'application/json', authorization: value }, now })
    : conn({ target: '/api', headers: { accept: 'application/json' }, authorization: value, now });

describe('VerificationCache: the header index (a hit skips parsing; it never weakens what it caches)', () => {
  const canonical = `Basic ${b64('alice:pw')}`;

  it('a malformed value is refused every time, however often it is sent: only a strictly parsed, verified value is indexed', async () => {
    const { verify, cache, run } = setup({ alice: 'pw' });
    for (const value of ['Basic !!!', 'Basic YWxpY2U6cHd', 'Basic YWxpY2U6cHe=', `Basic ${b64('alice')}`, `Basic ${b64('alice:')}`, 'Basic ']) {
      for (let i = 0; i < 3; i++) expect(responseOf(await run(raw(value))).status, value).toBeGreaterThanOrEqual(400);
    }
    expect(cache.size).toBe(0);
    expect(verify).not.toHaveBeenCalled();
  });

  it('a non-canonical spelling of cached credentials is still refused (its bytes were never validated)', async () => {
    const { run } = setup({ alice: 'pw' });
    // "YWxpY2U6cHc=" is alice:pw; "YWxpY2U6cHd=" decodes alike but sets unused bits.
    expect(canonical).toBe('Basic YWxpY2U6cHc=');
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    expect(responseOf(await run(raw('Basic YWxpY2U6cHd='))).status).toBe(400);
  });

  it('repeated Authorization lines never reach the index, even when each line is a cached value', async () => {
    const { run } = setup({ alice: 'pw' });
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    for (let i = 0; i < 2; i++) expect(responseOf(await run(raw([canonical, canonical]))).status).toBe(400);
    expect(responseOf(await run(raw(`${canonical}, ${canonical}`))).status).toBe(400);
  });

  it('another valid spelling of the same credentials parses and is answered as before (scheme case, surrounding space)', async () => {
    const { verify, run } = setup({ alice: 'pw' });
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    for (const value of [`basic ${b64('alice:pw')}`, `BASIC  ${b64('alice:pw')}`, ` ${canonical}\t`]) {
      expect(userOf(await run(raw(value)))?.identity, value).toBe('alice');
    }
    expect(verify).toHaveBeenCalledTimes(1);
  });

  it('invalidate (a changed password), clear() and the ttl end header hits exactly as they end credential hits', async () => {
    const { passwords, verify, cache, run } = setup({ alice: 'pw' }, { ttlMs: 1000 });
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    passwords.alice = 'changed';
    cache.invalidate('alice');
    expect(responseOf(await run(raw(canonical))).status).toBe(401);
    passwords.alice = 'pw';
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    cache.clear();
    passwords.alice = 'changed';
    expect(responseOf(await run(raw(canonical))).status).toBe(401);
    passwords.alice = 'pw';
    expect(userOf(await run(raw(canonical, FIXED)))?.identity).toBe('alice');
    expect(userOf(await run(raw(canonical, FIXED + 999)))?.identity).toBe('alice');
    passwords.alice = 'changed';
    expect(responseOf(await run(raw(canonical, FIXED + 1000))).status).toBe(401);
    expect(verify).toHaveBeenCalledTimes(6);
  });

  it('a credential hit from another spelling does not extend the entry: the indexed value expires with its verification', async () => {
    const { verify, run } = setup({ alice: 'pw' }, { ttlMs: 1000 });
    await run(raw(canonical, FIXED));
    await run(raw(`basic ${b64('alice:pw')}`, FIXED + 900));
    await run(raw(canonical, FIXED + 999));
    expect(verify).toHaveBeenCalledTimes(1);
    await run(raw(canonical, FIXED + 1000));
    expect(verify).toHaveBeenCalledTimes(2);
  });

  it('two different header values never share an entry: 300 users, each value answers its own user only (issue #17, the 128-bit inner-hash index)', async () => {
    const names = Array.from({ length: 300 }, (_, i) => (i % 3 === 0 ? `us\u00e9r-${i}` : i % 3 === 1 ? `u${i}` : `${i}.x`));
    const passwords = Object.fromEntries(names.map((n, i) => [n, i % 2 === 0 ? `pw-${i}` : `p\u20acss ${i}:${'z'.repeat(i % 90)}`]));
    const { verify, cache, run } = setup(passwords, { max: 1000 });
    const valueOf = (n: string): string => `Basic ${b64(`${n}:${passwords[n] as string}`)}`;
    for (const n of names) expect(userOf(await run(raw(valueOf(n))))?.identity).toBe(n);
    expect(verify).toHaveBeenCalledTimes(names.length);
    // Every value now hits the header index, and each finds its own user.
    for (const n of names) expect(userOf(await run(raw(valueOf(n))))?.identity).toBe(n);
    expect(verify).toHaveBeenCalledTimes(names.length);
    // Values one character away from a cached one, and the same bytes under another domain
    // (without the dropped "Basic " prefix), are never answered from the index.
    for (const n of names.slice(0, 40)) {
      const value = valueOf(n);
      for (const other of [`${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`, value.slice(6), `B${value.slice(6)}`, `R${value}`]) {
        const decision = await run(raw(other));
        expect(decision.type === 'continue' ? userOf(decision)?.identity : undefined, other).not.toBe(n);
      }
    }
    expect(cache.size).toBe(names.length);
  });

  it('a hit on the newest entry moves nothing, and eviction stays least recently used (header index, max 1)', async () => {
    const { verify, run } = setup({ alice: 'pw', bob: 'pw2' }, { max: 1 });
    const bobValue = `Basic ${b64('bob:pw2')}`;
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    for (let i = 0; i < 3; i++) expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    expect(verify).toHaveBeenCalledTimes(1);
    expect(userOf(await run(raw(bobValue)))?.identity).toBe('bob');
    expect(userOf(await run(raw(bobValue)))?.identity).toBe('bob');
    expect(verify).toHaveBeenCalledTimes(2);
    // alice's entries were evicted: her value is verified again.
    expect(userOf(await run(raw(canonical)))?.identity).toBe('alice');
    expect(verify).toHaveBeenCalledTimes(3);
  });

  it('the app verify never sees the field value (no cache: three arguments, as documented)', async () => {
    const verify = vi.fn((_u: string, _p: string, ..._rest: unknown[]) => new SimpleUser('alice'));
    const authenticator = createAuthenticator({ backend: basicAuth({ verify }) });
    await authenticator.run(raw(canonical));
    expect(verify.mock.calls[0]).toHaveLength(3);
  });
});

describe('VerificationCache: the hot path is synchronous', () => {
  it('a hit is answered without a promise: authenticate returns the principal itself', async () => {
    const alice = new SimpleUser('alice');
    const verify = vi.fn(async () => alice);
    const backend = basicAuth({ verify, cache: new VerificationCache<BaseUser>() });
    const first = backend.authenticate(basic('alice', 'pw'));
    expect(first).toBeInstanceOf(Promise); // an async verify: the miss waits for it
    await first;
    const second = backend.authenticate(basic('alice', 'pw'));
    expect(second).not.toBeInstanceOf(Promise);
    expect((second as { user: BaseUser }).user).toBe(alice);
    expect(verify).toHaveBeenCalledTimes(1);
    // And the decision machine stays synchronous with it.
    const decision = createAuthenticator({ backend }).run(basic('alice', 'pw'));
    expect(decision).not.toBeInstanceOf(Promise);
    expect(userOf(decision as AuthDecision<BaseUser>)).toBe(alice);
  });

  it('a sync verify is stored synchronously too (no promise on the miss either)', () => {
    const alice = new SimpleUser('alice');
    const cache = new VerificationCache<BaseUser>();
    const backend = basicAuth({ verify: () => alice, cache });
    expect(backend.authenticate(basic('alice', 'pw'))).not.toBeInstanceOf(Promise);
    expect(cache.size).toBe(1);
    expect(cache.get('alice', 'pw', FIXED)).toBe(alice);
  });

  it('constructing a cache draws no random values (Workers refuse them in global scope); the first use does', () => {
    const spy = vi.spyOn(crypto, 'getRandomValues');
    try {
      const cache = new VerificationCache<BaseUser>();
      expect(spy).not.toHaveBeenCalled();
      cache.set('alice', 'pw', new SimpleUser('alice'), FIXED);
      expect(spy).toHaveBeenCalledTimes(1);
      cache.get('alice', 'pw', FIXED);
      expect(spy).toHaveBeenCalledTimes(1);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('VerificationCache API', () => {
  const alice = new SimpleUser('alice');
  const bob = new SimpleUser('bob');
  const carol = new SimpleUser('carol');

  it('get returns what set stored, for exactly that username and password', async () => {
    const cache = new VerificationCache<SimpleUser>();
    await cache.set('alice', 'pw', alice, FIXED);
    expect(await cache.get('alice', 'pw', FIXED)).toBe(alice);
    expect(await cache.get('alice', 'pw ', FIXED)).toBeUndefined();
    expect(await cache.get('Alice', 'pw', FIXED)).toBeUndefined();
    expect(await cache.get('bob', 'pw', FIXED)).toBeUndefined();
  });

  it('concatenation collisions ("ab","c") vs ("a","bc") and ("a:b","c") vs ("a","b:c") stay apart', async () => {
    const cache = new VerificationCache<SimpleUser>();
    await cache.set('ab', 'c', alice, FIXED);
    await cache.set('a:b', 'c', bob, FIXED);
    expect(await cache.get('a', 'bc', FIXED)).toBeUndefined();
    expect(await cache.get('a', 'b:c', FIXED)).toBeUndefined();
    expect(await cache.get('a:', 'bc', FIXED)).toBeUndefined();
    expect(await cache.get('ab', 'c', FIXED)).toBe(alice);
    expect(await cache.get('a:b', 'c', FIXED)).toBe(bob);
    // A length prefix spoof: username "1:a" with password "b" vs username "a" with "b"…
    await cache.set('a', 'b', carol, FIXED);
    expect(await cache.get('1:a', 'b', FIXED)).toBeUndefined();
    expect(await cache.get('a', ':b', FIXED)).toBeUndefined();
  });

  it('entries are keyed under a per-instance secret: two caches never share an entry', async () => {
    // The entries are private (#fields), so "no plaintext password is stored" cannot be
    // inspected from here. What can be shown: the key depends on a secret of this
    // instance (not only on the username and password), so it is neither the password
    // nor a plain hash of it that another cache would reproduce.
    const one = new VerificationCache<SimpleUser>();
    const two = new VerificationCache<SimpleUser>();
    await one.set('alice', 'pw', alice, FIXED);
    expect(await one.get('alice', 'pw', FIXED)).toBe(alice);
    expect(await two.get('alice', 'pw', FIXED)).toBeUndefined();
    expect(two.size).toBe(0);
  });

  it('LRU: at max the least recently used entry goes; a recently read one stays', async () => {
    const cache = new VerificationCache<SimpleUser>({ max: 2 });
    await cache.set('alice', 'a', alice, FIXED);
    await cache.set('bob', 'b', bob, FIXED);
    // Reading alice makes bob the least recently used.
    expect(await cache.get('alice', 'a', FIXED)).toBe(alice);
    await cache.set('carol', 'c', carol, FIXED);
    expect(cache.size).toBe(2);
    expect(await cache.get('bob', 'b', FIXED)).toBeUndefined();
    expect(await cache.get('alice', 'a', FIXED)).toBe(alice);
    expect(await cache.get('carol', 'c', FIXED)).toBe(carol);
  });

  it('LRU: reading the newest entry (no move) and then an older one keeps the order exact', async () => {
    const cache = new VerificationCache<SimpleUser>({ max: 2 });
    await cache.set('alice', 'a', alice, FIXED);
    await cache.set('bob', 'b', bob, FIXED);
    expect(await cache.get('bob', 'b', FIXED)).toBe(bob); // already the newest
    expect(await cache.get('alice', 'a', FIXED)).toBe(alice); // moves: bob is now the least recent
    expect(await cache.get('alice', 'a', FIXED)).toBe(alice);
    await cache.set('carol', 'c', carol, FIXED);
    expect(await cache.get('bob', 'b', FIXED)).toBeUndefined();
    expect(await cache.get('carol', 'c', FIXED)).toBe(carol); // the newest: alice is the least recent
    await cache.set('bob', 'b', bob, FIXED);
    expect(await cache.get('alice', 'a', FIXED)).toBeUndefined();
    expect(await cache.get('carol', 'c', FIXED)).toBe(carol);
    expect(await cache.get('bob', 'b', FIXED)).toBe(bob);
    // An invalidated newest entry is gone, and a new one under the same id is found again.
    cache.invalidate('bob');
    expect(await cache.get('bob', 'b', FIXED)).toBeUndefined();
    await cache.set('bob', 'b', bob, FIXED);
    expect(await cache.get('bob', 'b', FIXED)).toBe(bob);
  });

  it('LRU: without a read, the oldest entry goes first', async () => {
    const cache = new VerificationCache<SimpleUser>({ max: 2 });
    await cache.set('alice', 'a', alice, FIXED);
    await cache.set('bob', 'b', bob, FIXED);
    await cache.set('carol', 'c', carol, FIXED);
    expect(await cache.get('alice', 'a', FIXED)).toBeUndefined();
    expect(await cache.get('bob', 'b', FIXED)).toBe(bob);
    expect(await cache.get('carol', 'c', FIXED)).toBe(carol);
  });

  it('LRU: max 1 keeps only the last entry; an evicted user is not invalidated by mistake', async () => {
    const cache = new VerificationCache<SimpleUser>({ max: 1 });
    await cache.set('alice', 'a', alice, FIXED);
    await cache.set('bob', 'b', bob, FIXED);
    expect(cache.size).toBe(1);
    cache.invalidate('alice');
    expect(await cache.get('bob', 'b', FIXED)).toBe(bob);
    await cache.set('alice', 'a', alice, FIXED);
    expect(await cache.get('alice', 'a', FIXED)).toBe(alice);
  });

  it('expiry: get at expiresAt is a miss and drops the entry', async () => {
    const cache = new VerificationCache<SimpleUser>({ ttlMs: 500 });
    await cache.set('alice', 'a', alice, FIXED);
    expect(await cache.get('alice', 'a', FIXED + 499)).toBe(alice);
    expect(cache.size).toBe(1);
    expect(await cache.get('alice', 'a', FIXED + 500)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('invalidate forgets every entry of the user (several passwords) and only that user', async () => {
    const cache = new VerificationCache<SimpleUser>();
    await cache.set('alice', 'one', alice, FIXED);
    await cache.set('alice', 'two', alice, FIXED);
    await cache.set('bob', 'b', bob, FIXED);
    cache.invalidate('alice');
    expect(await cache.get('alice', 'one', FIXED)).toBeUndefined();
    expect(await cache.get('alice', 'two', FIXED)).toBeUndefined();
    expect(await cache.get('bob', 'b', FIXED)).toBe(bob);
    expect(cache.size).toBe(1);
    // Invalidating an unknown user is harmless.
    cache.invalidate('nobody');
    expect(cache.size).toBe(1);
  });

  it('generation guard: set with a generation taken before invalidate stores nothing', async () => {
    const cache = new VerificationCache<SimpleUser>();
    const before = cache.generation('alice');
    cache.invalidate('alice');
    await cache.set('alice', 'old', alice, FIXED, before);
    expect(cache.size).toBe(0);
    expect(await cache.get('alice', 'old', FIXED)).toBeUndefined();
    // Another user's generation is unaffected.
    const bobs = cache.generation('bob');
    cache.invalidate('alice');
    await cache.set('bob', 'b', bob, FIXED, bobs);
    expect(await cache.get('bob', 'b', FIXED)).toBe(bob);
    // A generation taken after invalidate stores.
    await cache.set('alice', 'new', alice, FIXED, cache.generation('alice'));
    expect(await cache.get('alice', 'new', FIXED)).toBe(alice);
  });

  it('generation guard: clear() also stops a verification in flight from being stored, even for a user with no entry yet', async () => {
    const cache = new VerificationCache<SimpleUser>();
    const aliceBefore = cache.generation('alice');
    await cache.set('bob', 'b', bob, FIXED);
    const bobBefore = cache.generation('bob');
    cache.clear();
    await cache.set('alice', 'old', alice, FIXED, aliceBefore);
    await cache.set('bob', 'b', bob, FIXED, bobBefore);
    expect(cache.size).toBe(0);
    await cache.set('alice', 'new', alice, FIXED, cache.generation('alice'));
    expect(await cache.get('alice', 'new', FIXED)).toBe(alice);
  });

  it('configuration errors: ttlMs and max must be positive', () => {
    for (const ttlMs of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) configError(() => new VerificationCache({ ttlMs }));
    for (const max of [0, -1, 1.5, Number.NaN]) configError(() => new VerificationCache({ max }));
    expect(new VerificationCache().size).toBe(0);
  });
});
