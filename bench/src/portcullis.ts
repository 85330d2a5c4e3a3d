import type { Server } from 'node:http';
import type { AuthenticationBackend, BaseUser } from '@portcullis/core';
import { expressServer, fastifyServer, honoServer, koaServer } from './apps.js';
import type { BenchConfig, Framework } from './config.js';
import { timingSafeEqual } from 'node:crypto';
import type { Hasher, ThrottleStore } from '@portcullis/core';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, PASSWORD, TOKEN, USER, checkPassword, sha256 } from './credentials.js';
import { hooks } from './hooks.js';
import { basicCredentials, jwtCredentials, tokenCredentials } from './schemes.js';

type Backend = AuthenticationBackend<BaseUser>;

/**
 * Mounts a Portcullis backend on a framework the way the README shows, in
 * `required` mode (anonymous requests get 401 with the challenge, as every peer
 * answers them), in front of the same `GET /` as the bare server.
 */
export async function portcullisServer(framework: Framework, backend: () => Promise<Backend>): Promise<Server> {
  const b = await backend();
  switch (framework) {
    case 'express': {
      const { authentication } = await import('@portcullis/express');
      // @types/passport (loaded for the peers) also declares req.user; read ours through BaseUser.
      return expressServer([authentication({ backend: b, mode: 'required' })], (req) => (req.user as unknown as BaseUser).displayName);
    }
    case 'koa': {
      const { authentication } = await import('@portcullis/koa');
      return koaServer([authentication({ backend: b, mode: 'required' })], (ctx) => (ctx.state.user as BaseUser).displayName);
    }
    case 'hono': {
      const { authentication } = await import('@portcullis/hono');
      return honoServer([authentication({ backend: b, mode: 'required' })], (c) => (c.get('user') as BaseUser).displayName);
    }
    case 'fastify': {
      const { authentication } = await import('@portcullis/fastify');
      // @fastify/jwt (loaded for its peer row) also declares request.user; read ours through BaseUser.
      return fastifyServer(async (app) => void (await app.register(authentication, { backend: b, mode: 'required' })), (request) => (request.user as unknown as BaseUser).displayName);
    }
  }
}

/** The stand-in for the verification cache: `basicAuth` over the constant-time map check. */
async function basicMapBackend(): Promise<Backend> {
  const { basicAuth, SimpleUser } = await import('@portcullis/core');
  const users = new Map([[USER, new SimpleUser(USER)]]);
  return basicAuth({ realm: 'bench', verify: (username, password) => (checkPassword(username, password) ? users.get(username) : null) });
}

/**
 * The same check as `checkPassword` (SHA-256 + `timingSafeEqual`) as a `Hasher`, so a
 * `passwordBackend` verifies what `basicAuth`'s map verify does; on a cache hit neither runs.
 */
const SHA256_PREFIX = 'bench-sha256$';
const benchHasher: Hasher = {
  id: 'bench-sha256',
  hash: async (password) => SHA256_PREFIX + sha256(password).toString('hex'),
  verify: async (password, stored) => {
    const expected = Buffer.from(stored.slice(SHA256_PREFIX.length), 'hex');
    return { ok: expected.length === 32 && timingSafeEqual(sha256(password), expected), needsRehash: false };
  },
  identifies: (stored) => stored.startsWith(SHA256_PREFIX),
};

/**
 * "Portcullis Basic (cache hit) + throttling": `passwordBackend` with the same cache and a
 * `loginThrottle` over a `MemoryThrottleStore`. A hit answers from the cache before the
 * throttle is consulted, so this should cost what "Portcullis Basic (cache hit)" costs.
 */
export async function basicCacheThrottledBackend(store?: ThrottleStore): Promise<Backend> {
  const { passwordBackend, loginThrottle, MemoryThrottleStore, SimpleUser, VerificationCache } = await import('@portcullis/core');
  const alice = { user: new SimpleUser(USER), hash: await benchHasher.hash(PASSWORD) };
  return passwordBackend({
    realm: 'bench',
    cache: new VerificationCache<InstanceType<typeof SimpleUser>>(),
    throttle: loginThrottle({ store: store ?? new MemoryThrottleStore() }),
    hasher: benchHasher,
    findUser: (username) => (username === USER ? alice.user : null),
    passwordHashOf: () => alice.hash,
  });
}

