import type { AuthCredentials, AuthenticationOptions, BaseUser, Connection, LoginOptions } from '@portcullis/core';
import {
  createAuthenticator,
  createConnection,
  type AuthDecision,
  type Authenticator,
  type Guard,
  type MaybePromise,
} from '@portcullis/core/adapter';
import {
  Requires,
  clientAddress,
  csrfToken,
  isWebSocketUpgrade,
  login,
  logout,
  requires,
  toConnection,
  toResponse,
  withAuth,
  type AuthHandler,
  type FetchHandler,
  type RequestAuth,
} from '@portcullis/fetch';
import { sessionView } from './session-view.js';
import { PassExtraArgument, type AppSpec, type HandlerResult, type RouteSpec } from './spec.js';

// #region machine
/**
 * The whole machine: Connection → authenticate → guard → answer. Every adapter runs
 * these three steps; the core chooses every status, challenge and body.
 */
export async function decide<U extends BaseUser>(connection: Connection, authenticator: Authenticator<U>, guard?: Guard): Promise<AuthDecision<U>> {
  const decision = await authenticator.run(connection); // 1. anonymous, a principal, or an answer (401, 400, 503…)
  if (decision.type === 'respond') return decision;
  const denied = guard?.check(connection, { ...decision, challenges: authenticator.challenges }); // 2. scopes
  if (denied) return { type: 'respond', response: denied }; // 403, 404, 401, or a redirect to login
  return decision; // 3. go on, as decision.user with decision.auth
}

/** A Request → Response app with no framework and no sessions: the machine end to end. */
export function bareApp(
  options: AuthenticationOptions,
  guard: Guard | undefined,
  handler: (user: BaseUser, auth: AuthCredentials) => MaybePromise<Response>,
): (request: Request) => Promise<Response> {
  const authenticator = createAuthenticator(options); // options checked and frozen here, at startup
  return async (request) => {
    const url = request.url;
    const connection = createConnection({
      method: request.method,
      target: url.slice(url.indexOf('/', url.indexOf('//') + 2)), // path and query: never a URL built from Host
      header: (name) => request.headers.get(name) ?? undefined,
      now: authenticator.clock,
    });
    const decided = await decide(connection, authenticator, guard);
    return decided.type === 'respond' ? toResponse(decided.response) : handler(decided.user, decided.auth);
  };
}
// #endregion machine

/**
 * How a runtime answers an accepted websocket upgrade, behind the adapter's
 * `requires(...)`: with its own API (Bun's `server.upgrade`, `Deno.upgradeWebSocket`,
 * workerd's `WebSocketPair`), sending `greeting` (the route handler's text for the
 * upgrading user) once the socket is open, then closing it. `rest` is what the
 * runtime passed after the request (Bun's server).
 */
export type RuntimeUpgrade<A extends readonly unknown[] = []> = (request: Request, greeting: string, ...rest: A) => Response | Promise<Response>;

/**
 * The reference adapter: the core on plain `Request`/`Response`, with no
 * framework — which is `@portcullis/fetch` (`withAuth`, `requires`, `Requires`,
 * `login`/`logout` on Web sessions). It is what every framework adapter is
 * measured against; the routing here is the spec's, everything else is the
 * adapter's. Websocket routes answer upgrades through `upgrade` (a runtime's
 * own); without it (Node's http server hands upgrades to its `upgrade` event,
 * not to a fetch handler: {@link createReferenceServer}) they are not routes.
 *
 * @example
 * ```ts
 * // Deno: the spec's websocket routes upgrade with Deno.upgradeWebSocket.
 * const app = referenceApp(spec, (request, greeting) => {
 *   const { socket, response } = Deno.upgradeWebSocket(request);
 *   socket.onopen = () => socket.send(greeting);
 *   return response;
 * });
 * Deno.serve(app);
 * ```
 */
export function referenceApp<A extends readonly unknown[] = []>(
  spec: AppSpec,
  upgrade?: RuntimeUpgrade<A>,
  { peerAddress }: { readonly peerAddress?: ((request: Request, ...rest: A) => string | undefined) | undefined } = {},
): FetchHandler<A> {
  const withSessions = spec.sessions !== undefined;
  const routes = new Map(spec.routes.map((r) => [`${r.method} ${r.path}`, routeHandler(r, withSessions, upgrade)]));
  return withAuth<BaseUser, A>(
    (request, principal, ...rest) => {
      const { method, path } = toConnection(request, Date.now);
      const handler = routes.get(`${method === 'HEAD' ? 'GET' : method} ${path}`);
      return handler === undefined ? notFound() : handler(request, principal, ...rest);
    },
    { backend: spec.backend, mode: spec.mode, exclude: spec.exclude, onError: spec.onError, log: spec.log, trustedProxies: spec.trustedProxies, sessions: spec.sessions, peerAddress },
  );
}

