import 'reflect-metadata';
import type { IncomingMessage, Server } from 'node:http';
import { Catch, Controller, Get, Module, Post, Req, Res, type ArgumentsHost, type ExceptionFilter, type INestApplication, type Type } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AuthCredentials, BaseUser, ResponseDescription } from '@portcullis/core';
import { createConnection } from '@portcullis/core/adapter';
import { EXTRA_ARGUMENT, sessionView, type AppSpec, type HandlerResult, type RouteSpec, type SessionSpec, type Supports } from '@portcullis/conformance';
import { WebSocketGateway, type OnGatewayConnection } from '@nestjs/websockets';
import { expressSessionStore, sessions as expressSessions } from '@portcullis/express/sessions';
import { frameworkErrors } from '@portcullis/fastify';
import { sessions as fastifySessions } from '@portcullis/fastify/sessions';
import { Auth, AuthSession, ClientAddress, PortcullisModule, Requires, User, sendDescription, toConnection, type PlatformRequest, type Principal } from '@portcullis/nest';
import { PortcullisWsAdapter } from '@portcullis/nest/ws';
import type WebSocket from 'ws';

/** The Nest platforms the adapter runs on. */
export type Platform = 'express' | 'fastify';

/**
 * What the Nest adapter runs: websockets (a gateway behind `PortcullisWsAdapter`), `@Requires`, and sessions:
 * the platform's (the Express bridge on express-session, the Fastify plugin on Web sessions), used through `@AuthSession()`.
 */
export const supports: Supports = { websocket: true, sessions: true, decorators: true };

/**
 * A legacy method decorator calling the method with one argument more
 * (`PassExtraArgument` of the suite is a standard decorator; Nest's are legacy).
 * It keeps the metadata the decorators below it set (`@Requires`).
 */
function PassExtraArgument(_target: object, _key: string | symbol, descriptor: PropertyDescriptor): void {
  const method = descriptor.value as (...args: unknown[]) => unknown;
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(method, this, [...args, EXTRA_ARGUMENT]);
  };
  for (const key of Reflect.getMetadataKeys(method)) Reflect.defineMetadata(key, Reflect.getMetadata(key, method), wrapped);
  descriptor.value = wrapped;
}

const none: MethodDecorator = () => undefined;

/** A handler's result as an answer, sent as Portcullis's own are. */
function toAnswer({ status = 200, headers = {}, json, text = '' }: HandlerResult): ResponseDescription {
  if (json !== undefined) return { status, headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(json) };
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: text };
}

/** One controller per route, as an app author writes it: a method with `@Requires` and parameter decorators. */
function controllerFor(route: RouteSpec, withSessions: boolean): Type {
  const verb = route.method === 'GET' ? Get : Post;
  const guard = route.requires ? Requires(route.requires.scopes, route.requires.options) : none;
  const extra = route.style === 'class' ? PassExtraArgument : none;

  @Controller()
  class RouteController {
    @verb(route.path)
    @extra
    @guard
    async handle(
      @User() user: BaseUser,
      @Auth() auth: AuthCredentials,
      @ClientAddress() address: string | undefined,
      @Req() req: PlatformRequest & { body?: unknown },
      @Res() res: unknown,
      @AuthSession() session: AuthSession,
      passed?: string,
    ): Promise<void> {
      const connection = toConnection(req, Date.now);
      const result = await route.handler({
        user,
        auth,
        method: connection.method,
        query: new URLSearchParams(connection.query),
        connection,
        clientAddress: address,
        body: { contentType: connection.header('content-type'), text: typeof req.body === 'string' ? req.body : '' },
        ...(withSessions
          ? { login: (u, data, options) => session.login(u, data, options), logout: () => session.logout(), session: sessionView(connection, () => session.csrfToken()) }
          : {}),
      });
      const answer = result.description ?? toAnswer(result);
      sendDescription(res, passed === undefined ? answer : { ...answer, headers: { ...answer.headers, 'x-extra-argument': passed } });
    }
  }
  return RouteController;
}

/**
 * A websocket route as a gateway at its path, its `@Requires` on the class (checked on
 * the upgrade by `PortcullisWsAdapter`): once open, it sends the handler's text and closes.
 */
