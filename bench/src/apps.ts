import { createServer, type Server } from 'node:http';
import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import type { Context as HonoContext, MiddlewareHandler } from 'hono';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Context as KoaContext, Middleware } from 'koa';

/**
 * The one route every configuration serves: `GET /` answering `Hello, <user>` as
 * text. Bare servers answer `Hello, alice` without looking at the request, so every
 * configuration sends a body of (about) the same size, and the only difference between
 * a configuration and its bare server is the authentication middleware in front.
 */
export const greeting = (name: string): string => `Hello, ${name}`;

/* eslint-disable @typescript-eslint/no-explicit-any -- each peer puts its user somewhere else */
export type HonoCtx = HonoContext<any>;
export type KoaCtx = KoaContext;

/** Express 5: the middleware in order, then `app.get('/')`, then an error handler for peers that call `next(err)`. */
export async function expressServer(middleware: readonly RequestHandler[], name: (req: Request) => string): Promise<Server> {
  const { default: express } = await import('express');
  const app = express();
  for (const m of middleware) app.use(m);
  app.get('/', (req, res) => {
    res.send(greeting(name(req)));
  });
  // express-jwt reports failures with next(err): answer its status instead of logging a stack per request.
  const errors: ErrorRequestHandler = (err: unknown, _req, res, _next) => {
    const status = (err as { status?: unknown }).status;
    res.status(typeof status === 'number' ? status : 500).send('Unauthorized');
  };
  app.use(errors);
  return createServer(app);
}

/** Koa 3: the middleware in order, then the handler. */
export async function koaServer(middleware: readonly Middleware[], name: (ctx: KoaCtx) => string): Promise<Server> {
  const { default: Koa } = await import('koa');
  const app = new Koa();
  app.silent = true;
  for (const m of middleware) app.use(m);
  app.use((ctx) => {
    ctx.body = greeting(name(ctx as KoaCtx));
  });
  return createServer(app.callback());
}

/** Hono 4 on @hono/node-server: the middleware in order, then `app.get('/')`. */
export async function honoServer(middleware: readonly MiddlewareHandler[], name: (c: HonoCtx) => string): Promise<Server> {
  const { Hono } = await import('hono');
  const { createAdaptorServer } = await import('@hono/node-server');
  const app = new Hono();
  for (const m of middleware) app.use(m);
  app.get('/', (c) => c.text(greeting(name(c))));
  return createAdaptorServer({ fetch: app.fetch }) as Server;
}

/** Fastify 5: `setup` registers the plugins and hooks, then `app.get('/')`; the app is ready, not listening. */
export async function fastifyServer(setup: (app: FastifyInstance) => Promise<void>, name: (request: FastifyRequest) => string): Promise<Server> {
  const { default: Fastify } = await import('fastify');
  const app = Fastify();
  await setup(app);
  app.get('/', async (request) => greeting(name(request)));
  await app.ready();
  return app.server;
}
