import type { Server } from 'node:http';
import type { Request, RequestHandler, Response } from 'express';
import type { MiddlewareHandler } from 'hono';
import type Koa from 'koa';
import type { Middleware } from 'koa';
import { expressServer, greeting, honoServer } from './apps.js';
import type { BenchConfig, Framework } from './config.js';
import { USER, checkPassword } from './credentials.js';
import { SESSION_SECRET, jsonBody, sessionCredentials } from './sessions.js';

/**
 * What users would pick instead of Portcullis sessions (issue #17 item 4), each set up
 * as its README shows, and "the framework + its session middleware alone" with a
 * one-line guard: the baseline Portcullis session auth must keep 0.9 of. Every server
 * answers like the Portcullis session servers (src/sessions.ts), so the same
 * `sessionCredentials` logs in and probes them: `POST /login` (JSON, `checkPassword`)
 * → 204 and a session cookie, `POST /logout` → 204 and the session destroyed, `GET /`
 * → `Hello, alice` or 401. Sessions live in memory, as Portcullis's `MemorySessionStore`.
 *
 * Hono 4 has no session middleware of its own; `@hono/session` (honojs/middleware,
 * published 2026-06) is the maintained one: its cookie is a JWE (`dir`/A256GCM via
 * jose) holding the session id, the data in the session storage it documents. The
 * Hono baseline is therefore two rows: `@hono/session` alone, and Portcullis's own
 * Web `sessions(...)` alone (what `authentication(sessionAuth)` adds to is measured
 * directly).
 */

interface Named {
  readonly name: string;
}
const users = new Map<string, Named>([[USER, { name: USER }]]);

/** The user of a login body whose password checks out. */
async function loginUser(body: Promise<unknown>): Promise<Named | undefined> {
  const value = await body.catch(() => undefined);
  if (value === null || typeof value !== 'object') return undefined;
  const { username, password } = value as { username?: unknown; password?: unknown };
  return typeof username === 'string' && typeof password === 'string' && checkPassword(username, password) ? users.get(username) : undefined;
}

const unauthorized = (res: Response): void => void res.status(401).send('Unauthorized');
const COOKIE_NAME = 'id';

/** express-session as its README shows: in-memory store, `resave: false`, `saveUninitialized: false`. */
async function expressSession() {
  const { default: session } = await import('express-session');
  return session({
    name: COOKIE_NAME,
    secret: SESSION_SECRET,
    store: new session.MemoryStore(),
    resave: false,
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: false },
  });
}

/** Express routes for `POST /login` and `/logout`; `logIn`/`logOut` are the variant's. */
function expressRoutes(logIn: (req: Request, user: Named) => Promise<void>, logOut: (req: Request) => Promise<void>): RequestHandler {
  return (req, res, next) => {
    if (req.method !== 'POST') return next();
    const run = async (): Promise<void> => {
      if (req.path === '/login') {
        const user = await loginUser(jsonBody(req));
        if (user === undefined) return unauthorized(res);
        await logIn(req, user);
        res.status(204).end();
      } else if (req.path === '/logout') {
        await logOut(req);
        res.status(204).end();
      } else next();
    };
    run().catch(next);
  };
}

type ExpressSessionData = { user?: string };
const sessionOf = (req: Request) => req.session as typeof req.session & ExpressSessionData;
const promised = (f: (done: (err?: unknown) => void) => void): Promise<void> =>
  new Promise((resolve, reject) => f((err) => (err ? reject(err as Error) : resolve())));

async function expressPeer(slug: string): Promise<Server> {
  const session = await expressSession();
  if (slug === 'express-session') {
    // The baseline: express-session and a one-line guard; login regenerates the id (as Portcullis does).
    const routes = expressRoutes(
      async (req, user) => {
        await promised((done) => req.session.regenerate(done));
        sessionOf(req).user = user.name;
        await promised((done) => req.session.save(done));
      },
      (req) => promised((done) => req.session.destroy(done)),
    );
    const guard: RequestHandler = (req, res, next) => (sessionOf(req).user === undefined ? unauthorized(res) : next());
    return expressServer([session, routes, guard], (req) => sessionOf(req).user as string);
  }
  // passport's session strategy: serializeUser/deserializeUser (a Map lookup), req.login (which regenerates), req.isAuthenticated().
  const { Passport } = await import('passport');
  const passport = new Passport();
  passport.serializeUser((user, done) => done(null, (user as Named).name));
  passport.deserializeUser((name: string, done) => done(null, users.get(name) ?? false));
  const routes = expressRoutes(
    (req, user) => promised((done) => req.login(user as Express.User, done)),
    async (req) => {
      await promised((done) => req.logout(done));
      await promised((done) => req.session.destroy(done));
    },
  );
  const guard: RequestHandler = (req, res, next) => (req.isAuthenticated() ? next() : unauthorized(res));
  return expressServer([session, passport.initialize(), passport.session(), routes, guard], (req) => (req.user as unknown as Named).name);
}

