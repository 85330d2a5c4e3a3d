// @portcullis/fetch on plain Request → Response, in process: what the conformance
// suite does not reach (arguments after the request, immutable response headers,
// upgrade requests, a guard without withAuth, a throwing backend).
import { AuthCredentials, basicAuth, MemorySessionStore, SimpleUser, type AuthenticationBackend } from '@portcullis/core';
import { clientAddress, isWebSocketUpgrade, login, requires, withAuth, type GuardedHandler, type RequestAuth } from '@portcullis/fetch';
import { inspect } from 'node:util';
import { thrown } from '../../../test-support/connection.js';
import { describe, expect, it } from 'vitest';
import { sameOriginPost } from '../../../test-support/requests.js';

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
    const res = await app(sameOriginPost('/login'));
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

describe('clientAddress', () => {
  // Whatever the runtime passes after the request (Bun's server, Deno's info, Workers' env and ctx).
  const echo = (request: Request, _principal: unknown, ..._runtime: unknown[]) => new Response(clientAddress(request) ?? 'none');

  it("reads the peer from the argument after the request (Bun's server, Deno's info), through trustedProxies", async () => {
    const bun = { requestIP: () => ({ address: '::ffff:10.0.0.1', family: 'IPv6', port: 1 }) };
    const deno = { remoteAddr: { transport: 'tcp', hostname: '10.0.0.1', port: 1 } };
    const xff = { 'x-forwarded-for': '6.6.6.6, 203.0.113.7' };
    expect(await (await withAuth(echo, { backend })(get('/', xff), bun)).text()).toBe('10.0.0.1');
    expect(await (await withAuth(echo, { backend, trustedProxies: ['10.0.0.0/8'] })(get('/', xff), bun)).text()).toBe('203.0.113.7');
    expect(await (await withAuth(echo, { backend, trustedProxies: ['10.0.0.0/8'] })(get('/', xff), deno)).text()).toBe('203.0.113.7');
    // Workers: env and ctx say nothing about a socket.
    expect(await (await withAuth(echo, { backend, trustedProxies: 1 })(get('/', xff), { SCENARIO: 'x' }, {})).text()).toBe('none');
  });

  it('THR-10 a Worker with peerAddress (CF-Connecting-IP) and no trustedProxies: X-Forwarded-For is not read', async () => {
    const app = withAuth(echo, { backend, peerAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined });
    expect(await (await app(get('/', { 'cf-connecting-ip': '198.51.100.9', 'x-forwarded-for': '6.6.6.6' }))).text()).toBe('198.51.100.9');
  });

  it('a backend reads the same address from its connection; a request withAuth did not see has none', async () => {
    const seen: (string | undefined)[] = [];
    const recording: AuthenticationBackend<SimpleUser> = { authenticate: (connection) => (seen.push(connection.clientAddress), null) };
    await withAuth(echo, { backend: recording, peerAddress: () => '::ffff:192.0.2.1' })(get('/'));
    expect(seen).toEqual(['192.0.2.1']);
    expect(clientAddress(get('/'))).toBeUndefined();
  });

  it('a peerAddress that is not a function, or a bad trustedProxies entry, fails at startup', () => {
    // The package's own ConfigurationError (its dist), not the core source's class: compared by code.
    expect(thrown(() => withAuth(echo, { backend, peerAddress: 'cf-connecting-ip' as never }))).toMatchObject({ code: 'invalid_configuration' });
    expect(thrown(() => withAuth(echo, { backend, trustedProxies: ['10.0.0.0/40'] }))).toMatchObject({ code: 'invalid_configuration' });
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

  it("a guarded handler called without its principal: the request withAuth saw is judged by its decision; any other fails closed with the core's answer, never a 500", async () => {
    // A router that forwards the request alone (h3's `mount` of a fetch handler, a handler calling another).
    const alone = (guarded: GuardedHandler) => withAuth((request) => guarded(request, undefined), { backend });
    const hello = requires('admin')((_request, { user }) => new Response(`Hello, ${user.displayName}`));
    const ok = await alone(hello)(get('/admin', { authorization: basic('alice', 'secret') }));
    expect([ok.status, await ok.text()]).toEqual([200, 'Hello, alice']);
    const forbidden = await alone(hello)(get('/admin'));
    expect([forbidden.status, await forbidden.text()]).toEqual([403, 'Forbidden']);
    const redirected = await alone(requires('admin', { redirect: '/login' })(() => new Response('secret')))(get('/admin?x=1', { accept: 'text/html' }));
    expect([redirected.status, redirected.headers.get('location')]).toEqual([303, '/login?next=%2Fadmin%3Fx%3D1']);
    // A request withAuth never saw, without a principal: anonymous.
    const bare = await hello(get('/admin', { authorization: basic('alice', 'secret') }), undefined);
    expect([bare.status, await bare.text()]).toEqual([403, 'Forbidden']);
  });

  it("a principal of the app's making on the request withAuth saw: the guard judges what withAuth decided, not the argument", async () => {
    const guarded = requires('admin')((_request, { user }) => new Response(`Hello, ${user.displayName}`));
    const mallory = { user: new SimpleUser('mallory'), auth: new AuthCredentials(['admin']) };
    const forged = withAuth((request) => guarded(request, mallory), { backend });
    expect((await forged(get('/admin'))).status).toBe(403);
    // An authenticated client with the scopes passes, and the handler gets withAuth's principal, not the argument.
    const ok = await forged(get('/admin', { authorization: basic('alice', 'secret') }));
    expect([ok.status, await ok.text()]).toEqual([200, 'Hello, alice']);
  });

  it('a principal kept from an earlier request unlocks no other request: it serves only one that sends the same credentials', async () => {
    const kept: RequestAuth[] = [];
    const keep = withAuth((_request, principal) => (kept.push(principal), new Response('ok')), { backend });
    await keep(get('/admin?report=1', { authorization: basic('alice', 'secret') }));
    const guarded = requires('admin')((_request, { user }) => new Response(`Hello, ${user.displayName}`));
    const [alice] = kept as [RequestAuth];
    expect((await guarded(new Request('http://app.example/admin'), alice)).status).toBe(403);
    expect((await guarded(get('/admin', { authorization: basic('bob', 'secret') }), alice)).status).toBe(403);
    expect((await guarded(get('/admin', { authorization: basic('alice', 'secret'), cookie: 'theme=dark' }), alice)).status).toBe(403);
    // A router's rebuilt request carries the same headers: it still works.
    const same = await guarded(get('/admin', { authorization: basic('alice', 'secret') }), alice);
    expect([same.status, await same.text()]).toEqual([200, 'Hello, alice']);
  });

  it("a redirect guard given another request's principal answers with this request's path, never the other's query", async () => {
    const kept: RequestAuth[] = [];
    const keep = withAuth((_request, principal) => (kept.push(principal), new Response('ok')), { backend });
    await keep(get('/search?token=abc123'));
    await keep(get('/search?token=def456', { cookie: 'theme=dark' }));
    const guarded = requires('admin', { redirect: '/login' })(() => new Response('secret'));
    for (const principal of kept) {
      const res = await guarded(get('/admin?x=1', { accept: 'text/html' }), principal);
      expect([res.status, res.headers.get('location')]).toEqual([303, '/login?next=%2Fadmin%3Fx%3D1']);
    }
  });

  it('LEAK-07 printing or copying the principal, or copying the request, shows neither the credential nor the session secret, and the request gains nothing printable', async () => {
    const secret = 'S3ssion-secret-0123456789abcdefghij';
    const shown: string[] = [];
    let printed = '';
    const app = withAuth(
      (request, principal) => {
        shown.push(inspect(principal, { depth: 20, showHidden: true }), JSON.stringify(principal), inspect({ ...principal }, { depth: 20 }));
        // Node prints a Request's own headers (and a spread copies undici's internals); what
        // withAuth adds to it (the principal, the session port) stays hidden.
        printed = [inspect(request, { depth: 20 }), inspect({ ...request }, { depth: 20 })].join('\n');
        return new Response('ok');
      },
      { backend, sessions: { secret, store: new MemorySessionStore() } },
    );
    const res = await app(get('/', { authorization: basic('alice', 'secret') }));
    expect(res.status).toBe(200);
    expect(shown.join('\n')).toContain('alice'); // the user is printed
    for (const text of shown) {
      expect(text).not.toContain(btoa('alice:secret'));
      expect(text).not.toContain(secret);
    }
    expect(printed).not.toContain(secret);
    expect(printed).not.toContain('portcullis');
  });

  it('a router that rebuilds the Request: the principal withAuth made carries the state; one the app builds does not', async () => {
    const guarded = requires('admin')((_request, { user }) => new Response(`Hello, ${user.displayName}`));
    const rebuilt = withAuth((request, principal) => guarded(new Request(request.url, request), principal), { backend });
    const ok = await rebuilt(get('/admin', { authorization: basic('alice', 'secret') }));
    expect([ok.status, await ok.text()]).toEqual([200, 'Hello, alice']);
    expect((await rebuilt(get('/admin'))).status).toBe(403);
    // The rebuilt request with a principal of the app's making: no state on either, so anonymous.
    const mallory = { user: new SimpleUser('mallory'), auth: new AuthCredentials(['admin']) };
    const forged = withAuth((request) => guarded(new Request(request.url, request), mallory), { backend });
    expect((await forged(get('/admin'))).status).toBe(403);
    // What the guard reads from the carrier is what withAuth decided.
    const frozen = withAuth((_request, principal) => new Response(String(Object.isFrozen(principal))), { backend });
    expect(await (await frozen(get('/'))).text()).toBe('true');
  });

  it("a router's Proxy of the Request (itty-router's withParams in AutoRouter, h3's mount) still finds the guard's state and the session", async () => {
    const proxy = (request: Request): Request =>
      new Proxy(request, { get: (target, key) => (typeof Reflect.get(target, key) === 'function' ? Reflect.get(target, key).bind(target) : Reflect.get(target, key)) });
    const guarded = requires('admin')(async (request, { user }) => {
      await login(request, user as SimpleUser, { userId: user.identity });
      return new Response(`Hello, ${user.displayName}`);
    });
    const app = withAuth((request, principal) => guarded(proxy(request), { ...principal }), { backend, sessions: { secret: 'a'.repeat(32), store: new MemorySessionStore() } });
    const res = await app(sameOriginPost('/admin', { authorization: basic('alice', 'secret') }));
    expect([res.status, await res.text(), res.headers.getSetCookie().length]).toEqual([200, 'Hello, alice', 1]);
  });

  it('a rebuilt Request has no session: login is refused with the table\'s session_not_configured answer, and no cookie is set', async () => {
    const app = withAuth(
      async (request, { user }) => {
        await login(new Request(request.url, request), user as SimpleUser);
        return new Response('logged in');
      },
      { backend, sessions: { secret: 'a'.repeat(32), store: new MemorySessionStore() } },
    );
    const res = await app(sameOriginPost('/login', { authorization: basic('alice', 'secret') }));
    expect([res.status, await res.text(), res.headers.getSetCookie()]).toEqual([500, 'Internal Server Error', []]);
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
