import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { AuthCredentials, ConfigurationError, basicAuth, type AuthenticationBackend, type BaseUser } from '@portcullis/core';
import { DemoUser, basic, basicBackend, whoami } from '@portcullis/conformance';
import { PORTCULLIS, PortcullisGuard, PortcullisModule, Requires, type Portcullis } from '@portcullis/nest';
import request from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
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
