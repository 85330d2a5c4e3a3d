import { describe, expect, it, vi } from 'vitest';
import { createAuthenticator } from '../authenticator.js';
import { createConnection } from '../connection.js';
import { all } from '../all.js';
import { apiKeyAuth } from '../api-key.js';
import type { AuthenticationBackend } from '../backend.js';
import { basicAuth } from '../basic.js';
import { ConfigurationError } from '../errors.js';
import { SimpleUser } from '../user.js';
import { sessionConfig } from './config.js';
import { describeSessionError, isSessionError, SessionError } from './errors.js';
import { sessionAuth } from './session-auth.js';
import { login } from './state.js';
import { webSessions } from './web-session.js';
import type { SessionPort } from './port.js';

const SECRET = 'unit-test-secret-0123456789abcdef-0123';
const MINUTE = 60_000;

const CLIENT_KEY = 'ck_live_0123456789abcdef';

/** A session app; with `combine`, its backend is `combine(session)` (an `all` with the session in it) in required mode. */
function app(
  options: {
    validAfter?: number;
    combine?: (session: AuthenticationBackend<SimpleUser>) => AuthenticationBackend<SimpleUser>;
    /** How retrieveUser answers (default a promise). */
    retrieve?: 'sync' | 'promise' | 'thenable';
  } = {},
) {
  let now = 1_700_000_000_000;
  const users = new Map([['alice', new SimpleUser('alice')]]);
  const engine = webSessions({ secret: SECRET, cookie: { secure: false }, clock: () => now, idleTimeout: 15 * MINUTE, absoluteTimeout: 60 * MINUTE });
  const auth = sessionAuth({
    retrieveUser: (session) => {
      const user = users.get(String(session.user_id)) ?? null;
      if (options.retrieve === 'sync') return user;
      if (options.retrieve === 'thenable') return { then: (resolve: (u: SimpleUser | null) => void) => resolve(user) } as unknown as Promise<SimpleUser | null>;
      return Promise.resolve(user);
    },
    exclude: ['/login'],
    validAfter: () => options.validAfter,
  });
  const authenticator = createAuthenticator(options.combine === undefined ? auth : { backend: options.combine(auth), mode: 'required' });
  const open = (cookie?: string, method = 'GET', path = '/me', headers: Record<string, string> = {}) => {
    const handle = engine.open({ cookies: new Map(cookie === undefined ? [] : [['id', cookie]]), secure: false });
    return { handle, connection: createConnection({ method, target: path, header: (name) => headers[name], session: handle.port }) };
  };
  const logIn = async () => {
    const { handle, connection } = open(undefined, 'POST', '/login');
    await login(connection, users.get('alice') as SimpleUser, { user_id: 'alice' });
    return (handle.setCookies()[0] as string).split(';')[0]?.slice(3) as string;
  };
  const answer = async (cookie?: string, path = '/me', headers: Record<string, string> = {}) => {
    const decision = await authenticator.run(open(cookie, 'GET', path, headers).connection);
    return decision.type === 'respond' ? decision.response : undefined;
  };
  const status = async (cookie?: string, path = '/me', headers: Record<string, string> = {}) => (await answer(cookie, path, headers))?.status ?? 200;
  return { users, authenticator, open, logIn, answer, status, advance: (ms: number) => void (now += ms) };
}

