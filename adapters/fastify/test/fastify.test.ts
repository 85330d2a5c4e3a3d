// Fastify-specific behaviour the conformance suite does not reach: the app's error
// handler, a throwing backend, startup errors, `requires` as an encapsulated hook,
// and `frameworkErrors`. Requests through `app.inject()` (light-my-request) or real
// sockets where the raw bytes matter.
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { basicAuth, ConfigurationError, MemorySessionStore, SimpleUser, type AuthenticationBackend } from '@portcullis/core';
import { authentication, authenticatorOf, frameworkErrors, requires } from '@portcullis/fastify';
import { logout, sessions } from '@portcullis/fastify/sessions';

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const backend = basicAuth({ verify: (u, p) => (u === 'alice' && p === 'pw' ? new SimpleUser(u) : null), realm: 'api' });

const apps: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(apps.splice(0).map((app) => app.close()));
});

async function appWith(setup: (app: FastifyInstance) => void | Promise<void>, options: { frameworkErrors?: typeof frameworkErrors } = {}): Promise<FastifyInstance> {
  const app = Fastify(options);
  apps.push(app);
  await setup(app);
  await app.ready();
  return app;
}

describe('@portcullis/fastify', () => {
  // #region fw-10
  it("FW-10 answers Portcullis's 401 and 400 itself: the app's setErrorHandler never makes them a 500", async () => {
    let seen = 0;
    const app = await appWith(async (app) => {
      app.setErrorHandler((_error, _request, reply) => {
        seen += 1;
        return reply.code(500).send('catch-all');
      });
      await app.register(authentication, { backend, mode: 'required' });
      app.get('/', async (request) => `Hello, ${request.user.displayName}`);
    });
    const anonymous = await app.inject({ url: '/' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Basic realm="api", charset="UTF-8"');
    expect((await app.inject({ url: '/', headers: { authorization: 'Basic !!!' } })).statusCode).toBe(400);
    const ok = await app.inject({ url: '/', headers: { authorization: basic('alice', 'pw') } });
    expect([ok.statusCode, ok.body]).toEqual([200, 'Hello, alice']);
    expect(seen).toBe(0);
  });
  // #endregion fw-10

  it('a backend that throws fails closed with 503 and the generic body', async () => {
    const down: AuthenticationBackend = {
      authenticate() {
        throw new Error('store down: secret-detail');
      },
    };
    const app = await appWith(async (app) => {
      app.setErrorHandler((_error, _request, reply) => reply.code(500).send('catch-all'));
      await app.register(authentication, { backend: down });
      app.get('/', async () => 'never');
    });
    const res = await app.inject({ url: '/' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).not.toContain('secret-detail');
  });

  // #region startup
  it('a misconfiguration fails at startup (ready), naming the option', async () => {
    const app = Fastify();
    apps.push(app);
    await expect(app.register(authentication, { backend: undefined as unknown as AuthenticationBackend })).rejects.toBeInstanceOf(ConfigurationError);
    expect(() => requires('admin', { status: 200 as 403 })).toThrow(ConfigurationError);
  });
  // #endregion startup

  it('sessions registered after authentication fail at startup, naming the order', async () => {
    const app = Fastify();
    apps.push(app);
    await app.register(authentication, { backend: basicAuth({ verify: () => null }) });
    await expect(app.register(sessions, { secret: 'a'.repeat(32), store: new MemorySessionStore() })).rejects.toThrow(/register it before authentication/);
  });

  it('FW-10 a route registered before sessions fails at startup, naming it: its refused logout would reach the catch-all error handler as a 500', async () => {
    const store = new MemorySessionStore();
    const build = async (early: boolean) => {
      const app = Fastify();
      apps.push(app);
      app.setErrorHandler((_error, _request, reply) => reply.code(500).send('catch-all'));
      const route = () => app.get('/leave', async (request) => (await logout(request), 'bye'));
      if (early) route();
      await app.register(sessions, { secret: 'a'.repeat(32), store });
      if (!early) route();
      // Routes sessions must not confuse with early ones: several methods, a prefixed child, the 404 handler.
      app.route({ method: ['PUT', 'PATCH'], url: '/both', handler: async () => 'ok' });
      void app.register(async (child) => void child.get('/files/*', async () => 'ok'), { prefix: '/child' });
      app.setNotFoundHandler(async (_request, reply) => reply.code(404).send('none'));
      return app;
    };
    const early = await build(true);
    const error = await early.ready().then(() => undefined, (e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid_configuration' });
    expect((error as Error).message).toMatch(/register it before your routes.*GET \/leave/);
    const late = await build(false);
    await late.ready();
    const res = await late.inject({ url: '/leave' });
    expect(res.statusCode).toBe(405); // the core's answer to GET /logout, not the catch-all's 500
    // Without `await`, routes declared after register() are added before the plugin loads: refused too.
    const eager = Fastify();
    apps.push(eager);
    void eager.register(sessions, { secret: 'a'.repeat(32), store });
    eager.get('/leave', async (request) => (await logout(request), 'bye'));
    await expect(eager.ready()).rejects.toMatchObject({ code: 'invalid_configuration' });
  });

  it('applies app-wide through fastify-plugin, and requires() works as an encapsulated preHandler hook', async () => {
    const app = await appWith(async (app) => {
      await app.register(authentication, { backend });
      expect(authenticatorOf(app)).toBeDefined();
      app.get('/open', async (request) => `Hello, ${request.user.displayName}`);
      await app.register(async (admin) => {
        admin.addHook('preHandler', requires('authenticated', { status: 404 }));
        admin.get('/admin', async (request) => ({ name: request.user.displayName }));
      });
    });
    expect((await app.inject({ url: '/open' })).body).toBe('Hello, ');
    const hidden = await app.inject({ url: '/admin' });
    const missing = await app.inject({ url: '/nowhere' });
    // status: 404 is Fastify's own not-found: same status and body shape as a path no route takes.
    expect(hidden.statusCode).toBe(404);
    expect(JSON.parse(hidden.body)).toEqual({ ...JSON.parse(missing.body), message: 'Route GET:/admin not found' });
    expect((await app.inject({ url: '/open' })).statusCode).toBe(200);
    const allowed = await app.inject({ url: '/admin', headers: { authorization: basic('alice', 'pw') } });
    expect(allowed.json()).toEqual({ name: 'alice' });
  });

  it.each(['the same context', 'a child context'])('with sessions registered first, the CSRF gate runs before authentication (authentication in %s)', async (where) => {
    const app = await appWith(async (app) => {
      await app.register(sessions, { secret: 'a-test-session-secret-of-32-characters-or-more', store: new MemorySessionStore(), cookie: { secure: false } });
      const routes = async (scope: FastifyInstance) => {
        await scope.register(authentication, { backend });
        scope.post('/x', async () => 'never');
      };
      if (where === 'the same context') await routes(app);
      else await app.register(routes);
    });
    const res = await app.inject({
      method: 'POST',
      url: '/x',
      headers: { cookie: 'id=forged', origin: 'http://evil.example', 'sec-fetch-site': 'cross-site', authorization: 'Basic !!!' },
    });
    expect(res.statusCode).toBe(403); // the gate's answer, not the 400 of the malformed credential
  });

  // #region fail-closed
  it('a guard without the plugin in front treats the request as anonymous (fails closed)', async () => {
    const app = await appWith((app) => {
      app.get('/admin', { preHandler: requires('authenticated') }, async () => 'never');
    });
    expect((await app.inject({ url: '/admin', headers: { authorization: basic('alice', 'pw') } })).statusCode).toBe(403);
  });
  // #endregion fail-closed

  it('frameworkErrors: a URL the router cannot decode is authenticated first, then Fastify answers its own 400', async () => {
    const app = await appWith(async (app) => {
      await app.register(authentication, { backend, mode: 'required' });
      app.get('/', async () => 'ok');
    }, { frameworkErrors });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as AddressInfo;
    const raw = (head: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(`${head}\r\nHost: x\r\nConnection: close\r\n\r\n`));
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
    expect(await raw('GET /a% HTTP/1.1')).toMatch(/^HTTP\/1\.1 401 /);
    expect(await raw(`GET /a% HTTP/1.1\r\nAuthorization: ${basic('alice', 'pw')}\r\nAuthorization: ${basic('alice', 'pw')}`)).toMatch(/^HTTP\/1\.1 400 [^]*Multiple authorization credentials/);
    expect(await raw(`GET /a% HTTP/1.1\r\nAuthorization: ${basic('alice', 'pw')}`)).toMatch(/^HTTP\/1\.1 400 [^]*FST_ERR_BAD_URL/);
  });

  it("LEAK-04 frameworkErrors: Fastify's 400 names the path, never the query (a token there is not echoed)", async () => {
    const app = await appWith(async (app) => {
      await app.register(authentication, { backend });
      app.get('/', async () => 'ok');
    }, { frameworkErrors });
    const path = '/a%';
    for (const url of [path, `${path}?access_token=s3cr3t`, `${path}?access_token=s3cr3t'%20is%20not%20a%20valid%20url%20component`]) {
      const res = await app.inject({ method: 'GET', url });
      expect([url, res.statusCode, res.json()]).toEqual([url, 400, { error: 'Bad Request', code: 'FST_ERR_BAD_URL', message: "'/a%' is not a valid url component", statusCode: 400 }]);
    }
  });
});