/**
 * A Koa app with koa-session and an in-memory external store, `signed: false` like
 * Portcullis's Koa setup (the cookie holds a random id; the data stays server-side):
 * the session baseline, also used by the Koa session experiments.
 */
export async function koaWithSessions(): Promise<Koa> {
  const { default: KoaApp } = await import('koa');
  const { default: session } = await import('koa-session');
  const app = new KoaApp();
  app.silent = true;
  const sessions = new Map<string, unknown>();
  app.use(
    session(
      {
        key: COOKIE_NAME,
        signed: false,
        httpOnly: true,
        sameSite: 'lax',
        secure: false,
        store: {
          get: async (key: string) => sessions.get(key),
          set: async (key: string, value: unknown) => void sessions.set(key, value),
          destroy: async (key: string) => void sessions.delete(key),
        },
      },
      app,
    ),
  );
  return app;
}

/** koa-session alone with a one-line guard, or with koa-passport's session strategy. */
async function koaApp(withPassport: boolean): Promise<Server> {
  const { createServer } = await import('node:http');
  const app = await koaWithSessions();
  const passport = withPassport;
  if (withPassport) {
    const { default: koaPassport } = await import('koa-passport');
    const instance = new koaPassport.KoaPassport();
    instance.serializeUser((user: unknown, done: (err: unknown, id?: string) => void) => done(null, (user as Named).name));
    instance.deserializeUser((name: string, done: (err: unknown, user?: Named | false) => void) => done(null, users.get(name) ?? false));
    app.use(instance.initialize());
    app.use(instance.session());
  }
  const routes: Middleware = async (ctx, next) => {
    if (ctx.method !== 'POST') return next();
    if (ctx.path === '/login') {
      const user = await loginUser(jsonBody(ctx.req));
      if (user === undefined) {
        ctx.status = 401;
        ctx.body = 'Unauthorized';
        return;
      }
      await ctx.session?.regenerate();
      if (passport) await ctx.login(user);
      else (ctx.session as unknown as { user?: string }).user = user.name;
      ctx.status = 204;
    } else if (ctx.path === '/logout') {
      if (passport) await ctx.logout();
      ctx.session = null;
      ctx.status = 204;
    } else return next();
  };
  app.use(routes);
  const nameOf = (ctx: Parameters<Middleware>[0]): string | undefined =>
    passport ? (ctx.isAuthenticated() ? (ctx.state.user as Named).name : undefined) : (ctx.session as unknown as { user?: string } | null)?.user;
  app.use((ctx) => {
    const name = nameOf(ctx);
    if (name === undefined) {
      ctx.status = 401;
      ctx.body = 'Unauthorized';
    } else ctx.body = greeting(name);
  });
  return createServer(app.callback());
}

const HONO_SID = 'sid'; // @hono/session's cookie name (not configurable)
/** @hono/session wants 32 bytes, hex-encoded. */
const HONO_SECRET = '8f1c3a5e7b9d0f2a4c6e8b0d2f4a6c8e1b3d5f7a9c0e2b4d6f8a0c2e4b6d8f0a';

