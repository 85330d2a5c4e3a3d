// @AuthSession()'s SessionErrorFilter against an app's catch-all filter bound with
// @UseFilters on the very same handler (parameter decorators run before the method's,
// and Nest tries a method's filters last-first): the core's 503/403/405 must survive.
import 'reflect-metadata';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Catch, Controller, Get, HttpStatus, Module, Post, UseFilters, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { MemorySessionStore, SimpleUser, sessionAuth } from '@portcullis/core';
import type { SessionSpec } from '@portcullis/conformance';
import { AuthSession, PortcullisModule, Public } from '@portcullis/nest';
import { afterEach, describe, expect, it } from 'vitest';
import { nestAppWithSessions } from './app.js';

/** The app's catch-all: every exception becomes `500 catch-all`. */
@Catch()
class CatchAll implements ExceptionFilter {
  constructor(private readonly host: HttpAdapterHost) {}
  catch(_error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.host.httpAdapter.reply(http.getResponse(), 'catch-all', HttpStatus.INTERNAL_SERVER_ERROR);
  }
}

@Controller()
@Public()
class AccountController {
  @Post('login')
  @UseFilters(CatchAll)
  async login(@AuthSession() session: AuthSession): Promise<string> {
    await session.login(new SimpleUser('alice'));
    return 'in';
  }

  @Get('logout') // logout refuses GET: 405
  @UseFilters(CatchAll)
  async logout(@AuthSession() session: AuthSession): Promise<string> {
    await session.logout();
    return 'out';
  }
}

@Module({
  imports: [PortcullisModule.forRoot(sessionAuth({ mode: 'optional', retrieveUser: () => new SimpleUser('alice') }))],
  controllers: [AccountController],
})
class AppModule {}

const apps: INestApplication[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
});

/** The app on `platform` with the platform's sessions; resolves with its base URL. */
async function start(platform: 'express' | 'fastify', options: SessionSpec): Promise<string> {
  const app = await nestAppWithSessions(AppModule, platform, options);
  apps.push(app);
  await app.listen(0, '127.0.0.1');
  return `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
}

const secret = 'nest-session-filters-test-secret-0123456789';

describe.each(['express', 'fastify'] as const)("@AuthSession()'s filter before a method's own @UseFilters(CatchAll) on %s", (platform) => {
  it('FW-10 SES-14 the store down during login: 503, not the catch-all 500', async () => {
    const store = new MemorySessionStore();
    store.set = () => Promise.reject(new Error('ECONNREFUSED 10.0.0.7:6379'));
    const url = await start(platform, { secret, store, cookie: { secure: false } });
    const res = await fetch(`${url}/login`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    expect([res.status, await res.text()]).toEqual([503, expect.not.stringContaining('catch-all')]);
  });

  it('FW-10 a Secure session cookie over plain HTTP: 403 session_insecure_transport, not the catch-all 500', async () => {
    const url = await start(platform, { secret, store: new MemorySessionStore(), cookie: { secure: true } });
    const res = await fetch(`${url}/login`, { method: 'POST', headers: { 'sec-fetch-site': 'same-origin' } });
    expect([res.status, await res.text()]).toEqual([403, expect.not.stringContaining('catch-all')]);
  });

  it('FW-10 logout through GET in the handler: 405, not the catch-all 500', async () => {
    const url = await start(platform, { secret, store: new MemorySessionStore(), cookie: { secure: false }, logoutPath: false }); // the gate's own 405 is off: the handler's logout refuses
    const res = await fetch(`${url}/logout`);
    expect([res.status, await res.text()]).toEqual([405, expect.not.stringContaining('catch-all')]);
  });
});

describe.each(['express', 'fastify'] as const)('a sessionAuth backend without session middleware on %s', (platform) => {
  it('answers 503 to every request, @Public() routes included (the session cannot be read: fail closed, never anonymous)', async () => {
    const app = await NestFactory.create(AppModule, platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false });
    apps.push(app);
    await app.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;
    for (const [method, path] of [['GET', '/logout'], ['POST', '/login'], ['GET', '/nowhere']] as const) {
      const res = await fetch(`${url}${path}`, { method, headers: { 'sec-fetch-site': 'same-origin' } });
      expect([method, path, res.status]).toEqual([method, path, 503]);
    }
  });
});
