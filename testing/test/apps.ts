// The same small app on every adapter, for the kit's tests: sessions over a given
// store and secret, `GET /me` for the session's user (required mode), `POST /logout`.
import type { RequestListener, Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import Koa from 'koa';
import { SimpleUser, sessionAuth, type SessionData, type SessionStore } from '@portcullis/core';
import * as ex from '@portcullis/express';
import * as exs from '@portcullis/express/sessions';
import * as fa from '@portcullis/fastify';
import * as fas from '@portcullis/fastify/sessions';
import * as fe from '@portcullis/fetch';
import * as ho from '@portcullis/hono';
import * as ko from '@portcullis/koa';
import * as kos from '@portcullis/koa/sessions';

/** The accounts the apps know: a session holding `{ userId }` of one of them is that user. */
export const ACCOUNTS = new Map([['u1', new SimpleUser('alice')], ['u2', new SimpleUser('bob')]]);
export const ALICE = ACCOUNTS.get('u1')!;
/** What the apps' login routes store, and so what the kit must store. */
export const dataOf = (user: SimpleUser): SessionData => ({ userId: [...ACCOUNTS].find(([, u]) => u === user)?.[0] });

const backend = () =>
  sessionAuth({ retrieveUser: (session: { userId?: unknown }) => (typeof session.userId === 'string' ? ACCOUNTS.get(session.userId) : undefined) });

/** Session options an app and the kit share. */
export interface SessionSetup {
  readonly store: SessionStore;
  readonly secret: string;
  readonly clock?: () => number;
  readonly idleTimeout?: number;
  /** Secure `__Host-id` cookies behind a TLS proxy (`trustProxy`), as in production. Default false. */
  readonly secure?: boolean;
}

export type Adapter = 'express' | 'koa' | 'hono' | 'fastify' | 'fetch';

/** The app for `adapter` as something supertest can send requests to. */
export async function sessionApp(adapter: Adapter, setup: SessionSetup): Promise<RequestListener | Server> {
  const { secure = false, ...rest } = setup;
  const options = { ...rest, cookie: { secure }, trustProxy: secure, log: () => {} };
  switch (adapter) {
    case 'express': {
      const app = express();
      app.use(exs.sessions({ ...options, store: exs.expressSessionStore(setup.store) }));
      app.use(ex.authentication(backend()));
      app.get('/me', (req, res) => void res.json({ user: req.user.displayName }));
      app.post('/logout', async (req, res) => {
        await exs.logout(req);
        res.status(204).end();
      });
      return app;
    }
    case 'koa': {
      const app = new Koa<ko.AuthState>();
      app.use(kos.sessions(app, { ...options, store: kos.koaSessionStore(setup.store) }));
      app.use(ko.authentication(backend()));
      app.use(async (ctx) => {
        if (ctx.method === 'GET' && ctx.path === '/me') ctx.body = { user: ctx.state.user.displayName };
        else if (ctx.method === 'POST' && ctx.path === '/logout') {
          await kos.logout(ctx);
          ctx.status = 204;
        }
      });
      return app.callback();
    }
    case 'hono': {
      const app = new Hono<ho.AuthEnv>();
      app.use(ho.sessions(options));
      app.use(ho.authentication(backend()));
      app.get('/me', (c) => c.json({ user: c.var.user.displayName }));
      app.post('/logout', async (c) => {
        await ho.logout(c);
        return c.body(null, 204);
      });
      return createAdaptorServer({ fetch: app.fetch }) as Server;
    }
    case 'fastify': {
      const app = Fastify();
      await app.register(fas.sessions, options);
      await app.register(fa.authentication, backend());
      app.get('/me', async (request) => ({ user: request.user.displayName }));
      app.post('/logout', async (request, reply) => {
        await fas.logout(request);
        return reply.status(204).send();
      });
      await app.ready();
      return app.server;
    }
    case 'fetch': {
      const handler = fe.withAuth(
        async (request, { user }) => {
          const { pathname } = new URL(request.url);
          if (request.method === 'GET' && pathname === '/me') return Response.json({ user: user.displayName });
          if (request.method === 'POST' && pathname === '/logout') {
            await fe.logout(request);
            return new Response(null, { status: 204 });
          }
          return new Response('Not Found', { status: 404 });
        },
        { ...backend(), sessions: options },
      );
      return createAdaptorServer({ fetch: handler }) as Server;
    }
  }
}
