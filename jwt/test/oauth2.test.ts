import { AuthenticationError, MemoryThrottleStore, SimpleUser, loginThrottle, passwordBackend, type AuthenticationFailure, type Connection } from '@portcullis/core';
import { createConnection } from '@portcullis/core/adapter';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { memoryThrottle, oauth2PasswordBearer, type OAuth2PasswordBearerOptions } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, T0S, frozenClock } from './helpers.js';
import { conn as connection } from '../../test-support/connection.js';

class Member extends SimpleUser {
  constructor(
    username: string,
    readonly hash: string,
    readonly roles: readonly string[],
  ) {
    super(username);
  }
}

const FORM = 'application/x-www-form-urlencoded';
const hasher = pbkdf2Hasher({ iterations: 1_000 });
const members = new Map<string, Member>();
const passwords = passwordBackend<Member>({ findUser: (name) => members.get(name) ?? null, passwordHashOf: (m) => m.hash, hasher });

beforeAll(async () => {
  members.set('alice', new Member('alice', await hasher.hash('correct horse battery staple'), ['read']));
  members.set('root', new Member('root', await hasher.hash('root password 123'), ['read', 'admin']));
});

function endpoint(extra: Partial<OAuth2PasswordBearerOptions<Member>> = {}) {
  return oauth2PasswordBearer<Member>({
    algorithms: ['HS256'],
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    retrieveUser: (t) => members.get(t.sub),
    clock: () => T0,
    tokenUrl: '/token',
    verifyCredentials: passwords.verifyCredentials,
    grantableScopes: (m) => m.roles,
    ...extra,
  });
}

const conn = (method = 'POST', target = '/token'): Connection => connection({ method, target, now: T0 });
const post = (oauth2: ReturnType<typeof endpoint>, text: string, contentType: string | undefined = FORM) =>
  oauth2.tokenEndpoint.handle(conn(), { contentType, text });
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const bodyOf = (res: { body: string }) => JSON.parse(res.body) as Record<string, unknown>;

