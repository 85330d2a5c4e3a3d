import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import { MemorySessionStore, sessionAuth, type Hasher, type SessionEvent, type SessionStore } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { authentication, type AuthState } from '@portcullis/koa';
import { assertCanLogin, koaSessionStore, login, logout, sessions } from '@portcullis/koa/sessions';
import { Users, type User } from './users.js';

/** What the app needs from its host. */
export interface AppOptions {
  /** Signs CSRF tokens: 32+ random characters, from the environment. */
  readonly secret: string;
  /** `Secure` cookies (`__Host-id`). Turn off only for plain-HTTP development. Default true. */
  readonly secure?: boolean;
  /** Believe `X-Forwarded-Proto` from a TLS proxy in front (`TRUST_PROXY`). Default false. */
  readonly trustProxy?: boolean;
  /** The session failure log (`session_insecure_transport`, `session_unknown_id`…). Default: one JSON line on stderr. */
  readonly log?: (event: SessionEvent) => void;
  /** Where sessions live. Default: in memory (one process). */
  readonly store?: SessionStore;
  /** Password hashing. Default PBKDF2-SHA256 with OWASP's 600,000 iterations. */
  readonly hasher?: Hasher;
}

const MAX_BODY = 16 * 1024;

/** Reads a small JSON body (Koa has no body parser of its own). */
async function json(ctx: Context): Promise<Record<string, unknown>> {
  if (!ctx.is('application/json')) return {};
  let text = '';
  for await (const chunk of ctx.req as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_BODY) ctx.throw(413);
  }
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

const text = (value: unknown): string | undefined => (typeof value === 'string' && value.length <= 1024 ? value : undefined);

/**
 * Litestar's SessionAuth example on Koa: `POST /signup` creates the user and the
 * session, `GET /user` returns it, `POST /login` checks the password,
 * `POST /logout` ends the session. Everything needs a session except `/login`,
 * `/signup` and `/schema`.
 */
export function createApp(options: AppOptions): Koa<AuthState<User>> {
  const users = new Users(options.hasher ?? pbkdf2Hasher());
  const app = new Koa<AuthState<User>>();
  const router = new Router<AuthState<User>>();

  app.use(
    sessions(app, {
      secret: options.secret,
      store: koaSessionStore(options.store ?? new MemorySessionStore()),
      cookie: { secure: options.secure ?? true },
      trustProxy: options.trustProxy ?? false,
      log: options.log ?? ((event) => console.error(JSON.stringify(event))),
    }),
  );
  app.use(
    authentication(
      sessionAuth({
        retrieveUser: (session) => users.byId(session.user_id),
        exclude: ['/login', '/signup', '/schema'],
      }),
    ),
  );

  router.post('/signup', async (ctx) => {
    const body = await json(ctx);
    const [name, email, password] = [text(body.name), text(body.email), text(body.password)];
    if (name === undefined || email === undefined || password === undefined || password.length < 8) {
      ctx.status = 400;
      ctx.body = { error: 'invalid_signup' };
      return;
    }
    // Refuse before creating the account when no session can be issued (plain HTTP
    // with Secure cookies: 403, logged), so a retry over HTTPS does not answer 409.
    assertCanLogin(ctx);
    const user = await users.create(name, email, password);
    if (user === null) {
      ctx.status = 409;
      ctx.body = { error: 'email_taken' };
      return;
    }
    await login(ctx, user, { user_id: user.id });
    ctx.status = 201;
    ctx.body = user;
  });

  router.post('/login', async (ctx) => {
    const body = await json(ctx);
    const user = await users.passwords.verifyCredentials(text(body.email) ?? '', text(body.password) ?? '');
    if (user === null) {
      ctx.status = 401;
      ctx.body = { error: 'unauthorized' };
      return;
    }
    await login(ctx, user, { user_id: user.id });
    ctx.body = user;
  });

  router.post('/logout', async (ctx) => {
    await logout(ctx);
    ctx.status = 204;
  });

  router.get('/user', (ctx) => {
    ctx.body = ctx.state.user;
  });

  router.get('/schema', (ctx) => {
    ctx.body = {
      openapi: '3.1.0',
      info: { title: 'My API', version: '1.0.0' },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: options.secure === false ? 'id' : '__Host-id' } } },
      security: [{ session: [] }],
    };
  });

  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
