/**
 * Reference points for reading the figures: a no-op middleware that only sets the
 * user (the floor any authentication middleware starts from), a bisection of the
 * Express adapter's per-request work, and koa-session alone storing Portcullis's session
 * record (`koa/x-koa-session-big`, `-short`). Not part of `npm run bench`; run them with
 *
 *   node bench/dist/run.js --experiments --only x- --phases http
 *
 * Each variant reproduces the adapter's `authentication()` from @portcullis/* as of this
 * run, with the public core API, changing only what its name says.
 */
import type { Server } from 'node:http';
import type { Middleware } from 'koa';
import { expressServer, fastifyServer, greeting, honoServer, koaServer } from '../apps.js';
import type { BenchConfig, Framework } from '../config.js';
import { TOKEN, USER, checkPassword } from '../credentials.js';
import { tokenCredentials } from '../schemes.js';
import { koaWithSessions } from '../session-peers.js';
import { jsonBody, sessionCredentials } from '../sessions.js';

async function tokenAuthenticator() {
  const { tokenAuth, SimpleUser } = await import('@portcullis/core');
  const { createAuthenticator } = await import('@portcullis/core/adapter');
  const tokens = new Map([[TOKEN, new SimpleUser(USER)]]);
  return createAuthenticator({ backend: tokenAuth({ verify: (t) => tokens.get(t) ?? null }), mode: 'required' });
}

async function variant(framework: Framework, name: string): Promise<Server> {
  const { SimpleUser } = await import('@portcullis/core');
  const alice = new SimpleUser(USER);
  switch (`${framework}/${name}`) {
    case 'express/noop':
      return expressServer([(req, _res, next) => ((req as unknown as { user: unknown }).user = alice, next())], () => USER);
    case 'express/dict':
    case 'express/dict-res': {
      // The same two stores, with req turned into dictionary mode on the way (a temporary
      // property deleted): its later properties are hash inserts, and its (then shared)
      // dictionary map lets the inline caches of the loads that follow hit.
      const NORMALIZE = Symbol('normalize');
      const SECOND = Symbol('second');
      return expressServer([(req, res, next) => {
        const r = req as unknown as { user: unknown; auth: unknown; [NORMALIZE]?: unknown };
        r[NORMALIZE] = undefined;
        r.user = alice;
        delete r[NORMALIZE];
        r.auth = alice;
        if (name === 'dict-res') {
          // res too: two temporary properties, the first deleted (normalises), then the second.
          const s = res as unknown as Record<symbol, unknown>;
          s[NORMALIZE] = undefined;
          s[SECOND] = undefined;
          delete s[NORMALIZE];
          delete s[SECOND];
        }
        next();
      }], () => USER);
    }
    case 'koa/noop':
      return koaServer([(ctx, next) => ((ctx.state.user = alice), next())], () => USER);
    case 'hono/noop':
      return honoServer([async (c, next) => (c.set('user', alice), await next())], () => USER);
    case 'fastify/noop':
      // As the plugin registers itself: a request decoration and an `onRequest` callback hook.
      return fastifyServer(async (app) => {
        app.decorateRequest('user', null as never);
        app.addHook('onRequest', (request, _reply, next) => ((request as unknown as { user: unknown }).user = alice, next()));
      }, () => USER);

    case 'express/conn':
    case 'express/conn-run':
    case 'express/conn-run-auth': {
      // Bisecting the Express adapter's cost: the Connection, then the decision, then req.auth.
      const { toConnection } = await import('@portcullis/express');
      const authenticator = await tokenAuthenticator();
      let keep: unknown;
      return expressServer(
        [
          (req, _res, next) => {
            const connection = toConnection(req, authenticator.clock);
            keep = name === 'conn' ? connection : authenticator.run(connection);
            const r = req as unknown as Record<string, unknown>;
            r.user = alice;
            if (name === 'conn-run-auth') r.auth = (keep as { auth: unknown }).auth;
            next();
          },
        ],
        () => (keep === undefined ? '' : USER),
      );
    }
    case 'koa/conn':
    case 'koa/conn-run':
    case 'koa/conn-run-state': {
      // Bisecting the Koa adapter's cost the same way: the Connection, the decision, ctx.state.
      const { toConnection } = await import('@portcullis/koa');
      const authenticator = await tokenAuthenticator();
      let keep: unknown;
      return koaServer(
        [
          (ctx, next) => {
            const connection = toConnection(ctx, authenticator.clock);
            keep = name === 'conn' ? connection : authenticator.run(connection);
            const state = ctx.state as Record<string, unknown>;
            state.user = alice;
            if (name === 'conn-run-state') state.auth = (keep as { auth: unknown }).auth;
            return next();
          },
        ],
        () => (keep === undefined ? '' : USER),
      );
    }
  }
  throw new Error(`no experiment ${framework}/${name}`);
}

