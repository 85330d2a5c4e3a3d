// NestJS + Basic, as a Nest app author writes it against the published packages.
import 'reflect-metadata';
import { Controller, Get, HttpStatus, Module, Redirect } from '@nestjs/common';
import { SimpleUser, basicAuth, timingSafeEqual, type UnauthenticatedUser } from '@portcullis/core';
import { SubscribeMessage, WebSocketGateway, type WsResponse } from '@nestjs/websockets';
import { PortcullisModule, Requires, User } from '@portcullis/nest';

@Controller()
class HomeController {
  @Get()
  home(@User() user: SimpleUser | UnauthenticatedUser): string {
    return user.isAuthenticated ? `Hello, ${user.displayName}` : 'Hello, you';
  }

  @Get('login')
  @Requires('authenticated', { status: 401 })
  @Redirect('/admin', HttpStatus.SEE_OTHER)
  login(): void {}

  @Get('admin')
  @Requires(['authenticated', 'admin'], { status: 404 })
  admin(@User() user: SimpleUser): { user: string } {
    return { user: user.displayName };
  }
}

// ws://…/events (with PortcullisWsAdapter): no user, no socket; then whoami per message.
@WebSocketGateway({ path: '/events' })
@Requires('authenticated')
class EventsGateway {
  @SubscribeMessage('whoami')
  whoami(@User() user: SimpleUser): WsResponse<string> {
    return { event: 'whoami', data: user.displayName };
  }
}

@Module({
  imports: [
    PortcullisModule.forRoot({
      backend: basicAuth({
        realm: 'consumer',
        async verify(username, password) {
          const [u, p] = await Promise.all([timingSafeEqual(username, 'alice'), timingSafeEqual(password, 'wonderland')]);
          return u && p ? new SimpleUser(username) : null;
        },
      }),
    }),
  ],
  controllers: [HomeController],
  providers: [EventsGateway],
})
export class AppModule {}
