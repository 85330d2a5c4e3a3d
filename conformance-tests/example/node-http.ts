// A Portcullis adapter for plain `node:http`, and the conformance suite's `createApp` for it.
import { STATUS_CODES, createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import {
  isSessionError, type AuthCredentials, type AuthenticationOptions, type BaseUser, type Connection, type LoginOptions,
  type RequiresOptions, type ResponseDescription, type UnauthenticatedUser,
} from '@portcullis/core';
import {
  createAuthenticator, createGuard, csrfToken, describeSessionError, fixedResponse, formField, login, logout, parseCookies,
  sessionGate, webSessions, type Guard, type SessionPort, type TrustedProxies, type WebSessionOptions,
} from '@portcullis/core/adapter';
import { connectionFromNode, isSecureNodeRequest } from '@portcullis/node';
import { sessionView, type AppSpec, type HandlerResult, type Supports } from '@portcullis/conformance';
import { attachWebSockets } from '@portcullis/conformance/node';

// #region to-connection
/**
 * Conversion 1: Node's request → a `Connection` (every `Authorization` line, from
 * `rawHeaders`; the socket's peer address, resolved through `trustedProxies`).
 */
export function toConnection(req: IncomingMessage, now: () => number, session?: SessionPort, trustedProxies?: TrustedProxies): Connection {
  return connectionFromNode(req, req.url ?? '/', now, undefined, session, trustedProxies); // kind: from the `Upgrade` header
}
// #endregion to-connection

// #region send
/** Conversion 2: an answer → Node's response, status, headers and body as they are. */
export function send(res: ServerResponse, { status, headers, body }: ResponseDescription): void {
  try {
    res.writeHead(status, headers as Record<string, string | string[]>);
  } catch {
    return send(res, fixedResponse({ kind: 'unsendable' })); // a header an onError hook made is not sendable
  }
  res.end(body);
}

/** This "framework"'s own answers (no route, body too large, handler crashed): not Portcullis's. */
function plain(status: number): ResponseDescription {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: STATUS_CODES[status] ?? '' };
}
// #endregion send

// #region route
/** What a route's handler receives. */
export interface RouteContext<U extends BaseUser> {
  readonly user: U | UnauthenticatedUser;
  readonly auth: AuthCredentials;
  /** For `login(connection, …)`, `logout(connection)`, `csrfToken(connection)` of `@portcullis/core/adapter`. */
  readonly connection: Connection;
  readonly body: string;
}

/** A route: an optional `requires(…)` and a handler answering with a status, headers and a body. */
export interface Route<U extends BaseUser> {
  readonly requires?: { readonly guard: Guard } | undefined;
  handle(context: RouteContext<U>): Promise<ResponseDescription>;
}

/** Options of {@link authentication}: the core's, and Web sessions. */
export interface NodeAuthenticationOptions<U extends BaseUser> extends AuthenticationOptions<U> {
  readonly sessions?: WebSessionOptions | undefined;
}
// #endregion route

// #region requires
/** A route guard: every scope must be held. */
export function requires(scopes: string | readonly string[], options?: RequiresOptions): { readonly guard: Guard } {
  return { guard: createGuard(scopes, options) };
}
// #endregion requires

// #region authentication
/**
 * The factory: options are checked here, at startup. `listener(router)` runs, for every
 * request: read the body → session gate → authenticate → guard → handler.
 *
 * @example
 * const auth = authentication({ backend: basicAuth({ verify }) });
 * createServer(auth.listener((c) => (c.path === '/' ? home : undefined))).listen(3000);
 */