/**
 * koa-session alone with a one-line guard, as `koa/koa-session` (src/session-peers.ts:
 * in-memory external store, `signed: false`), but storing a record of the size and shape
 * Portcullis stores on Koa instead of `{ user: 'alice' }` (issue #17 item 4: how much of
 * the gap to the baseline is koa-session hashing a bigger record, `util.hash(toJSON())`
 * at load and at commit, rather than Portcullis's own work):
 *
 * - `big`: `{"portcullis:data":{"username":"alice","portcullis":{"c":…,"m":…,"s":0,"a":0}}}`
 *   (the namespace, the app's data, the compact login metadata as int32s);
 * - `short`: `{"p":{"username":"alice","_":"<c>.<m>.0.0"}}` (short keys, the metadata as
 *   one string: an upper bound of what a smaller stored format would give).
 */
async function koaSessionRecord(shape: 'big' | 'short'): Promise<Server> {
  const { createServer } = await import('node:http');
  const app = await koaWithSessions();
  const ns = shape === 'big' ? 'portcullis:data' : 'p';
  const routes: Middleware = async (ctx, next) => {
    if (ctx.method !== 'POST') return next();
    if (ctx.path === '/login') {
      const body = (await jsonBody(ctx.req).catch(() => undefined)) as { username?: unknown; password?: unknown } | undefined;
      const { username, password } = body ?? {};
      if (typeof username !== 'string' || typeof password !== 'string' || !checkPassword(username, password)) {
        ctx.status = 401;
        ctx.body = 'Unauthorized';
        return;
      }
      await ctx.session?.regenerate();
      const now = Date.now();
      const m = now % 1000 | 0;
      const c = ((now - m) / 1000) | 0;
      (ctx.session as unknown as Record<string, unknown>)[ns] =
        shape === 'big' ? { username, portcullis: { c, m, s: 0, a: 0 } } : { username, _: `${c}.${m}.0.0` };
      ctx.status = 204;
    } else if (ctx.path === '/logout') {
      ctx.session = null;
      ctx.status = 204;
    } else return next();
  };
  app.use(routes);
  app.use((ctx) => {
    const name = ((ctx.session as unknown as Record<string, { username?: string } | undefined> | null)?.[ns])?.username;
    if (name === undefined) {
      ctx.status = 401;
      ctx.body = 'Unauthorized';
    } else ctx.body = greeting(name);
  });
  return createServer(app.callback());
}

export function experimentConfigs(framework: Framework): BenchConfig[] {
  const base = { framework, library: 'experiment', path: null, status: 'ready' } as const;
  return [
    { ...base, id: `${framework}/x-noop`, name: 'experiment: no-op middleware (sets the user)', scheme: 'none', create: () => variant(framework, 'noop'), credentials: () => tokenCredentialsLoose() },
    ...(framework === 'express'
      ? (['conn', 'conn-run', 'conn-run-auth', 'dict', 'dict-res'] as const).map((v) => ({ ...base, id: `express/x-${v}`, name: `experiment: bisect ${v}`, scheme: 'token' as const, create: () => variant('express', v), credentials: () => tokenCredentialsLoose() }))
      : []),
    ...(framework === 'koa'
      ? [
          ...(['conn', 'conn-run', 'conn-run-state'] as const).map((v) => ({ ...base, id: `koa/x-${v}`, name: `experiment: bisect ${v}`, scheme: 'token' as const, create: () => variant('koa', v), credentials: () => tokenCredentialsLoose() })),
          ...(['big', 'short'] as const).map((v) => ({
            ...base,
            id: `koa/x-koa-session-${v}`,
            name: `experiment: koa-session alone storing Portcullis's record (${v === 'big' ? 'as stored' : 'short keys, metadata as one string'})`,
            scheme: 'session' as const,
            create: () => koaSessionRecord(v),
            credentials: (baseUrl: string) => sessionCredentials('koa', baseUrl),
          })),
        ]
      : []),
  ];
}

/** The no-op middleware accepts anything: only the valid-credential probe applies. */
function tokenCredentialsLoose() {
  const c = tokenCredentials();
  return { wire: c.wire, probes: c.probes.filter((p) => p.status === 200) };
}
