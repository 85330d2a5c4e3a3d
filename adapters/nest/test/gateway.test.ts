import 'reflect-metadata';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { Catch, Controller, Module, Post, UseFilters, type ArgumentsHost, type ExceptionFilter, type INestApplication, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import { ConnectedSocket, MessageBody, SubscribeMessage, WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { AuthCredentials, AuthenticationError, ConfigurationError, MemorySessionStore, basicAuth, bearerAuth, multi, sessionAuth, type SessionData, type AuthenticationBackend, type AuthenticationOptions, type BaseUser } from '@portcullis/core';
import { createAuthenticator, createGuard } from '@portcullis/core/adapter';
import { DemoUser, basic, basicBackend, rawRequest, tokenBackend, upgradeRequest } from '@portcullis/conformance';
import { Auth, AuthSession, PortcullisModule, Public, Requires, User, upgradeHandler, type Principal } from '@portcullis/nest';
import { PortcullisWsAdapter, type PortcullisWsAdapterOptions } from '@portcullis/nest/ws';
import { afterEach, describe, expect, expectTypeOf, it } from 'vitest';
import { freePort } from '../../../test-support/ports.js';
import { nestAppWithSessions } from './app.js';
import WebSocket from 'ws';

/** A backend reading a cookie (`sid=carol-session` is carol), as a session backend would: cookies of the upgrade request count. */
const cookieBackend: AuthenticationBackend<DemoUser> = {
  authenticate(connection) {
    const sid = connection.cookies.get('sid');
    if (sid === undefined) return null;
    if (sid !== 'carol-session') throw new AuthenticationError();
    return { user: new DemoUser('carol'), auth: new AuthCredentials(['authenticated']) };
  },
};

/** Basic (alice; root, an admin), `Token abcd` (bob), `Bearer opaque-root` (root, as admin) or the cookie (carol): 401 carries every challenge. */
const backend = () =>
  multi([
    basicBackend(),
    tokenBackend(),
    bearerAuth({ verify: (token) => (token === 'opaque-root' ? new DemoUser('root', ['admin']) : null), scopes: (user) => ['authenticated', ...user.roles] }),
    cookieBackend,
  ]);

/** The gateway of a chat: its own `@Requires` is checked on the upgrade, the handlers' per message. */
@WebSocketGateway({ path: '/chat' })
@Requires('authenticated', { status: 404 }) // an upgrade refusal is 403 whatever status says
class ChatGateway implements OnGatewayConnection {
  handleConnection(client: WebSocket & Partial<Principal<DemoUser>>): void {
    client.send(JSON.stringify({ event: 'hello', data: client.user?.displayName }));
  }

  @SubscribeMessage('whoami')
  whoami(@User() user: DemoUser, @Auth() auth: AuthCredentials): { event: string; data: object } {
    return { event: 'whoami', data: { user: user.displayName, scopes: [...auth.scopes] } };
  }

  @SubscribeMessage('purge')
  @Requires('admin')
  purge(@User() user: DemoUser, @MessageBody() room: string): { event: string; data: string } {
    return { event: 'purged', data: `${room} by ${user.displayName}` };
  }
}

/** A gateway anybody may open (in optional mode); one handler needs `admin`. */
@WebSocketGateway({ path: '/lobby' })
class LobbyGateway {
  @SubscribeMessage('whoami')
  whoami(@User() user: BaseUser, @ConnectedSocket() client: WebSocket & Principal): { event: string; data: object } {
    return { event: 'whoami', data: { user: user.displayName, same: client.user === user } };
  }

  @SubscribeMessage('purge')
  @Requires('admin')
  purge(): { event: string; data: string } {
    return { event: 'purged', data: 'lobby' };
  }
}

/** A `@Public()` gateway: anonymous sockets open it in `required` mode. */
@WebSocketGateway({ path: '/status' })
@Public()
class StatusGateway {
  @SubscribeMessage('whoami')
  whoami(@User() user: BaseUser): { event: string; data: object } {
    return { event: 'whoami', data: { user: user.displayName } };
  }
}

type Platform = 'express' | 'fastify';

const apps: INestApplication[] = [];
const servers: Server[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

function moduleOf(options: AuthenticationOptions<BaseUser> | undefined, gateways: readonly Type[]): Type {
  @Module({ imports: options ? [PortcullisModule.forRoot(options)] : [], providers: [...gateways] })
  class AppModule {}
  return AppModule;
}

/** A Nest app on `platform` with the gateways, listening on 127.0.0.1; resolves with its port. */
async function start(
  platform: Platform,
  gateways: readonly Type[],
  options: AuthenticationOptions<BaseUser> | undefined = { backend: backend() },
  ws: 'portcullis' | 'plain' = 'portcullis',
  configure?: (app: INestApplication) => void,
): Promise<number> {
  const http = platform === 'express' ? new ExpressAdapter() : new FastifyAdapter();
  const app = await NestFactory.create(moduleOf(options, gateways), http, { logger: false });
  apps.push(app);
  configure?.(app);
  app.useWebSocketAdapter(ws === 'portcullis' ? new PortcullisWsAdapter(app) : new WsAdapter(app));
  await app.listen(0, '127.0.0.1');
  return ((app.getHttpServer() as Server).address() as AddressInfo).port;
}

/** An open socket and the frames it received, parsed. */
interface Session {
  readonly frames: { event: string; data: unknown }[];
  send(event: string, data?: unknown): void;
  /** Resolves with the first frame of `event` (received before or after the call). */
  next(event: string): Promise<{ event: string; data: unknown }>;
  close(): void;
}

/** Opens a socket; resolves with the session once open, or the refusal's status. */
function open(port: number, path: string, authorization?: string, cookie?: string): Promise<Session | { status: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers: { ...(authorization && { authorization }), ...(cookie && { cookie }) } });
    const frames: { event: string; data: unknown }[] = [];
    const waiting: (() => void)[] = [];
    ws.on('message', (data) => {
      frames.push(JSON.parse(data.toString()) as { event: string; data: unknown });
      for (const wake of waiting.splice(0)) wake();
    });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    ws.on('error', reject);
    ws.on('open', () =>
      resolve({
        frames,
        send: (event, data) => ws.send(JSON.stringify({ event, data })),
        close: () => ws.close(),
        next: (event) =>
          new Promise((found, fail) => {
            const timer = setTimeout(() => fail(new Error(`no "${event}" frame; got ${JSON.stringify(frames)}`)), 3000);
            const look = (): void => {
              const frame = frames.find((f) => f.event === event);
              if (frame !== undefined) {
                clearTimeout(timer);
                found(frame);
              } else waiting.push(look);
            };
            look();
          }),
      }),
    );
  });
}

