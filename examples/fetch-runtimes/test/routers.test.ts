// What the real routers do to the Request, and what @portcullis/fetch keeps through it
// (adapters/fetch/README.md, "Limits (known)"): itty-router's AutoRouter hands its routes a
// Proxy of the Request, h3's `app.request(request, init)` builds a new one. In process.
import { MemorySessionStore, SimpleUser } from '@portcullis/core';
import { login, requires, withAuth, type RequestAuth } from '@portcullis/fetch';
import { bodyLimit, H3, toResponse, type H3Event } from 'h3';
import { AutoRouter, type IRequest } from 'itty-router';
import { describe, expect, it } from 'vitest';
import { sameOriginPost } from '../../../test-support/requests.js';
import { backendFor, DEMO_USERS } from '../src/app.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${btoa(`${user}:${password}`)}` });

const admin = requires('admin')((_request, { user }) => Response.json({ admin: user.displayName }));

describe("itty-router's AutoRouter (withParams: a Proxy of the Request)", () => {
  const router = AutoRouter<IRequest, [RequestAuth<SimpleUser>]>();
  const seen = { received: [] as Request[], routed: [] as Request[] };
  router.post('/admin/:id', (request, auth) => {
    seen.routed.push(request);
    return admin(request, { ...auth }); // a copy: the guard finds the state through the request
  });
  router.post('/login', async (request, { user }) => {
    await login(request, user as SimpleUser, { userId: user.identity });
    return new Response('logged in');
  });
  const app = withAuth((request, auth: RequestAuth<SimpleUser>) => (seen.received.push(request), router.fetch(request, auth)), {
    backend: backendFor(DEMO_USERS),
    sessions: { secret: 'a-test-session-secret-of-32-characters-or-more', store: new MemorySessionStore() },
  });

  it('the guard keeps its state: admin → 200, a user without the scope → 403', async () => {
    const ok = await app(sameOriginPost('/admin/1', basic('alice', 'wonderland')));
    expect([ok.status, await ok.json()]).toEqual([200, { admin: 'alice' }]);
    expect((await app(sameOriginPost('/admin/1', basic('bob', 'builder')))).status).toBe(403);
    expect(seen.routed[0]).not.toBe(seen.received[0]); // the route got the Proxy, not the Request withAuth saw
  });

  it('login finds the session through the Proxy: a session cookie, not a 500', async () => {
    const res = await app(sameOriginPost('/login', basic('alice', 'wonderland')));
    expect([res.status, await res.text(), res.headers.getSetCookie().length]).toEqual([200, 'logged in', 1]);
  });
});

describe("h3's app.request(request, init): a new Request", () => {
  const routes = new H3();
  routes.get('/admin', (event) => admin(event.req, event.context.auth));
  const viaRequest = (carry: (auth: RequestAuth<SimpleUser>) => RequestAuth<SimpleUser>) =>
    withAuth(
      (request, auth: RequestAuth<SimpleUser>) => routes.request(request, { headers: request.headers }, { auth: carry(auth) }),
      { backend: backendFor(DEMO_USERS) },
    );
  const get = (headers: Record<string, string>) => new Request('http://app.example/admin', { headers });

  it('the principal withAuth made carries the state: admin → 200, a user without the scope → 403', async () => {
    const app = viaRequest((auth) => auth);
    expect((await app(get(basic('alice', 'wonderland')))).status).toBe(200);
    expect((await app(get(basic('bob', 'builder')))).status).toBe(403);
  });

  it('a copy of the principal on a new Request carries nothing: the guard fails closed (403)', async () => {
    const app = viaRequest((auth) => ({ ...auth }));
    expect((await app(get(basic('alice', 'wonderland')))).status).toBe(403);
  });
});

describe("h3's bodyLimit: a Proxy of the Request in event.req", () => {
  const authenticate = withAuth(
    async (_request, auth: RequestAuth<SimpleUser>, event: H3Event, next: () => unknown) => {
      event.context.auth = auth;
      return toResponse(await next(), event);
    },
    { backend: backendFor(DEMO_USERS), sessions: { secret: 'a-test-session-secret-of-32-characters-or-more', store: new MemorySessionStore() } },
  );
  const routes = (first: 'bodyLimit' | 'withAuth') => {
    const app = new H3();
    const seen: { received?: Request; routed?: Request } = {};
    const limit = bodyLimit(1024);
    const auth = (event: H3Event, next: () => unknown) => ((seen.received = event.req), authenticate(event.req, event, next));
    if (first === 'bodyLimit') app.use(limit).use(auth);
    else app.use(auth).use(limit);
    app.post('/admin', async (event) => {
      seen.routed = event.req;
      await login(event.req, event.context.auth?.user as SimpleUser, { userId: 'alice' });
      return admin(event.req, event.context.auth);
    });
    return { app, seen };
  };

  // A POST with a body: bodyLimit wraps only a request that has one.
  const post = (headers: Record<string, string>) =>
    new Request('https://app.example/admin', { method: 'POST', headers: { origin: 'https://app.example', 'sec-fetch-site': 'same-origin', 'content-type': 'text/plain', ...headers }, body: 'x' });

  for (const first of ['bodyLimit', 'withAuth'] as const) {
    it(`${first} first: the guard and login find withAuth's state through the Proxy`, async () => {
      const { app, seen } = routes(first);
      const ok = await app.request(post(basic('alice', 'wonderland')));
      expect([ok.status, await ok.json(), ok.headers.getSetCookie().length]).toEqual([200, { admin: 'alice' }, 1]);
      // withAuth first: h3 put a Proxy in event.req after withAuth saw the Request.
      expect(seen.routed !== seen.received).toBe(first === 'withAuth');
      expect((await app.request(post(basic('bob', 'builder')))).status).toBe(403);
    });
  }
});