describe('sessionAuth', () => {
  it('is a backend and the options of authentication(): required mode, exclude, a Cookie challenge', async () => {
    const a = app();
    expect(await a.status()).toBe(401);
    expect(a.authenticator.challenges).toEqual(['Cookie realm="app"']);
    expect(await a.status(undefined, '/login')).toBe(200);
    expect(await a.status(await a.logIn())).toBe(200);
  });

  it('SES-06 SES-07 idle and absolute timeouts on the server (frozen clock)', async () => {
    const a = app();
    const sid = await a.logIn();
    a.advance(14 * MINUTE);
    expect(await a.status(sid)).toBe(200);
    a.advance(15 * MINUTE);
    expect(await a.status(sid)).toBe(200);
    a.advance(16 * MINUTE);
    expect(await a.status(sid)).toBe(401);
    const other = await a.logIn();
    for (let i = 0; i < 6; i++) {
      a.advance(10 * MINUTE);
      expect(await a.status(other)).toBe(200);
    }
    a.advance(1);
    expect(await a.status(other)).toBe(401);
  });

  it.each(['key first', 'session first'])('SES-06 all([clientKey, session]), %s: requests without the key do not extend the idle timeout (frozen clock)', async (order) => {
    const key = apiKeyAuth({ header: 'x-client-key', verify: (k) => (k === CLIENT_KEY ? new SimpleUser('ci') : null) });
    const a = app({ combine: (session) => (order === 'key first' ? all([key, session]) : all([session, key], { user: 'session' })) });
    const sid = await a.logIn();
    expect(await a.status(sid, '/me', { 'x-client-key': CLIENT_KEY })).toBe(200);
    // A stolen cookie replayed without the key, every 10 minutes: refused, and the session is not refreshed.
    for (let i = 0; i < 3; i++) {
      a.advance(10 * MINUTE);
      expect(await a.status(sid)).toBe(401);
    }
    expect(await a.status(sid, '/me', { 'x-client-key': CLIENT_KEY })).toBe(401); // idle for 30 minutes: expired
    // With the key every 10 minutes, the session lives on.
    const other = await a.logIn();
    for (let i = 0; i < 3; i++) {
      a.advance(10 * MINUTE);
      expect(await a.status(other, '/me', { 'x-client-key': CLIENT_KEY })).toBe(200);
    }
  });

  it('LEAK-12 all([basic, session]) with a session cookie that holds no login: a right and a wrong password get the same answer', async () => {
    let verified = 0;
    const basic = basicAuth({ verify: (u, p) => (verified++, u === 'alice' && p === 'pw' ? new SimpleUser('alice') : null) });
    const a = app({ combine: (session) => all([basic, session]) });
    const sid = await a.logIn();
    a.advance(16 * MINUTE); // expired: the cookie is there, its session is not
    for (const cookie of [sid, 'forged-session-id-0123456789']) {
      const right = await a.answer(cookie, '/me', { authorization: 'Basic ' + btoa('alice:pw'), accept: 'application/json' });
      const wrong = await a.answer(cookie, '/me', { authorization: 'Basic ' + btoa('alice:nope'), accept: 'application/json' });
      expect(right).toEqual(wrong);
      expect(right?.status).toBe(401);
      expect(right?.body).toBe('{"error":"invalid_credentials"}');
    }
    expect(verified).toBe(4);
    // Without any cookie: incomplete, and the password is not verified.
    expect((await a.answer(undefined, '/me', { authorization: 'Basic ' + btoa('alice:pw'), accept: 'application/json' }))?.body).toBe('{"error":"incomplete_credentials"}');
    expect(verified).toBe(4);
  });

  it('declares its cookie in reads (the default names, or cookieName), and checks cookieName at startup', () => {
    expect(sessionAuth({ retrieveUser: () => null }).reads).toEqual(['session', 'cookie:__Host-id', 'cookie:id']);
    expect(sessionAuth({ retrieveUser: () => null, cookieName: '__Host-sid' }).reads).toEqual(['session', 'cookie:__Host-sid']);
    for (const cookieName of ['', 'a b', 'a;b', 42]) {
      expect(() => sessionAuth({ retrieveUser: () => null, cookieName: cookieName as string })).toThrow(/cookieName must be/);
    }
  });

  it.each(['sync', 'promise', 'thenable'] as const)('SES-06 SES-09 retrieveUser answering %s: the same decisions, timeouts and refresh of seen', async (retrieve) => {
    const a = app({ retrieve });
    const sid = await a.logIn();
    expect(await a.status(sid)).toBe(200);
    // Every 10 minutes: `seen` is refreshed (a store write), so the 15-minute idle timeout never hits.
    for (let i = 0; i < 3; i++) {
      a.advance(10 * MINUTE);
      expect(await a.status(sid)).toBe(200);
    }
    a.advance(16 * MINUTE);
    expect(await a.status(sid)).toBe(401);
    const other = await a.logIn();
    a.users.delete('alice');
    expect(await a.status(other)).toBe(401);
  });

  it('SES-09 a user that retrieveUser no longer finds is anonymous', async () => {
    const a = app();
    const sid = await a.logIn();
    a.users.delete('alice');
    expect(await a.status(sid)).toBe(401);
  });

  it('SES-08 sessions created before validAfter are refused', async () => {
    const a = app({ validAfter: Number.MAX_SAFE_INTEGER });
    expect(await a.status(await a.logIn())).toBe(401);
  });

  it('a session holding only pre-login data is anonymous, even with a user id in it', async () => {
    const a = app();
    const { handle, connection } = a.open(undefined, 'POST', '/login');
    await handle.port.set({ user_id: 'alice' });
    const cookie = (handle.setCookies()[0] as string).split(';')[0]?.slice(3) as string;
    expect(await a.status(cookie)).toBe(401);
    void connection;
  });

  it('without session middleware the request fails closed (503), never anonymous', async () => {
    const authenticator = createAuthenticator(sessionAuth({ retrieveUser: () => new SimpleUser('x'), mode: 'optional' }));
    const decision = await authenticator.run(createConnection({ method: 'GET', target: '/', header: () => undefined }));
    expect(decision.type === 'respond' && decision.response.status).toBe(503);
  });

  it('checks its options at construction', () => {
    expect(() => sessionAuth({} as never)).toThrow(ConfigurationError);
    expect(() => sessionAuth({ retrieveUser: () => null, mode: 'x' as never })).toThrow(ConfigurationError);
    expect(() => sessionAuth({ retrieveUser: () => null, exclude: [/admin/] })).toThrow(ConfigurationError);
    expect(() => sessionAuth({ retrieveUser: () => null, realm: 'a\r\nb' })).toThrow(ConfigurationError);
  });
});

