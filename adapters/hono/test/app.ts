import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { createNodeWebSocket } from '@hono/node-ws';
import { Hono, type Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { sessionView, type AppSpec, type HandlerResult, type RouteSpec } from '@portcullis/conformance';
import {
  Requires,
  authentication,
  csrfToken,
  login,
  logout,
  requires,
  sessions,
  toConnection,
  toResponse,
  type AuthEnv,
} from '@portcullis/hono';

const MAX_BODY = 16 * 1024;

function send(c: Context<AuthEnv>, result: HandlerResult): Response | Promise<Response> {
  if (result.description !== undefined) return toResponse(c, result.description);
  const status = (result.status ?? 200) as ContentfulStatusCode;
  if (result.json !== undefined) return c.json(result.json, status, result.headers);
  return c.text(result.text ?? '', status, { 'content-type': 'text/plain; charset=utf-8', ...result.headers });
}

function handlerFor(route: RouteSpec, withSessions = false) {
  return async (c: Context<AuthEnv>) => {
    const text = await c.req.text();
    if (new TextEncoder().encode(text).length > MAX_BODY) return c.text('Payload Too Large', 413);
    const connection = toConnection(c, Date.now);
    return send(
      c,
      await route.handler({
        user: c.var.user,
        auth: c.var.auth,
        method: c.req.method,
        query: new URLSearchParams(connection.query),
        connection,
        body: { contentType: c.req.header('content-type'), text },
        ...(withSessions
          ? {
              login: (user, data) => login(c, user, data),
              logout: () => logout(c),
              session: sessionView(connection, () => csrfToken(c)),
            }
          : {}),
      }),
    );
  };
}

/** The conformance spec as a Hono 4 app on @hono/node-server, websockets through @hono/node-ws. */
export function createHonoApp(spec: AppSpec): Server {
  const app = new Hono<AuthEnv>();
  const { injectWebSocket, upgradeWebSocket } = createNodeWebSocket({ app });
  const withSessions = spec.sessions !== undefined;
  if (spec.sessions !== undefined) app.use(sessions(spec.sessions));
  app.use(authentication({ backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log }));
  if (spec.catchAllErrors) app.onError((_err, c) => c.text('catch-all', 500));

  for (const route of spec.routes) {
    const method = route.method === 'GET' ? 'get' : 'post';
    if (route.kind === 'websocket') {
      const guard = route.requires ? requires(route.requires.scopes, route.requires.options) : (_c: Context, next: () => Promise<void>) => next();
      app.get(
        route.path,
        guard,
        upgradeWebSocket((c) => ({
          async onOpen(_event, ws) {
            const connection = toConnection(c, Date.now);
            const result = await route.handler({
              user: c.var.user,
              auth: c.var.auth,
              method: 'GET',
              query: new URLSearchParams(connection.query),
              connection,
              body: { contentType: undefined, text: '' },
            });
            ws.send(result.text ?? '');
            ws.close();
          },
        })),
      );
    } else if (route.style === 'class') {
      const { scopes, options } = route.requires ?? { scopes: 'authenticated' };
      class Controller {
        @Requires(scopes, options)
        handle(c: Context<AuthEnv>) {
          return handlerFor(route, withSessions)(c);
        }
      }
      const controller = new Controller();
      app[method](route.path, (c) => controller.handle(c));
    } else if (route.requires) {
      app[method](route.path, requires(route.requires.scopes, route.requires.options), handlerFor(route, withSessions));
    } else {
      app[method](route.path, handlerFor(route, withSessions));
    }
  }
  const server = createAdaptorServer({ fetch: app.fetch }) as Server;
  injectWebSocket(server);
  return server;
}
