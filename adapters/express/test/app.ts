import { createServer, type Server } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import { PassExtraArgument, sessionView, type AppSpec, type HandlerResult, type RouteSpec } from '@portcullis/conformance';
import { attachWebSockets } from '@portcullis/conformance/node';
import { Requires, authentication, clientAddress, requires, sendDescription, toConnection } from '@portcullis/express';
import { csrfToken, expressSessionStore, login, logout, sessions } from '@portcullis/express/sessions';

function send(req: Request, res: Response, next: NextFunction, result: HandlerResult): void {
  if (result.description !== undefined) return sendDescription(req, res, next, result.description);
  res.status(result.status ?? 200);
  for (const [name, value] of Object.entries(result.headers ?? {})) res.set(name, value);
  if (result.json !== undefined) res.json(result.json);
  else res.type('text/plain').send(result.text ?? '');
}

function handlerFor(route: RouteSpec, withSessions: boolean) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const connection = toConnection(req, Date.now);
    const result = await route.handler({
      user: req.user,
      auth: req.auth,
      method: req.method,
      query: new URLSearchParams(connection.query),
      connection,
      clientAddress: clientAddress(req),
      body: { contentType: req.get('content-type'), text: typeof req.body === 'string' ? req.body : '' },
      ...(withSessions
        ? {
            login: (user, data, options) => login(req, user, data, options),
            logout: () => logout(req),
            session: sessionView(connection, () => csrfToken(req)),
          }
        : {}),
    });
    send(req, res, next, result);
  };
}

/** The conformance spec as an Express 5 app. */
export function createExpressApp(spec: AppSpec): Server {
  const app = express();
  const auth = authentication({ backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log, trustedProxies: spec.trustedProxies });
  const withSessions = spec.sessions !== undefined;
  if (spec.sessions !== undefined) {
    // Sessions: the body parser first (sessions() reads the _csrf form field), then the sessions, then authentication.
    app.use(express.text({ type: () => true, limit: '16kb' }));
    app.use(sessions({ ...spec.sessions, store: expressSessionStore(spec.sessions.store) }));
    app.use(auth);
  } else {
    app.use(auth);
    // The raw body, whatever its type, up to 16 KiB (larger: 413 from body-parser).
    app.use(express.text({ type: () => true, limit: '16kb' }));
  }

  for (const route of spec.routes) {
    if (route.kind === 'websocket') continue;
    const method = route.method === 'GET' ? 'get' : 'post';
    if (route.style === 'class') {
      const { scopes, options } = route.requires ?? { scopes: 'authenticated' };
      class Controller {
        @PassExtraArgument
        @Requires(scopes, options)
        handle(req: Request, res: Response, next: NextFunction, extra?: string) {
          if (extra !== undefined) res.set('x-extra-argument', extra);
          return handlerFor(route, withSessions)(req, res, next);
        }
      }
      const controller = new Controller();
      app[method](route.path, (req, res, next: NextFunction) => controller.handle(req, res, next));
    } else if (route.requires) {
      app[method](route.path, requires(route.requires.scopes, route.requires.options), handlerFor(route, withSessions));
    } else {
      app[method](route.path, handlerFor(route, withSessions));
    }
  }

  if (spec.catchAllErrors) {
    app.use((_err: unknown, _req: Request, res: Response, _next: NextFunction) => {
      res.status(500).send('catch-all');
    });
  }

  const server = createServer(app);
  attachWebSockets(server, spec, auth, requires);
  return server;
}
