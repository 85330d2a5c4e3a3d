import type { Server } from 'node:http';
import type { BasicVerifyFunction } from 'passport-http';
import { expressServer, fastifyServer, honoServer, koaServer } from './apps.js';
import type { BenchConfig, Credentials, Framework, Scheme } from './config.js';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, PASSWORD, USER, checkPassword } from './credentials.js';
import { basicCredentials, jwtCredentials } from './schemes.js';

/**
 * The peer middlewares, each set up as its README shows, for the same scheme and
 * the same credentials as Portcullis. Where a peer leaves the password check to the
 * app (Passport), it gets the same `checkPassword` as Portcullis Basic.
 */

interface Named {
  readonly name: string;
}
const users = new Map<string, Named>([[USER, { name: USER }]]);

const basicVerify: BasicVerifyFunction = (username, password, done) =>
  done(null, checkPassword(username, password) ? users.get(username) : false);

const jwtVerify = (payload: { sub?: string }, done: (err: unknown, user?: Named | false) => void): void =>
  done(null, typeof payload.sub === 'string' ? { name: payload.sub } : false);

async function expressPeer(slug: string): Promise<Server> {
  switch (slug) {
    case 'express-basic-auth': {
      const { default: basicAuth } = await import('express-basic-auth');
      return expressServer([basicAuth({ users: { [USER]: PASSWORD }, challenge: true, realm: 'bench' })], (req) =>
        (req as unknown as { auth: { user: string } }).auth.user,
      );
    }
    case 'passport-http': {
      const { Passport } = await import('passport');
      const { BasicStrategy } = await import('passport-http');
      const passport = new Passport();
      passport.use(new BasicStrategy(basicVerify));
      return expressServer([passport.initialize(), passport.authenticate('basic', { session: false })], (req) =>
        (req.user as unknown as Named).name,
      );
    }
    case 'passport-jwt': {
      const { Passport } = await import('passport');
      const { Strategy, ExtractJwt } = await import('passport-jwt');
      const passport = new Passport();
      passport.use(
        new Strategy(
          {
            jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
            secretOrKey: JWT_SECRET,
            algorithms: ['HS256'],
            issuer: JWT_ISSUER,
            audience: JWT_AUDIENCE,
          },
          jwtVerify,
        ),
      );
      return expressServer([passport.initialize(), passport.authenticate('jwt', { session: false })], (req) =>
        (req.user as unknown as Named).name,
      );
    }
    case 'express-jwt': {
      const { expressjwt } = await import('express-jwt');
      return expressServer([expressjwt({ secret: JWT_SECRET, algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE })], (req) =>
        (req as unknown as { auth: { sub: string } }).auth.sub,
      );
    }
  }
  throw new Error(`unknown Express peer ${slug}`);
}

async function koaPeer(slug: string): Promise<Server> {
  switch (slug) {
    case 'koa-basic-auth': {
      const { default: auth } = await import('koa-basic-auth');
      // koa-basic-auth checks one fixed user and does not say who it was.
      return koaServer([auth({ name: USER, pass: PASSWORD, realm: 'bench' })], () => USER);
    }
    case 'koa-passport': {
      const { default: koaPassport } = await import('koa-passport');
      const { BasicStrategy } = await import('passport-http');
      const passport = new koaPassport.KoaPassport();
      passport.use(new BasicStrategy(basicVerify));
      return koaServer([passport.initialize(), passport.authenticate('basic', { session: false })], (ctx) =>
        (ctx.state.user as Named).name,
      );
    }
    case 'koa-jwt': {
      const { default: jwt } = await import('koa-jwt');
      return koaServer([jwt({ secret: JWT_SECRET, algorithms: ['HS256'], issuer: JWT_ISSUER, audience: JWT_AUDIENCE })], (ctx) => (ctx.state.user as { sub: string }).sub);
    }
  }
  throw new Error(`unknown Koa peer ${slug}`);
}

async function honoPeer(slug: string): Promise<Server> {
  switch (slug) {
    case 'hono/basic-auth': {
      const { basicAuth } = await import('hono/basic-auth');
      // Like koa-basic-auth: fixed users, the handler is not told which one.
      return honoServer([basicAuth({ username: USER, password: PASSWORD, realm: 'bench' })], () => USER);
    }
    case 'hono/jwt': {
      const { jwt } = await import('hono/jwt');
      return honoServer([jwt({ secret: JWT_SECRET, alg: 'HS256', verification: { iss: JWT_ISSUER, aud: JWT_AUDIENCE, typ: 'at+jwt' } })], (c) => (c.get('jwtPayload') as { sub: string }).sub);
    }
  }
  throw new Error(`unknown Hono peer ${slug}`);
}

