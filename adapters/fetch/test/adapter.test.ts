// @portcullis/fetch on plain Request → Response, in process: what the conformance
// suite does not reach (arguments after the request, immutable response headers,
// upgrade requests, a guard without withAuth, a throwing backend).
import { AuthCredentials, basicAuth, MemorySessionStore, SimpleUser, type AuthenticationBackend } from '@portcullis/core';
import { isWebSocketUpgrade, login, requires, withAuth } from '@portcullis/fetch';
import { describe, expect, it } from 'vitest';

const backend = basicAuth({ realm: 'api', scopes: ['authenticated', 'admin'], verify: (u, p) => (u === 'alice' && p === 'secret' ? new SimpleUser(u) : null) });
const basic = (user: string, password: string) => `Basic ${btoa(`${user}:${password}`)}`;
const get = (path: string, headers: Record<string, string> = {}) => new Request(`http://app.example${path}`, { headers });

describe('withAuth', () => {
  it('passes the runtime arguments after the request through unchanged (Workers env/ctx, Bun server)', async () => {
    const app = withAuth(
      (_request, { user }, env: { greeting: string }, ctx: { id: number }) => new Response(`${env.greeting}, ${user.displayName} #${ctx.id}`),
      { backend },
    );
    const res = await app(get('/', { authorization: basic('alice', 'secret') }), { greeting: 'Hi' }, { id: 7 });
    expect(await res.text()).toBe('Hi, alice #7');
  });

  it('BAS-15 two Authorization lines joined by ", " (as a Request carries them) → 400 duplicate', async () => {
    const app = withAuth(() => new Response('never'), { backend });
    const headers = new Headers();
    headers.append('authorization', basic('alice', 'secret'));
    headers.append('authorization', basic('alice', 'wrong'));
    const res = await app(new Request('http://app.example/', { headers }));
    expect([res.status, await res.text()]).toEqual([400, 'Multiple authorization credentials']);
  });

  it('a backend that throws fails closed with 503, the handler never runs', async () => {
    const broken: AuthenticationBackend<SimpleUser> = {
      authenticate() {
        throw new Error('database down');
      },
    };
    let ran = false;
    const res = await withAuth(() => ((ran = true), new Response('ok')), { backend: broken })(get('/'));
    expect(res.status).toBe(503);
    expect(await res.text()).not.toContain('database');
    expect(ran).toBe(false);
  });

  it('misconfiguration fails at startup, not on the first request', () => {
    expect(() => withAuth(() => new Response('ok'), { backend: undefined as unknown as AuthenticationBackend })).toThrow();
  });

  it('the session cookie reaches a Response with immutable headers (Response.redirect) through a copy', async () => {
    const app = withAuth(
      async (request) => {
        await login(request, new SimpleUser('alice'), { userId: 'alice' });
        return Response.redirect('https://app.example/home', 303);
      },
      { backend, sessions: { secret: 'a'.repeat(32), store: new MemorySessionStore() } },
    );
    const res = await app(new Request('https://app.example/login', { method: 'POST', headers: { host: 'app.example', origin: 'https://app.example', 'sec-fetch-site': 'same-origin' } }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('https://app.example/home');
    expect(res.headers.getSetCookie()).toHaveLength(1);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('an endless urlencoded body without Content-Length: the CSRF field is looked for in the first 16 KiB only, and the rest is never pulled', async () => {
    let pulled = 0;
    const chunk = new TextEncoder().encode('a='.padEnd(4096, 'x'));
    const endless = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
    });
    const app = withAuth(() => new Response('ok'), { backend, sessions: { secret: 'a'.repeat(32), store: new MemorySessionStore() } });
    const request = new Request('http://app.example/form', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: endless,
      duplex: 'half',
    } as RequestInit);
    const res = await app(request);
    expect([res.status, await res.text()]).toEqual([200, 'ok']);
    expect(pulled).toBeLessThanOrEqual(16 * 1024 + 4 * chunk.byteLength);
  });

  it('login without sessions configured throws session_not_configured, which is not swallowed', async () => {
    const app = withAuth(async (request) => {
      await login(request, new SimpleUser('alice'));
      return new Response('ok');
    }, { backend });
    await expect(app(new Request('http://app.example/login', { method: 'POST' }))).rejects.toMatchObject({ code: 'session_not_configured' });
  });
});

describe('requires', () => {
  const admin = requires('admin', { redirect: '/login' })((_request, { user }) => new Response(`Hello, ${user.displayName}`));
  const app = withAuth(admin, { backend });

  it('holds the scopes → the handler; anonymous browser GET → 303 to login with next', async () => {
    expect(await (await app(get('/admin', { authorization: basic('alice', 'secret') }))).text()).toBe('Hello, alice');
    const res = await app(get('/admin?x=1', { accept: 'text/html' }));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fadmin%3Fx%3D1');
  });

  it('a websocket upgrade without the scopes is refused with 403, whatever the guard options say', async () => {
    const res = await app(get('/admin', { upgrade: 'websocket', connection: 'Upgrade' }));
    expect(res.status).toBe(403);
  });

  it('an upgrade is read from the Upgrade header alone, as the core reads it on every adapter: a POST too is refused with 403 and no body', async () => {
    const res = await app(new Request('http://app.example/admin', { method: 'POST', headers: { upgrade: 'websocket', connection: 'Upgrade' } }));
    expect([res.status, await res.text()]).toEqual([403, '']);
  });

  it('without withAuth in front, the request is anonymous: the guard fails closed', async () => {
    const bare = requires('admin')((_request) => new Response('secret'));
    const res = await bare(get('/admin', { authorization: basic('alice', 'secret') }), {
      user: new SimpleUser('alice'),
      auth: new AuthCredentials(['admin']),
    });
    expect(res.status).toBe(403);
  });
});

describe('isWebSocketUpgrade', () => {
  const handshake = (method: string, upgrade?: string | readonly string[]) => {
    const headers = new Headers({ connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' });
    for (const value of typeof upgrade === 'string' ? [upgrade] : (upgrade ?? [])) headers.append('upgrade', value);
    return new Request('http://app.example/ws', { method, headers });
  };

  it('a GET with Upgrade exactly websocket (any case) is one: the requests the core reads as kind websocket', () => {
    expect(isWebSocketUpgrade(handshake('GET', 'websocket'))).toBe(true);
    expect(isWebSocketUpgrade(handshake('get', 'WebSocket'))).toBe(true);
  });

  it('two Upgrade lines (h2c, websocket), another method or no Upgrade is none, though Bun and Deno would upgrade some', () => {
    expect(isWebSocketUpgrade(handshake('GET', ['h2c', 'websocket']))).toBe(false);
    expect(isWebSocketUpgrade(handshake('GET', 'websocket, h2c'))).toBe(false);
    for (const method of ['POST', 'PUT', 'HEAD', 'OPTIONS']) expect(isWebSocketUpgrade(handshake(method, 'websocket')), method).toBe(false);
    expect(isWebSocketUpgrade(handshake('GET'))).toBe(false);
  });

  it('agrees with the core: what it accepts reaches the handler as an upgrade (a refused one is 403 with no body)', async () => {
    const app = withAuth(requires('admin')(() => new Response('never')), { backend });
    const refused = await app(handshake('GET', 'websocket'));
    expect([refused.status, await refused.text()]).toEqual([403, '']);
  });
});
