/**
 * Gates for tests that need an outside service (Redis, the `redis-server` binary,
 * PostgreSQL, Chromium, the Bun and Deno runtimes). Each answers `run` when the service is there; otherwise
 * `fail` when `CI` is set (the test must then register a failing test) and `skip`,
 * with a visible warning, on a developer's machine. One copy for every package.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { dirname, join } from 'node:path';
import { describe, it } from 'vitest';

/** What a gated test does: run, fail (the service is missing and `CI` is set), or skip. */
export type Gate = 'run' | 'fail' | 'skip';

/** True when `CI` is set: a missing service is then a failure, not a skip. */
export const IN_CI = Boolean(process.env.CI);

/**
 * The gate for a service that is `available` or not; `missing` says what is missing
 * and for which tests (it is printed when they are skipped).
 *
 * @example
 * ```ts
 * const gate = serviceGate(existsSync('/usr/bin/psql'), 'psql tests: psql is not installed');
 * ```
 */
export function serviceGate(available: boolean, missing: string): Gate {
  if (available) return 'run';
  if (IN_CI) return 'fail';
  console.warn(`\n⚠ ${missing} — SKIPPED (set CI=1 to make this a failure).\n`);
  return 'skip';
}

/**
 * The gate of tests that need several services: `fail` if one fails, else `skip` if
 * one skips, else `run`.
 *
 * @example
 * ```ts
 * const gate = combinedGate(chromiumGate('browser test'), await redisGate('browser test'));
 * ```
 */
export function combinedGate(...gates: readonly Gate[]): Gate {
  return gates.includes('fail') ? 'fail' : gates.includes('skip') ? 'skip' : 'run';
}

/** True when something answers `PING` with `+PONG` on 127.0.0.1:`port`. */
export function redisAnswers(port = 6379, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let reply = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString('latin1');
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

/**
 * The gate of tests that need the shared Redis on 127.0.0.1:6379.
 *
 * @example
 * ```ts
 * const gate = await redisGate('RedisSessionStore tests');
 * describe.runIf(gate === 'run')('on Redis', () => { … });
 * ```
 */
export async function redisGate(what: string): Promise<Gate> {
  return serviceGate(await redisAnswers(6379), `${what}: Redis is not reachable at 127.0.0.1:6379`);
}

/** True when the `redis-server` binary can be run. */
export function hasRedisServer(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * The gate of tests that start their own `redis-server`. When it fails (not
 * installed, `CI` set) a failing test is registered here.
 *
 * @example
 * ```ts
 * const serverGate = redisServerGate('Redis fault tests');
 * describe.runIf(serverGate === 'run')('when Redis goes away', () => { … });
 * ```
 */
export function redisServerGate(what: string): Gate {
  return requiredGate(hasRedisServer(), what, 'redis-server is installed');
}

/**
 * The gate of tests that need something local that is `available` or not
 * (`requirement` says what, e.g. "redis-server is installed"). When it fails (`CI`
 * set, the requirement not met) a failing test is registered here, named after it.
 *
 * @example
 * ```ts
 * const gate = requiredGate(hasRedisServer(), 'Redis fault tests', 'redis-server is installed');
 * ```
 */
export function requiredGate(available: boolean, what: string, requirement: string): Gate {
  const gate = serviceGate(available, `${what}: not met: ${requirement}`);
  describe.runIf(gate === 'fail')(`${what} needs: ${requirement}`, () => {
    it(`${requirement} (required when CI is set)`, () => {
      throw new Error(`not met: ${requirement}`);
    });
  });
  return gate;
}

/** Debian's Chromium: browser tests use it, never a downloaded browser. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The flags every browser test starts {@link CHROMIUM} with: headless, no sandbox (CI
 * containers), and nothing that talks to the network on its own.
 *
 * @example
 * ```ts
 * const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
 * ```
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The gate of tests that drive {@link CHROMIUM}.
 *
 * @example
 * ```ts
 * const gate = chromiumGate('browser test');
 * ```
 */
export function chromiumGate(what: string): Gate {
  return serviceGate(existsSync(CHROMIUM), `${what}: ${CHROMIUM} is missing`);
}

/** The documented local database first, then the same without a user (the OS user). */
export const PG_CANDIDATES: readonly string[] = ['postgres://postgres@127.0.0.1:5432/test', 'postgres://127.0.0.1:5432/test'];

/** The first of `candidates` where PostgreSQL answers `SELECT 1`, or `null`. */
export async function findPostgres(candidates: readonly string[] = PG_CANDIDATES): Promise<string | null> {
  const { default: pg } = await import('pg');
  for (const url of candidates) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3_000 });
    client.on('error', () => {});
    try {
      await client.connect();
      await client.query('SELECT 1');
      return url;
    } catch {
      // try the next candidate
    } finally {
      await client.end().catch(() => {});
    }
  }
  return null;
}

