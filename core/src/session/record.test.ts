import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createConnection } from '../connection.js';
import { SimpleUser } from '../user.js';
import { META_KEY } from './config.js';
import { MemorySessionStore } from './memory-store.js';
import { SESSION_NAMESPACE } from './namespace.js';
import { sessionAuth } from './session-auth.js';
import { login, metaOf, saveSession, storedMeta, type SessionMeta } from './state.js';
import type { SessionData } from './store.js';
import { webSessions } from './web-session.js';

const SECRET = 'unit-test-secret-0123456789abcdef-0123';
const MINUTE = 60_000;
const IDLE = 15 * MINUTE;
const ABSOLUTE = 60 * MINUTE;
/** A login instant that is not a whole second, so a lossy record would show. */
const T0 = 1_796_560_123_789;

function setup(validAfter?: number) {
  let now = T0;
  const store = new MemorySessionStore();
  const engine = webSessions({ secret: SECRET, store, cookie: { secure: false }, clock: () => now, idleTimeout: IDLE, absoluteTimeout: ABSOLUTE });
  const alice = new SimpleUser('alice');
  const auth = sessionAuth({ retrieveUser: () => alice, validAfter: () => validAfter });
  const open = (cookie?: string, method = 'GET') => {
    const handle = engine.open({ cookies: new Map(cookie === undefined ? [] : [['id', cookie]]), secure: false });
    return { handle, connection: createConnection({ method, target: '/me', header: () => undefined, session: handle.port }) };
  };
  const logIn = async () => {
    const { handle, connection } = open(undefined, 'POST');
    await login(connection, alice, { user_id: 'alice' }, { methods: ['pwd'] });
    return { cookie: (handle.setCookies()[0] as string).split(';')[0]?.slice(3) as string, id: handle.port.id() as string };
  };
  const meta = async (id: string) => ((await store.get(id))?.[SESSION_NAMESPACE] as SessionData | undefined)?.[META_KEY];
  const authenticate = (cookie: string) => auth.authenticate(open(cookie).connection);
  return { store, open, logIn, meta, authenticate, at: (ms: number) => void (now = ms) };
}