async function session(port: number, path: string, authorization?: string, cookie?: string): Promise<Session> {
  const opened = await open(port, path, authorization, cookie);
  if ('status' in opened) throw new Error(`upgrade refused with ${opened.status}`);
  return opened;
}

/** An upgrade request written byte for byte; resolves with the whole answer as received. */
async function upgradeBytes(port: number, path: string, lines: readonly string[] = []): Promise<string> {
  return (await rawRequest(port, upgradeRequest(path, lines))).text;
}

/** What every other Node adapter answers: `upgradeHandler` of @portcullis/node on a plain server, same options and guard. */
async function reference(options: AuthenticationOptions<BaseUser>, scopes?: string): Promise<number> {
  const server = createServer();
  servers.push(server);
  const handle = upgradeHandler({
    authentication: { authenticator: createAuthenticator(options) },
    requires: scopes === undefined ? undefined : { guard: createGuard(scopes, { status: 404 }) },
    accept: (_req, socket) => socket.destroy(),
  });
  server.on('upgrade', handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

const REFUSED_UPGRADES: readonly (readonly [string, readonly string[]])[] = [
  ['no credentials', []],
  ['a wrong password', [`Authorization: ${basic('root', 'wrong')}`]],
  ['an unknown token', ['Authorization: Token nope']],
  ['an unknown bearer token', ['Authorization: Bearer nope']],
  ['a malformed bearer header', ['Authorization: Bearer']],
  ['a forged cookie', ['Cookie: sid=mallory']],
  ['malformed Basic', ['Authorization: Basic !!!']],
  ['two Authorization lines', [`Authorization: ${basic('root', 'rootpwd')}`, 'Authorization: Token abcd']],
];

describe.each(['express', 'fastify'] as const)('a Nest websocket gateway behind PortcullisWsAdapter on %s', (platform) => {
  it('authenticates the upgrade (Basic, Token, Bearer, a cookie): the socket opens as its user, and @User()/@Auth() reach the handlers', async () => {
    const port = await start(platform, [ChatGateway, LobbyGateway]);
    const root = await session(port, '/chat', basic('root', 'rootpwd'));
    expect((await root.next('hello')).data).toBe('root'); // handleConnection sees the user too
    root.send('whoami');
    expect((await root.next('whoami')).data).toEqual({ user: 'root', scopes: ['authenticated', 'admin'] });
    root.close();
    const bob = await session(port, '/chat', 'Token abcd');
    bob.send('whoami');
    expect((await bob.next('whoami')).data).toEqual({ user: 'bob', scopes: ['authenticated'] });
    bob.close();
    const bearer = await session(port, '/chat', 'Bearer opaque-root');
    bearer.send('purge', 'ops');
    expect((await bearer.next('purged')).data).toBe('ops by root');
    bearer.close();
    const carol = await session(port, '/chat', undefined, 'theme=dark; sid=carol-session');
    carol.send('whoami');
    expect((await carol.next('whoami')).data).toEqual({ user: 'carol', scopes: ['authenticated'] });
    carol.close();
    const anonymous = await session(port, '/lobby');
    anonymous.send('whoami');
    expect((await anonymous.next('whoami')).data).toEqual({ user: '', same: true });
    anonymous.close();
  });

  it("FW-11 refuses an upgrade without credentials or without the gateway's scopes before the 101, byte for byte as every other adapter", async () => {
    const port = await start(platform, [ChatGateway, LobbyGateway]);
    const other = await reference({ backend: backend() }, 'authenticated');
    for (const [, lines] of REFUSED_UPGRADES) {
      const expected = await upgradeBytes(other, '/chat', lines);
      expect(expected).toMatch(/^HTTP\/1\.1 4\d\d /);
      expect(await upgradeBytes(port, '/chat', lines)).toBe(expected);
    }
    expect(await upgradeBytes(port, '/chat')).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/); // whatever status: 404 says
    expect(await upgradeBytes(port, '/chat', [`Authorization: ${basic('root', 'wrong')}`])).toMatch(/\r\nwww-authenticate: Basic realm="api", charset="UTF-8", Token, Bearer realm="api"\r\n/);
    expect(await open(port, '/chat')).toEqual({ status: 403 });
    // Credentials are checked on an open gateway too: an invalid one is never anonymous.
    expect(await upgradeBytes(port, '/lobby', [`Authorization: ${basic('root', 'wrong')}`])).toBe(await upgradeBytes(other, '/lobby', [`Authorization: ${basic('root', 'wrong')}`]));
  });

  it("FW-10 the app's catch-all exception filters (HTTP's global one, a gateway's @UseFilters) leave the handshake's answers as they are", async () => {
    @Catch()
    class EverythingIs500 implements ExceptionFilter {
      catch(_error: unknown, host: ArgumentsHost): void {
        if (host.getType() === 'ws') host.switchToWs().getClient<WebSocket>().close(1011);
      }
    }
    @WebSocketGateway({ path: '/chat' })
    @UseFilters(new EverythingIs500())
    @Requires('authenticated')
    class FilteredGateway {
      @SubscribeMessage('whoami')
      whoami(@User() user: BaseUser): { event: string; data: string } {
        return { event: 'whoami', data: user.displayName };
      }
    }
    const port = await start(platform, [FilteredGateway], undefined, 'portcullis', (app) => app.useGlobalFilters(new EverythingIs500()));
    const other = await reference({ backend: backend() }, 'authenticated');
    for (const [, lines] of REFUSED_UPGRADES) expect(await upgradeBytes(port, '/chat', lines)).toBe(await upgradeBytes(other, '/chat', lines));
  });

  it('in required mode an anonymous upgrade is refused (403, as on every adapter), except on a @Public() gateway', async () => {
    const options: AuthenticationOptions<BaseUser> = { backend: backend(), mode: 'required' };
    const port = await start(platform, [LobbyGateway, StatusGateway], options);
    const other = await reference(options);
    expect(await upgradeBytes(port, '/lobby')).toBe(await upgradeBytes(other, '/lobby'));
    expect(await upgradeBytes(port, '/lobby')).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(await open(port, '/lobby', basic('alice', 'alicepwd'))).not.toHaveProperty('status');
    const anonymous = await session(port, '/status');
    anonymous.send('whoami');
    expect((await anonymous.next('whoami')).data).toEqual({ user: '' });
    anonymous.close();
    // @Public opens the gateway to anonymous sockets, not to invalid credentials.
    expect(await open(port, '/status', basic('root', 'wrong'))).toEqual({ status: 401 });
  });

  it("enforces a handler's @Requires per message: the refusal is Nest's exception frame and the socket stays open", async () => {
    const port = await start(platform, [ChatGateway, LobbyGateway]);
    const alice = await session(port, '/chat', basic('alice', 'alicepwd'));
    alice.send('purge', 'general');
    const refused = await alice.next('exception');
    expect(refused.data).toEqual({ status: 'error', message: 'Forbidden resource', cause: { pattern: 'purge', data: 'general' } });
    alice.send('whoami');
    expect((await alice.next('whoami')).data).toEqual({ user: 'alice', scopes: ['authenticated'] });
    expect(alice.frames.some((frame) => frame.event === 'purged')).toBe(false);
    alice.close();
    const root = await session(port, '/chat', basic('root', 'rootpwd'));
    root.send('purge', 'general');
    expect((await root.next('purged')).data).toBe('general by root');
    root.close();
    const anonymous = await session(port, '/lobby');
    anonymous.send('purge');
    expect((await anonymous.next('exception')).data).toMatchObject({ status: 'error', message: 'Forbidden resource' });
    anonymous.close();
  });

  it('a client resetting the connection while the backend decides does not take the server down', async () => {
    const slow = basicAuth({ verify: (username) => new Promise<DemoUser>((resolve) => setTimeout(() => resolve(new DemoUser(username)), 200)) });
    const port = await start(platform, [LobbyGateway], { backend: slow });
    const socket = connect(port, '127.0.0.1');
    socket.on('error', () => undefined);
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write([...upgradeRequest('/lobby', [`Authorization: ${basic('eve', 'x')}`]), '', ''].join('\r\n'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    socket.resetAndDestroy();
    await new Promise((resolve) => setTimeout(resolve, 300)); // the decision lands on a reset socket
    const eve = await session(port, '/lobby', basic('eve', 'x'));
    eve.send('whoami');
    expect((await eve.next('whoami')).data).toEqual({ user: 'eve', same: true });
    eve.close();
  });

  it("a gateway on a port of its own (WsAdapter's own HTTP server) is authenticated the same way", async () => {
    const side = await freePort();
    @WebSocketGateway(side, { path: '/side' })
    @Requires('admin')
    class SideGateway {
      @SubscribeMessage('whoami')
      whoami(@User() user: BaseUser): { event: string; data: string } {
        return { event: 'whoami', data: user.displayName };
      }
    }
    await start(platform, [SideGateway]);
    const other = await reference({ backend: backend() }, 'admin');
    for (const [, lines] of [...REFUSED_UPGRADES, ['no admin scope', [`Authorization: ${basic('alice', 'alicepwd')}`]] as const]) {
      expect(await upgradeBytes(side, '/side', lines)).toBe(await upgradeBytes(other, '/side', lines));
    }
    const root = await session(side, '/side', basic('root', 'rootpwd'));
    root.send('whoami');
    expect((await root.next('whoami')).data).toBe('root');
    root.close();
  });

  it('the protocol carrier offered first is never echoed in the raw 101 (ws answers the first protocol it is shown)', async () => {
    const carrier = { backend: bearerAuth({ webSocketProtocol: true, verify: (t) => (t === 'opaque-root' ? new DemoUser('root', ['admin']) : null) }) };
    const port = await start(platform, [LobbyGateway], carrier);
    const socket = connect(port, '127.0.0.1');
    let data = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.write(['GET /lobby HTTP/1.1', 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Protocol: portcullis.bearer.opaque-root, app.v1', '', ''].join('\r\n'));
    await new Promise<void>((resolve) => { const poll = setInterval(() => { if (data.includes('\r\n\r\n')) { clearInterval(poll); resolve(); } }, 10); });
    socket.destroy();
    expect(data).toMatch(/^HTTP\/1\.1 101 /);
    expect(data).not.toContain('opaque-root');
    expect(data).toMatch(/\r\nsec-websocket-protocol: app\.v1\r\n/i);
  });

  it("Nest's plain WsAdapter: the sockets are anonymous, and a handler's @Requires still refuses them (fails closed)", async () => {
    const port = await start(platform, [LobbyGateway], { backend: backend() }, 'plain');
    const root = await session(port, '/lobby', basic('root', 'rootpwd'));
    root.send('purge');
    root.send('whoami');
    expect((await root.next('whoami')).data).toEqual({ user: '', same: false });
    expect(root.frames.map((frame) => frame.event)).toEqual(['whoami']);
    root.close();
  });
});

/** Logs `dora` in on the platform's session: the cookie a browser would then send with its websocket. */
@Controller()
class LoginController {
  @Post('login')
  @Public()
  async login(@AuthSession() session: AuthSession): Promise<string> {
    await session.login(new DemoUser('dora'));
    return 'ok';
  }
}

/** A Nest app on `platform` with the platform's sessions (plain HTTP cookie `id`), a `sessionAuth` backend, and the gateways. */
async function startWithSessions(platform: Platform, mode: 'optional' | 'required', gateways: readonly Type[], wsOptions?: (origin: string) => PortcullisWsAdapterOptions) {
  const backend = sessionAuth({ mode, retrieveUser: (data: SessionData) => (data.identity === 'dora' ? new DemoUser('dora') : null) });
  @Module({ imports: [PortcullisModule.forRoot(backend)], controllers: [LoginController], providers: [...gateways] })
  class AppModule {}
  const sessionOptions = { secret: 'a-secret-of-at-least-32-characters!', cookie: { secure: false }, store: new MemorySessionStore() };
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  const app = await nestAppWithSessions(AppModule, platform, sessionOptions);
  apps.push(app);
  app.useWebSocketAdapter(new PortcullisWsAdapter(app, wsOptions?.(origin)));
  await app.listen(port, '127.0.0.1');
  const login = await fetch(`${origin}/login`, { method: 'POST', headers: { origin } });
  expect(login.status).toBe(201);
  const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  expect(cookie).toMatch(/^id=/);
  return { port, origin, cookie };
}

/** The handshake's answer head, and the user a socket opened with those header lines sees (or `undefined`). */
async function handshake(port: number, path: string, headers: Record<string, string>): Promise<{ status: number; user?: unknown; setCookie?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}${path}`, { headers });
    ws.on('unexpected-response', (_req, res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0 });
      ws.terminate();
    });
    let setCookie: string | undefined;
    ws.on('upgrade', (res) => (setCookie = res.headers['set-cookie']?.join('; ')));
    ws.on('error', reject);
    ws.on('open', () => ws.send(JSON.stringify({ event: 'whoami' })));
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as { event: string; data: { user?: unknown } | unknown };
      if (frame.event !== 'whoami') return;
      resolve({ status: 101, user: (frame.data as { user?: unknown }).user, ...(setCookie === undefined ? {} : { setCookie }) });
      ws.close();
    });
  });
}

describe.each(['express', 'fastify'] as const)("PortcullisWsAdapter with the platform's sessions on %s", (platform) => {
  it('WS-10 a valid session cookie authenticates the upgrade (same-site Origin): the user reaches @User() in the handlers, no cookie is re-issued', async () => {
    const { port, origin, cookie } = await startWithSessions(platform, 'optional', [ChatGateway, StatusGateway]);
    expect(await handshake(port, '/chat', { cookie, origin })).toEqual({ status: 101, user: 'dora' });
    // The class-level @Requires('authenticated') of the chat: anonymous refused, a forged or unknown id too (never anonymous-with-a-cookie).
    expect(await handshake(port, '/chat', { origin })).toEqual({ status: 403 });
    expect(await handshake(port, '/chat', { cookie: 'id=forged', origin })).toEqual({ status: 403 });
    // Optional mode: anonymous sockets open a gateway without @Requires (no 503 for want of a session middleware).
    expect(await handshake(port, '/status', { origin })).toEqual({ status: 101, user: '' });
    expect(await handshake(port, '/status', { cookie, origin })).toEqual({ status: 101, user: 'dora' });
  });

  it('WS-10 required mode: a @Public() gateway opens for anonymous sockets, a session cookie opens the others', async () => {
    const { port, origin, cookie } = await startWithSessions(platform, 'required', [LobbyGateway, StatusGateway]);
    expect(await handshake(port, '/status', { origin })).toEqual({ status: 101, user: '' });
    expect(await handshake(port, '/lobby', { origin })).toEqual({ status: 403 }); // an anonymous upgrade in required mode, as on every adapter
    expect(await handshake(port, '/lobby', { cookie, origin })).toEqual({ status: 101, user: 'dora' });
  });

  it('WS-11 with origins: a cross-site page is refused (403) even with the session cookie, and so is an upgrade without Origin unless allowMissingOrigin', async () => {
    const strict = await startWithSessions(platform, 'optional', [ChatGateway], (origin) => ({ origins: [origin] }));
    expect(await handshake(strict.port, '/chat', { cookie: strict.cookie, origin: strict.origin })).toEqual({ status: 101, user: 'dora' });
    for (const origin of ['https://evil.example', 'null', `http://localhost:${strict.port}`]) {
      expect([origin, await handshake(strict.port, '/chat', { cookie: strict.cookie, origin })]).toEqual([origin, { status: 403 }]);
    }
    expect(await handshake(strict.port, '/chat', { cookie: strict.cookie })).toEqual({ status: 403 });
    // A non-browser client (no Origin), when the app says so; cross-site pages stay refused.
    const lenient = await startWithSessions(platform, 'optional', [ChatGateway], (origin) => ({ origins: [origin], allowMissingOrigin: true }));
    expect(await handshake(lenient.port, '/chat', { cookie: lenient.cookie })).toEqual({ status: 101, user: 'dora' });
    expect(await handshake(lenient.port, '/chat', { cookie: lenient.cookie, origin: 'https://evil.example' })).toEqual({ status: 403 });
  });

  it('origins that are not exact origins throw a ConfigurationError when the adapter is made', async () => {
    const app = await NestFactory.create(moduleOf({ backend: backend() }, [LobbyGateway]), platform === 'express' ? new ExpressAdapter() : new FastifyAdapter(), { logger: false });
    apps.push(app);
    expect(() => new PortcullisWsAdapter(app, { origins: ['https://app.example/chat'] })).toThrow(ConfigurationError);
  });
});