describe('the OAuth2 token endpoint (RFC 6749 §4.3)', () => {
  const oauth2 = endpoint();

  it('OAU-01 a good password → 200 {access_token, token_type: "Bearer", expires_in, scope}, no-store, no-cache', async () => {
    const res = await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }));
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const body = bodyOf(res);
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'read' });
    expect(decodeJwt(body.access_token as string)).toMatchObject({ sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat: T0S, scope: 'read' });
    const principal = await oauth2.authenticate(createConnection({ method: 'GET', target: '/me', header: (n) => (n === 'authorization' ? `Bearer ${body.access_token as string}` : undefined), now: () => T0 }));
    expect(principal?.user.identity).toBe('alice');
    expect(principal?.auth.scopes).toEqual(['authenticated', 'read']);
  });

  it('OAU-02 wrong password and unknown user → byte-identical 400 {"error":"invalid_grant"}', async () => {
    const wrong = await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'nope' }));
    const unknown = await post(oauth2, form({ grant_type: 'password', username: 'nobody', password: 'nope' }));
    expect(wrong.status).toBe(400);
    expect(bodyOf(wrong)).toEqual({ error: 'invalid_grant' });
    expect(unknown).toEqual(wrong);
    expect(wrong.headers['cache-control']).toBe('no-store');
  });

  it('OAU-03 missing grant_type → invalid_request; client_credentials → unsupported_grant_type', async () => {
    const missing = await post(oauth2, form({ username: 'alice', password: 'x' }));
    expect([missing.status, bodyOf(missing).error]).toEqual([400, 'invalid_request']);
    const other = await post(oauth2, form({ grant_type: 'client_credentials', username: 'alice', password: 'x' }));
    expect([other.status, bodyOf(other).error]).toEqual([400, 'unsupported_grant_type']);
  });

  it('missing or empty username/password, and repeated parameters (RFC 6749 §3.1) → invalid_request', async () => {
    for (const text of [
      form({ grant_type: 'password', password: 'x' }),
      form({ grant_type: 'password', username: 'alice' }),
      form({ grant_type: 'password', username: '', password: 'x' }),
      'grant_type=password&username=alice&username=root&password=root%20password%20123',
      'grant_type=password&grant_type=password&username=alice&password=x',
      'grant_type=password&username=alice&password=a&password=b',
    ]) {
      const res = await post(oauth2, text);
      expect([res.status, bodyOf(res).error], text).toEqual([400, 'invalid_request']);
    }
  });

  it('OAU-04 GET /token?username=…&password=… → 405 with Allow: POST; credentials in the URL are never read', async () => {
    const verify = vi.fn(passwords.verifyCredentials);
    const spied = endpoint({ verifyCredentials: verify });
    const res = await spied.tokenEndpoint.handle(conn('GET', '/token?grant_type=password&username=alice&password=correct+horse+battery+staple'), {
      contentType: undefined,
      text: '',
    });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('POST');
    expect(verify).not.toHaveBeenCalled();
    // POST with the credentials in the query only: nothing is read from the URL.
    const query = await spied.tokenEndpoint.handle(conn('POST', '/token?grant_type=password&username=alice&password=x'), { contentType: FORM, text: '' });
    expect(query.status).toBe(400);
    expect(verify).not.toHaveBeenCalled();
  });

  it('OAU-05 a JSON body (or multipart, or no content type) → 400 invalid_request', async () => {
    const json = JSON.stringify({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' });
    for (const type of ['application/json', 'multipart/form-data; boundary=x', 'text/plain', undefined]) {
      const res = await post(oauth2, json, type);
      expect([res.status, bodyOf(res).error], String(type)).toEqual([400, 'invalid_request']);
    }
    // The form media type is matched case-insensitively, parameters allowed.
    const ok = await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }), 'Application/X-WWW-Form-Urlencoded; charset=UTF-8');
    expect(ok.status).toBe(200);
  });

  it('OAU-08 scope=admin for a user entitled only to read → a token with scope=read, and "scope":"read" in the answer', async () => {
    const res = await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple', scope: 'admin' }));
    expect(res.status).toBe(200);
    const body = bodyOf(res);
    expect(body.scope).toBe('read');
    expect(decodeJwt(body.access_token as string).scope).toBe('read');
  });

  it('OAU-08 requested scopes are narrowed to the entitled ones; none requested → all entitled', async () => {
    const narrow = bodyOf(await post(oauth2, form({ grant_type: 'password', username: 'root', password: 'root password 123', scope: 'admin write' })));
    expect(narrow.scope).toBe('admin');
    const all = bodyOf(await post(oauth2, form({ grant_type: 'password', username: 'root', password: 'root password 123' })));
    expect(all.scope).toBe('read admin');
    const bad = await post(oauth2, form({ grant_type: 'password', username: 'root', password: 'root password 123', scope: 'a"b' }));
    expect([bad.status, bodyOf(bad).error]).toEqual([400, 'invalid_scope']);
  });

  it('DOS-01/02 a 1 MiB password or username → invalid_grant at once, the verifier is never called', async () => {
    const verify = vi.fn(passwords.verifyCredentials);
    const spied = endpoint({ verifyCredentials: verify });
    const big = 'x'.repeat(1024 * 1024);
    for (const fields of [{ username: 'alice', password: big }, { username: big, password: 'x' }]) {
      const start = performance.now();
      const res = await spied.tokenEndpoint.handle(conn(), { contentType: FORM, text: form({ grant_type: 'password', ...fields }) });
      expect(performance.now() - start).toBeLessThan(50);
      expect(res.status).toBe(400);
    }
    const capped = await spied.tokenEndpoint.handle(conn(), { contentType: FORM, text: form({ grant_type: 'password', username: 'alice', password: 'p'.repeat(1025) }) });
    expect(bodyOf(capped)).toEqual({ error: 'invalid_grant' });
    expect(verify).not.toHaveBeenCalled();
  });

  it('a failing user store → 503 temporarily_unavailable, no token', async () => {
    const broken = endpoint({ verifyCredentials: () => Promise.reject(new Error('db down')) });
    const res = await post(broken, form({ grant_type: 'password', username: 'alice', password: 'x' }));
    expect(res.status).toBe(503);
    expect(res.body).not.toContain('access_token');
  });

  it('the security scheme is the OAuth2 password flow with its tokenUrl', () => {
    const withScopes = endpoint({ scopeDescriptions: { read: 'Read orders' } });
    expect(withScopes.securityScheme.name).toBe('OAuth2PasswordBearer');
    expect(withScopes.securityScheme.scheme).toMatchObject({ type: 'oauth2', flows: { password: { tokenUrl: '/token', scopes: { read: 'Read orders' } } } });
  });
});