function gatewayFor(route: RouteSpec): Type {
  const guard: ClassDecorator = route.requires ? Requires(route.requires.scopes, route.requires.options) : () => undefined;

  @WebSocketGateway({ path: route.path })
  @guard
  class RouteGateway implements OnGatewayConnection {
    async handleConnection(client: WebSocket & Principal, req: IncomingMessage): Promise<void> {
      const connection = createConnection({ kind: 'websocket', method: 'GET', target: req.url ?? '/', header: () => undefined });
      const { user, auth, clientAddress } = client;
      const result = await route.handler({ user, auth, clientAddress, method: 'GET', query: new URLSearchParams(connection.query), connection, body: { contentType: undefined, text: '' } });
      client.send(result.text ?? '');
      client.close();
    }
  }
  return RouteGateway;
}

/** The catch-all filter of `spec.catchAllErrors`: every exception it sees becomes a 500. */
@Catch()
class CatchAll implements ExceptionFilter {
  constructor(private readonly adapterHost: HttpAdapterHost) {}
  catch(_error: unknown, host: ArgumentsHost): void {
    this.adapterHost.httpAdapter.reply(host.switchToHttp().getResponse(), 'catch-all', 500);
  }
}

/** The conformance spec as a Nest app on `platform`: its HTTP server, not yet listening. */
export async function createNestApp(spec: AppSpec, platform: Platform): Promise<Server> {
  const { backend, mode, exclude, onError, log, trustedProxies } = spec;

  @Module({
    imports: [PortcullisModule.forRoot({ backend, mode, exclude, onError, log, trustedProxies })],
    controllers: spec.routes.filter((route) => route.kind !== 'websocket').map((route) => controllerFor(route, spec.sessions !== undefined)),
    providers: spec.routes.filter((route) => route.kind === 'websocket').map(gatewayFor),
  })
  class AppModule {}

  let app: INestApplication;
  if (platform === 'express') {
    const express = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { bodyParser: false, logger: false });
    express.useBodyParser('text', { type: () => true, limit: '16kb' }); // the raw body, whatever its type, up to 16 KiB
    // After the body parser (its CSRF check reads the `_csrf` form field); Nest's guard runs after both.
    if (spec.sessions !== undefined) express.use(expressSessions({ ...spec.sessions, store: expressSessionStore(spec.sessions.store) }));
    app = express;
  } else {
    // frameworkErrors: a URL Fastify's router refuses is authenticated first, as on plain Fastify. The casts here:
    // Nest pins its own copy of fastify (5.11), this monorepo's @portcullis/fastify is typed against the hoisted one.
    const options = { bodyLimit: 16 * 1024, frameworkErrors: frameworkErrors as never };
    const fastify = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(options), { bodyParser: false, logger: false });
    const instance = fastify.getHttpAdapter().getInstance();
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    if (spec.sessions !== undefined) await fastify.register(fastifySessions as unknown as Parameters<NestFastifyApplication['register']>[0], spec.sessions);
    app = fastify;
  }
  if (spec.catchAllErrors) app.useGlobalFilters(new CatchAll(app.get(HttpAdapterHost)));
  app.useWebSocketAdapter(new PortcullisWsAdapter(app));
  await app.init();
  if (platform === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  return app.getHttpServer() as Server;
}

/**
 * A Nest app of `module` on `platform` with the platform's sessions, as an app's `main.ts`
 * registers them (`app.use(sessions(…))` on Express, `app.register(sessions, …)` on Fastify),
 * not yet initialised.
 */
export async function nestAppWithSessions(module: Type, platform: Platform, sessions: SessionSpec): Promise<INestApplication> {
  if (platform === 'express') {
    const app = await NestFactory.create(module, new ExpressAdapter(), { logger: false });
    app.use(expressSessions({ ...sessions, store: expressSessionStore(sessions.store) }));
    return app;
  }
  const app = await NestFactory.create<NestFastifyApplication>(module, new FastifyAdapter(), { logger: false });
  await app.register(fastifySessions as unknown as Parameters<NestFastifyApplication['register']>[0], sessions);
  return app;
}
