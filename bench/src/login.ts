/**
 * The login storm over HTTP (issue #16 item 2, issue #17 target 5): 500 connections
 * posting a login form as fast as they are answered, against Express apps checking one
 * argon2id hash at OWASP's defaults, for Portcullis with its default hashing bound,
 * Portcullis with the bound off, and passport-local. Each server is its own process
 * pinned to the server core (`server.ts login/<variant>`, the apps in `login-app.ts`), autocannon drives it from the driver
 * core; the server reports the event loop's delay (p99, max) and its peak RSS over the
 * run. Measured and reported: there is no target.
 */
import { Child, script } from './proc.js';
import type { Log } from './http-bench.js';
import { machineBusyMicros, waitForQuiet } from './machine.js';
import type { LoginRow } from './results.js';
import { SERVER_CPU } from './servers.js';
import type { RunRequest, RunResult } from './driver.js';

export const LOGIN_VARIANTS = ['portcullis-bounded', 'portcullis-bounded-cores', 'portcullis-unbounded', 'passport-local'] as const;
export type LoginVariant = (typeof LOGIN_VARIANTS)[number];
export const LOGIN_USER = 'alice';
export const LOGIN_PASSWORD = 'correct horse battery staple';
/** Concurrent logins: the storm. */
export const LOGIN_CONNECTIONS = 500;

const NAMES: Readonly<Record<LoginVariant, string>> = {
  'portcullis-bounded': 'Portcullis passwordBackend, argon2idHasher() (bounded: default)',
  'portcullis-bounded-cores': 'Portcullis passwordBackend, argon2idHasher({ bound: { concurrency: availableParallelism() } })',
  'portcullis-unbounded': 'Portcullis passwordBackend, argon2idHasher({ bound: false })',
  'passport-local': 'passport + passport-local (session: false), the same argon2id verify',
};

const form = (username: string, password: string): string => new URLSearchParams({ username, password }).toString();
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The right password → 200 `Hello, alice`, a wrong one → 401, before anything is measured. */
async function probe(url: string): Promise<string | null> {
  const right = await fetch(url, { method: 'POST', headers: FORM, body: form(LOGIN_USER, LOGIN_PASSWORD) });
  const body = await right.text();
  if (right.status !== 200 || body !== `Hello, ${LOGIN_USER}`) return `right password: ${right.status} ${body.slice(0, 40)}`;
  const wrong = await fetch(url, { method: 'POST', headers: FORM, body: form(LOGIN_USER, 'wrong') });
  await wrong.text();
  return wrong.status === 401 ? null : `wrong password: ${wrong.status}`;
}

/**
 * One login per distinct user (`alice-0` … `alice-999`, one password hash): with 500
 * connections no two in-flight logins carry the same credentials, so an app that turns on
 * Portcullis's coalescing of concurrent identical logins (`coalesce: true`) would not be flattered
 * against passport-local either.
 */
const STORM_BODIES: readonly string[] = Array.from({ length: 1000 }, (_, i) => form(`${LOGIN_USER}-${i}`, LOGIN_PASSWORD));

const r1 = (n: number): number => Math.round(n * 10) / 10;

async function one(driver: Child, variant: LoginVariant, seconds: number): Promise<LoginRow> {
  const server = new Child(script('server.js'), [`login/${variant}`], { cpu: SERVER_CPU });
  try {
    const ready = await server.waitFor('ready', 30_000);
    const url = `http://127.0.0.1:${ready.port as number}/login`;
    const wrong = await probe(url);
    if (wrong !== null) throw new Error(`probe failed: ${wrong}`);
    const run: RunRequest = { url, connections: LOGIN_CONNECTIONS, wire: { headers: FORM }, method: 'POST', bodies: STORM_BODIES, durationSec: seconds, maxSec: seconds + 30 };
    await waitForQuiet(5_000); // bounded by the plan's slack
    await server.request('watch', {}, 10_000);
    const cpu0 = ((await server.request('cpu', {}, 10_000)).usage as NodeJS.CpuUsage);
    const busy0 = machineBusyMicros();
    const t0 = performance.now();
    const reply = await driver.request('run', run, (seconds + 60) * 1000);
    const wallMicros = (performance.now() - t0) * 1000;
    const busy = machineBusyMicros() - busy0;
    const cpu1 = ((await server.request('cpu', {}, 10_000)).usage as NodeJS.CpuUsage);
    const report = await server.request('report', {}, 10_000);
    if (typeof reply.error === 'string') throw new Error(`load generator: ${reply.error}`);
    const result = reply.result as RunResult;
    const used = cpu1.user + cpu1.system - cpu0.user - cpu0.system;
    const driverMicros = (result.driverCpuPct / 100) * result.durationSec * 1e6;
    const count = (prefix: string): number => Object.entries(result.statusCounts).reduce((sum, [code, n]) => (code.startsWith(prefix) ? sum + n : sum), 0);
    const logins = count('2');
    const busyAnswers = result.statusCounts['503'] ?? 0;
    return {
      variant,
      name: NAMES[variant],
      status: 'measured',
      connections: LOGIN_CONNECTIONS,
      seconds: r1(result.durationSec),
      answersPerSec: r1(result.requests / result.durationSec),
      loginsPerSec: r1(logins / result.durationSec),
      busyPerSec: r1(busyAnswers / result.durationSec),
      statusCounts: result.statusCounts,
      errors: result.errors,
      timeouts: result.timeouts,
      p50Ms: result.p50Ms,
      p99Ms: result.p99Ms,
      loopDelayP99Ms: report.loopDelayP99Ms as number | null,
      loopDelayMaxMs: report.loopDelayMaxMs as number | null,
      rssStartMiB: report.rssStartMiB as number,
      rssPeakMiB: report.rssPeakMiB as number,
      serverCpuPct: r1((used / 1e6 / result.durationSec) * 100),
      foreignCpuPct: r1(Math.max(0, ((busy - used - driverMicros) / wallMicros) * 100)),
    };
  } catch (error) {
    return {
      variant, name: NAMES[variant], status: 'failed', connections: LOGIN_CONNECTIONS, seconds: null, answersPerSec: null, loginsPerSec: null,
      busyPerSec: null, statusCounts: {}, errors: 0, timeouts: 0, p50Ms: null, p99Ms: null, loopDelayP99Ms: null, loopDelayMaxMs: null,
      rssStartMiB: null, rssPeakMiB: null, serverCpuPct: null, foreignCpuPct: null,
      error: error instanceof Error ? error.message : String(error),
    };
  } finally {
    await server.stop(2_000);
  }
}

/** Runs every variant once, `seconds` each (default 15; `--quick`: 3), one after the other: under 2 minutes. */
export async function runLogin(driver: Child, quick: boolean, log: Log, seconds = quick ? 3 : 15): Promise<LoginRow[]> {
  const rows: LoginRow[] = [];
  for (const variant of LOGIN_VARIANTS) {
    const row = await one(driver, variant, seconds);
    log(
      row.status === 'failed'
        ? `  ${variant}: failed: ${row.error ?? ''}`
        : `  ${variant}: ${row.loginsPerSec} logins/s, ${row.busyPerSec} busy/s, ${row.timeouts} timeouts; latency p99 ${row.p99Ms} ms; loop delay p99 ${row.loopDelayP99Ms} ms; RSS ${row.rssStartMiB} → peak ${row.rssPeakMiB} MiB`,
    );
    rows.push(row);
  }
  return rows;
}