describe('OAU-07 brute-force throttling', () => {
  it('20 failures per account per minute → 429 with Retry-After; the lockout ends with the window', async () => {
    const clock = frozenClock();
    const verify = vi.fn(() => null);
    const oauth2 = endpoint({ verifyCredentials: verify, throttle: memoryThrottle({ maxFailures: 20, windowMs: 60_000, clock: clock.now }) });
    const attempt = () => post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'guess' }));
    for (let i = 0; i < 20; i++) expect((await attempt()).status).toBe(400);
    const limited = await attempt();
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('60');
    expect(verify).toHaveBeenCalledTimes(20);
    // Another account is not locked out by alice's attacker.
    expect((await post(oauth2, form({ grant_type: 'password', username: 'root', password: 'guess' }))).status).toBe(400);
    clock.advance(60_000);
    expect((await attempt()).status).toBe(400);
  });

  it('a success gives back its own attempt only: it no longer resets the count (a success as ALICE must not unlock alice)', async () => {
    const clock = frozenClock();
    const throttle = memoryThrottle({ maxFailures: 2, windowMs: 60_000, clock: clock.now });
    const oauth2 = endpoint({ throttle });
    const wrong = () => post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'guess' }));
    await wrong();
    expect((await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }))).status).toBe(200);
    expect((await wrong()).status).toBe(400);
    expect((await wrong()).status).toBe(429);
  });

  it('THR-12 200 parallel wrong guesses at the endpoint\'s own throttle: exactly allowance + 1 reach verifyCredentials', async () => {
    const clock = frozenClock();
    let verified = 0;
    const verify = async () => (verified++, await new Promise((r) => setTimeout(r, 1)), null);
    const oauth2 = endpoint({ verifyCredentials: verify, throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 5, clock: clock.now }) });
    // Different guesses: identical ones are one attempt (see the single-flight tests below).
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => post(oauth2, form({ grant_type: 'password', username: 'alice', password: `guess${i}` }))));
    expect(verified).toBe(6);
    expect(answers.filter((a) => a.status === 400)).toHaveLength(6);
    expect(answers.filter((a) => a.status === 429)).toHaveLength(194);
  });

  it('THR-12 a check that throws (hashing queue full, user store down) gives its count back to the endpoint\'s own throttle', async () => {
    const clock = frozenClock();
    let down = true;
    const verify = async () => {
      if (down) throw new AuthenticationError('backend_busy');
      return null;
    };
    const oauth2 = endpoint({ verifyCredentials: verify, throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 0, clock: clock.now }) });
    const attempt = () => post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'guess' }));
    for (let i = 0; i < 5; i++) expect((await attempt()).status).toBe(503);
    down = false;
    expect((await attempt()).status).toBe(400); // not throttled by the refusals: they were no guesses
    expect((await attempt()).status).toBe(429); // a wrong password counts
  });

  it('refuses a throttle without attempt() at construction (no racy fallback); a throttle answering nonsense is 503', async () => {
    expect(() => endpoint({ throttle: { retryAfter: () => 0, failed: () => {} } as never })).toThrow(/attempt\(username, connection\).*parallel guesses/);
    const liar = { attempt: async () => ({ retryAfter: Number.NaN, failed: async () => {}, succeeded: async () => {} }), retryAfter: async () => 0, failed: async () => {} };
    const res = await post(endpoint({ throttle: liar }), form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }));
    expect([res.status, bodyOf(res)]).toEqual([503, { error: 'temporarily_unavailable' }]);
  });
});