async function fastifyPeer(slug: string): Promise<Server> {
  switch (slug) {
    case '@fastify/basic-auth': {
      const { default: basicAuth } = await import('@fastify/basic-auth');
      // As its README shows: validate, then the onRequest hook; like koa-basic-auth, the handler is not told who.
      return fastifyServer(async (app) => {
        await app.register(basicAuth, {
          authenticate: { realm: 'bench' },
          validate: async (username, password) => {
            if (!checkPassword(username, password)) throw new Error('Unauthorized');
          },
        });
        app.addHook('onRequest', app.basicAuth);
      }, () => USER);
    }
    case '@fastify/jwt': {
      const { default: fastifyJwt } = await import('@fastify/jwt');
      return fastifyServer(async (app) => {
        await app.register(fastifyJwt, { secret: JWT_SECRET, verify: { algorithms: ['HS256'], allowedIss: JWT_ISSUER, allowedAud: JWT_AUDIENCE } });
        app.addHook('onRequest', async (request) => {
          await request.jwtVerify(); // a failure is answered by Fastify with its 401
        });
      }, (request) => (request.user as unknown as { sub: string }).sub);
    }
  }
  throw new Error(`unknown Fastify peer ${slug}`);
}

interface PeerSpec {
  readonly library: string;
  readonly name: string;
  readonly scheme: Scheme;
  readonly note?: string;
}

const PEERS: Readonly<Record<Framework, readonly PeerSpec[]>> = {
  express: [
    { library: 'express-basic-auth', name: 'express-basic-auth', scheme: 'basic', note: 'users map, challenge: true' },
    { library: 'passport-http', name: 'passport + passport-http Basic', scheme: 'basic', note: 'BasicStrategy with the same checkPassword, session: false' },
    { library: 'passport-jwt', name: 'passport + passport-jwt', scheme: 'jwt', note: 'fromAuthHeaderAsBearerToken, HS256, issuer + audience checked, session: false' },
    { library: 'express-jwt', name: 'express-jwt', scheme: 'jwt', note: 'HS256, issuer + audience checked' },
  ],
  koa: [
    { library: 'koa-basic-auth', name: 'koa-basic-auth', scheme: 'basic', note: 'one fixed user (tsscmp compare)' },
    { library: 'koa-passport', name: 'koa-passport + passport-http Basic', scheme: 'basic', note: 'BasicStrategy with the same checkPassword, session: false' },
    { library: 'koa-jwt', name: 'koa-jwt', scheme: 'jwt', note: 'HS256, issuer + audience checked' },
  ],
  hono: [
    { library: 'hono/basic-auth', name: 'hono/basic-auth', scheme: 'basic', note: 'username/password options' },
    { library: 'hono/jwt', name: 'hono/jwt', scheme: 'jwt', note: 'HS256, iss + aud + typ checked' },
  ],
  fastify: [
    { library: '@fastify/basic-auth', name: '@fastify/basic-auth', scheme: 'basic', note: 'validate with the same checkPassword, onRequest hook' },
    { library: '@fastify/jwt', name: '@fastify/jwt', scheme: 'jwt', note: 'HS256, allowedIss + allowedAud checked, request.jwtVerify() in onRequest' },
  ],
};

const slugOf = (library: string): string => library.replace(/^@/, '').replace(/\//g, '-');

export function peerConfigs(framework: Framework): BenchConfig[] {
  const create = { express: expressPeer, koa: koaPeer, hono: honoPeer, fastify: fastifyPeer }[framework];
  const configs: BenchConfig[] = [];
  for (const peer of PEERS[framework]) {
    const paths = peer.scheme === 'jwt' ? (['hot', 'cold'] as const) : ([null] as const);
    for (const path of paths) {
      configs.push({
        id: `${framework}/${slugOf(peer.library)}${path ? `-${path}` : ''}`,
        framework,
        name: path ? `${peer.name} (${path})` : peer.name,
        scheme: peer.scheme,
        library: peer.library,
        path,
        ...(peer.note === undefined ? {} : { note: peer.note }),
        status: 'ready',
        create: () => create(peer.library),
        credentials: (): Credentials => (peer.scheme === 'jwt' ? jwtCredentials(path ?? 'hot') : basicCredentials()),
      });
    }
  }
  return configs;
}
