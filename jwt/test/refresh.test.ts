import { ConfigurationError, SimpleUser, type AuthenticationFailure, type Connection } from '@portcullis/core';
import { decodeJwt } from 'jose';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  MemoryRefreshTokenStore,
  MemoryRevocationStore,
  oauth2PasswordBearer,
  type OAuth2PasswordBearerOptions,
  type RefreshFamily,
  type RefreshTokenOptions,
  type RefreshTokenStore,
  type RotateResult,
} from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0 } from './helpers.js';
import { conn as connection } from '../../test-support/connection.js';

class Member extends SimpleUser {
  constructor(
    username: string,
    public roles: readonly string[],
  ) {
    super(username);
  }
}

const FORM = 'application/x-www-form-urlencoded';
const PASSWORD = 'correct horse battery staple';
const HOUR = 3600;
const members = new Map<string, Member>();
let now = T0;

/** A store that records every argument it gets (to prove no raw token reaches it) and can be made to fail. */
class RecordingStore implements RefreshTokenStore {
  readonly inner = new MemoryRefreshTokenStore();
  readonly calls: unknown[][] = [];
  fail = false;
  #record(args: unknown[]) {
    if (this.fail) throw new Error('store down');
    this.calls.push(args);
  }
  async create(family: RefreshFamily, tokenHash: string, idleUntil: number) {
    this.#record([family, tokenHash, idleUntil]);
    return this.inner.create(family, tokenHash, idleUntil);
  }
  async family(id: string, at: number) {
    this.#record([id, at]);
    return this.inner.family(id, at);
  }
  async rotate(id: string, tokenHash: string, next: string, at: number, idle: number): Promise<RotateResult> {
    this.#record([id, tokenHash, next, at, idle]);
    return this.inner.rotate(id, tokenHash, next, at, idle);
  }
  async revoke(id: string) {
    this.#record([id]);
    return this.inner.revoke(id);
  }
  async revokeToken(id: string, tokenHash: string) {
    this.#record([id, tokenHash]);
    return this.inner.revokeToken(id, tokenHash);
  }
  async revokeSubject(subject: string, notBefore: number, until: number) {
    this.#record([subject, notBefore, until]);
    return this.inner.revokeSubject(subject, notBefore, until);
  }
  async subjectNotBefore(subject: string, at: number) {
    this.#record([subject, at]);
    return this.inner.subjectNotBefore(subject, at);
  }
}

let store: RecordingStore;
let events: AuthenticationFailure[];

function endpoint(extra: Partial<OAuth2PasswordBearerOptions<Member>> = {}, refresh: Partial<RefreshTokenOptions> = {}) {
  return oauth2PasswordBearer<Member>({
    algorithms: ['HS256'],
    secret: SECRET,
    issuer: ISSUER,
    audience: AUDIENCE,
    retrieveUser: (t) => members.get(t.sub),
    clock: () => now,
    tokenUrl: '/token',
    verifyCredentials: (username, password) => (password === PASSWORD ? members.get(username) : null),
    grantableScopes: (m) => m.roles,
    refreshTokens: { store, idleTtl: HOUR, absoluteTtl: 24 * HOUR, log: (e) => events.push(e), ...refresh },
    ...extra,
  });
}

type Endpoint = ReturnType<typeof endpoint>;
const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();
const conn = (headers: Record<string, string> = {}, target = '/token'): Connection =>
  connection({ method: 'POST', target, now, headers: { host: 'app.example', ...headers } });
const post = (oauth2: Endpoint, fields: Record<string, string> | string, headers?: Record<string, string>) =>
  oauth2.tokenEndpoint.handle(conn(headers), { contentType: FORM, text: typeof fields === 'string' ? fields : form(fields) });
const bodyOf = (res: { body: string }) => JSON.parse(res.body) as Record<string, string>;
const login = async (oauth2: Endpoint, scope?: string) =>
  bodyOf(await post(oauth2, { grant_type: 'password', username: 'alice', password: PASSWORD, ...(scope === undefined ? {} : { scope }) }));
const refresh = (oauth2: Endpoint, token: string, scope?: string) =>
  post(oauth2, { grant_type: 'refresh_token', refresh_token: token, ...(scope === undefined ? {} : { scope }) });

