/**
 * The login storm's servers (issue #16 item 2, #17 target 5), run by `server.js login/<variant>`:
 * an Express 5 app whose `POST /login` checks a form's username and password against
 * one argon2id hash at OWASP's defaults (m=19 MiB, t=2, p=1):
 *
 * - `portcullis-bounded`: `passwordBackend(...).verifyCredentials` over `argon2idHasher()`,
 *   bounded by default (libuv's pool size at once, four times that in line, then 503 +
 *   `Retry-After` from the core's table);
 * - `portcullis-bounded-cores`: bounded to the CPUs the process may use
 *   (`availableParallelism()`, 1 when pinned), four times that in line;
 * - `portcullis-unbounded`: the same with `argon2idHasher({ bound: false })`;
 * - `passport-local`: `passport.authenticate('local', { session: false })`, its verify
 *   callback calling the same unbounded argon2id hasher (what a Passport app would write).
 *
 * Every variant answers 200 `Hello, <user>` or 401.
 */
import { createServer, type Server } from 'node:http';
import { availableParallelism } from 'node:os';
import { passwordBackend, SimpleUser } from '@portcullis/core';
import { responseFor } from '@portcullis/core/adapter';
import { sendDescription, toConnection } from '@portcullis/express';
import { argon2idHasher } from '@portcullis/hashers';
import { greeting } from './apps.js';
import { LOGIN_PASSWORD, LOGIN_USER, type LoginVariant } from './login.js';

/** The login storm's Express app for `variant`, not yet listening. */
export async function loginServer(variant: LoginVariant): Promise<Server> {
  const { default: express } = await import('express');
  // The server is pinned to one core: availableParallelism() is 1 there (it counts the CPUs the process may use).
  const bound = variant === 'portcullis-bounded' ? undefined : variant === 'portcullis-bounded-cores' ? { concurrency: availableParallelism() } : false;
  const hasher = argon2idHasher(bound === undefined ? {} : { bound });
  const stored = await hasher.hash(LOGIN_PASSWORD);
  const alice = new SimpleUser(LOGIN_USER);
  // alice, and alice-0 … alice-999 (the storm's distinct logins), all with the one stored hash.
  const stormUser = new RegExp(`^${LOGIN_USER}-\\d{1,4}$`);
  const findUser = (name: string): SimpleUser | null => (name === LOGIN_USER ? alice : stormUser.test(name) ? new SimpleUser(name) : null);
  const app = express();
  app.use(express.urlencoded({ extended: false, limit: '4kb' }));
  const field = (value: unknown): string => (typeof value === 'string' ? value : '');

  if (variant === 'passport-local') {
    const { default: passport } = await import('passport');
    const { Strategy } = await import('passport-local');
    passport.use(
      new Strategy((username, password, done) => {
        const user = findUser(username);
        hasher.verify(password, stored).then(
          (outcome) => done(null, user !== null && outcome.ok ? user : false),
          (error: unknown) => done(error),
        );
      }),
    );
    app.use(passport.initialize());
    app.post('/login', passport.authenticate('local', { session: false }), (req, res) => {
      res.send(greeting((req.user as SimpleUser).displayName));
    });
    return createServer(app);
  }

  const passwords = passwordBackend({ findUser, passwordHashOf: () => stored, hasher });
  app.post('/login', async (req, res, next) => {
    const connection = toConnection(req, Date.now);
    try {
      const user = await passwords.verifyCredentials(field(req.body?.username), field(req.body?.password), connection);
      if (user !== null) return void res.send(greeting(user.displayName));
      sendDescription(req, res, next, responseFor({ kind: 'unauthenticated' }, connection, []));
    } catch (error) {
      // `backend_busy` (a full hashing queue): 503 + Retry-After, from the core's table.
      const code = (error as { code?: unknown }).code === 'backend_busy' ? 'backend_busy' : 'backend_unavailable';
      sendDescription(req, res, next, responseFor({ kind: 'error', code }, connection, []));
    }
  });
  return createServer(app);
}
