import { createHmac } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { createConnection } from '../connection.js';
import { ConfigurationError } from '../errors.js';
import { SimpleUser } from '../user.js';
import { generateSessionId } from './id.js';
import { MemorySessionStore } from './memory-store.js';
import { SESSION_NAMESPACE } from './namespace.js';
import { assertCanLogin, login, logout, saveSession, sessionData } from './state.js';
import { sessionConfig, type SessionEvent } from './config.js';
import { configError } from '../../../test-support/connection.js';
import { SessionError } from './errors.js';
import type { SessionData, SessionStore } from './store.js';
import fc from 'fast-check';
import { isSecureRequest, isSecureWebRequest, webSessions, type WebSessionOptions } from './web-session.js';

const SECRET = 'unit-test-secret-0123456789abcdef-0123';

class Counting implements SessionStore {
  gets = 0;
  sets = 0;
  readonly inner = new MemorySessionStore();
  get(id: string) {
    this.gets++;
    return this.inner.get(id);
  }
  set(id: string, data: SessionData, ttl: number) {
    this.sets++;
    return this.inner.set(id, data, ttl);
  }
  update(id: string, data: SessionData, ttl: number) {
    this.sets++;
    return this.inner.update(id, data, ttl);
  }
  destroy(id: string) {
    return this.inner.destroy(id);
  }
}

function setup(options: Partial<WebSessionOptions> = {}) {
  const store = new Counting();
  const engine = webSessions({ secret: SECRET, store, cookie: { secure: false }, ...options });
  const open = (cookie?: string, method = 'POST') => {
    const handle = engine.open({ cookies: new Map(cookie === undefined ? [] : [['id', cookie]]), secure: false });
    const connection = createConnection({ method, target: '/', header: () => undefined, session: handle.port });
    return { handle, connection };
  };
  const valueOf = (setCookie: string | undefined) => setCookie?.split(';')[0]?.slice('id='.length) as string;
  return { store, engine, open, valueOf };
}

