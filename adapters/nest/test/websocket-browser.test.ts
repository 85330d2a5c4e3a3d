// Websockets from Chromium against NestJS on its Express and Fastify platforms (issue #15
// part 3): session cookie + Origin, tickets, the protocol carrier and the re-check
// (test-support/browser-websocket.ts), through PortcullisWsAdapter.
import 'reflect-metadata';
import { BadRequestException, Controller, Get, Header, HttpCode, Module, Post, Query, Req, Res, UnauthorizedException } from '@nestjs/common';
import type { OnGatewayConnection } from '@nestjs/websockets';
import { WebSocketGateway } from '@nestjs/websockets';
import type { BaseUser } from '@portcullis/core';
import { AuthSession, PortcullisModule, Requires, User, ticketEndpoint, type PlatformRequest, type Principal } from '@portcullis/nest';
import { PortcullisWsAdapter } from '@portcullis/nest/ws';
import type WebSocket from 'ws';
import { browserWebSocketSuite, browserWsFixture } from '../../../test-support/browser-websocket.js';
import { nestAppWithSessions, type Platform } from './app.js';

async function start(platform: Platform, port: number) {
  const fx = browserWsFixture();
  const issueTicket = ticketEndpoint(fx.tickets);

  @Controller()
  class PagesController {
    @Get()
    @Header('content-type', 'text/html; charset=utf-8')
    page(): string {
      return '<!doctype html><title>ws</title>';
    }

    @Post('login')
    @HttpCode(204)
    async login(@Query('user') name: string, @AuthSession() session: AuthSession): Promise<void> {
      const user = fx.userOf(name);
      if (user === null) throw new BadRequestException();
      await session.login(user);
    }

    @Post('logout')
    @HttpCode(204)
    async logout(@AuthSession() session: AuthSession): Promise<void> {
      await session.logout();
    }

    @Post('token')
    async token(@User() user: BaseUser): Promise<{ token: string }> {
      const issued = await fx.issueToken(user);
      if (issued === null) throw new UnauthorizedException();
      return issued;
    }

    @Post('revoke')
    @HttpCode(204)
    async revoke(@Query('token') token: string): Promise<void> {
      await fx.tokens.revoke(String(token));
    }

    @Post('ws-ticket')
    ticket(@Req() req: PlatformRequest, @Res() res: unknown): Promise<void> {
      return issueTicket(req, res);
    }
  }

  @WebSocketGateway({ path: '/ws' })
  @Requires('authenticated')
  class HelloGateway implements OnGatewayConnection {
    handleConnection(client: WebSocket & Partial<Principal>): void {
      client.send(fx.hello(client.user!, client.auth!));
    }
  }

  @Module({ imports: [PortcullisModule.forRoot({ backend: fx.backend })], controllers: [PagesController], providers: [HelloGateway] })
  class AppModule {}

  const app = await nestAppWithSessions(AppModule, platform, fx.sessions);
  app.useWebSocketAdapter(new PortcullisWsAdapter(app, { origins: [`http://127.0.0.1:${port}`], recheck: fx.recheck, protocols: fx.protocols }));
  await app.listen(port, '::');
  return { url: `http://127.0.0.1:${port}`, close: () => app.close() };
}

browserWebSocketSuite('Nest on Express', (port) => start('express', port));
browserWebSocketSuite('Nest on Fastify', (port) => start('fastify', port));
