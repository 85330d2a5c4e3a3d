import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { WebSocketServer } from 'ws';
import type { AppSpec, HandlerResult, RouteSpec } from '@portcullis/conformance';
import { Requires, authentication, requires, upgradeHandler } from '@portcullis/express';

function send(res: Response, result: HandlerResult): void {
  res.status(result.status ?? 200);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.set(name, value);
  if (result.json !== undefined) res.json(result.json);
  else res.type('text/plain').send(result.text ?? '');
}

function handlerFor(route: RouteSpec) {
  return (req: Request, res: Response) =>
    send(res, route.handler({ user: req.user, auth: req.auth, method: req.method, query: new URLSearchParams(req.originalUrl.split('?')[1] ?? '') }));
}

/** The conformance spec as an Express 5 app. */
export function createExpressApp(spec: AppSpec): Server {
  const app = express();
  const auth = authentication({ backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log });
  app.use(auth);
  const server = createServer(app);
  const wss = new WebSocketServer({ noServer: true });
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
        handle(req: Request, res: Response, _next: NextFunction) {
          handlerFor(route)(req, res);
        }
      }
      const controller = new Controller();
      app[method](route.path, (req, res, next: NextFunction) => controller.handle(req, res, next));
    } else if (route.requires) {
      app[method](route.path, requires(route.requires.scopes, route.requires.options), handlerFor(route));
    } else {
      app[method](route.path, handlerFor(route));
    }
  }

  if (spec.catchAllErrors) {
    app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).send('catch-all');
    });
  }

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