describe('webSessions', () => {
  it('checks its options at construction', () => {
    expect(() => webSessions({ secret: 'short' })).toThrow(ConfigurationError);
    expect(() => webSessions({ secret: SECRET, store: {} as never })).toThrow(ConfigurationError);
  });

  it('SES-12 a request without the cookie reads and writes nothing', async () => {
    const { store, open } = setup();
    const { handle } = open();
    expect(await handle.port.get()).toBeNull();
    expect(handle.port.hasCookie).toBe(false);
    expect(handle.setCookies()).toEqual([]);
    expect(store.gets + store.sets).toBe(0);
  });

  it('a cookie with a bad signature or a made-up id is never looked up', async () => {
    const { store, open } = setup();
    for (const value of ['forged', generateSessionId(), `${generateSessionId()}.${'A'.repeat(43)}`, `${generateSessionId()}.`]) {
      const { handle } = open(value);
      expect(await handle.port.get()).toBeNull();
      expect(handle.port.id()).toBeUndefined();
    }
    expect(store.gets).toBe(0);
  });

  it('the cookie MAC is HMAC-SHA256 of the id, computed synchronously: no Web Crypto per request; every secret is tried', async () => {
    const { store, open } = setup({ secret: [`new-${SECRET}`, SECRET] });
    const id = generateSessionId();
    await store.inner.set(id, { [SESSION_NAMESPACE]: { n: 1 } }, 60_000);
    const signedWith = (secret: string) => `${id}.${createHmac('sha256', secret).update(`portcullis-session\u0000${id}`).digest('base64url')}`;
    const subtle = vi.spyOn(crypto.subtle, 'sign');
    const verify = vi.spyOn(crypto.subtle, 'verify');
    try {
      for (const secret of [`new-${SECRET}`, SECRET]) {
        const { handle } = open(signedWith(secret));
        expect(handle.port.id()).toBeUndefined();
        expect(await handle.port.get()).toEqual({ n: 1 });
        expect(handle.port.id()).toBe(id);
      }
      const { handle } = open(signedWith(`other-${SECRET}`));
      expect(await handle.port.get()).toBeNull();
      expect(subtle).not.toHaveBeenCalled();
      expect(verify).not.toHaveBeenCalled();
    } finally {
      subtle.mockRestore();
      verify.mockRestore();
    }
  });

  it('the cookie MAC: only its exact canonical base64url is accepted: every one-character change, padding, a non-canonical last character, truncation and extension are refused', async () => {
    const { store, open } = setup({ secret: [`new-${SECRET}`, SECRET] });
    const id = generateSessionId();
    await store.inner.set(id, { [SESSION_NAMESPACE]: { n: 1 } }, 60_000);
    const mac = createHmac('sha256', SECRET).update(`portcullis-session\u0000${id}`).digest();
    const good = `${id}.${mac.toString('base64url')}`;
    const text = good.slice(id.length + 1);
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_+/=.\u00e9';
    const variants = new Set<string>([
      `${good}=`, `${good}A`, good.slice(0, -1), `${id}.${mac.toString('base64')}`, `${id}.${mac.toString('base64').replace(/=+$/, '')}`,
      `${id}.${text.toUpperCase()}`, `${id}..${text}`, `${id}.${text}.${text}`, `${id}.${mac.subarray(0, 31).toString('base64url')}`,
    ]);
    for (let i = 0; i < text.length; i++) {
      for (const c of alphabet) if (c !== text[i]) variants.add(`${id}.${text.slice(0, i)}${c}${text.slice(i + 1)}`);
    }
    // Without '+' or '/' in it (a quarter of MACs), the padless base64 is the base64url itself.
    variants.delete(good);
    for (const value of variants) {
      // What the decoding comparison it replaced said: decode strictly, then compare bytes.
      const dot = value.lastIndexOf('.');
      const part = value.slice(dot + 1);
      const decoded = /^[A-Za-z0-9_-]*$/.test(part) ? Buffer.from(part, 'base64url') : undefined;
      const decodesToMac = value.slice(0, dot) === id && decoded !== undefined && decoded.toString('base64url') === part && decoded.equals(mac);
      const { handle } = open(value);
      expect(await handle.port.get(), value).toEqual(decodesToMac ? { n: 1 } : null);
      expect(decodesToMac, value).toBe(false);
    }
    expect(await open(good).handle.port.get()).toEqual({ n: 1 });
  });

  it('SES-01 login issues a fresh signed id and destroys the old session; keepOnLogin keys survive', async () => {
    const { store, open, valueOf } = setup({ keepOnLogin: ['next'] });
    const first = open();
    await saveSession(first.connection, { next: '/x', junk: 'drop me' });
    const pre = valueOf(first.handle.setCookies()[0]);
    const preId = pre.split('.')[0] as string;
    expect(await store.inner.get(preId)).toBeDefined();

    const second = open(pre);
    await login(second.connection, new SimpleUser('alice'), { user_id: 'alice' });
    const post = valueOf(second.handle.setCookies()[0]);
    expect(post).not.toBe(pre);
    expect(await store.inner.get(preId)).toBeUndefined();
    const third = open(post);
    expect(await sessionData(third.connection)).toEqual({ next: '/x', user_id: 'alice' });
    expect(await sessionData(open(pre).connection)).toBeNull();
  });

  it('a signed id the store no longer holds is not adopted: writing starts a new id', async () => {
    const { open, valueOf } = setup();
    const a = open();
    await saveSession(a.connection, { n: 1 });
    const value = valueOf(a.handle.setCookies()[0]);
    const b = open(value);
    await logout(b.connection);
    const c = open(value);
    await saveSession(c.connection, { n: 2 });
    const next = valueOf(c.handle.setCookies()[0]);
    expect(next.split('.')[0]).not.toBe(value.split('.')[0]);
  });

  it('SES-02 logout destroys server-side and answers the deletion cookie', async () => {
    const { store, open, valueOf } = setup();
    const a = open();
    await login(a.connection, new SimpleUser('alice'));
    const value = valueOf(a.handle.setCookies()[0]);
    const b = open(value);
    await logout(b.connection);
    expect(b.handle.setCookies()).toEqual(['id=; Max-Age=0; Path=/; HttpOnly; SameSite=Lax']);
    expect(await store.inner.get(value.split('.')[0] as string)).toBeUndefined();
  });

  it('CSRF-09 logout refuses safe methods', async () => {
    const { open } = setup();
    await expect(logout(open(undefined, 'GET').connection)).rejects.toMatchObject({ code: 'method_not_allowed' });
  });

  it('SES-15 a write to a session destroyed meanwhile resolves false and writes nothing', async () => {
    const { store, open, valueOf } = setup();
    const a = open();
    await login(a.connection, new SimpleUser('alice'));
    const value = valueOf(a.handle.setCookies()[0]);
    const reader = open(value);
    const data = await reader.handle.port.get();
    await logout(open(value).connection);
    expect(await reader.handle.port.set({ ...data, late: true })).toBe(false);
    expect(await store.inner.get(value.split('.')[0] as string)).toBeUndefined();
    expect(reader.handle.setCookies()).toEqual([]);
  });

  it('a failing store rejects with session_store_unavailable', async () => {
    const broken: SessionStore = {
      get: () => Promise.reject(new Error('down')),
      set: () => Promise.reject(new Error('down')),
      destroy: () => Promise.reject(new Error('down')),
    };
    const engine = webSessions({ secret: SECRET, store: broken, cookie: { secure: false } });
    const handle = engine.open({ cookies: new Map(), secure: false });
    const connection = createConnection({ method: 'POST', target: '/', header: () => undefined, session: handle.port });
    await expect(login(connection, new SimpleUser('a'))).rejects.toMatchObject({ code: 'session_store_unavailable' });
    expect(handle.setCookies()).toEqual([]);
  });

  it('CK-04 login refuses to issue a Secure cookie over plain HTTP', async () => {
    const store = new Counting();
    const engine = webSessions({ secret: SECRET, store, cookie: { secure: true } });
    const handle = engine.open({ cookies: new Map(), secure: false });
    const connection = createConnection({ method: 'POST', target: '/', header: () => undefined, session: handle.port });
    await expect(login(connection, new SimpleUser('a'))).rejects.toMatchObject({ code: 'session_insecure_transport' });
    expect(store.sets).toBe(0);
  });

  it('isSecureRequest believes X-Forwarded-Proto only with trustProxy', () => {
    expect(isSecureRequest('https://app.example/', undefined, false)).toBe(true);
    expect(isSecureRequest('http://app.example/', 'https', false)).toBe(false);
    expect(isSecureRequest('http://app.example/', 'https', true)).toBe(true);
  });

  it('CK-04 X-Forwarded-Proto is read from the right, like the forwarded addresses: a client\'s own value is to the left of the proxy\'s', () => {
    expect(isSecureRequest('http://app.example/', 'https, http', true)).toBe(false);
    expect(isSecureRequest('http://app.example/', 'http, https', true)).toBe(true);
    expect(isSecureRequest('http://app.example/', 'http,HTTPS ', true)).toBe(true);
    expect(isSecureRequest('http://app.example/', 'https,', true)).toBe(false);
  });

  it('CK-04 with trustProxy as proxies, X-Forwarded-Proto counts only from a peer among them', () => {
    const proxies = sessionConfig({ secret: 'x'.repeat(32), trustProxy: ['10.0.0.0/8'] }).trustProxy;
    expect(isSecureRequest('http://app.example/', 'https', proxies, '::ffff:10.1.2.3')).toBe(true);
    expect(isSecureRequest('http://app.example/', 'https', proxies, '192.0.2.1')).toBe(false);
    expect(isSecureRequest('http://app.example/', 'https', proxies, undefined)).toBe(false);
    const oneHop = sessionConfig({ secret: 'x'.repeat(32), trustProxy: 1 }).trustProxy;
    expect(isSecureRequest('http://app.example/', 'https', oneHop, '192.0.2.1')).toBe(true);
    expect(isSecureRequest('http://app.example/', 'https', oneHop, undefined)).toBe(false);
    const none = sessionConfig({ secret: 'x'.repeat(32), trustProxy: 0 }).trustProxy;
    expect(isSecureRequest('http://app.example/', 'https', none, '192.0.2.1')).toBe(false);
    expect(configError(() => sessionConfig({ secret: 'x'.repeat(32), trustProxy: ['10.0.0.1/8'] })).detail).toMatch(/^sessions: trustProxy: .*'10\.0\.0\.0\/8'/);
    expect(configError(() => sessionConfig({ secret: 'x'.repeat(32), trustProxy: 'yes' as never })).detail).toMatch(/^sessions: trustProxy must be/);
  });

  it('CK-04 isSecureWebRequest gives isSecureRequest\'s answer, reading the header and the peer only when that answer needs them (differential, generated requests)', () => {
    const config = (trustProxy: number | string[]) => sessionConfig({ secret: 'x'.repeat(32), trustProxy }).trustProxy;
    const trusts = [false, true, config(['10.0.0.0/8']), config(1), config(0), config(['::1', '192.0.2.0/24'])];
    const protos = ['https', 'http', 'HTTPS', 'HtTpS', ' https ', 'https, http', 'http, https', 'http,HTTPS ', 'https,', ',https', 'https;', 'wss', '', ' , ', 'http\u212a', 'https\u0000'];
    fc.assert(
      fc.property(
        fc.constantFrom('https://app.example/', 'http://app.example/', 'HTTPS://app.example/', 'http://app.example/https:', 'ws://app.example/', ''),
        fc.option(fc.constantFrom(...protos), { nil: undefined }),
        fc.integer({ min: 0, max: trusts.length - 1 }),
        fc.constantFrom(undefined, '10.1.2.3', '::ffff:10.1.2.3', '192.0.2.1', '::1', 'junk'),
        (url, proto, t, peer) => {
          const trustProxy = trusts[t]!;
          let headerReads = 0;
          let peerReads = 0;
          const request = {
            url,
            headers: {
              get(name: string): string | null {
                headerReads++;
                expect(name).toBe('x-forwarded-proto');
                return proto ?? null;
              },
            },
          };
          const answer = isSecureWebRequest(request, trustProxy, (r, context: string | undefined) => (peerReads++, expect(r).toBe(request), context), peer);
          expect(answer).toBe(isSecureRequest(url, proto, trustProxy, peer));
          // The usual path reads nothing: an https URL, or no trustProxy.
          expect(headerReads).toBe(url.startsWith('https:') || trustProxy === false ? 0 : 1);
          expect(peerReads).toBe(headerReads === 1 && proto !== undefined && typeof trustProxy === 'object' ? 1 : 0);
        },
      ),
      { numRuns: 3000 },
    );
    // A Web Request, as Hono and the Fetch adapter pass it.
    const proxied = new Request('http://app.example/', { headers: { 'X-Forwarded-Proto': 'http, HTTPS' } });
    const peerOf = (_r: Request, context: string) => context;
    expect(isSecureWebRequest(proxied, true, peerOf, '192.0.2.1')).toBe(true);
    expect(isSecureWebRequest(proxied, false, peerOf, '10.0.0.1')).toBe(false);
    expect(isSecureWebRequest(proxied, config(['10.0.0.0/8']), peerOf, '10.0.0.1')).toBe(true);
    expect(isSecureWebRequest(proxied, config(['10.0.0.0/8']), peerOf, '192.0.2.1')).toBe(false);
    expect(isSecureWebRequest(new Request('https://app.example/'), false, peerOf, '')).toBe(true);
  });

  it('keeps the session data under one namespace key of the stored record; old-layout records are no session', async () => {
    const events: SessionEvent[] = [];
    const { store, open, valueOf } = setup({ log: (e) => events.push(e) });
    const first = open();
    await login(first.connection, new SimpleUser('alice'), { user_id: 'alice', cookie: 1 });
    const sid = valueOf(first.handle.setCookies()[0]);
    const id = first.handle.port.id() as string;
    const record = (await store.inner.get(id)) as SessionData;
    expect(Object.keys(record)).toEqual([SESSION_NAMESPACE]);
    expect((record[SESSION_NAMESPACE] as SessionData).user_id).toBe('alice');
    // A record written before the namespace: read as no session, and logged as an unknown id.
    await store.inner.set(id, { user_id: 'alice', portcullis: { created: Date.now(), seen: Date.now() } }, 60_000);
    const old = open(sid, 'GET');
    expect(await sessionData(old.connection)).toBeNull();
    expect(events.map((e) => e.event)).toContain('session_unknown_id');
  });

  it('assertCanLogin throws session_insecure_transport for a Secure cookie over plain HTTP, and logs it with a hint', () => {
    const events: SessionEvent[] = [];
    const engine = webSessions({ secret: SECRET, cookie: { secure: true }, log: (e) => events.push(e) });
    const handle = engine.open({ cookies: new Map(), secure: false });
    const connection = createConnection({ method: 'POST', target: '/signup', header: () => undefined, session: handle.port });
    expect(() => assertCanLogin(connection)).toThrow(SessionError);
    try {
      assertCanLogin(connection);
    } catch (error) {
      expect((error as SessionError).code).toBe('session_insecure_transport');
    }
    expect(events[0]).toMatchObject({ event: 'session_insecure_transport', method: 'POST', path: '/signup' });
    expect(typeof events[0]?.hint).toBe('string');
    const secure = engine.open({ cookies: new Map(), secure: true });
    expect(() => assertCanLogin(createConnection({ method: 'POST', target: '/', header: () => undefined, session: secure.port }))).not.toThrow();
  });
});