/** A route of the spec as a handler behind `withAuth`: `requires(...)(handler)`, or `@Requires` on a class. */
function routeHandler<A extends readonly unknown[]>(route: RouteSpec, withSessions: boolean, upgrade: RuntimeUpgrade<A> | undefined): AuthHandler<BaseUser, A> {
  if (route.kind === 'websocket') return guarded(route, websocketHandler(route, upgrade));
  const handler = specHandler(route, withSessions);
  if (route.style === 'class') {
    const { scopes, options } = route.requires ?? { scopes: 'authenticated' };
    class Controller {
      @PassExtraArgument
      @Requires(scopes, options)
      async handle(request: Request, principal: RequestAuth, extra?: string): Promise<Response> {
        const response = await handler(request, principal);
        if (extra !== undefined) response.headers.set('x-extra-argument', extra);
        return response;
      }
    }
    const controller = new Controller();
    return (request, principal, ..._rest: A) => controller.handle(request, principal);
  }
  const http = guarded(route, handler);
  return (request, principal, ..._rest: A) => http(request, principal);
}

/** The route's handler behind its `requires(...)`, if it has one. */
function guarded<A extends readonly unknown[]>(route: RouteSpec, handler: AuthHandler<BaseUser, A>): AuthHandler<BaseUser, A> {
  return route.requires ? requires(route.requires.scopes, route.requires.options)(handler) : handler;
}

/**
 * A websocket route: past the guard, an upgrade request is the runtime's to
 * answer, greeting the user with the route handler's text; any other request
 * finds no route (as on the Node adapters, where the route is the `upgrade` event's).
 */
function websocketHandler<A extends readonly unknown[]>(route: RouteSpec, upgrade: RuntimeUpgrade<A> | undefined): AuthHandler<BaseUser, A> {
  return async (request, { user, auth }, ...rest) => {
    // Only a GET: a HEAD reaches this GET route, and Bun and Deno would upgrade it.
    if (upgrade === undefined || !isWebSocketUpgrade(request)) return notFound();
    const connection = toConnection(request, Date.now);
    const query = new URLSearchParams(connection.query);
    const result = await route.handler({ user, auth, clientAddress: clientAddress(request), method: 'GET', query, connection, body: { contentType: undefined, text: '' } });
    return upgrade(request, result.text ?? '', ...rest);
  };
}

/** The spec's handler on its framework-neutral view of the request. */
function specHandler(route: RouteSpec, withSessions: boolean): AuthHandler {
  return async (request, { user, auth }) => {
    const text = await request.text();
    if (new TextEncoder().encode(text).length > MAX_BODY) return new Response('Payload Too Large', { status: 413 });
    const connection = toConnection(request, Date.now);
    const result = await route.handler({
      user,
      auth,
      method: connection.method,
      query: new URLSearchParams(connection.query),
      connection,
      clientAddress: clientAddress(request),
      body: { contentType: request.headers.get('content-type') ?? undefined, text },
      ...(withSessions
        ? {
            login: (u: BaseUser, data?: Record<string, unknown>, options?: LoginOptions) => login(request, u, data, options),
            logout: () => logout(request),
            session: sessionView(connection, () => csrfToken(request)),
          }
        : {}),
    });
    return result.description !== undefined ? toResponse(result.description) : fromResult(result);
  };
}

const MAX_BODY = 16 * 1024;

function notFound(): Response {
  return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function fromResult(result: HandlerResult): Response {
  const headers = new Headers(result.headers);
  let body: string;
  if (result.json !== undefined) {
    headers.set('content-type', 'application/json');
    body = JSON.stringify(result.json);
  } else {
    if (!headers.has('content-type')) headers.set('content-type', 'text/plain; charset=utf-8');
    body = result.text ?? '';
  }
  return new Response(body === '' ? null : body, { status: result.status ?? 200, headers });
}

// The Node server around it (Node's Buffer: not in the worker bundle).
export { serveFetch, createReferenceServer } from './serve-fetch.js';
export type { NodeBindings } from './serve-fetch.js';

export type { AuthCredentials, BaseUser, Connection };
