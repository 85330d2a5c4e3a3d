import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { BaseUser, SessionAuth, SessionStore, SimpleUser } from '@portcullis/core';
import type { MiddlewareHandler } from 'hono';
import type { RequestHandler } from 'express';
import type { Middleware } from 'koa';
import { expressServer, fastifyServer, greeting, honoServer } from './apps.js';
import type { Credentials, Framework, Probe } from './config.js';
import { PASSWORD, USER, WRONG_PASSWORD, checkPassword } from './credentials.js';

/**
 * "Portcullis session": server-side sessions on each framework, set up as
 * docs/sessions.md shows — the framework's own session system under Portcullis's
 * `sessions(...)` (Express: express-session with `expressSessionStore`; Koa:
 * koa-session with `koaSessionStore`; Hono and Fastify: the Web-standard sessions), the core's
 * `MemorySessionStore`, `authentication(sessionAuth({...}))` in `required` mode with
 * `/login` excluded, and `POST /login` (credentials checked with `checkPassword`)
 * calling the adapter's `login`. `credentials()` logs in once over HTTP and every
 * measured request is `GET /` with that session cookie.
 *
 * Per request: the cookie is read (Express: express-session's signature check,
 * `s:<id>.<hmac>`; Hono and Fastify: HMAC-SHA256, synchronous (core `hmacSha256`); Koa: a plain 256-bit id), the
 * session is read from the in-memory store (a JSON parse), `sessionAuth` checks the
 * timeouts and calls `retrieveUser` (a Map lookup, like the other configurations).
 * Nothing is written and no cookie is set: sessions do not roll per request; `seen` is
 * refreshed (one store write) at most once a minute (`touchInterval`).
 */

/** Signs the session cookies (Express, Hono) and CSRF tokens: ≥ 32 characters. */
export const SESSION_SECRET = 'portcullis-bench-session-secret-0123456789abcdef-not-a-real-secret';

/**
 * The cookie over plain HTTP on 127.0.0.1: `secure: false` explicitly (the documented
 * option; NODE_ENV is left alone), so the cookie is named `id` instead of `__Host-id`.
 */
const COOKIE = { secure: false } as const;
const COOKIE_NAME = 'id';

/** What the config note says about this configuration. */
export const SESSION_NOTE =
  'sessions(...) + sessionAuth, in-memory store (MemorySessionStore); per request: cookie check (Express: express-session ' +
  'signature, Hono: synchronous HMAC-SHA256, Koa: plain id), one store read, retrieveUser = Map lookup; not rolling: ' +
  'no Set-Cookie and no store write per request (`seen` refreshed at most once a minute)';

type Users = ReadonlyMap<string, SimpleUser>;

async function sessionParts(): Promise<{ users: Users; auth: SessionAuth<SimpleUser> }> {
  const { SimpleUser, sessionAuth } = await import('@portcullis/core');
  const users: Users = new Map([[USER, new SimpleUser(USER)]]);
  const auth = sessionAuth<SimpleUser>({
    retrieveUser: (session) => (typeof session.username === 'string' ? users.get(session.username) : undefined) ?? null,
    mode: 'required',
    exclude: ['/login'],
  });
  return { users, auth };
}

/** The user whose name and password the login body holds, or `undefined`. */
function verify(users: Users, body: unknown): SimpleUser | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const { username, password } = body as { username?: unknown; password?: unknown };
  if (typeof username !== 'string' || typeof password !== 'string') return undefined;
  return checkPassword(username, password) ? users.get(username) : undefined;
}

const MAX_BODY = 1024;

/** A small JSON body of a Node request (the login form); `undefined` when it is not one. */
export async function jsonBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_BODY) return undefined;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * Express 5 (`expressServer`, like every other configuration): `sessions` with
 * `expressSessionStore(new MemorySessionStore())`, `authentication(sessionAuth)`, then
 * the login/logout routes, then `GET /`. The routes are one middleware that looks at
 * method and path, so `GET /` pays a comparison, not a router.
 */
