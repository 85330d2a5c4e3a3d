// The README's "Ten lines per framework" NestJS block: a whole app module.
import { Controller, Get, Module } from '@nestjs/common';
import { SimpleUser, basicAuth, timingSafeEqual, type UnauthenticatedUser } from '@portcullis/core';
import { PortcullisModule, Public, Requires, User } from '@portcullis/nest';

// #region readme
const passwords = new Map([['alice', process.env.ALICE_PASSWORD ?? 'change me']]);
const verify = async (u: string, p: string) => ((await timingSafeEqual(p, passwords.get(u) ?? '\0')) && passwords.has(u) ? new SimpleUser(u) : null);

@Controller()
class HomeController {
  @Get() @Public() home(@User() user: SimpleUser | UnauthenticatedUser) { return user.isAuthenticated ? `Hello, ${user.displayName}` : 'Hello, you'; }
  @Get('admin') @Requires(['authenticated', 'admin'], { status: 404 }) admin(@User() user: SimpleUser) { return { user: user.displayName }; }
}

@Module({ imports: [PortcullisModule.forRoot({ backend: basicAuth({ realm: 'api', verify }), mode: 'required' })], controllers: [HomeController] })
export class AppModule {}
// await (await NestFactory.create(AppModule)).listen(3000);
// #endregion readme