beforeEach(() => {
  now = T0;
  store = new RecordingStore();
  events = [];
  members.clear();
  members.set('alice', new Member('alice', ['read', 'admin']));
});

describe('refresh tokens on the token endpoint (RFC 6749 §6, RFC 9700 §4.14)', () => {
  it('RT-10 the password grant returns an opaque refresh token (256 random bits); the store only ever sees its SHA-256', async () => {
    const oauth2 = endpoint();
    const body = await login(oauth2);
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 900, scope: 'read admin' });
    const token = body.refresh_token as string;
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect((await refresh(oauth2, token)).status).toBe(200);
    const seen = JSON.stringify(store.calls);
    expect(seen).not.toContain(token);
    expect(seen).not.toContain(token.split('.')[1]);
    const hash = Buffer.from(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))).toString('base64url');
    expect(store.calls[0]?.[1]).toBe(hash);
  });

  it('RT-11 every refresh returns a new access token and a new refresh token, and the old refresh token stops working', async () => {
    const oauth2 = endpoint();
    const first = await login(oauth2);
    now += 60_000;
    const res = await refresh(oauth2, first.refresh_token as string);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const second = bodyOf(res);
    expect(second).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900, scope: 'read admin', refresh_token: expect.any(String) });
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect(decodeJwt(second.access_token as string)).toMatchObject({ sub: 'alice', scope: 'read admin', iat: (T0 + 60_000) / 1000 });
    const third = await refresh(oauth2, second.refresh_token as string);
    expect(third.status).toBe(200);
  });

  it('the password grant writes auth_time (now) and amr ["pwd"]; a refresh carries the login\'s auth_time, not its own', async () => {
    const oauth2 = endpoint();
    const first = await login(oauth2);
    expect(decodeJwt(first.access_token as string)).toMatchObject({ auth_time: T0 / 1000, amr: ['pwd'] });
    now += 600_000;
    const second = bodyOf(await refresh(oauth2, first.refresh_token as string));
    expect(decodeJwt(second.access_token as string)).toMatchObject({ iat: (T0 + 600_000) / 1000, auth_time: T0 / 1000, amr: ['pwd'] });
  });

  it('RFC 9700 §4.14.2 a rotated token that comes back → 400 invalid_grant, the whole family is revoked, and the failure log gets refresh_token_reused', async () => {
    const oauth2 = endpoint();
    const first = await login(oauth2);
    const second = bodyOf(await refresh(oauth2, first.refresh_token as string));
    const replay = await refresh(oauth2, first.refresh_token as string);
    expect([replay.status, bodyOf(replay)]).toEqual([400, { error: 'invalid_grant' }]);
    // The legitimate holder's newer token dies with the family.
    expect(bodyOf(await refresh(oauth2, second.refresh_token as string))).toEqual({ error: 'invalid_grant' });
    expect(events).toEqual([{ event: 'authentication_failed', code: 'invalid_credentials', method: 'POST', path: '/token', subject: 'alice', reason: 'refresh_token_reused' }]);
    expect(JSON.stringify(events)).not.toContain(first.refresh_token as string);
  });

  it('refresh replay and races: two concurrent refreshes with one token → exactly one 200; the loser is a replay and revokes the family (RFC 9700)', async () => {
    const oauth2 = endpoint();
    const { refresh_token: token } = await login(oauth2);
    const answers = await Promise.all([refresh(oauth2, token as string), refresh(oauth2, token as string)]);
    expect(answers.map((a) => a.status).sort()).toEqual([200, 400]);
    const winner = bodyOf(answers.find((a) => a.status === 200) as { body: string });
    expect(bodyOf(await refresh(oauth2, winner.refresh_token as string))).toEqual({ error: 'invalid_grant' });
    expect(events.map((e) => e.reason)).toEqual(['refresh_token_reused']);
  });

  it('RT-13 grant_type=refresh_token without refresh_token, with an empty one, or a repeated one → 400 invalid_request', async () => {
    const oauth2 = endpoint();
    for (const text of ['grant_type=refresh_token', 'grant_type=refresh_token&refresh_token=', 'grant_type=refresh_token&refresh_token=a&refresh_token=b']) {
      const res = await post(oauth2, text);
      expect([res.status, bodyOf(res)]).toEqual([400, { error: 'invalid_request' }]);
    }
    expect(store.calls).toEqual([]);
  });

  it('RT-13 an oversized refresh_token (10 KiB; also 2 KiB, under the body cap) → 400 invalid_request with no store lookup', async () => {
    const oauth2 = endpoint();
    for (const size of [10 * 1024, 2 * 1024]) {
      const res = await refresh(oauth2, 'A'.repeat(size));
      expect([res.status, bodyOf(res)]).toEqual([400, { error: 'invalid_request' }]);
    }
    expect(store.calls).toEqual([]);
  });

  it('unknown, forged and malformed refresh tokens → 400 invalid_grant; a malformed one costs no lookup', async () => {
    const oauth2 = endpoint();
    const { refresh_token: token } = await login(oauth2);
    const [id] = (token as string).split('.');
    store.calls.length = 0;
    expect(bodyOf(await refresh(oauth2, 'not-a-refresh-token'))).toEqual({ error: 'invalid_grant' });
    expect(store.calls).toEqual([]);
    expect(bodyOf(await refresh(oauth2, `${'x'.repeat(22)}.${'y'.repeat(43)}`))).toEqual({ error: 'invalid_grant' });
    // A guessed secret for a known family: refused, and the family lives on (no revocation for a mere guess).
    expect(bodyOf(await refresh(oauth2, `${id}.${'y'.repeat(43)}`))).toEqual({ error: 'invalid_grant' });
    expect((await refresh(oauth2, token as string)).status).toBe(200);
    expect(events).toEqual([]);
  });

  it('the idle lifetime: unused for idleTtl → invalid_grant; each rotation restarts it', async () => {
    const oauth2 = endpoint();
    let { refresh_token: token } = await login(oauth2);
    for (let i = 0; i < 3; i++) {
      now += HOUR * 1000 - 1;
      const res = await refresh(oauth2, token as string);
      expect(res.status).toBe(200);
      token = bodyOf(res).refresh_token;
    }
    now += HOUR * 1000;
    expect(bodyOf(await refresh(oauth2, token as string))).toEqual({ error: 'invalid_grant' });
  });

  it('the absolute lifetime: the family ends absoluteTtl after the login, however often it is rotated', async () => {
    const oauth2 = endpoint({}, { idleTtl: HOUR, absoluteTtl: 2 * HOUR });
    let { refresh_token: token } = await login(oauth2);
    for (let i = 0; i < 3; i++) {
      now += 40 * 60_000;
      const res = await refresh(oauth2, token as string);
      if (i < 2) {
        expect(res.status).toBe(200);
        token = bodyOf(res).refresh_token;
      } else {
        expect(bodyOf(res)).toEqual({ error: 'invalid_grant' }); // T0 + 2 h
      }
    }
  });

  it('RFC 6749 §6 scope on refresh may narrow (the family keeps the original grant), never widen: invalid_scope', async () => {
    const oauth2 = endpoint();
    const { refresh_token: token } = await login(oauth2, 'read');
    const widened = await refresh(oauth2, token as string, 'read admin');
    expect([widened.status, bodyOf(widened)]).toEqual([400, { error: 'invalid_scope' }]);
    const full = await login(oauth2);
    const narrowed = bodyOf(await refresh(oauth2, full.refresh_token as string, 'read'));
    expect(narrowed.scope).toBe('read');
    expect(decodeJwt(narrowed.access_token as string).scope).toBe('read');
    const again = bodyOf(await refresh(oauth2, narrowed.refresh_token as string));
    expect(again.scope).toBe('read admin');
  });

  it('the user is re-loaded on refresh: a lost role is not refreshed; a deleted user → invalid_grant and the family is revoked', async () => {
    const oauth2 = endpoint();
    const { refresh_token: token } = await login(oauth2);
    (members.get('alice') as Member).roles = ['read'];
    const demoted = bodyOf(await refresh(oauth2, token as string));
    expect(demoted.scope).toBe('read');
    members.delete('alice');
    expect(bodyOf(await refresh(oauth2, demoted.refresh_token as string))).toEqual({ error: 'invalid_grant' });
    members.set('alice', new Member('alice', ['read']));
    expect(bodyOf(await refresh(oauth2, demoted.refresh_token as string))).toEqual({ error: 'invalid_grant' });
  });

  it('a failing store → 503 temporarily_unavailable, nothing issued; the token still works once the store is back', async () => {
    const oauth2 = endpoint();
    const { refresh_token: token } = await login(oauth2);
    store.fail = true;
    const res = await refresh(oauth2, token as string);
    expect([res.status, bodyOf(res)]).toEqual([503, { error: 'temporarily_unavailable' }]);
    expect(bodyOf(await post(oauth2, { grant_type: 'password', username: 'alice', password: PASSWORD }))).toEqual({ error: 'temporarily_unavailable' });
    store.fail = false;
    expect((await refresh(oauth2, token as string)).status).toBe(200);
  });

  it('without the refreshTokens option: no refresh_token, and grant_type=refresh_token is unsupported_grant_type', async () => {
    const oauth2 = endpoint({ refreshTokens: undefined });
    expect((await login(oauth2)).refresh_token).toBeUndefined();
    expect(bodyOf(await refresh(oauth2, `${'x'.repeat(22)}.${'y'.repeat(43)}`))).toEqual({ error: 'unsupported_grant_type' });
  });

  it('misconfiguration throws ConfigurationError at construction, with the fix in the message', () => {
    const bad: Partial<RefreshTokenOptions>[] = [
      { store: {} as RefreshTokenStore },
      { idleTtl: 2 * HOUR, absoluteTtl: HOUR },
      { idleTtl: 30 },
      { absoluteTtl: 10 * 365 * 24 * HOUR },
      { cookie: { path: '/elsewhere' } },
      { cookie: { secure: false, name: '__Secure-rt' } },
      { cookie: { name: '__Host-rt' } },
      { log: 'yes' as never },
    ];
    for (const options of bad) expect(() => endpoint({}, options), JSON.stringify(options)).toThrow(ConfigurationError);
    expect(() => endpoint({}, { idleTtl: 2 * HOUR, absoluteTtl: HOUR })).toThrow(/idleTtl/);
  });
});