describe('PortcullisWsAdapter at startup', () => {
  it('throws a ConfigurationError with the fix when the app has no PortcullisModule', async () => {
    const app = await NestFactory.create(moduleOf(undefined, [LobbyGateway]), { logger: false });
    apps.push(app);
    let error: unknown;
    try {
      new PortcullisWsAdapter(app);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).code).toBe('invalid_configuration');
    expect((error as ConfigurationError).message).toMatch(/PortcullisModule\.forRoot/);
  });

  it('throws a ConfigurationError when gateways sharing a path disagree on the handshake (one server, one handshake)', async () => {
    @WebSocketGateway({ path: '/chat/' })
    class AnotherChatGateway {
      @SubscribeMessage('ping')
      ping(): string {
        return 'pong';
      }
    }
    const app = await NestFactory.create(moduleOf({ backend: backend() }, [ChatGateway, AnotherChatGateway]), { logger: false });
    apps.push(app);
    app.useWebSocketAdapter(new PortcullisWsAdapter(app));
    let error: unknown;
    try {
      await app.init();
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(ConfigurationError);
    expect((error as ConfigurationError).message).toMatch(/\/chat/);
  });
});

describe('types', () => {
  it("a gateway's socket carries the app's user type", () => {
    expectTypeOf<Principal<DemoUser>['user']>().toEqualTypeOf<DemoUser | import('@portcullis/core').UnauthenticatedUser>();
    expectTypeOf<Principal<DemoUser>['auth']>().toEqualTypeOf<AuthCredentials>();
  });
});