export function authentication<U extends BaseUser>(options: NodeAuthenticationOptions<U>) {
  const authenticator = createAuthenticator(options);
  const engine = options.sessions === undefined ? undefined : webSessions(options.sessions);
  const field = engine === undefined || engine.config.csrf === false ? '_csrf' : engine.config.csrf.field;

  async function answer(req: IncomingMessage, router: (c: Connection) => Route<U> | undefined): Promise<ResponseDescription> {
    const body = await readBody(req); // before the gate: it reads the `_csrf` form field
    if (body === undefined) return plain(413);
    const handle = engine?.open({ cookies: parseCookies(req.headers.cookie), secure: isSecureNodeRequest(req, engine.config.trustProxy) });
    const connection = toConnection(req, authenticator.clock, handle?.port, authenticator.trustedProxies);
    const finish = (a: ResponseDescription): ResponseDescription => {
      const b = a.notFound === true ? plain(404) : a; // a guard's `status: 404`: this framework's own 404
      const cookies = handle?.setCookies() ?? [];
      return cookies.length === 0 ? b : { ...b, headers: { ...b.headers, 'set-cookie': cookies, 'cache-control': 'no-store' } };
    };
    try {
      if (handle?.port.hasCookie === true) await handle.port.get(); // a store outage answers 503 here
      const refused = handle === undefined ? null : await sessionGate(connection, () => formField(req.headers['content-type'], body, field));
      if (refused !== null) return finish(refused);
      const decision = await authenticator.run(connection);
      if (decision.type === 'respond') return finish(decision.response);
      const route = router(connection);
      const denied = route?.requires?.guard.check(connection, { ...decision, challenges: authenticator.challenges });
      if (denied) return finish(denied);
      if (route === undefined) return finish(plain(404));
      return finish(await route.handle({ user: decision.user, auth: decision.auth, connection, body }));
    } catch (error) {
      if (isSessionError(error)) return finish(describeSessionError(error, connection)); // login/logout refused
      throw error;
    }
  }

  const listener = (router: (c: Connection) => Route<U> | undefined): RequestListener => (req, res) => {
    answer(req, router).then((a) => send(res, a), () => send(res, plain(500)));
  };
  return { authenticator, listener };
}
// #endregion authentication

// #region read-body
const MAX_BODY = 16 * 1024;

/** The body as text; `undefined` when it is over `MAX_BODY` bytes (drained, not kept). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => void ((size += chunk.length) <= MAX_BODY && chunks.push(chunk)));
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
// #endregion read-body

// #region create-app
/** What this adapter runs: websockets (through `@portcullis/node`) and sessions; no decorators. */
export const supports: Supports = { websocket: true, sessions: true };

/** The conformance suite's `createApp`: the spec as a `node:http` server, not yet listening. */
export function createApp(spec: AppSpec): Server {
  const { backend, mode, exclude, onError, log, sessions, trustedProxies } = spec;
  const auth = authentication({ backend, mode, exclude, onError, log, sessions, trustedProxies });
  const routes = new Map<string, Route<BaseUser>>();
  for (const route of spec.routes) {
    if (route.kind === 'websocket') continue; // served by attachWebSockets below
    // No controllers here: a `style: 'class'` route is guarded like any other.
    const guard = route.requires && requires(route.requires.scopes, route.requires.options);
    routes.set(`${route.method} ${route.path}`, {
      requires: guard,
      async handle({ user, auth, connection, body }) {
        const result = await route.handler({
          user, auth, connection, clientAddress: connection.clientAddress, method: connection.method, query: new URLSearchParams(connection.query),
          body: { contentType: connection.header('content-type'), text: body },
          ...(sessions && {
            login: (user: BaseUser, data?: Record<string, unknown>, options?: LoginOptions) => login(connection, user, data, options),
            logout: () => logout(connection),
            session: sessionView(connection, () => csrfToken(connection)),
          }),
        });
        return result.description ?? toAnswer(result);
      },
    });
  }
  const server = createServer(auth.listener((c) => routes.get(`${c.method === 'HEAD' ? 'GET' : c.method} ${c.path}`)));
  attachWebSockets(server, spec, auth, requires);
  return server;
}

/** A handler's result as an answer: JSON or text. */
function toAnswer({ status = 200, headers = {}, json, text = '' }: HandlerResult): ResponseDescription {
  if (json !== undefined) return { status, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(json) };
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...headers }, body: text };
}
// #endregion create-app
