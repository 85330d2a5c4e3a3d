import 'reflect-metadata';
import type { Server } from 'node:http';
import { Catch, Controller, Get, Module, Post, Req, Res, type ArgumentsHost, type ExceptionFilter, type INestApplication, type Type } from '@nestjs/common';
import { HttpAdapterHost, NestFactory } from '@nestjs/core';
import { ExpressAdapter, type NestExpressApplication } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AuthCredentials, BaseUser, ResponseDescription } from '@portcullis/core';
import { createGuard } from '@portcullis/core/adapter';
import { EXTRA_ARGUMENT, type AppSpec, type HandlerResult, type RouteSpec, type Supports } from '@portcullis/conformance';
import { attachWebSockets } from '@portcullis/conformance/node';
import { Auth, ClientAddress, PORTCULLIS, PortcullisModule, Requires, User, sendDescription, toConnection, type PlatformRequest, type Portcullis } from '@portcullis/nest';

/** The Nest platforms the adapter runs on. */
export type Platform = 'express' | 'fastify';

/** What the Nest adapter runs: websockets (upgrades guarded on Nest's HTTP server), `@Requires`; no sessions yet. */
export const supports: Supports = { websocket: true, sessions: false, decorators: true };

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
function controllerFor(route: RouteSpec): Type {
  const verb = route.method === 'GET' ? Get : Post;
  const guard = route.requires ? Requires(route.requires.scopes, route.requires.options) : none;
  const extra = route.style === 'class' ? PassExtraArgument : none;

  @Controller()
  class RouteController {
    @verb(route.path)
    @extra
    @guard
    async handle(@User() user: BaseUser, @Auth() auth: AuthCredentials, @ClientAddress() address: string | undefined, @Req() req: PlatformRequest & { body?: unknown }, @Res() res: unknown, passed?: string): Promise<void> {
      const connection = toConnection(req, Date.now);
      const result = await route.handler({
        user,
        auth,
        method: connection.method,
        query: new URLSearchParams(connection.query),
        connection,
        clientAddress: address,
        body: { contentType: connection.header('content-type'), text: typeof req.body === 'string' ? req.body : '' },
      });
      const answer = result.description ?? toAnswer(result);
      sendDescription(res, passed === undefined ? answer : { ...answer, headers: { ...answer.headers, 'x-extra-argument': passed } });
    }
  }
  return RouteController;
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
    controllers: spec.routes.filter((route) => route.kind !== 'websocket').map(controllerFor),
  })
  class AppModule {}

  let app: INestApplication;
  if (platform === 'express') {
    const express = await NestFactory.create<NestExpressApplication>(AppModule, new ExpressAdapter(), { bodyParser: false, logger: false });
    express.useBodyParser('text', { type: () => true, limit: '16kb' }); // the raw body, whatever its type, up to 16 KiB
    app = express;
  } else {
    const fastify = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter({ bodyLimit: 16 * 1024 }), { bodyParser: false, logger: false });
    const instance = fastify.getHttpAdapter().getInstance();
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
    app = fastify;
  }
  if (spec.catchAllErrors) app.useGlobalFilters(new CatchAll(app.get(HttpAdapterHost)));
  await app.init();
  if (platform === 'fastify') await (app as NestFastifyApplication).getHttpAdapter().getInstance().ready();
  const server = app.getHttpServer() as Server;
  attachWebSockets(server, spec, app.get<typeof PORTCULLIS, Portcullis>(PORTCULLIS), (scopes, options) => ({ guard: createGuard(scopes, options) }));
  return server;
}
