/**
 * The login storm's server (issue #16 item 2, #17 target 5): `node login-server.js <variant>`,
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
 * Every variant answers 200 `Hello, <user>` or 401. IPC only: `ready` with the port;
 * `cpu` with `process.cpuUsage()`; `watch` starts the event-loop delay histogram and the RSS sampler; `report` answers
 * them; `stop` exits.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { availableParallelism } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { passwordBackend, SimpleUser } from '@portcullis/core';
import { responseFor } from '@portcullis/core/adapter';
import { sendDescription, toConnection } from '@portcullis/express';
import { argon2idHasher } from '@portcullis/hashers';
import { greeting } from './apps.js';
import { LOGIN_PASSWORD, LOGIN_USER, LOGIN_VARIANTS, type LoginVariant } from './login.js';

/** A server never outlives this, whatever happens to the orchestrator. */
const MAX_LIFETIME_MS = 10 * 60_000;

type Command = { type: 'watch'; id: number } | { type: 'report'; id: number } | { type: 'cpu'; id: number } | { type: 'stop' };

async function loginServer(variant: LoginVariant): Promise<Server> {
  const { default: express } = await import('express');
  // The server is pinned to one core: availableParallelism() is 1 there (it counts the CPUs the process may use).
  const bound = variant === 'portcullis-bounded' ? undefined : variant === 'portcullis-bounded-cores' ? { concurrency: availableParallelism() } : false;
  const hasher = argon2idHasher(bound === undefined ? {} : { bound });
  const stored = await hasher.hash(LOGIN_PASSWORD);
  const alice = new SimpleUser(LOGIN_USER);
  const findUser = (name: string): SimpleUser | null => (name === LOGIN_USER ? alice : null);
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

function send(message: object): void {
  process.send?.(message);
}

async function main(): Promise<void> {
  const variant = process.argv[2] as LoginVariant;
  if (!LOGIN_VARIANTS.includes(variant) || process.send === undefined) throw new Error(`usage: login-server.js <${LOGIN_VARIANTS.join('|')}>, with an IPC channel`);
  const server = await loginServer(variant);
  server.keepAliveTimeout = 60_000;
  process.on('disconnect', () => process.exit(0));
  setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref();
  let histogram: ReturnType<typeof monitorEventLoopDelay> | undefined;
  let sampler: NodeJS.Timeout | undefined;
  let rssStart = 0;
  let rssPeak = 0;
  process.on('message', (m: Command) => {
    switch (m.type) {
      case 'cpu':
        return send({ type: 'cpu', id: m.id, usage: process.cpuUsage() });
      case 'watch':
        histogram = monitorEventLoopDelay({ resolution: 1 });
        histogram.enable();
        rssStart = rssPeak = process.memoryUsage.rss();
        sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage.rss())), 20);
        return send({ type: 'watch', id: m.id });
      case 'report': {
        clearInterval(sampler);
        histogram?.disable();
        const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
        return send({
          type: 'report',
          id: m.id,
          loopDelayP99Ms: histogram === undefined ? null : ms(histogram.percentile(99)),
          loopDelayMaxMs: histogram === undefined ? null : ms(histogram.max),
          rssStartMiB: Math.round(rssStart / 2 ** 20),
          rssPeakMiB: Math.round(Math.max(rssPeak, process.memoryUsage.rss()) / 2 ** 20),
        });
      }
      case 'stop':
        server.closeAllConnections();
        server.close();
        process.exit(0);
    }
  });
  server.listen(0, '127.0.0.1', () => send({ type: 'ready', port: (server.address() as AddressInfo).port }));
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  console.error(error);
  process.exit(1);
});
