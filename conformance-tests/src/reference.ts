import { createServer, type IncomingMessage, type Server } from 'node:http';
import {
  isSessionError,
  type AuthCredentials,
  type AuthenticationOptions,
  type BaseUser,
  type Connection,
  type ResponseDescription,
} from '@portcullis/core';
import {
  createAuthenticator,
  createConnection,
  createGuard,
  type AuthDecision,
  type Authenticator,
  type Guard,
  type MaybePromise,
  csrfToken,
  describeSessionError,
  isSecureRequest,
  formField,
  isUrlencoded,
  login,
  logout,
  parseCookies,
  sessionGate,
  webSessions,
  type WebSessionHandle,
} from '@portcullis/core/adapter';
import { sessionView } from './session-view.js';
import type { AppSpec, HandlerResult } from './spec.js';

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
 * The reference adapter: the core on plain `Request`/`Response`, with no framework.
 * It is what every framework adapter is measured against, and the smallest
 * example of an adapter: build a `Connection`, run the decision, copy the answer.
 */
export function referenceApp(spec: AppSpec): (request: Request) => Promise<Response> {
  const authenticator = createAuthenticator({
    backend: spec.backend,
    mode: spec.mode,
    exclude: spec.exclude,
    onError: spec.onError,
    log: spec.log,
  });
  const routes = new Map(
    spec.routes.map((r) => [
      `${r.method} ${r.path}`,
      { route: r, guard: r.requires ? createGuard(r.requires.scopes, r.requires.options) : undefined },
    ]),
  );

  // Sessions on Web standards: the same engine the Hono adapter uses.
  const engine = spec.sessions === undefined ? undefined : webSessions(spec.sessions);

  return async (request) => {
    const url = request.url;
    const target = url.slice(url.indexOf('/', url.indexOf('//') + 2));
    const handle: WebSessionHandle | undefined = engine?.open({
      cookies: parseCookies(request.headers.get('cookie') ?? undefined),
      secure: isSecureRequest(url, request.headers.get('x-forwarded-proto') ?? undefined, engine.config.trustProxy),
    });
    const connection = createConnection({
      method: request.method,
      target,
      header: (name) => request.headers.get(name) ?? undefined,
      now: authenticator.clock,
      session: handle?.port,
    });
    const finish = (response: Response): Response => withSessionCookies(response, handle);
    if (handle !== undefined) {
      try {
        if (handle.port.hasCookie) await handle.port.get();
        const field = engine?.config.csrf === false ? '_csrf' : (engine?.config.csrf.field ?? '_csrf');
        const refused = await sessionGate(connection, () => formToken(request, field));
        if (refused !== null) return finish(toResponse(refused));
      } catch (error) {
        if (isSessionError(error)) return toResponse(describeSessionError(error, connection));
        throw error;
      }
    }
    const entry = routes.get(`${connection.method === 'HEAD' ? 'GET' : connection.method} ${connection.path}`);
    const decision = await decide(connection, authenticator, entry?.guard);
    if (decision.type === 'respond') return finish(toResponse(decision.response));
    if (entry === undefined) return finish(notFound());
    const text = await request.text();
    if (new TextEncoder().encode(text).length > MAX_BODY) return new Response('Payload Too Large', { status: 413 });
    const result = await entry.route.handler({
      user: decision.user,
      auth: decision.auth,
      method: connection.method,
      query: new URLSearchParams(connection.query),
      connection,
      body: { contentType: request.headers.get('content-type') ?? undefined, text },
      ...(handle === undefined
        ? {}
        : {
            login: (user: BaseUser, data?: Record<string, unknown>) => login(connection, user, data),
            logout: () => logout(connection),
            session: sessionView(connection, () => csrfToken(connection)),
          }),
    });
    return finish(result.description !== undefined ? toResponse(result.description) : fromResult(result));
  };
}

/** The `_csrf` field of a urlencoded body, read from a clone. */
async function formToken(request: Request, field: string): Promise<string | undefined> {
  if (!isUrlencoded(request.headers.get('content-type') ?? undefined)) return undefined;
  return formField(request.headers.get('content-type') ?? undefined, await request.clone().text(), field);
}

/** Adds the session's `Set-Cookie` values, and `Cache-Control: no-store` with them. */
function withSessionCookies(response: Response, handle: WebSessionHandle | undefined): Response {
  const cookies = handle?.setCookies() ?? [];
  if (cookies.length === 0) return response;
  for (const cookie of cookies) response.headers.append('set-cookie', cookie);
  response.headers.set('cache-control', 'no-store');
  return response;
}

const MAX_BODY = 16 * 1024;

function notFound(): Response {
  return new Response('Not Found', { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' } });
}

function toResponse(response: ResponseDescription): Response {
  if (response.notFound) return notFound();
  const headers = new Headers();
  for (const [name, value] of Object.entries(response.headers)) {
    for (const v of typeof value === 'string' ? [value] : value) headers.append(name, v);
  }
  return new Response(response.body === '' ? null : response.body, { status: response.status, headers });
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

/** Serves a fetch handler on Node's http server (repeated request headers joined with `, `, as on the Web). */
export function serveFetch(handler: (request: Request) => Promise<Response>): Server {
  return createServer((req, res) => {
    answer(req, handler).then(
      async (response) => {
        const out: Record<string, string | string[]> = {};
        response.headers.forEach((value, name) => {
          out[name] = value;
        });
        const cookies = response.headers.getSetCookie();
        if (cookies.length > 0) out['set-cookie'] = cookies;
        res.writeHead(response.status, out);
        res.end(Buffer.from(await response.arrayBuffer()));
      },
      () => {
        res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Internal Server Error');
      },
    );
  });
}

async function answer(req: IncomingMessage, handler: (request: Request) => Promise<Response>): Promise<Response> {
  const headers = new Headers();
  for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const body = hasBody ? await readAll(req) : undefined;
  let request: Request;
  try {
    // Concatenated, not resolved: a target starting with `//` is a path, not a host.
    request = new Request(new URL(`http://reference.invalid${req.url ?? '/'}`), { method: req.method, headers, body: body as BodyInit | undefined });
  } catch {
    return new Response('Bad Request', { status: 400 });
  }
  return handler(request);
}

function readAll(req: IncomingMessage): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The reference adapter under test: `createApp` for the conformance runner. */
export function createReferenceServer(spec: AppSpec): Server {
  return serveFetch(referenceApp(spec));
}

export type { AuthCredentials, BaseUser, Connection };