/**
 * The gate of tests that need PostgreSQL, with the URL that answered (`null` when none did).
 *
 * @example
 * ```ts
 * const { gate, url } = await postgresGate('PostgreSQL user store tests');
 * ```
 */
export async function postgresGate(what: string, candidates: readonly string[] = PG_CANDIDATES): Promise<{ gate: Gate; url: string | null }> {
  const url = await findPostgres(candidates);
  return { gate: serviceGate(url !== null, `${what}: PostgreSQL is not reachable at ${candidates.join(' or ')}`), url };
}

/** The JavaScript runtimes the conformance suite also runs in, installed from npm as devDependencies. */
export type RuntimeName = 'bun' | 'deno';

const requireFromRoot = createRequire(new URL('../package.json', import.meta.url));

/** Where `name`'s file `file` is installed, or `null` when the package is not. */
function installed(name: string, file: string): string | null {
  try {
    return join(dirname(requireFromRoot.resolve(`${name}/package.json`)), file);
  } catch {
    return null;
  }
}

/**
 * The paths where the npm package of `runtime` puts its binary: the package's own
 * (after its postinstall), then the platform package's (without install scripts).
 */
function runtimeCandidates(runtime: RuntimeName): (string | null)[] {
  const arch = process.arch === 'arm64' ? 'aarch64' : 'x64';
  if (runtime === 'bun') return [installed('bun', 'bin/bun.exe'), installed(`@oven/bun-${process.platform}-${arch}`, 'bin/bun')];
  const platform = process.platform === 'linux' ? `linux-${process.arch}-glibc` : `${process.platform}-${process.arch}`;
  return [installed('deno', process.platform === 'win32' ? 'deno.exe' : 'deno'), installed(`@deno/${platform}`, 'deno')];
}

const found = new Map<RuntimeName, { binary: string; version: string } | null>();

/**
 * The binary of `runtime` installed by npm (`bun`, `deno` devDependencies) that
 * answers `--version`, with its version; `null` when there is none that runs.
 *
 * @example
 * ```ts
 * const bun = runtimeBinary('bun'); // { binary: '…/node_modules/bun/bin/bun.exe', version: '1.4.5' }
 * ```
 */
export function runtimeBinary(runtime: RuntimeName): { binary: string; version: string } | null {
  if (!found.has(runtime)) {
    let answer: { binary: string; version: string } | null = null;
    for (const binary of runtimeCandidates(runtime)) {
      if (binary === null || !existsSync(binary)) continue;
      const run = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 10_000 });
      const version = /\d+\.\d+\.\d+/.exec(run.stdout ?? '')?.[0];
      if (run.status === 0 && version !== undefined) {
        answer = { binary, version };
        break;
      }
    }
    found.set(runtime, answer);
  }
  return found.get(runtime) ?? null;
}

/**
 * The gate of tests that run inside Bun or Deno (installed by `npm ci` as
 * devDependencies). When it fails (`CI` set, the binary missing or not running)
 * a failing test is registered here.
 *
 * @example
 * ```ts
 * const gate = runtimeGate('deno', 'conformance: hono in Deno');
 * describe.runIf(gate === 'run')('in Deno', () => { … });
 * ```
 */
export function runtimeGate(runtime: RuntimeName, what: string): Gate {
  return requiredGate(runtimeBinary(runtime) !== null, what, `${runtime} is installed and runs (npm ci installs it: the \`${runtime}\` devDependency)`);
}

/** {@link runtimeGate} for Bun. */
export function bunGate(what: string): Gate {
  return runtimeGate('bun', what);
}

/** {@link runtimeGate} for Deno. */
export function denoGate(what: string): Gate {
  return runtimeGate('deno', what);
}
