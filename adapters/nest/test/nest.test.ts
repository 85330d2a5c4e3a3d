import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import {
  AuthCredentials,
  ConfigurationError,
  MemorySessionStore,
  SimpleUser,
  basicAuth,
  sessionAuth,
  type AuthenticationBackend,
  type BaseUser,
  type LoginOptions,
  type SessionData,
} from '@portcullis/core';
import { DemoUser, basic, basicBackend, rawRequest, whoami } from '@portcullis/conformance';
import { PORTCULLIS, PortcullisGuard, PortcullisModule, Requires, type AuthSession, type Portcullis } from '@portcullis/nest';
import request from 'supertest';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { createNestApp } from './app.js';

/** A backend whose store is down. */
const failing: AuthenticationBackend<BaseUser> = {
  authenticate() {
    throw new Error('ECONNREFUSED 10.0.0.7:6379 password=hunter2');
  },
};

describe.each(['express', 'fastify'] as const)('@portcullis/nest on %s', (platform) => {
  const servers: Server[] = [];
  afterEach(async () => {
    for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
  });
  async function start(...args: Parameters<typeof createNestApp>): Promise<string> {
    const server = await createNestApp(...args);
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('a backend that throws fails closed with 503 and the generic body, past a catch-all @Catch() filter', async () => {
    const url = await start({ backend: failing, catchAllErrors: true, routes: [{ method: 'GET', path: '/', handler: whoami }] }, platform);
    const res = await request(url).get('/').set('Authorization', basic('alice', 'alicepwd'));
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/ECONNREFUSED|hunter2|Error/);
    expect(res.text).not.toBe('catch-all');
  });

  it('a guard refusal (403) and a Basic challenge (401) are not turned into 500 by the filter', async () => {
    const url = await start(
      {
        backend: basicBackend(),
        catchAllErrors: true,
        routes: [
          { method: 'GET', path: '/admin', requires: { scopes: 'admin' }, handler: whoami },
          { method: 'GET', path: '/login', requires: { scopes: 'authenticated', options: { status: 401 } }, handler: whoami },
        ],
      },
      platform,
    );
    expect((await request(url).get('/admin').set('Authorization', basic('alice', 'alicepwd'))).status).toBe(403);
    const login = await request(url).get('/login');
    expect(login.status).toBe(401);
    expect(login.headers['www-authenticate']).toMatch(/^Basic realm=/);
    expect((await request(url).get('/admin').set('Authorization', basic('root', 'rootpwd'))).status).toBe(200);
  });

  it("SES-14 a store that fails during login: @AuthSession()'s filter answers 503, past a catch-all @Catch() filter", async () => {
    const store = new MemorySessionStore();
    store.set = () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:6379'));
    const url = await start(
      {
        backend: sessionAuth({ mode: 'optional', retrieveUser: () => new SimpleUser('alice') }),
        catchAllErrors: true,
        sessions: { store, secret: 'nest-sessions-test-secret-0123456789abcdef', cookie: { secure: false } },
        routes: [
          {
            method: 'POST',
            path: '/login',
            async handler(view) {
              await view.login!(new SimpleUser('alice'), { user_id: 'alice' }); // not caught: the filter answers
              return { text: 'in' };
            },
          },
        ],
      },
      platform,
    );
    const res = await request(url).post('/login').set('Sec-Fetch-Site', 'same-origin');
    expect(res.status).toBe(503);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.text).not.toMatch(/catch-all|ECONNREFUSED/);
    expect(res.headers['set-cookie']).toBeUndefined();
  });
});