describe('with coalesce: true, concurrent identical token requests at the endpoint\'s own throttle are one attempt', () => {
  const postFrom = (oauth2: ReturnType<typeof endpoint>, address: string, fields: Record<string, string>) =>
    oauth2.tokenEndpoint.handle(connection({ method: 'POST', target: '/token', now: T0, peerAddress: address }), { contentType: FORM, text: form(fields) });
  function counted(accountAllowance: number) {
    const clock = frozenClock();
    const calls = { verified: 0, attempts: 0 };
    const throttle = loginThrottle({ store: new MemoryThrottleStore(), accountAllowance, clock: clock.now });
    const verifyCredentials = async (username: string, password: string, c: Connection) => (calls.verified++, await new Promise((r) => setTimeout(r, 5)), passwords.verifyCredentials(username, password, c));
    const oauth2 = endpoint({ verifyCredentials, throttle: { ...throttle, attempt: (u, c) => (calls.attempts++, throttle.attempt(u, c)) }, coalesce: true });
    return { oauth2, calls };
  }

  it('20 parallel right passwords with accountAllowance 5: all 200 with a token, one check, one count', async () => {
    const { oauth2, calls } = counted(5);
    const answers = await Promise.all(Array.from({ length: 20 }, () => postFrom(oauth2, '203.0.113.7', { grant_type: 'password', username: 'alice', password: 'correct horse battery staple' })));
    expect(answers.map((a) => a.status)).toEqual(Array(20).fill(200));
    expect(answers.every((a) => typeof bodyOf(a).access_token === 'string')).toBe(true);
    expect(calls).toEqual({ verified: 1, attempts: 1 });
  });

  it('20 parallel identical wrong passwords: all 400 invalid_grant, one check; two addresses are two flights', async () => {
    const { oauth2, calls } = counted(5);
    const wrong = (address: string) => postFrom(oauth2, address, { grant_type: 'password', username: 'alice', password: 'guess' });
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => wrong(i % 2 === 0 ? '203.0.113.7' : '203.0.113.8')));
    expect(answers.map((a) => [a.status, bodyOf(a).error])).toEqual(Array(20).fill([400, 'invalid_grant']));
    expect(calls).toEqual({ verified: 2, attempts: 2 });
  });

  it('a throttled flight answers 429 to every request in it, each logged', async () => {
    const events: AuthenticationFailure[] = [];
    const clock = frozenClock();
    const oauth2 = endpoint({ throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 0, clock: clock.now }), log: (e) => events.push(e), coalesce: true });
    await postFrom(oauth2, '203.0.113.7', { grant_type: 'password', username: 'alice', password: 'nope' });
    const answers = await Promise.all(Array.from({ length: 5 }, () => postFrom(oauth2, '203.0.113.7', { grant_type: 'password', username: 'alice', password: 'nope' })));
    expect(answers.map((a) => [a.status, a.headers['retry-after']])).toEqual(Array(5).fill([429, '1']));
    expect(events.filter((e) => e.reason === 'login_throttled')).toHaveLength(5);
  });
});

describe('the token endpoint does not coalesce by default (issue #16 re-review)', () => {
  const at = (host: string) => connection({ method: 'POST', target: '/token', now: T0, peerAddress: '192.0.2.66', headers: { host } });
  /** A multi-tenant check keyed on the Host: only evil.example has an "admin" with the attacker's password. */
  function tenants(extra: { coalesce?: boolean } = {}) {
    const checked: string[] = [];
    const verifyCredentials = async (username: string, password: string, c: Connection) => {
      const host = c.header('host') ?? '';
      checked.push(host);
      await new Promise((r) => setTimeout(r, 5));
      return host === 'evil.example' && username === 'admin' && password === 'attacker-pw' ? new Member('admin', 'x', []) : null;
    };
    const clock = frozenClock();
    const oauth2 = endpoint({ verifyCredentials, throttle: loginThrottle({ store: new MemoryThrottleStore(), clock: clock.now }), ...extra });
    const token = (host: string) => oauth2.tokenEndpoint.handle(at(host), { contentType: FORM, text: form({ grant_type: 'password', username: 'admin', password: 'attacker-pw' }) });
    return { token, checked };
  }

  it('two tenants\' parallel token requests with the same credentials each get their own check: bank.example gets no token for evil.example\'s admin', async () => {
    const { token, checked } = tenants();
    const [evil, bank] = await Promise.all([token('evil.example'), token('bank.example')]);
    expect([evil.status, bank.status, bodyOf(bank)]).toEqual([200, 400, { error: 'invalid_grant' }]);
    expect(checked.sort()).toEqual(['bank.example', 'evil.example']);
  });

  it('with coalesce: true the first request\'s check serves both (documented: only for a verifyCredentials that ignores the connection); a non-boolean is refused', async () => {
    const { token, checked } = tenants({ coalesce: true });
    const [evil, bank] = await Promise.all([token('evil.example'), token('bank.example')]);
    expect([evil.status, bank.status, checked]).toEqual([200, 200, ['evil.example']]);
    expect(() => endpoint({ coalesce: 1 as unknown as boolean })).toThrow(/coalesce/);
  });

  it('THR-12 a rejection after the password check (an audit insert failing, raw or wrapped in backend_unavailable) keeps its count; only a full hashing queue gives it back', async () => {
    const clock = frozenClock();
    let failure: Error = new Error('value too long for type character varying(255)');
    let verified = 0;
    const verify = async () => {
      verified++; // the hash ran
      throw failure;
    };
    const oauth2 = endpoint({ verifyCredentials: verify, throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 2, clock: clock.now }) });
    const attempt = () => post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'guess' }));
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await attempt()).status);
    expect(statuses).toEqual([503, 503, 503, 429, 429]);
    expect(verified).toBe(3);
    // An app that wraps every database error in backend_unavailable: still counted (round-3 review, finding B).
    const wrapped = endpoint({ verifyCredentials: verify, throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 2, clock: clock.now }) });
    failure = new AuthenticationError('backend_unavailable');
    const wrappedStatuses = [];
    for (let i = 0; i < 5; i++) wrappedStatuses.push((await post(wrapped, form({ grant_type: 'password', username: 'alice', password: 'guess' }))).status);
    expect(wrappedStatuses).toEqual([503, 503, 503, 429, 429]);
    // The hashing queue was full: nothing was hashed, the count comes back.
    const other = endpoint({ verifyCredentials: verify, throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 0, clock: clock.now }) });
    failure = new AuthenticationError('backend_busy');
    for (let i = 0; i < 5; i++) expect((await post(other, form({ grant_type: 'password', username: 'alice', password: 'guess' }))).status).toBe(503);
  });
});

