// First-run errors of every example server, started the way their READMEs say
// (`node examples/<x>/dist/server.js` with environment variables): a bad PORT or HOST,
// a port another process holds, Redis or PostgreSQL unreachable or given a URL of the
// wrong scheme. Each must exit 1 within seconds with one message naming the variable,
// no stack trace, no password, and nothing printed as if it were listening.
import { beforeAll, describe, expect, it } from 'vitest';
import { parseTrustProxy } from '@portcullis/example-startup';
import { redisGate } from '../../../test-support/services.js';
import { builtServer, closedPort, hasStackTrace, occupyPort, runUntilExit, type Exited } from '../../test-support/spawn.js';

/** Well under the test timeout: a server that hangs is killed and fails here, not by timing out. */
const BOUND_MS = 10_000;

const redis = await redisGate('express-session-redis first-run tests');

/** Every example server, with the environment that makes it start without outside help (no DATABASE_URL: users in memory). */
const EXAMPLES: ReadonlyArray<{ name: string; env: Record<string, string | undefined>; needsRedis?: boolean }> = [
  { name: 'express-account-security', env: { JWT_SECRET: undefined } },
  { name: 'express-basic-admin', env: {} },
  { name: 'express-session-redis', env: { REDIS_URL: 'redis://127.0.0.1:6379' }, needsRedis: true },
  { name: 'hono-jwt-oauth2', env: { JWT_SECRET: undefined } },
  { name: 'hono-users-postgres', env: { DATABASE_URL: undefined } },
  { name: 'koa-session-signup', env: {} },
  { name: 'koa-token-or-basic', env: {} },
  { name: 'nest-session-login', env: { NEST_PLATFORM: 'fastify' } },
];

/** Exit 1 within the bound, the message on stderr naming `names`, no stack trace, no credential printed. */
function expectStartupError(run: Exited, names: readonly string[]): void {
  const output = `${run.stdout}\n${run.stderr}`;
  expect(run.timedOut, output).toBe(false);
  expect(run.code, output).toBe(1);
  expect(run.ms).toBeLessThan(BOUND_MS);
  for (const name of names) expect(run.stderr, output).toContain(name);
  expect(hasStackTrace(output), output).toBe(false);
  // Nothing that is printed for a server that listens: no generated password, no token, no URL to try.
  expect(run.stdout, output).not.toMatch(/password:|token:|curl|Open http/);
}

for (const example of EXAMPLES) {
  describe.skipIf(example.needsRedis === true && redis === 'skip')(`${example.name}: listen errors`, () => {
    const run = (env: Record<string, string | undefined>) => runUntilExit(builtServer(example.name), { ...example.env, HOST: '127.0.0.1', ...env }, BOUND_MS);

    it('PORT=abc and PORT=70000 exit 1 naming PORT', async () => {
      expectStartupError(await run({ PORT: 'abc' }), ['PORT', 'abc']);
      expectStartupError(await run({ PORT: '70000' }), ['PORT', '70000']);
    });

    it('a HOST that is not a host name exits 1 naming HOST', async () => {
      expectStartupError(await run({ PORT: '0', HOST: 'http://localhost' }), ['HOST']);
    });

    it('EADDRINUSE: a port another process holds exits 1 naming the port and PORT, before printing any password', async () => {
      const held = await occupyPort();
      try {
        expectStartupError(await run({ PORT: String(held.port) }), ['PORT', `127.0.0.1:${held.port}`]);
      } finally {
        await held.close();
      }
    });
  });
}

describe.skipIf(redis === 'skip')('express-session-redis: PORT=0 listens on a free port and prints it', () => {
  it('banner names the port it got; the process keeps serving until stopped', async () => {
    // Killed after 8 s on purpose: it must still be running then (timedOut), having printed its real URL
    // (it starts in well under a second; the margin is for a loaded CI machine).
    const run = await runUntilExit(builtServer('express-session-redis'), { PORT: '0', HOST: '127.0.0.1', REDIS_URL: 'redis://127.0.0.1:6379' }, 8_000);
    expect(run.timedOut, run.stderr).toBe(true);
    expect(run.stdout).toMatch(/on http:\/\/127\.0\.0\.1:(?!0\b)\d+/);
  });
});

describe('express-session-redis: REDIS_URL', () => {
  const SERVER = builtServer('express-session-redis');
  const run = (redisUrl: string) => runUntilExit(SERVER, { REDIS_URL: redisUrl, PORT: '0', HOST: '127.0.0.1' }, BOUND_MS);
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
  });

  it('Redis unreachable: exits 1 within seconds naming REDIS_URL and host:port, never the password', async () => {
    const result = await run(`redis://:s3cret-pw@127.0.0.1:${port}`);
    expectStartupError(result, ['REDIS_URL', `127.0.0.1:${port}`]);
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret-pw');
  });

  it('a URL without redis:// or rediss:// exits 1 naming REDIS_URL, before connecting', async () => {
    for (const url of ['127.0.0.1:6379', 'localhost:6379', 'http://127.0.0.1:6379', `//:s3cret-pw@127.0.0.1:${port}`]) {
      const result = await run(url);
      expectStartupError(result, ['REDIS_URL']);
      expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret-pw');
    }
  });
});

describe('hono-users-postgres: DATABASE_URL', () => {
  const SERVER = builtServer('hono-users-postgres');
  const run = (databaseUrl: string) => runUntilExit(SERVER, { DATABASE_URL: databaseUrl, PORT: '0', HOST: '127.0.0.1' }, BOUND_MS);
  let port: number;
  beforeAll(async () => {
    port = await closedPort();
  });

  it('PostgreSQL unreachable: exits 1 within seconds naming DATABASE_URL and host:port, never the password', async () => {
    const result = await run(`postgres://postgres:s3cret-pw@127.0.0.1:${port}/test`);
    expectStartupError(result, ['DATABASE_URL', `127.0.0.1:${port}`]);
    expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret-pw');
  });

  it('a URL without postgres:// or postgresql:// exits 1 naming DATABASE_URL, before connecting', async () => {
    for (const url of ['mysql://root:s3cret-pw@127.0.0.1/test', '127.0.0.1:5432', 'not a url']) {
      const result = await run(url);
      expectStartupError(result, ['DATABASE_URL']);
      expect(`${result.stdout}${result.stderr}`).not.toContain('s3cret-pw');
    }
  });
});

describe('TRUST_PROXY (the session examples)', () => {
  it('accepts 1/true/0/false (any case) or nothing; anything else is refused', () => {
    for (const v of ['1', 'true', 'TRUE', ' True ']) expect(parseTrustProxy(v)).toBe(true);
    for (const v of [undefined, '', '0', 'false', 'FALSE']) expect(parseTrustProxy(v)).toBe(false);
    for (const v of ['yes', '2', 'on', 'ture', '1 1']) expect(parseTrustProxy(v)).toBeUndefined();
  });

  for (const name of ['koa-session-signup', 'express-session-redis']) {
    it(`${name}: TRUST_PROXY=yes exits 1 naming TRUST_PROXY, before connecting to anything`, async () => {
      // express-session-redis is pointed at a closed port: the value must be refused before Redis is tried.
      const env = { TRUST_PROXY: 'yes', PORT: '0', HOST: '127.0.0.1', REDIS_URL: `redis://127.0.0.1:${await closedPort()}` };
      const run = await runUntilExit(builtServer(name), env, BOUND_MS);
      expectStartupError(run, ['TRUST_PROXY']);
      expect(run.stderr).not.toContain('REDIS_URL');
    });
  }
});
