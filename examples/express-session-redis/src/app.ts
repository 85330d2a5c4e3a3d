import express, { type Express, type Request } from 'express';
import { SimpleUser, passwordBackend, safeNext, sessionAuth, type Hasher, type SessionEvent, type SessionStore } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { authentication, requires } from '@portcullis/express';
import { csrfToken, expressSessionStore, login, logout, sessionErrors, sessions, type ExpressSessionsOptions } from '@portcullis/express/sessions';

/** What the app needs from its host. */
export interface AppOptions {
  /** Where sessions live: a `RedisSessionStore` in production (any Portcullis store works). */
  readonly store: SessionStore;
  /** Signs the session cookie and CSRF tokens: 32+ random characters. */
  readonly secret: string;
  /** The one account of the demo. */
  readonly account: { readonly username: string; readonly password: string };
  /** `Secure` cookies (`__Host-id`). Off only for plain-HTTP development. Default true. */
  readonly secure?: boolean;
  /** Believe `X-Forwarded-Proto` from a TLS proxy in front. Default false. */
  readonly trustProxy?: boolean;
  /** Password hashing. Default PBKDF2-SHA256 with OWASP's 600,000 iterations. */
  readonly hasher?: Hasher;
  /** The session failure log (`session_insecure_transport`, `session_unknown_id`…). Default: one JSON line on stderr. */
  readonly log?: (event: SessionEvent) => void;
}

const AVOID = { avoid: ['/login', '/logout'] };

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body>${body}</body></html>`;
}

async function loginPage(req: Request, next: string, error?: string): Promise<string> {
  return page(
    'Log in',
    `<h1>Log in</h1>${error === undefined ? '' : `<p role="alert">${escapeHtml(error)}</p>`}` +
      `<form method="post" action="/login">` +
      `<label>User name <input name="username" autocomplete="username" required></label>` +
      `<label>Password <input name="password" type="password" autocomplete="current-password" required></label>` +
      `<input type="hidden" name="next" value="${escapeHtml(next)}">` +
      `<input type="hidden" name="_csrf" value="${escapeHtml(await csrfToken(req))}">` +
      `<button type="submit">Log in</button></form>`,
  );
}

const field = (value: unknown): string => (typeof value === 'string' ? value : '');

/**
 * The options `createApp` gives `sessions(...)`: exported so that the tests' session
 * source (`expressSessionLogin`) takes these very options instead of restating them.
 */
export function sessionOptions(options: AppOptions): ExpressSessionsOptions {
  return {
    secret: options.secret,
    store: expressSessionStore(options.store),
    cookie: { secure: options.secure ?? true },
    trustProxy: options.trustProxy ?? false,
    log: options.log ?? ((event) => console.error(JSON.stringify(event))),
  };
}

/** What the login route stores for a user: what `retrieveUser` reads back. */
export const sessionData = (user: SimpleUser): { username: string } => ({ username: user.username });

/**
 * A browser app on server-side sessions: `/account` is guarded (browsers are
 * sent to `/login?next=…`), the login form posts back with `next` and a CSRF
 * token, a successful login answers `303` to the validated `next` with a fresh
 * session id, and `POST /logout` destroys the session in Redis.
 */
export async function createApp(options: AppOptions): Promise<Express> {
  const hasher = options.hasher ?? pbkdf2Hasher();
  const account = { username: options.account.username, hash: await hasher.hash(options.account.password) };
  const passwords = passwordBackend<SimpleUser>({
    findUser: (username) => (username === account.username ? new SimpleUser(username) : null),
    passwordHashOf: () => account.hash,
    hasher,
  });

  const app = express();
  app.disable('x-powered-by');
  // Before sessions(): it reads the _csrf field of form posts.
  app.use(express.urlencoded({ extended: false, limit: '16kb' }));
  app.use(sessions(sessionOptions(options)));
  app.use(
    authentication(
      sessionAuth({
        retrieveUser: (session) => (session.username === account.username ? new SimpleUser(account.username) : null),
        mode: 'optional',
      }),
    ),
  );

  app.get('/', (req, res) => {
    res.type('html').send(
      page('Portcullis', req.user.isAuthenticated
        ? `<p>Signed in as ${escapeHtml(req.user.displayName)}. <a href="/account">Your account</a></p>`
        : `<p>Hello, you. <a href="/account">Your account</a></p>`),
    );
  });

  app.get('/login', async (req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(await loginPage(req, safeNext(req.query.next, '', AVOID)));
  });

  app.post('/login', async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const next = safeNext(field(body.next), '/account', AVOID);
    const user = await passwords.verifyCredentials(field(body.username), field(body.password));
    if (user === null) {
      res.status(401).set('Cache-Control', 'no-store').type('html').send(await loginPage(req, next, 'Wrong user name or password.'));
      return;
    }
    await login(req, user, sessionData(user));
    res.redirect(303, next);
  });

  app.get('/account', requires('authenticated', { redirect: '/login' }), async (req, res) => {
    res.set('Cache-Control', 'no-store').type('html').send(
      page(
        'Your account',
        `<h1>Hello, ${escapeHtml(req.user.displayName)}</h1>` +
          `<form method="post" action="/logout"><input type="hidden" name="_csrf" value="${escapeHtml(await csrfToken(req))}">` +
          `<button type="submit">Log out</button></form>`,
      ),
    );
  });

  app.post('/logout', async (req, res) => {
    await logout(req);
    res.redirect(303, '/login');
  });

  // login/logout failures (Redis down → 503, GET /logout → 405) get the core's answers.
  app.use(sessionErrors());
  return app;
}