describe('RT-12 logout and revocation (RFC 7009)', () => {
  const revokeAt = (oauth2: Endpoint, fields: Record<string, string>, headers?: Record<string, string>) =>
    oauth2.revocationEndpoint.handle(conn(headers, '/revoke'), { contentType: FORM, text: form(fields) });
  const bearer = async (oauth2: Endpoint, token: string) =>
    oauth2.authenticate(connection({ method: 'GET', target: '/me', now, headers: { authorization: `Bearer ${token}` } }));

  it('RT-12 logout({ refreshToken }) revokes the whole family and the access token when a revocation store exists', async () => {
    const oauth2 = endpoint({ revocation: new MemoryRevocationStore({ clock: () => now }) });
    const first = await login(oauth2);
    const second = bodyOf(await refresh(oauth2, first.refresh_token as string));
    const principal = await bearer(oauth2, second.access_token as string);
    const res = await oauth2.logout(principal!.auth, { refreshToken: second.refresh_token as string });
    expect(res.status).toBe(204);
    expect(bodyOf(await refresh(oauth2, second.refresh_token as string))).toEqual({ error: 'invalid_grant' });
    await expect(bearer(oauth2, second.access_token as string)).rejects.toMatchObject({ code: 'invalid_credentials' });
  });

  it('RT-12 without a revocation store, logout({ refreshToken }) still revokes the family (the access token lives out its short life)', async () => {
    const oauth2 = endpoint();
    const body = await login(oauth2);
    const principal = await bearer(oauth2, body.access_token as string);
    expect((await oauth2.logout(principal!.auth, { refreshToken: body.refresh_token as string })).status).toBe(204);
    expect(bodyOf(await refresh(oauth2, body.refresh_token as string))).toEqual({ error: 'invalid_grant' });
    await oauth2.revokeRefreshToken('junk'); // not an error
  });

  it('RT-12 the revocation endpoint: a refresh token revokes its family; an access token is denylisted; unknown tokens get the same 200', async () => {
    const oauth2 = endpoint({ revocation: new MemoryRevocationStore({ clock: () => now }) });
    const body = await login(oauth2);
    const res = await revokeAt(oauth2, { token: body.refresh_token as string, token_type_hint: 'refresh_token' });
    expect([res.status, res.body, res.headers['cache-control']]).toEqual([200, '{}', 'no-store']);
    expect(bodyOf(await refresh(oauth2, body.refresh_token as string))).toEqual({ error: 'invalid_grant' });
    expect((await revokeAt(oauth2, { token: body.access_token as string })).status).toBe(200);
    await expect(bearer(oauth2, body.access_token as string)).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect((await revokeAt(oauth2, { token: 'whatever' })).status).toBe(200);
    expect(bodyOf(await revokeAt(oauth2, {}))).toEqual({ error: 'invalid_request' });
    const get = await oauth2.revocationEndpoint.handle(connection({ method: 'GET', target: '/revoke?token=x', now }), { contentType: undefined, text: '' });
    expect(get.status).toBe(405);
  });

  it('JWT-30 revokeSubject: a refresh right after (and long after) the cut-off is refused, the family revoked and the failure log gets refresh_token_subject_revoked; a later login refreshes', async () => {
    const oauth2 = endpoint({ revocation: new MemoryRevocationStore({ clock: () => now }) });
    const before = await login(oauth2);
    now += 1000;
    await oauth2.revokeSubject('alice');
    now += 1000;
    const after = await login(oauth2);
    const refused = await refresh(oauth2, before.refresh_token as string);
    expect(bodyOf(refused)).toEqual({ error: 'invalid_grant' });
    expect(events).toEqual([
      { event: 'authentication_failed', code: 'invalid_credentials', method: 'POST', path: '/token', subject: 'alice', reason: 'refresh_token_subject_revoked' },
    ]);
    expect(JSON.stringify(events)).not.toContain(before.refresh_token as string);
    const fresh = bodyOf(await refresh(oauth2, after.refresh_token as string));
    expect(fresh.access_token).toEqual(expect.any(String));
    // An hour later (within the family's idle hour): the refresh store's own cut-off refuses it, whatever the revocation store keeps.
    const old = await login(oauth2);
    now += 1000;
    await oauth2.revokeSubject('alice');
    now += HOUR * 1000 - 2000;
    expect(bodyOf(await refresh(oauth2, old.refresh_token as string))).toEqual({ error: 'invalid_grant' });
  });

  it('JWT-30 revokeSubject without a revocation store still kills the families, then throws revocation_not_configured (access tokens cannot be cut)', async () => {
    const oauth2 = endpoint();
    const body = await login(oauth2);
    now += 1000;
    await expect(oauth2.revokeSubject('alice')).rejects.toMatchObject({ code: 'revocation_not_configured' });
    expect(bodyOf(await refresh(oauth2, body.refresh_token as string))).toEqual({ error: 'invalid_grant' });
  });

  it('RFC 7009 §2.2 a refresh token with a known family id and another secret revokes nothing (endpoint 200, logout, revokeRefreshToken)', async () => {
    const oauth2 = endpoint();
    const body = await login(oauth2);
    const token = body.refresh_token as string;
    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    expect((await revokeAt(oauth2, { token: forged })).status).toBe(200);
    await oauth2.revokeRefreshToken(forged);
    const principal = await bearer(oauth2, body.access_token as string);
    expect((await oauth2.logout(principal!.auth, { refreshToken: forged })).status).toBe(204);
    const next = bodyOf(await refresh(oauth2, token));
    expect(next.refresh_token).toEqual(expect.any(String));
    // A rotated token still proves the holder: it revokes the family.
    expect((await revokeAt(oauth2, { token })).status).toBe(200);
    expect(bodyOf(await refresh(oauth2, next.refresh_token as string))).toEqual({ error: 'invalid_grant' });
  });

  it('RFC 7009 §2.2.1 an access token without a revocation store → 400 unsupported_token_type', async () => {
    const oauth2 = endpoint();
    const body = await login(oauth2);
    expect(bodyOf(await revokeAt(oauth2, { token: body.access_token as string }))).toEqual({ error: 'unsupported_token_type' });
  });
});