describe('session configuration and errors', () => {
  it('sessionConfig checks every option at construction', () => {
    const bad = [
      {},
      { secret: 'short' },
      { secret: [] },
      { secret: 'x'.repeat(32), idleTimeout: 10 },
      { secret: 'x'.repeat(32), idleTimeout: 60_000, absoluteTimeout: 30_000 },
      { secret: 'x'.repeat(32), keepOnLogin: ['portcullis'] },
      { secret: 'x'.repeat(32), logoutPath: 'logout' },
      { secret: 'x'.repeat(32), csrf: { origins: ['https://a.example/path'] } },
      { secret: 'x'.repeat(32), csrf: { origins: ['not a url'] } },
      { secret: 'x'.repeat(32), csrf: { header: 'bad header' } },
      { secret: 'x'.repeat(32), trustProxy: 'yes' },
    ];
    for (const options of bad) expect(() => sessionConfig(options as never), JSON.stringify(options)).toThrow(ConfigurationError);
    const config = sessionConfig({ secret: 'x'.repeat(32), cookie: { secure: true } });
    expect(config).toMatchObject({ idleTimeout: 30 * MINUTE, absoluteTimeout: 8 * 60 * MINUTE, touchInterval: MINUTE, logoutPath: '/logout', trustProxy: false });
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('session errors have stable codes, fixed messages and answers from the core table', () => {
    const connection = createConnection({ method: 'GET', target: '/', header: (n) => (n === 'accept' ? 'application/json' : undefined) });
    const expected = { session_store_unavailable: 503, csrf_rejected: 403, session_insecure_transport: 403, method_not_allowed: 405, session_not_configured: 500 } as const;
    for (const [code, status] of Object.entries(expected)) {
      const error = new SessionError(code as keyof typeof expected, { cause: new Error('secret-sid-value') });
      expect(isSessionError(error)).toBe(true);
      expect(error.message).not.toContain('secret-sid-value');
      expect(describeSessionError(error, connection).status).toBe(status);
    }
    expect(describeSessionError(new SessionError('session_store_unavailable'), connection).body).toBe('{"error":"backend_unavailable"}');
    expect(describeSessionError(new SessionError('method_not_allowed'), connection).headers.allow).toBe('POST');
    expect(isSessionError(new Error('x'))).toBe(false);
  });
});

/** A Web session's port that has its session loaded and answers `getNow()` (as the Koa port does), or throws from it. */
async function loadedPort(inner: SessionPort, failing = false): Promise<SessionPort> {
  const data = await inner.get();
  return {
    get: () => inner.get(),
    getNow: () => {
      if (failing) throw new Error('store down');
      return data;
    },
    set: (d) => inner.set(d),
    regenerate: (d) => inner.regenerate(d),
    destroy: () => inner.destroy(),
    id: () => inner.id(),
    storedRecord: () => true,
    hasCookie: inner.hasCookie,
    secure: inner.secure,
    config: inner.config,
  };
}

describe('sessionAuth over a port with the session loaded (getNow, issue #17)', () => {
  function setup(retrieve: 'sync' | 'promise' = 'sync') {
    let now = 1_700_000_000_000;
    const events: string[] = [];
    const alice = new SimpleUser('alice');
    const engine = webSessions({ secret: SECRET, cookie: { secure: false }, clock: () => now, idleTimeout: 15 * MINUTE, absoluteTimeout: 60 * MINUTE, log: (e) => void events.push(e.event) });
    const auth = sessionAuth({ retrieveUser: (s) => (s.user_id === 'alice' ? (retrieve === 'sync' ? alice : Promise.resolve(alice)) : null) });
    const open = (cookie?: string, method = 'GET') => engine.open({ cookies: new Map(cookie === undefined ? [] : [['id', cookie]]), secure: false });
    const connect = (port: SessionPort, method = 'GET') => createConnection({ method, target: '/me', header: () => undefined, session: port });
    const logIn = async () => {
      const handle = open(undefined, 'POST');
      await login(connect(handle.port, 'POST'), alice, { user_id: 'alice' });
      return (handle.setCookies()[0] as string).split(';')[0]?.slice(3) as string;
    };
    return { auth, open, connect, logIn, events, advance: (ms: number) => void (now += ms) };
  }

  it('authenticates without a promise, with the principal that get() gives', async () => {
    const s = setup();
    const sid = await s.logIn();
    const through = await s.auth.authenticate(s.connect(s.open(sid).port));
    const now = s.auth.authenticate(s.connect(await loadedPort(s.open(sid).port)));
    expect(now).not.toBeInstanceOf(Promise);
    expect(now).toEqual(through);
    expect((now as Exclude<typeof now, Promise<unknown>>)?.user.identity).toBe('alice');
    // An anonymous request (no cookie) too.
    expect(s.auth.authenticate(s.connect(await loadedPort(s.open().port)))).toBeNull();
  });

  it('an async retrieveUser, a due touch and an expiry still take promises, with the same answers', async () => {
    const s = setup('promise');
    const sid = await s.logIn();
    const first = s.auth.authenticate(s.connect(await loadedPort(s.open(sid).port)));
    expect(first).toBeInstanceOf(Promise);
    expect((await first)?.user.identity).toBe('alice');
    const t = setup();
    const tid = await t.logIn();
    t.advance(2 * MINUTE); // a touch is due: a store write
    const touched = t.auth.authenticate(t.connect(await loadedPort(t.open(tid).port)));
    expect(touched).toBeInstanceOf(Promise);
    expect((await touched)?.user.identity).toBe('alice');
    t.advance(15 * MINUTE + 30_000); // idle past the timeout, still in the store: expired, destroyed
    const expired = t.auth.authenticate(t.connect(await loadedPort(t.open(tid).port)));
    expect(expired).toBeInstanceOf(Promise);
    expect(await expired).toBeNull();
    await vi.waitFor(() => expect(t.events).toContain('session_expired')); // logged with the hashed id, asynchronously
    expect(await t.open(tid).port.get()).toBeNull();
  });

  it('fails closed as before (a store outage): a throwing getNow and a missing session middleware reject (never throw), logged', async () => {
    const s = setup();
    const sid = await s.logIn();
    const failed = s.auth.authenticate(s.connect(await loadedPort(s.open(sid).port, true)));
    expect(failed).toBeInstanceOf(Promise);
    await expect(failed).rejects.toSatisfy((e) => isSessionError(e) && e.code === 'session_store_unavailable');
    expect(s.events).toContain('session_store_unavailable');
    const unconfigured = s.auth.authenticate(createConnection({ method: 'GET', target: '/', header: () => undefined }));
    expect(unconfigured).toBeInstanceOf(Promise);
    await expect(unconfigured).rejects.toSatisfy((e) => isSessionError(e) && e.code === 'session_not_configured');
  });
});