async function tokenBackend(): Promise<Backend> {
  const { tokenAuth, SimpleUser } = await import('@portcullis/core');
  const tokens = new Map([[TOKEN, new SimpleUser(USER)]]);
  return tokenAuth({ verify: (token) => tokens.get(token) ?? null });
}

export function portcullisConfigs(framework: Framework): BenchConfig[] {
  const base = { framework, library: 'portcullis' } as const;
  const configs: BenchConfig[] = [];

  const cache = hooks.basicCache;
  const cacheCommon = { ...base, id: `${framework}/portcullis-basic-cache`, name: 'Portcullis Basic (cache hit)', scheme: 'basic', path: null } as const;
  if (cache === undefined) configs.push({ ...cacheCommon, status: 'not-built', note: 'the verification cache is not wired in (hooks.basicCache)' });
  else {
    configs.push({
      ...cacheCommon,
      status: 'ready',
      note: 'basicAuth with a VerificationCache: every request after the first is a cache hit, verify is not called',
      create: () => portcullisServer(framework, cache),
      credentials: () => basicCredentials(),
    });
  }

  configs.push({
    ...base,
    id: `${framework}/portcullis-basic-cache-throttle`,
    status: 'ready',
    name: 'Portcullis Basic (cache hit) + throttling',
    scheme: 'basic',
    path: null,
    note: 'passwordBackend with the same VerificationCache and loginThrottle({ store: new MemoryThrottleStore() }): a hit never reaches the throttle; compare with "Portcullis Basic (cache hit)"',
    create: () => portcullisServer(framework, () => basicCacheThrottledBackend()),
    credentials: () => basicCredentials(),
  });

  configs.push({
    ...base,
    id: `${framework}/portcullis-basic-map`,
    status: 'ready',
    name: 'Portcullis Basic (map verify)',
    scheme: 'basic',
    path: null,
    note: 'basicAuth, no cache; verify = SHA-256 + crypto.timingSafeEqual against an in-memory map (the stand-in for the cache before it landed)',
    create: () => portcullisServer(framework, basicMapBackend),
    credentials: () => basicCredentials(),
  });

  configs.push({
    ...base,
    id: `${framework}/portcullis-token`,
    status: 'ready',
    name: 'Portcullis Token',
    scheme: 'token',
    path: null,
    note: 'tokenAuth, verify = Map lookup',
    create: () => portcullisServer(framework, tokenBackend),
    credentials: () => tokenCredentials(),
  });

  const jwt = hooks.jwt;
  for (const path of ['hot', 'cold'] as const) {
    const common = { ...base, id: `${framework}/portcullis-jwt-${path}`, name: `Portcullis JWT HS256 (${path})`, scheme: 'jwt', path } as const;
    if (jwt === undefined) configs.push({ ...common, status: 'not-built', note: 'the JWT backend is not built yet (hooks.jwt)' });
    else {
      configs.push({
        ...common,
        status: 'ready',
        create: () => portcullisServer(framework, () => jwt({ secret: JWT_SECRET, issuer: JWT_ISSUER, audience: JWT_AUDIENCE, path })),
        credentials: () => jwtCredentials(path),
      });
    }
  }

  const session = hooks.session;
  const sessionCommon = { ...base, id: `${framework}/portcullis-session`, name: 'Portcullis session', scheme: 'session', path: null } as const;
  if (session === undefined) configs.push({ ...sessionCommon, status: 'not-built', note: 'sessions are not built yet (hooks.session)' });
  else {
    configs.push({
      ...sessionCommon,
      status: 'ready',
      ...(session.note === undefined ? {} : { note: session.note }),
      create: () => session.create(framework),
      credentials: (baseUrl) => session.credentials(framework, baseUrl),
    });
  }
  return configs;
}