async function expressSessionServer(store: SessionStore): Promise<Server> {
  const { authentication } = await import('@portcullis/express');
  const { expressSessionStore, login, logout, sessionErrors, sessions } = await import('@portcullis/express/sessions');
  const { users, auth } = await sessionParts();
  const answerSessionError = sessionErrors();
  const routes: RequestHandler = (req, res, next) => {
    if (req.method !== 'POST') return next();
    const run = async (): Promise<void> => {
      if (req.path === '/login') {
        const user = verify(users, await jsonBody(req));
        if (user === undefined) {
          res.status(401).send('Unauthorized');
          return;
        }
        await login(req, user, { username: user.username });
        res.status(204).end();
      } else if (req.path === '/logout') {
        await logout(req);
        res.status(204).end();
      } else next();
    };
    run().catch((error: unknown) => answerSessionError(error, req, res, next));
  };
  return expressServer(
    [sessions({ secret: SESSION_SECRET, store: expressSessionStore(store), cookie: COOKIE }), authentication(auth), routes],
    // @types/passport (loaded for the peers) also declares req.user; read ours through BaseUser.
    (req) => (req.user as unknown as BaseUser).displayName,
  );
}

/**
 * Koa 3: `sessions(app, …)` needs the app itself (koa-session extends its context),
 * which `koaServer` does not expose, so this is `koaServer` spelled out: the same app
 * (`silent`), the middleware in order, the same final handler.
 */
async function koaSessionServer(store: SessionStore): Promise<Server> {
  const { default: Koa } = await import('koa');
  const { authentication } = await import('@portcullis/koa');
  const { koaSessionStore, login, logout, sessions } = await import('@portcullis/koa/sessions');
  const { users, auth } = await sessionParts();
  const app = new Koa();
  app.silent = true;
  app.use(sessions(app, { secret: SESSION_SECRET, store: koaSessionStore(store), cookie: COOKIE }));
  app.use(authentication(auth));
  // A SessionError thrown here is answered by sessions(...).
  const routes: Middleware = async (ctx, next) => {
    if (ctx.method !== 'POST') return next();
    if (ctx.path === '/login') {
      const user = verify(users, await jsonBody(ctx.req));
      if (user === undefined) {
        ctx.status = 401;
        ctx.body = 'Unauthorized';
        return;
      }
      await login(ctx, user, { username: user.username });
      ctx.status = 204;
    } else if (ctx.path === '/logout') {
      await logout(ctx);
      ctx.status = 204;
    } else return next();
  };
  app.use(routes);
  app.use((ctx) => {
    ctx.body = greeting((ctx.state.user as BaseUser).displayName);
  });
  return createServer(app.callback());
}

/** Hono 4 (`honoServer`): the Web-standard `sessions({ store })`, `authentication(sessionAuth)`, the routes, `GET /`. */
async function honoSessionServer(store: SessionStore): Promise<Server> {
  const { authentication, login, logout, sessions } = await import('@portcullis/hono');
  const { users, auth } = await sessionParts();
  // A SessionError thrown here is answered by sessions(...).
  const routes: MiddlewareHandler = async (c, next) => {
    if (c.req.method !== 'POST') return next();
    if (c.req.path === '/login') {
      const user = verify(users, await c.req.json<unknown>().catch(() => undefined));
      if (user === undefined) return c.text('Unauthorized', 401);
      await login(c, user, { username: user.username });
      return c.body(null, 204);
    }
    if (c.req.path === '/logout') {
      await logout(c);
      return c.body(null, 204);
    }
    return next();
  };
  return honoServer(
    [sessions({ secret: SESSION_SECRET, store, cookie: COOKIE }), authentication(auth), routes],
    (c) => (c.get('user') as BaseUser).displayName,
  );
}

/** Fastify 5 (`fastifyServer`): the Web-standard `sessions` plugin, `authentication` with sessionAuth, the routes, `GET /`. */
async function fastifySessionServer(store: SessionStore): Promise<Server> {
  const { authentication } = await import('@portcullis/fastify');
  const { login, logout, sessions } = await import('@portcullis/fastify/sessions');
  const { users, auth } = await sessionParts();
  return fastifyServer(async (app) => {
    // A small JSON login body; an empty one (POST /logout) is no body, not Fastify's 400.
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: MAX_BODY }, (_request, body, done) => {
      try {
        done(null, body === '' ? undefined : (JSON.parse(body as string) as unknown));
      } catch {
        done(null, undefined);
      }
    });
    await app.register(sessions, { secret: SESSION_SECRET, store, cookie: COOKIE });
    await app.register(authentication, auth);
    // A SessionError thrown here is answered by the sessions plugin.
    app.post('/login', async (request, reply) => {
      const user = verify(users, request.body);
      if (user === undefined) return reply.code(401).type('text/plain').send('Unauthorized');
      await login(request, user, { username: user.username });
      return reply.code(204).send();
    });
    app.post('/logout', async (request, reply) => {
      await logout(request);
      return reply.code(204).send();
    });
  }, (request) => (request.user as unknown as BaseUser).displayName);
}