describe('the stored session metadata', () => {
  it('login stores the compact shape: created in whole seconds and milliseconds, seen and at as offsets (integers below 2^31)', async () => {
    const { logIn, meta } = setup();
    const { id } = await logIn();
    const stored = await meta(id);
    expect(stored).toEqual({ c: Math.floor(T0 / 1000), m: T0 % 1000, s: 0, a: 0, amr: ['pwd'] });
    for (const value of Object.values(stored as object)) if (typeof value === 'number') expect(value | 0).toBe(value);
  });

  it('SES-06 SES-07 keeps the idle and absolute timeouts to the millisecond (no precision lost)', async () => {
    const { logIn, authenticate, at } = setup();
    const first = await logIn();
    const second = await logIn();
    at(T0 + IDLE);
    expect(await authenticate(first.cookie)).not.toBeNull(); // exactly the idle timeout: still live
    at(T0 + IDLE + 1);
    expect(await authenticate(second.cookie)).toBeNull();

    const live = setup();
    const session = await live.logIn();
    // Touch every 10 minutes until the absolute timeout, then one millisecond past it.
    for (let t = T0 + 10 * MINUTE; t <= T0 + ABSOLUTE; t += 10 * MINUTE) {
      live.at(t);
      expect(await live.authenticate(session.cookie)).not.toBeNull();
    }
    live.at(T0 + ABSOLUTE + 1);
    expect(await live.authenticate(session.cookie)).toBeNull();
  });

  it('SES-08 validAfter compares with the login instant to the millisecond', async () => {
    const before = setup(T0 + 1);
    expect(await before.authenticate((await before.logIn()).cookie)).toBeNull();
    const after = setup(T0);
    expect(await after.authenticate((await after.logIn()).cookie)).not.toBeNull();
  });

  it('reads a record in the format written before (created, seen, at in ms), and rewrites it compact at the next touch', async () => {
    const { store, logIn, meta, authenticate, at } = setup();
    const { cookie, id } = await logIn();
    const created = T0 - 7 * MINUTE - 321;
    const seen = T0 - 2 * MINUTE - 654;
    const old = { [SESSION_NAMESPACE]: { user_id: 'alice', [META_KEY]: { created, seen, at: created, amr: ['pwd', 'otp'], acr: 'urn:example:mfa' } } };
    await store.set(id, old, IDLE);
    const result = await authenticate(cookie);
    expect(result?.auth).toMatchObject({ authTime: created, amr: ['pwd', 'otp'], acr: 'urn:example:mfa' });
    expect(await meta(id)).toEqual({ c: Math.floor(created / 1000), m: created % 1000, s: T0 - created, a: 0, amr: ['pwd', 'otp'], acr: 'urn:example:mfa' });
    // Without `at` (records from before it was recorded): still no authTime after the rewrite.
    await store.set(id, { [SESSION_NAMESPACE]: { user_id: 'alice', [META_KEY]: { created, seen } } }, IDLE);
    expect((await authenticate(cookie))?.auth.authTime).toBeUndefined();
    expect(await meta(id)).toEqual({ c: Math.floor(created / 1000), m: created % 1000, s: T0 - created });
    expect((await authenticate(cookie))?.auth.authTime).toBeUndefined();
    // An old record keeps its timeouts: idle from `seen`, absolute from `created`, in ms.
    await store.set(id, { [SESSION_NAMESPACE]: { user_id: 'alice', [META_KEY]: { created, seen: T0 } } }, IDLE);
    at(T0 + IDLE + 1);
    expect(await authenticate(cookie)).toBeNull();
  });

  it('SES-07 an old-format record past its absolute timeout is destroyed', async () => {
    const { store, logIn, authenticate } = setup();
    const { cookie, id } = await logIn();
    await store.set(id, { [SESSION_NAMESPACE]: { user_id: 'alice', [META_KEY]: { created: T0 - ABSOLUTE - 1, seen: T0 } } }, IDLE);
    expect(await authenticate(cookie)).toBeNull();
    expect(await store.get(id)).toBeUndefined();
  });

  it('saveSession keeps the metadata, in the compact shape', async () => {
    const { open, logIn, meta } = setup();
    const { cookie, id } = await logIn();
    const before = await meta(id);
    await saveSession(open(cookie, 'POST').connection, { user_id: 'alice', next: '/x' });
    expect(await meta(id)).toEqual(before);
  });

  it('refuses metadata that is neither shape, or mixes them (the session is destroyed)', async () => {
    const { store, logIn, authenticate } = setup();
    for (const bad of [
      { c: 1_796_560_123, m: 5, s: 0, created: T0 },
      { c: 1_796_560_123, m: 1000, s: 0 },
      { c: 1_796_560_123, m: -1, s: 0 },
      { c: 1_796_560_123.5, m: 0, s: 0 },
      { c: '1796560123', m: 0, s: 0 },
      { c: 1_796_560_123, m: 0 },
      { c: 1_796_560_123, m: 0, s: 0.5 },
      { c: 1_796_560_123, m: 0, s: 0, a: 'x' },
      { c: -1, m: 0, s: 0 },
      { c: Number.MAX_SAFE_INTEGER, m: 0, s: 0 },
      { created: T0 },
      { created: T0, seen: Infinity },
    ]) {
      const { cookie, id } = await logIn();
      await store.set(id, { [SESSION_NAMESPACE]: { user_id: 'alice', [META_KEY]: bad } }, IDLE);
      expect(await authenticate(cookie), JSON.stringify(bad)).toBeNull();
      expect(await store.get(id)).toBeUndefined();
    }
  });

  it('storedMeta and metaOf round-trip any metadata exactly; times that are not whole ms keep the ms shape', () => {
    const time = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.maxSafeNat(), fc.double({ min: -1e15, max: 1e15, noNaN: true }));
    fc.assert(
      fc.property(time, time, fc.option(time, { nil: undefined }), fc.option(fc.constantFrom(['pwd'], ['pwd', 'otp']), { nil: undefined }), (created, seen, at, amr) => {
        const meta: SessionMeta = { created, seen, ...(at === undefined ? {} : { at }), ...(amr === undefined ? {} : { amr }) };
        const stored = JSON.parse(JSON.stringify(storedMeta(meta))) as unknown;
        const whole = [created, seen, ...(at === undefined ? [] : [at])].every((t) => Number.isSafeInteger(t) && t >= 0);
        expect(Object.hasOwn(stored as object, 'c')).toBe(whole);
        expect(metaOf(stored)).toEqual(JSON.parse(JSON.stringify(meta)));
      }),
      { numRuns: 2000 },
    );
  });

  it('storedMeta writes the same numbers as before its int32 conversion (differential: Object.is, and the same JSON)', () => {
    // The compact shape as computed before (plain double arithmetic).
    const before = (created: number, seen: number, at: number | undefined) => {
      const m = created % 1000;
      return { c: (created - m) / 1000, m, s: seen - created, ...(at === undefined ? {} : { a: at - created }) };
    };
    const time = fc.oneof(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.maxSafeNat(), fc.constantFrom(0, 2 ** 31 - 1, 2 ** 31, 2 ** 31 * 1000 + 999, 2 ** 32 * 1000));
    fc.assert(
      fc.property(time, time, fc.option(time, { nil: undefined }), (created, seen, at) => {
        const stored = storedMeta({ created, seen, ...(at === undefined ? {} : { at }) }) as unknown as Record<string, number>;
        const expected = before(created, seen, at);
        for (const key of Object.keys(expected) as (keyof typeof expected)[]) expect(Object.is(stored[key], expected[key]), key).toBe(true);
        expect(JSON.stringify(stored)).toBe(JSON.stringify(expected));
      }),
      { numRuns: 2000 },
    );
  });
});