describe('THR-12 THR-15 the token endpoint with core\'s loginThrottle', () => {
  it('a passwordBackend({ throttle }) refusal becomes 429 too_many_requests with Retry-After (no 503)', async () => {
    const clock = frozenClock();
    const throttle = loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 2, clock: clock.now });
    const guarded = passwordBackend<Member>({ findUser: (name) => members.get(name) ?? null, passwordHashOf: (m) => m.hash, hasher, throttle });
    const oauth2 = endpoint({ verifyCredentials: guarded.verifyCredentials });
    const wrong = () => post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'guess' }));
    for (let i = 0; i < 3; i++) expect((await wrong()).status).toBe(400);
    const limited = await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }));
    expect(limited).toEqual({ status: 429, headers: expect.objectContaining({ 'retry-after': '1', 'cache-control': 'no-store' }), body: '{"error":"too_many_requests"}' });
    clock.advance(1000);
    expect((await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }))).status).toBe(200);
  });

  it('its own throttle logs login_throttled without the password; a failed throttle store is 503 temporarily_unavailable, logged', async () => {
    const events: AuthenticationFailure[] = [];
    const clock = frozenClock();
    const oauth2 = endpoint({ throttle: loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 0, clock: clock.now }), log: (e) => events.push(e) });
    await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'S3cr3t!Pw' }));
    expect((await post(oauth2, form({ grant_type: 'password', username: 'alice', password: 'S3cr3t!Pw' }))).status).toBe(429);
    expect(events).toEqual([{ event: 'authentication_failed', code: 'too_many_requests', method: 'POST', path: '/token', subject: 'alice', reason: 'login_throttled' }]);
    expect(JSON.stringify(events)).not.toContain('S3cr3t');
    const down = { get: () => Promise.reject(new Error('down')), attempt: () => Promise.reject(new Error('down')), release: () => Promise.resolve() };
    const closed = endpoint({ throttle: loginThrottle({ store: down }), log: (e) => events.push(e) });
    const res = await post(closed, form({ grant_type: 'password', username: 'alice', password: 'correct horse battery staple' }));
    expect([res.status, bodyOf(res)]).toEqual([503, { error: 'temporarily_unavailable' }]);
    expect(events.at(-1)).toMatchObject({ code: 'backend_unavailable', reason: 'throttle_unavailable' });
  });
});

describe('login() of the OAuth2 backend (Litestar’s /login and /login_custom)', () => {
  it('without a body: the OAuth2 token response; with responseBody: that body, token in the header', async () => {
    const oauth2 = endpoint();
    const standard = await oauth2.login('alice');
    expect(Object.keys(bodyOf(standard)).sort()).toEqual(['access_token', 'expires_in', 'token_type']);
    const custom = await oauth2.login('alice', { responseBody: { id: 'alice', email: 'alice@example.com' } });
    expect(bodyOf(custom)).toEqual({ id: 'alice', email: 'alice@example.com' });
    expect(custom.headers.authorization).toMatch(/^Bearer /);
  });
});