/**
 * The session server of a framework. `store` defaults to a fresh `MemorySessionStore`
 * (what the bench measures); the smoke test passes one that counts writes.
 */
export async function sessionServer(framework: Framework, store?: SessionStore): Promise<Server> {
  const { MemorySessionStore } = await import('@portcullis/core');
  const sessionStore = store ?? new MemorySessionStore();
  switch (framework) {
    case 'express':
      return expressSessionServer(sessionStore);
    case 'koa':
      return koaSessionServer(sessionStore);
    case 'hono':
      return honoSessionServer(sessionStore);
    case 'fastify':
      return fastifySessionServer(sessionStore);
  }
}

/** Generous: under callgrind on a loaded machine the first login (cold code, valgrind) took over 5 s. */
const TIMEOUT_MS = 120_000;

/**
 * A same-origin POST as a browser's `fetch` from the app's own page sends it
 * (`Origin`, `Sec-Fetch-Site: same-origin`), so the CSRF check of `sessions(...)`
 * lets it through the documented way; `cookie` for requests within a session.
 */
async function post(baseUrl: string, path: string, body: unknown, cookie?: string): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: baseUrl,
      'sec-fetch-site': 'same-origin',
      ...(cookie === undefined ? {} : { cookie }),
    },
    body: body === undefined ? null : JSON.stringify(body),
    signal: AbortSignal.timeout(TIMEOUT_MS),
  });
}

/** `POST /login` with the bench's user; the session cookie it sets, as `id=<value>`. */
async function logIn(baseUrl: string, cookieName: string): Promise<string> {
  const res = await post(baseUrl, '/login', { username: USER, password: PASSWORD });
  await res.arrayBuffer();
  if (res.status !== 204) throw new Error(`session login: expected 204, got ${res.status}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith(`${cookieName}=`));
  if (cookie === undefined) throw new Error('session login: no session cookie in the answer');
  return cookie.split(';')[0] as string;
}

/**
 * The cookie with one character of the session id changed: for Express and Hono the
 * signature no longer matches (the id is never looked up), for Koa (plain id) it is an
 * id the store does not hold.
 */
function tampered(framework: Framework, cookie: string, cookieName: string): string {
  const value = decodeURIComponent(cookie.slice(cookieName.length + 1));
  const at = (framework === 'express' ? 's:'.length : 0) + 10;
  const changed = value.slice(0, at) + (value[at] === 'A' ? 'B' : 'A') + value.slice(at + 1);
  return `${cookieName}=${encodeURIComponent(changed)}`;
}

/**
 * `cookieName`: the session cookie's name (`id`; @hono/session's is `sid`). `baseUrl`: the
 * server's URL (only its origin is used).
 * Logs in once (the cookie every measured request sends), checks that a wrong password
 * is refused, and logs a second session in and out (its cookie, correctly signed, names
 * a session the store no longer holds). Probes: the session → 200 `Hello, alice`; the
 * tampered cookie, the logged-out cookie and no cookie → 401.
 */
export async function sessionCredentials(framework: Framework, baseUrl: string, cookieName = COOKIE_NAME): Promise<Credentials> {
  // The origin alone: callers pass `http://host:port/` (the callgrind harness) or without the
  // slash; `${baseUrl}/login` would otherwise be `//login`, and `Origin` must be an origin.
  baseUrl = new URL(baseUrl).origin;
  const refused = await post(baseUrl, '/login', { username: USER, password: WRONG_PASSWORD });
  await refused.arrayBuffer();
  if (refused.status !== 401) throw new Error(`session login with a wrong password: expected 401, got ${refused.status}`);

  const ended = await logIn(baseUrl, cookieName);
  const out = await post(baseUrl, '/logout', undefined, ended);
  await out.arrayBuffer();
  if (out.status !== 204) throw new Error(`session logout: expected 204, got ${out.status}`);

  const cookie = await logIn(baseUrl, cookieName);
  const valid = { cookie };
  const probes: Probe[] = [
    { label: 'valid session', headers: valid, status: 200, body: greeting(USER) },
    { label: 'tampered session cookie', headers: { cookie: tampered(framework, cookie, cookieName) }, status: 401 },
    { label: 'logged-out session cookie', headers: { cookie: ended }, status: 401 },
    { label: 'no credentials', headers: {}, status: 401 },
  ];
  return { wire: { headers: valid }, probes };
}
