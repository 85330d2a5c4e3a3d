import { createServer, type Server } from 'node:http';
import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import { PassExtraArgument, sessionView, type AppSpec, type HandlerResult, type RouteSpec } from '@portcullis/conformance';
import { attachWebSockets } from '@portcullis/conformance/node';
import { Requires, authentication, clientAddress, requires, sendDescription, toConnection, type AuthState } from '@portcullis/koa';
import { csrfToken, koaSessionStore, login, logout, sessions } from '@portcullis/koa/sessions';

const MAX_BODY = 16 * 1024;

function send(ctx: Context, result: HandlerResult): void {
  if (result.description !== undefined) return sendDescription(ctx, result.description);
  ctx.status = result.status ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
  if (result.json !== undefined) ctx.body = result.json;
  else {
    ctx.type = 'text/plain';
    ctx.body = result.text ?? '';
  }
}

/** Reads the raw body (Koa has no body parser of its own); over 16 KiB answers 413. */
async function readBody(ctx: Context): Promise<string | undefined> {
  // With sessions, a body parser in front of sessions() has read it already.
  const parsed = (ctx.request as { body?: unknown }).body;
  if (typeof parsed === 'string') return parsed;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) {
      ctx.status = 413;
      ctx.body = 'Payload Too Large';
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function handlerFor(route: RouteSpec, withSessions = false) {
  return async (ctx: Context) => {
    const state = ctx.state as AuthState;
    const text = await readBody(ctx);
    if (text === undefined) return;
    const connection = toConnection(ctx, Date.now);
    send(
      ctx,
      await route.handler({
        user: state.user,
        auth: state.auth,
        method: ctx.method,
        query: new URLSearchParams(ctx.querystring),
        connection,
        clientAddress: clientAddress(ctx),
        body: { contentType: ctx.get('content-type') || undefined, text },
        ...(withSessions
          ? {
              login: (user, data, options) => login(ctx, user, data, options),
              logout: () => logout(ctx),
              session: sessionView(connection, () => csrfToken(ctx)),
            }
          : {}),
      }),
    );
  };
}

/** The conformance spec as a Koa 3 app with @koa/router. */
export function createKoaApp(spec: AppSpec): Server {
  const app = new Koa<AuthState>();
  const router = new Router<AuthState>();
  if (spec.catchAllErrors) {
    app.use(async (ctx, next) => {
      try {
        await next();
      } catch {
        ctx.status = 500;
        ctx.body = 'catch-all';
      }
    });
  }
  const auth = authentication({ backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log, trustedProxies: spec.trustedProxies });
  const withSessions = spec.sessions !== undefined;
  if (spec.sessions !== undefined) {
    // Sessions: a body parser first (sessions() reads the _csrf form field), then the sessions, then authentication.
    app.use(async (ctx, next) => {
      const text = await readBody(ctx as unknown as Context);
      if (text === undefined) return;
      (ctx.request as { body?: unknown }).body = text;
      await next();
    });
    app.use(sessions(app, { ...spec.sessions, store: koaSessionStore(spec.sessions.store) }));
  }
  app.use(auth);

  for (const route of spec.routes) {
    if (route.kind === 'websocket') continue;
    const method = route.method === 'GET' ? 'get' : 'post';
    if (route.style === 'class') {
      const { scopes, options } = route.requires ?? { scopes: 'authenticated' };
      class Controller {
        @PassExtraArgument
        @Requires(scopes, options)
        handle(ctx: Context, _next: Koa.Next, extra?: string) {
          if (extra !== undefined) ctx.set('x-extra-argument', extra);
          return handlerFor(route, withSessions)(ctx);
        }
      }
      const controller = new Controller();
      router[method](route.path, (ctx, next) => controller.handle(ctx as unknown as Context, next));
    } else if (route.requires) {
      router[method](route.path, requires(route.requires.scopes, route.requires.options), (ctx) => handlerFor(route, withSessions)(ctx as unknown as Context));
    } else {
      router[method](route.path, (ctx) => handlerFor(route, withSessions)(ctx as unknown as Context));
    }
  }
  app.use(router.routes());
  app.use(router.allowedMethods());

  const server = createServer(app.callback());
  attachWebSockets(server, spec, auth, requires);
  return server;
}