async function honoPeer(slug: string): Promise<Server> {
  if (slug === 'hono-session') {
    const { useSession, useSessionStorage } = await import('@hono/session');
    const stored = new Map<string, Record<string, unknown>>();
    const storage = useSessionStorage({
      get: (sid: string) => stored.get(sid) ?? null,
      set: (sid: string, value: Record<string, unknown>) => void stored.set(sid, value),
      delete: (sid: string) => void stored.delete(sid),
    });
    const routes: MiddlewareHandler = async (c, next) => {
      const session = c.var.session as { get(): Promise<{ user?: string } | null>; update(d: unknown): Promise<void>; delete(): void };
      if (c.req.method !== 'POST') {
        const data = await session.get();
        if (typeof data?.user !== 'string') return c.text('Unauthorized', 401);
        c.set('name', data.user);
        return next();
      }
      if (c.req.path === '/login') {
        const user = await loginUser(c.req.json<unknown>());
        if (user === undefined) return c.text('Unauthorized', 401);
        await session.get();
        session.delete(); // a new session id on login
        await session.update({ user: user.name });
        return c.body(null, 204);
      }
      if (c.req.path === '/logout') {
        await session.get(); // delete() removes the stored data only of a session it has read
        session.delete();
        return c.body(null, 204);
      }
      return next();
    };
    return honoServer([storage, useSession({ secret: HONO_SECRET, duration: { absolute: 86_400 } }), routes], (c) => c.get('name') as string);
  }
  // Portcullis's Web sessions alone: sessions(...) and a one-line guard reading the session data.
  const { MemorySessionStore, SimpleUser, sessionData } = await import('@portcullis/core');
  const { sessions, login, logout, toConnection } = await import('@portcullis/hono');
  const store = new MemorySessionStore();
  const routes: MiddlewareHandler = async (c, next) => {
    const connection = toConnection(c, Date.now);
    if (c.req.method !== 'POST') {
      const data = await sessionData(connection);
      if (typeof data?.user !== 'string') return c.text('Unauthorized', 401);
      c.set('name', data.user);
      return next();
    }
    if (c.req.path === '/login') {
      const user = await loginUser(c.req.json<unknown>());
      if (user === undefined) return c.text('Unauthorized', 401);
      await login(c, new SimpleUser(user.name), { user: user.name });
      return c.body(null, 204);
    }
    if (c.req.path === '/logout') {
      await logout(c);
      return c.body(null, 204);
    }
    return next();
  };
  return honoServer([sessions({ secret: SESSION_SECRET, store, cookie: { secure: false } }), routes], (c) => c.get('name') as string);
}

interface SessionPeerSpec {
  readonly slug: string;
  readonly library: string;
  readonly name: string;
  readonly baseline: boolean;
  readonly note: string;
  readonly cookie?: string;
}

const SPECS: Readonly<Partial<Record<Framework, readonly SessionPeerSpec[]>>> = {
  express: [
    { slug: 'express-session', library: 'express-session', name: 'express-session alone (one-line guard)', baseline: true, note: 'baseline: express-session (MemoryStore, resave: false, saveUninitialized: false) + `if (!req.session.user) 401`' },
    { slug: 'passport-session', library: 'passport', name: 'express-session + passport session', baseline: false, note: 'express-session as the baseline + passport.initialize(), passport.session(), deserializeUser = Map lookup, req.isAuthenticated()' },
  ],
  koa: [
    { slug: 'koa-session', library: 'koa-session', name: 'koa-session alone (one-line guard)', baseline: true, note: 'baseline: koa-session, in-memory external store, signed: false (as Portcullis) + a one-line guard' },
    { slug: 'koa-passport-session', library: 'koa-passport', name: 'koa-session + koa-passport session', baseline: false, note: 'koa-session as the baseline + koa-passport initialize() and session(), deserializeUser = Map lookup, ctx.isAuthenticated()' },
  ],
  hono: [
    { slug: 'hono-session', library: '@hono/session', name: '@hono/session (one-line guard)', baseline: false, cookie: HONO_SID, note: 'useSessionStorage (in-memory Map) + useSession: a JWE cookie (A256GCM, jose) holding the id; guard: session.get()' },
    { slug: 'portcullis-sessions-alone', library: 'portcullis-sessions', name: 'Portcullis Web sessions alone (one-line guard)', baseline: true, note: 'baseline: sessions(...) (MemorySessionStore, HMAC-SHA256 cookie) + a one-line guard reading sessionData; no authentication(sessionAuth)' },
  ],
};

/** The session peers and baselines of a framework (none for Fastify yet). */
export function sessionPeerConfigs(framework: Framework): BenchConfig[] {
  const create = { express: expressPeer, koa: (slug: string) => koaApp(slug === 'koa-passport-session'), hono: honoPeer, fastify: undefined }[framework];
  if (create === undefined) return [];
  return (SPECS[framework] ?? []).map((spec) => ({
    id: `${framework}/${spec.slug}`,
    framework,
    name: spec.name,
    scheme: 'session' as const,
    library: spec.library,
    path: null,
    note: spec.note,
    ...(spec.baseline ? { baseline: true } : {}),
    status: 'ready' as const,
    create: () => create(spec.slug),
    credentials: (baseUrl: string) => sessionCredentials(framework, baseUrl, spec.cookie),
  }));
}
