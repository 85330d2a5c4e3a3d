/**
 * Experiments behind the findings in bench/findings.md: variants of the adapters'
 * authentication step with one proposed change each, measured against the real
 * adapters in the same harness. Not part of `npm run bench`; run them with
 *
 *   node bench/dist/run.js --experiments --only x- --phases http
 *
 * Each variant reproduces the adapter's `authentication()` from @portcullis/* as of this
 * run, with the public core API, changing only what its name says.
 */
import type { Server } from 'node:http';
import type { AuthDecision, BaseUser, Connection } from '@portcullis/core';
import { expressServer, honoServer, koaServer, type HonoCtx } from '../apps.js';
import type { BenchConfig, Framework } from '../config.js';
import { TOKEN, USER, checkPassword } from '../credentials.js';
import { basicCredentials, tokenCredentials } from '../schemes.js';
import { hmacSha256 } from './hmac-sha256.js';

async function tokenAuthenticator() {
  const { createAuthenticator, tokenAuth, SimpleUser } = await import('@portcullis/core');
  const tokens = new Map([[TOKEN, new SimpleUser(USER)]]);
  return createAuthenticator({ backend: tokenAuth({ verify: (t) => tokens.get(t) ?? null }), mode: 'required' });
}

/** VerificationCache as proposed: HMAC computed synchronously, so a hit never leaves the call stack. */
async function syncCacheBasic() {
  const { basicAuth, SimpleUser } = await import('@portcullis/core');
  const mac = hmacSha256(crypto.getRandomValues(new Uint8Array(32)));
  const entries = new Map<string, { user: InstanceType<typeof SimpleUser>; expiresAt: number }>();
  const users = new Map([[USER, new SimpleUser(USER)]]);
  return basicAuth({
    realm: 'bench',
    verify: (username, password, connection) => {
      const now = connection.now();
      const id = mac(`${username.length}:${username}:${password}`);
      const hit = entries.get(id);
      if (hit !== undefined && now < hit.expiresAt) {
        entries.delete(id);
        entries.set(id, hit);
        return hit.user;
      }
      const user = checkPassword(username, password) ? users.get(username) : undefined;
      if (user !== undefined) entries.set(id, { user, expiresAt: now + 60_000 });
      return user ?? null;
    },
  });
}

const STATE = Symbol('portcullis.state');

async function variant(framework: Framework, name: string): Promise<Server> {
  const { SimpleUser } = await import('@portcullis/core');
  const alice = new SimpleUser(USER);
  switch (`${framework}/${name}`) {
    case 'express/noop':
      return expressServer([(req, _res, next) => ((req as unknown as { user: unknown }).user = alice, next())], () => USER);
    case 'koa/noop':
      return koaServer([(ctx, next) => ((ctx.state.user = alice), next())], () => USER);
    case 'hono/noop':
      return honoServer([async (c, next) => (c.set('user', alice), await next())], () => USER);

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
    case 'express/token-symbol': {
      const { toConnection } = await import('@portcullis/express');
      const authenticator = await tokenAuthenticator();
      return expressServer(
        [
          (req, res, next) => {
            const connection = toConnection(req, authenticator.clock);
            const decision = authenticator.run(connection) as AuthDecision<BaseUser>;
            if (decision.type === 'respond') return void res.status(decision.response.status).end(decision.response.body);
            const r = req as unknown as Record<string | symbol, unknown>;
            r.user = decision.user;
            r.auth = decision.auth;
            r[STATE] = connection; // instead of states.remember(req, …) in a WeakMap
            next();
          },
        ],
        (req) => (req.user as unknown as BaseUser).displayName,
      );
    }
    case 'koa/token-symbol': {
      const { toConnection } = await import('@portcullis/koa');
      const authenticator = await tokenAuthenticator();
      return koaServer(
        [
          (ctx, next) => {
            const connection = toConnection(ctx, authenticator.clock);
            const decision = authenticator.run(connection) as AuthDecision<BaseUser>;
            if (decision.type === 'respond') return void ((ctx.status = decision.response.status), (ctx.body = decision.response.body));
            ctx.state.user = decision.user;
            ctx.state.auth = decision.auth;
            (ctx as unknown as Record<symbol, Connection>)[STATE] = connection; // instead of the WeakMap
            return next();
          },
        ],
        (ctx) => (ctx.state.user as BaseUser).displayName,
      );
    }
    case 'hono/token-symbol':
    case 'hono/token-incoming': {
      const { toConnection } = await import('@portcullis/hono');
      const { connectionFromNode } = await import('@portcullis/node');
      const authenticator = await tokenAuthenticator();
      const incoming = name === 'token-incoming';
      return honoServer(
        [
          async (c: HonoCtx, next) => {
            // On @hono/node-server, c.env.incoming is the Node request: reading it avoids building an undici Headers per request.
            const node = (c.env as { incoming?: import('node:http').IncomingMessage } | undefined)?.incoming;
            const connection =
              incoming && node !== undefined ? connectionFromNode(node, node.url ?? '/', authenticator.clock) : toConnection(c, authenticator.clock);
            const decision = (await authenticator.run(connection)) as AuthDecision<BaseUser>;
            if (decision.type === 'respond') return c.text(decision.response.body, decision.response.status as 401);
            c.set('user', decision.user);
            c.set('auth', decision.auth);
            (c as unknown as Record<symbol, Connection>)[STATE] = connection; // instead of the WeakMap
            await next();
            return undefined;
          },
        ],
        (c) => (c.get('user') as BaseUser).displayName,
      );
    }
  }
  throw new Error(`no experiment ${framework}/${name}`);
}

async function syncCacheServer(framework: Framework): Promise<Server> {
  const { portcullisServer } = await import('../portcullis.js');
  return portcullisServer(framework, syncCacheBasic);
}

export function experimentConfigs(framework: Framework): BenchConfig[] {
  const base = { framework, library: 'experiment', path: null, status: 'ready' } as const;
  return [
    { ...base, id: `${framework}/x-noop`, name: 'experiment: no-op middleware (sets the user)', scheme: 'none', create: () => variant(framework, 'noop'), credentials: () => tokenCredentialsLoose() },
    { ...base, id: `${framework}/x-token-symbol`, name: 'experiment: Portcullis Token, state on a symbol instead of the WeakMap', scheme: 'token', create: () => variant(framework, 'token-symbol'), credentials: () => tokenCredentials() },
    ...(framework === 'express'
      ? (['conn', 'conn-run', 'conn-run-auth'] as const).map((v) => ({ ...base, id: `express/x-${v}`, name: `experiment: bisect ${v}`, scheme: 'token' as const, create: () => variant('express', v), credentials: () => tokenCredentialsLoose() }))
      : []),
    ...(framework === 'hono'
      ? [{ ...base, id: 'hono/x-token-incoming', name: 'experiment: Portcullis Token, Connection from c.env.incoming + symbol', scheme: 'token' as const, create: () => variant('hono', 'token-incoming'), credentials: () => tokenCredentials() }]
      : []),
    { ...base, id: `${framework}/x-basic-synccache`, name: 'experiment: Portcullis Basic, cache with synchronous HMAC (proposed)', scheme: 'basic', create: () => syncCacheServer(framework), credentials: () => basicCredentials() },
  ];
}

/** The no-op middleware accepts anything: only the valid-credential probe applies. */
function tokenCredentialsLoose() {
  const c = tokenCredentials();
  return { wire: c.wire, probes: c.probes.filter((p) => p.status === 200) };
}
