import 'reflect-metadata';
import { Catch, Controller, Get, Header, HttpStatus, Module, Query, Redirect, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { SubscribeMessage, WebSocketGateway, type WsResponse } from '@nestjs/websockets';
import { SimpleUser, basicAuth, safeNext, timingSafeEqual, type UnauthenticatedUser } from '@portcullis/core';
import { Public, PortcullisModule, Requires, User } from '@portcullis/nest';
import { PortcullisWsAdapter } from '@portcullis/nest/ws';

/** The one admin account of the demo. */
export interface AdminCredentials {
  readonly username: string;
  readonly password: string;
}

// #region nest
@Controller()
class AdminController {
  // Required mode: every route needs a user, except @Public ones.
  @Get()
  @Public()
  @Header('Content-Type', 'text/plain; charset=utf-8')
  home(@User() user: SimpleUser | UnauthenticatedUser): string {
    return user.isAuthenticated ? `Hello, ${user.displayName}` : 'Hello, you';
  }

  // 401 + WWW-Authenticate: Basic realm="Portcullis admin" until the browser sends credentials, then 303 to next.
  @Get('login')
  @Public()
  @Requires('authenticated', { status: 401 })
  @Redirect('/admin', HttpStatus.SEE_OTHER)
  @Header('Cache-Control', 'no-store') // the answer depends on the Authorization header
  login(@Query('next') next: string | undefined): { url: string } {
    return { url: safeNext(next, '/admin', { avoid: ['/login'] }) };
  }

  // Not @Public: anonymous requests get the 401 challenge of required mode, before any handler runs.
  @Get('admin')
  admin(@User() user: SimpleUser): { authenticated: boolean; user: string } {
    return { authenticated: user.isAuthenticated, user: user.displayName };
  }
}

// ws://…/events: the upgrade is authenticated like a request (PortcullisWsAdapter, below):
// required mode, so no user, no socket. Send {"event":"whoami"} to get {"event":"whoami","data":"admin"}.
@WebSocketGateway({ path: '/events' })
class EventsGateway {
  @SubscribeMessage('whoami')
  whoami(@User() user: SimpleUser): WsResponse<string> {
    return { event: 'whoami', data: user.displayName };
  }
}

/** The app's own catch-all filter: it cannot turn Portcullis's 401 into a 500. */
@Catch()
class EverythingFilter implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}
  catch(_error: unknown, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), { error: 'internal' }, 500);
  }
}

function appModule(admin: AdminCredentials) {
  @Module({
    imports: [
      PortcullisModule.forRoot({
        mode: 'required',
        backend: basicAuth({
          realm: 'Portcullis admin',
          async verify(username, password) {
            // Both comparisons always run: no short-circuit on the username.
            const [u, p] = await Promise.all([timingSafeEqual(username, admin.username), timingSafeEqual(password, admin.password)]);
            return u && p ? new SimpleUser(username) : null;
          },
        }),
      }),
    ],
    controllers: [AdminController],
    providers: [EventsGateway],
  })
  class AppModule {}
  return AppModule;
}
// #endregion nest

// #region ws
/** The demo on Nest's Express or Fastify platform, initialised (call `listen` to serve). */
export async function createApp(platform: 'express' | 'fastify', admin: AdminCredentials): Promise<INestApplication> {
  const adapter = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(appModule(admin), adapter, { logger: false });
  app.useGlobalFilters(new EverythingFilter(app.get(HttpAdapterHost)));
  app.useWebSocketAdapter(new PortcullisWsAdapter(app)); // websocket upgrades go through Portcullis too
  await app.init();
  if (platform === 'fastify') await (adapter as FastifyAdapter).getInstance().ready();
  return app;
}
// #endregion ws
