import 'reflect-metadata';
import { Body, Controller, Get, Header, Inject, Module, Post, Query, Redirect, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  MemorySessionStore,
  SimpleUser,
  passwordBackend,
  safeNext,
  sessionAuth,
  type Hasher,
  type PasswordBackend,
  type SessionEvent,
  type SessionStore,
  type UnauthenticatedUser,
} from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { expressSessionStore, sessions as expressSessions } from '@portcullis/express/sessions';
import { frameworkErrors } from '@portcullis/fastify';
import { sessions as fastifySessions } from '@portcullis/fastify/sessions';
import { AuthSession, PortcullisModule, Requires, User } from '@portcullis/nest';

/** What the app needs from its host. */
export interface AppOptions {
  /** Signs the session cookie and CSRF tokens: 32+ random characters. */
  readonly secret: string;
  /** The one account of the demo. */
  readonly account: { readonly username: string; readonly password: string };
  /** Where sessions live. Default: in memory (one process); `@portcullis/redis` in production. */
  readonly store?: SessionStore;
  /** `Secure` cookies (`__Host-id`). Off only for plain-HTTP development. Default true. */
  readonly secure?: boolean;
  /** Password hashing. Default PBKDF2-SHA256 with OWASP's 600,000 iterations. */
  readonly hasher?: Hasher;
  /** The session failure log (`session_unknown_id`…). Default: one JSON line on stderr. */
  readonly log?: (event: SessionEvent) => void;
}

const AVOID = { avoid: ['/login', '/logout'] };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

const field = (value: unknown): string => (typeof value === 'string' ? value : '');

/** The checked login form: the user name and password, where to go next. */
interface LoginForm {
  readonly username?: unknown;
  readonly password?: unknown;
  readonly next?: unknown;
}

/** The injection token of the password check. */
const PASSWORDS = Symbol('passwords');

// #region nest
/** What `login` stores in the session, and `retrieveUser` reads back: one type for both. */
interface AccountSession {
  readonly username: string;
}

@Controller()
class AccountController {
  constructor(@Inject(PASSWORDS) private readonly passwords: PasswordBackend<SimpleUser>) {}

  @Get('login')
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async form(@Query('next') next: unknown, @Query('failed') failed: unknown, @AuthSession() session: AuthSession<SimpleUser, AccountSession>): Promise<string> {
    return page(
      'Log in',
      `<h1>Log in</h1>${failed === undefined ? '' : '<p role="alert">Wrong user name or password.</p>'}` +
        `<form method="post" action="/login">` +
        `<label>User name <input name="username" autocomplete="username" required></label>` +
        `<label>Password <input name="password" type="password" autocomplete="current-password" required></label>` +
        `<input type="hidden" name="next" value="${escapeHtml(safeNext(next, '', AVOID))}">` +
        `<input type="hidden" name="_csrf" value="${escapeHtml(await session.csrfToken())}">` +
        `<button type="submit">Log in</button></form>`,
    );
  }

  // A fresh session id on success (the old one destroyed), then 303 to a validated next; a failure goes back to the form.
  @Post('login')
  @Redirect()
  async login(@Body() form: LoginForm, @AuthSession() session: AuthSession<SimpleUser, AccountSession>): Promise<{ url: string; statusCode: number }> {
    const next = safeNext(field(form.next), '/account', AVOID);
    const user = await this.passwords.verifyCredentials(field(form.username), field(form.password));
    if (user === null) return { url: `/login?failed=1&next=${encodeURIComponent(next)}`, statusCode: 303 };
    await session.login(user, { username: user.username });
    return { url: next, statusCode: 303 };
  }

  // Anonymous browsers are sent to /login?next=/account (303), before the handler runs.
  @Get('account')
  @Requires('authenticated', { redirect: '/login' })
  @Header('Content-Type', 'text/html; charset=utf-8')
  @Header('Cache-Control', 'no-store')
  async account(@User() user: SimpleUser, @AuthSession() session: AuthSession<SimpleUser, AccountSession>): Promise<string> {
    return page(
      'Your account',
      `<h1>Hello, ${escapeHtml(user.displayName)}</h1>` +
        `<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${escapeHtml(await session.csrfToken())}">` +
        `<button type="submit">Log out</button></form>`,
    );
  }

  // Destroys the session server-side and deletes the cookie (GET /logout: 405).
  @Post('logout')
  @Redirect('/login', 303)
  async logout(@AuthSession() session: AuthSession): Promise<void> {
    await session.logout();
  }

  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  home(@User() user: SimpleUser | UnauthenticatedUser): string {
    return page('Portcullis', `<p>${user.isAuthenticated ? `Signed in as ${escapeHtml(user.displayName)}` : 'Hello, you'}. <a href="/account">Your account</a></p>`);
  }
}

function appModule(passwords: PasswordBackend<SimpleUser>, accounts: ReadonlySet<string>) {
  @Module({
    imports: [
      PortcullisModule.forRoot(
        sessionAuth<SimpleUser, AccountSession>({
          mode: 'optional',
          // Every request: a removed account's sessions stop working at once.
          retrieveUser: (session) => (accounts.has(session.username) ? new SimpleUser(session.username) : null),
        }),
      ),
    ],
    controllers: [AccountController],
    providers: [{ provide: PASSWORDS, useValue: passwords }],
  })
  class AppModule {}
  return AppModule;
}
// #endregion nest

/** The app on Nest's Express or Fastify platform, with the platform's sessions, initialised (call `listen` to serve). */
export async function createApp(platform: 'express' | 'fastify', options: AppOptions): Promise<INestApplication> {
  const hasher = options.hasher ?? pbkdf2Hasher();
  const account = { username: options.account.username, hash: await hasher.hash(options.account.password) };
  const passwords = passwordBackend<SimpleUser>({
    findUser: (username) => (username === account.username ? new SimpleUser(username) : null),
    passwordHashOf: () => account.hash,
    hasher,
  });
  const module = appModule(passwords, new Set([account.username]));
  const sessionOptions = {
    secret: options.secret,
    store: options.store ?? new MemorySessionStore(),
    cookie: { secure: options.secure ?? true },
    log: options.log ?? ((event: SessionEvent) => console.error(JSON.stringify(event))),
  };
  // #region express
  if (platform === 'express') {
    const app = await NestFactory.create<NestExpressApplication>(module, new ExpressAdapter(), { logger: false });
    app.disable('x-powered-by');
    app.useBodyParser('urlencoded', { extended: false, limit: '16kb' }); // before sessions: its CSRF check reads the _csrf field
    app.use(expressSessions({ ...sessionOptions, store: expressSessionStore(sessionOptions.store) }));
    return app.init();
  }
  // #endregion express
  // frameworkErrors: a URL Fastify's router refuses is authenticated too, before Fastify's 400. The casts: in this
  // monorepo Nest's pinned fastify and the one @portcullis/fastify is typed against are two copies; an app has one.
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter({ frameworkErrors: frameworkErrors as never }), { logger: false });
  await app.register(fastifySessions as never, sessionOptions);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
