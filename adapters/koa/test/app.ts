import { createServer, type Server } from 'node:http';
import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import { WebSocketServer } from 'ws';
import type { AppSpec, HandlerResult, RouteSpec } from '@portcullis/conformance';
import { Requires, authentication, requires, upgradeHandler, type AuthState } from '@portcullis/koa';

function send(ctx: Context, result: HandlerResult): void {
  ctx.status = result.status ?? 200;
  for (const [name, value] of Object.entries(result.headers ?? {})) ctx.set(name, value);
  if (result.json !== undefined) ctx.body = result.json;
  else {
    ctx.type = 'text/plain';
    ctx.body = result.text ?? '';
  }
}

function handlerFor(route: RouteSpec) {
  return (ctx: Context) => {
    const state = ctx.state as AuthState;
    send(ctx, route.handler({ user: state.user, auth: state.auth, method: ctx.method, query: new URLSearchParams(ctx.querystring) }));
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
  const auth = authentication({ backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log });
  app.use(auth);
  const sockets = new Map<string, RouteSpec>();

  for (const route of spec.routes) {
    if (route.kind === 'websocket') {
      sockets.set(route.path, route);
      continue;
    }
    const method = route.method === 'GET' ? 'get' : 'post';
    if (route.style === 'class') {
      const { scopes, options } = route.requires ?? { scopes: 'authenticated' };
      class Controller {
        @Requires(scopes, options)
        handle(ctx: Context, _next: Koa.Next) {
          handlerFor(route)(ctx);
        }
      }
      const controller = new Controller();
      router[method](route.path, (ctx, next) => controller.handle(ctx as unknown as Context, next));
    } else if (route.requires) {
      router[method](route.path, requires(route.requires.scopes, route.requires.options), (ctx) => handlerFor(route)(ctx as unknown as Context));
    } else {
      router[method](route.path, (ctx) => handlerFor(route)(ctx as unknown as Context));
    }
  }
  app.use(router.routes());
  app.use(router.allowedMethods());

  const server = createServer(app.callback());
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    const route = sockets.get((req.url ?? '/').split('?')[0] ?? '/');
    if (!route) return socket.destroy();
    upgradeHandler({
      authentication: auth,
      requires: route.requires ? requires(route.requires.scopes, route.requires.options) : undefined,
      accept(req, socket, head, principal) {
        wss.handleUpgrade(req, socket, head, (ws) => {
          const result = route.handler({ ...principal, method: 'GET', query: new URLSearchParams() });
          ws.send(result.text ?? '');
          ws.close();
        });
      },
    })(req, socket, head);
  });
  return server;
}
