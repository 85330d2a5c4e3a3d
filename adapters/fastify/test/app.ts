import type { Server } from 'node:http';
import Fastify, { type FastifyReply, type FastifyRequest } from 'fastify';
import websocket from '@fastify/websocket';
import { sessionView, type AppSpec, type HandlerResult, type HandlerView, type RouteSpec, type Supports } from '@portcullis/conformance';
import { authentication, clientAddress, frameworkErrors, requires, sendDescription, toConnection } from '@portcullis/fastify';
import { csrfToken, login, logout, sessions } from '@portcullis/fastify/sessions';

const MAX_BODY = 16 * 1024;

// #region supports
/** Websockets through @fastify/websocket, sessions on the core's Web sessions; Fastify has no controllers. */
export const supports: Supports = { websocket: true, sessions: true };
// #endregion supports

function send(request: FastifyRequest, reply: FastifyReply, result: HandlerResult): FastifyReply {
  if (result.description !== undefined) return sendDescription(request, reply, result.description);
  reply.code(result.status ?? 200);
  if (result.json === undefined) reply.type('text/plain; charset=utf-8');
  for (const [name, value] of Object.entries(result.headers ?? {})) reply.header(name, value);
  return reply.send(result.json !== undefined ? result.json : (result.text ?? ''));
}

/** What a handler sees of the request: `request.user` and `request.auth`, as the plugin set them. */
function viewOf(request: FastifyRequest): HandlerView {
  const connection = toConnection(request, Date.now);
  const text = typeof request.body === 'string' ? request.body : '';
  return {
    user: request.user,
    auth: request.auth,
    method: request.method,
    query: new URLSearchParams(connection.query),
    connection,
    clientAddress: clientAddress(request),
    body: { contentType: request.headers['content-type'], text },
  };
}

function handlerFor(route: RouteSpec, withSessions: boolean) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const view = viewOf(request);
    const result = await route.handler({
      ...view,
      ...(withSessions
        ? {
            login: (user, data, options) => login(request, user, data, options),
            logout: () => logout(request),
            session: sessionView(view.connection, () => csrfToken(request)),
          }
        : {}),
    });
    return send(request, reply, result);
  };
}

// #region create-app
/** The conformance spec as a Fastify 5 app (ready, not yet listening). */
export async function createFastifyApp(spec: AppSpec): Promise<Server> {
  const app = Fastify({ bodyLimit: MAX_BODY, frameworkErrors });
  // Every body as a string, whatever its type (Fastify knows only JSON and text by default).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_request, body, done) => done(null, body));
  if (spec.catchAllErrors) app.setErrorHandler((_error, _request, reply) => reply.code(500).type('text/plain').send('catch-all'));
  await app.register(websocket);
  const withSessions = spec.sessions !== undefined;
  if (spec.sessions !== undefined) await app.register(sessions, spec.sessions);
  await app.register(authentication, { backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log, trustedProxies: spec.trustedProxies });

  for (const route of spec.routes) {
    // No controllers in Fastify: a `style: 'class'` route is guarded like any other.
    const preHandler = route.requires ? requires(route.requires.scopes, route.requires.options) : [];
    if (route.kind === 'websocket') {
      app.get(route.path, { websocket: true, preHandler }, async (socket, request) => {
        const result = await route.handler({ ...viewOf(request), method: 'GET' });
        socket.send(result.text ?? '');
        socket.close();
      });
    } else {
      app.route({ method: route.method, url: route.path, preHandler, handler: handlerFor(route, withSessions) });
    }
  }
  await app.ready();
  return app.server;
}
// #endregion create-app