describe('Nest on Fastify: a URL its router refuses', () => {
  it('FW-11 LEAK-04 is authenticated first, for a method some route has (GET) and one no route has (OPTIONS), then Fastify answers 400 without the query', async () => {
    const server = await createNestApp({ backend: basicBackend(), mode: 'required', routes: [{ method: 'GET', path: '/', handler: whoami }] }, 'fastify');
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      for (const method of ['GET', 'OPTIONS']) {
        const twice = await rawRequest(port, [`${method} /a% HTTP/1.1`, 'Host: x', `Authorization: ${basic('alice', 'alicepwd')}`, `Authorization: ${basic('bob', 'bobpwd')}`]);
        expect([method, twice.status, twice.body]).toEqual([method, 400, 'Multiple authorization credentials']);
        const anonymous = await rawRequest(port, [`${method} /a% HTTP/1.1`, 'Host: x']);
        // Required mode: 401, no route discovery; a preflight (OPTIONS) needs no user, so Fastify's 400.
        expect([method, anonymous.status]).toEqual([method, method === 'GET' ? 401 : 400]);
        const alice = await rawRequest(port, [`${method} /a%?access_token=s3cr3t HTTP/1.1`, 'Host: x', `Authorization: ${basic('alice', 'alicepwd')}`]);
        // Fastify's own answer, naming the path and never the query (a token there), whichever path the request took.
        expect([method, alice.status, JSON.parse(alice.body)]).toEqual([
          method,
          400,
          { error: 'Bad Request', code: 'FST_ERR_BAD_URL', message: "'/a%' is not a valid url component", statusCode: 400 },
        ]);
      }
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('AuthSession', () => {
  it('types login with the user and session data types of sessionAuth<U, D>', () => {
    expectTypeOf<Parameters<AuthSession<DemoUser, { name: string }>['login']>>().toEqualTypeOf<[user: DemoUser, data: { name: string }, options?: LoginOptions]>();
    expectTypeOf<Parameters<AuthSession['login']>>().toEqualTypeOf<[user: BaseUser, data?: SessionData, options?: LoginOptions]>();
    expectTypeOf<AuthSession['csrfToken']>().returns.toEqualTypeOf<Promise<string>>();
  });
});

describe('PortcullisModule.forRoot', () => {
  it('checks the options at startup: a ConfigurationError naming the option', () => {
    let error: unknown;
    try {
      PortcullisModule.forRoot({ backend: basicAuth({ verify: () => null }), mode: 'everything' as 'required' });
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError); // the same class the package's core throws
    expect((error as ConfigurationError).code).toBe('invalid_configuration');
    expect((error as ConfigurationError).message).toMatch(/mode/);
  });
});

describe('PortcullisGuard on a websocket gateway message', () => {
  class ChatGateway {
    @Requires('chat')
    say(): string {
      return 'said';
    }
    open(): string {
      return 'open';
    }
  }

  function canSend(method: 'say' | 'open', client: object): boolean | Promise<boolean> {
    const module = PortcullisModule.forRoot({ backend: basicBackend() });
    const portcullis = (module.providers as { provide: unknown; useValue?: Portcullis }[]).find((p) => p.provide === PORTCULLIS)!.useValue!;
    const guard = new PortcullisGuard(new Reflector(), portcullis);
    const context = new ExecutionContextHost([client, { text: 'hi' }, method], ChatGateway, ChatGateway.prototype[method]);
    context.setType('ws');
    return guard.canActivate(context);
  }

  it("checks the handler's @Requires against the socket's user and credentials", () => {
    expect(canSend('say', { user: new DemoUser('carol'), auth: new AuthCredentials(['authenticated', 'chat']) })).toBe(true);
    expect(canSend('say', { user: new DemoUser('alice'), auth: new AuthCredentials(['authenticated']) })).toBe(false);
  });

  it('a socket nobody authenticated is anonymous: a guarded message is refused, an open one passes', () => {
    expect(canSend('say', {})).toBe(false);
    expect(canSend('open', {})).toBe(true);
  });
});

describe('@Requires on a controller and on its method', () => {
  @Controller('admin')
  @Requires('admin')
  class AdminController {
    @Get('stats')
    @Requires('authenticated')
    stats(): string {
      return 'admin stats';
    }
  }

  @Module({ imports: [PortcullisModule.forRoot({ backend: basicBackend() })], controllers: [AdminController] })
  class AdminModule {}

  it("GRD-06 both hold: the method's @Requires adds to the controller's, never replaces it (AND)", async () => {
    const app = await NestFactory.create(AdminModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const url = await app.getUrl();
      const alice = await request(url).get('/admin/stats').set('Authorization', basic('alice', 'alicepwd'));
      expect(alice.status).toBe(403);
      const root = await request(url).get('/admin/stats').set('Authorization', basic('root', 'rootpwd'));
      expect([root.status, root.text]).toEqual([200, 'admin stats']);
    } finally {
      await app.close();
    }
  });

  it('on a gateway message too: a socket needs the scopes of both', () => {
    @Requires('admin')
    class AdminGateway {
      @Requires('chat')
      say(): string {
        return 'said';
      }
    }
    const module = PortcullisModule.forRoot({ backend: basicBackend() });
    const portcullis = (module.providers as { provide: unknown; useValue?: Portcullis }[]).find((p) => p.provide === PORTCULLIS)!.useValue!;
    const guard = new PortcullisGuard(new Reflector(), portcullis);
    const canSend = (scopes: string[]) => {
      const context = new ExecutionContextHost([{ user: new DemoUser('carol'), auth: new AuthCredentials(scopes) }, { text: 'hi' }, 'say'], AdminGateway, AdminGateway.prototype.say);
      context.setType('ws');
      return guard.canActivate(context);
    };
    expect(canSend(['authenticated', 'chat'])).toBe(false);
    expect(canSend(['authenticated', 'admin'])).toBe(false);
    expect(canSend(['authenticated', 'admin', 'chat'])).toBe(true);
  });
});