describe('the refresh cookie (browser apps)', () => {
  const SAME = { origin: 'https://app.example', 'sec-fetch-site': 'same-origin' };
  const cookieEndpoint = () => endpoint({ tokenUrl: '/auth/token' }, { cookie: { path: '/auth' } });
  const cookieOf = (res: { headers: Readonly<Record<string, string | readonly string[]>> }) => {
    const all = [res.headers['set-cookie'] ?? []].flat();
    return all.find((c) => c.startsWith('__Secure-refresh_token='));
  };
  const valueOf = (setCookie: string | undefined) => setCookie?.split(';')[0]?.split('=')[1] as string;

  it('the password grant sets an HttpOnly; Secure; SameSite=Strict cookie scoped to the path, and no refresh_token in the body', async () => {
    const oauth2 = cookieEndpoint();
    const res = await post(oauth2, { grant_type: 'password', username: 'alice', password: PASSWORD }, SAME);
    expect(res.status).toBe(200);
    expect(bodyOf(res).refresh_token).toBeUndefined();
    expect(cookieOf(res)).toMatch(/^__Secure-refresh_token=[\w-]{22}\.[\w-]{43}; Max-Age=86400; Path=\/auth; HttpOnly; Secure; SameSite=Strict$/);
  });

  it('a same-origin refresh reads the cookie and rotates it; a replayed cookie → invalid_grant and the cookie is deleted', async () => {
    const oauth2 = cookieEndpoint();
    const first = valueOf(cookieOf(await post(oauth2, { grant_type: 'password', username: 'alice', password: PASSWORD }, SAME)));
    const res = await post(oauth2, { grant_type: 'refresh_token' }, { ...SAME, cookie: `__Secure-refresh_token=${first}` });
    expect(res.status).toBe(200);
    const second = valueOf(cookieOf(res));
    expect(second).not.toBe(first);
    const replay = await post(oauth2, { grant_type: 'refresh_token' }, { ...SAME, cookie: `__Secure-refresh_token=${first}` });
    expect(bodyOf(replay)).toEqual({ error: 'invalid_grant' });
    expect(cookieOf(replay)).toBe('__Secure-refresh_token=; Max-Age=0; Path=/auth; HttpOnly; Secure; SameSite=Strict');
  });

  it('CSRF-01 a cross-site token request (or one with no Origin) → 403, the cookie unread; a token in the body and the cookie → invalid_request', async () => {
    const oauth2 = cookieEndpoint();
    const token = valueOf(cookieOf(await post(oauth2, { grant_type: 'password', username: 'alice', password: PASSWORD }, SAME)));
    store.calls.length = 0;
    const cross = await post(oauth2, { grant_type: 'refresh_token' }, { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site', cookie: `__Secure-refresh_token=${token}` });
    expect(cross.status).toBe(403);
    expect((await post(oauth2, { grant_type: 'refresh_token' }, { cookie: `__Secure-refresh_token=${token}` })).status).toBe(403);
    expect(store.calls).toEqual([]);
    const both = await post(oauth2, { grant_type: 'refresh_token', refresh_token: token }, { ...SAME, cookie: `__Secure-refresh_token=${token}` });
    expect(bodyOf(both)).toEqual({ error: 'invalid_request' });
  });

  it('RT-12 the revocation endpoint under the cookie path revokes the cookie family and deletes the cookie', async () => {
    const oauth2 = cookieEndpoint();
    const token = valueOf(cookieOf(await post(oauth2, { grant_type: 'password', username: 'alice', password: PASSWORD }, SAME)));
    const res = await oauth2.revocationEndpoint.handle(conn({ ...SAME, cookie: `__Secure-refresh_token=${token}` }, '/auth/revoke'), { contentType: FORM, text: '' });
    expect(res.status).toBe(200);
    expect(cookieOf(res)).toMatch(/Max-Age=0/);
    expect(bodyOf(await post(oauth2, { grant_type: 'refresh_token', refresh_token: token }, SAME))).toEqual({ error: 'invalid_grant' });
  });
});
