import Koa, { type Context } from 'koa';
import Router from '@koa/router';
import { MemorySessionStore, sessionAuth, type Hasher, type SessionEvent, type SessionStore } from '@portcullis/core';
import { isHashingError, passwordPolicy, pbkdf2Hasher, type BreachedPasswordCheck } from '@portcullis/core/hashing';
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
  /** New passwords (signup, change) must have at least this many characters. Default 8 (ASVS 5.0 6.2.1); 15 is recommended. */
  readonly minPasswordLength?: number;
  /** A breached-password list new passwords are checked against (`breachedPasswordFile` of `@portcullis/hashers`). Default: none. */
  readonly breached?: BreachedPasswordCheck;
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

/** Answers a refusal with its stable code (the policy's, the hasher's, or the app's own); nothing has been written. */
function refuse(ctx: Context, status: number, error: string): void {
  ctx.status = status;
  ctx.body = { error };
}

/**
 * Litestar's SessionAuth example on Koa: `POST /signup` creates the user and the
 * session, `GET /user` returns it, `POST /login` checks the password,
 * `POST /password` changes it (ending the user's other sessions; `409` when a
 * concurrent change made with the same old password won), `POST /logout` ends the
 * session. Everything needs a session except `/login`, `/signup` and `/schema`. New
 * passwords go through `passwordPolicy`: a refusal is `422` (`400`, `503`) with the
 * policy's code, and changes nothing.
 */
export function createApp(options: AppOptions): Koa<AuthState<User>> {
  const hasher = options.hasher ?? pbkdf2Hasher();
  const users = new Users(hasher);
  // #region policy
  const policy = passwordPolicy({
    hasher, // the maximum is what this hasher takes; one that reads under 256 bytes (plain bcrypt) throws here
    minLength: options.minPasswordLength ?? 8,
    contextWords: ['portcullis'],
    ...(options.breached === undefined ? {} : { breached: options.breached }),
  });

  /** Hashes a new password that passed the policy; `null` after answering 422 when the hasher refuses it (a rule of its own, such as no NUL). */
  async function hashNew(ctx: Context, password: string): Promise<string | null> {
    try {
      return await hasher.hash(password);
    } catch (error) {
      if (!isHashingError(error) || error.code === 'hash_failed') throw error;
      refuse(ctx, 422, error.code);
      return null;
    }
  }
  // #endregion policy
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
        // A password change ends every session logged in before it (ASVS 5.0 7.4.3).
        validAfter: (user) => user.passwordChangedAt,
        exclude: ['/login', '/signup', '/schema'],
      }),
    ),
  );

  // #region signup
  router.post('/signup', async (ctx) => {
    const body = await json(ctx);
    const [name, email, password] = [text(body.name), text(body.email), body.password];
    if (name === undefined || email === undefined || typeof password !== 'string') {
      refuse(ctx, 400, 'invalid_signup');
      return;
    }
    // The length cap comes first, so a huge password costs nothing (PWD-12).
    const verdict = await policy.check(password, { user: [name, email] });
    if (!verdict.ok) {
      refuse(ctx, verdict.status, verdict.code);
      return;
    }
    // Refuse before creating the account when no session can be issued (plain HTTP
    // with Secure cookies: 403, logged), so a retry over HTTPS does not answer 409.
    assertCanLogin(ctx);
    const passwordHash = await hashNew(ctx, password);
    if (passwordHash === null) return;
    const user = users.create(name, email, passwordHash);
    if (user === null) {
      refuse(ctx, 409, 'email_taken');
      return;
    }
    await login(ctx, user, { user_id: user.id });
    ctx.status = 201;
    ctx.body = user.toJSON(); // { id, name, email }: never the hash
  });
  // #endregion signup

  router.post('/login', async (ctx) => {
    const body = await json(ctx);
    // The backend refuses a password over 1024 bytes before any lookup or hashing (PWD-12).
    const password = typeof body.password === 'string' ? body.password : '';
    const user = await users.passwords.verifyCredentials(text(body.email) ?? '', password);
    if (user === null) {
      ctx.status = 401;
      ctx.body = { error: 'unauthorized' };
      return;
    }
    await login(ctx, user, { user_id: user.id });
    ctx.body = user;
  });

  // ASVS 5.0 6.2.3: the current password and the new one. The new one goes through the
  // policy first, so a refused one has verified and written nothing. A wrong current
  // password writes nothing either; a right one may have its outdated hash upgraded on
  // the way (onRehash: the same password), even when the change then fails.
  router.post('/password', async (ctx) => {
    const body = await json(ctx);
    const [current, next] = [text(body.current), body.password];
    // Authentication is required here, so the user is one of ours.
    const user = ctx.state.user as User;
    if (current === undefined || typeof next !== 'string') {
      refuse(ctx, 400, 'invalid_password_change');
      return;
    }
    const verdict = await policy.check(next, { user: [user.name, user.email] });
    if (!verdict.ok) {
      refuse(ctx, verdict.status, verdict.code);
      return;
    }
    // The hash the current password was checked against: the change only lands if it is
    // still the stored one, so of two changes made with the same old password, one wins.
    const expected = await users.verifiedHash(user, current);
    if (expected === null) {
      refuse(ctx, 403, 'wrong_password');
      return;
    }
    const passwordHash = await hashNew(ctx, next);
    if (passwordHash === null) return;
    const changed = users.changePassword(user.id, passwordHash, expected);
    if (changed === null) {
      refuse(ctx, 409, 'password_changed_concurrently');
      return;
    }
    // The user's other sessions are ended (validAfter); this one gets a new id.
    await login(ctx, changed, { user_id: changed.id });
    ctx.status = 204;
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
