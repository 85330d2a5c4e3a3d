// Miniflare lifecycle: one workerd process per started worker (~0.2-0.3 s each),
// listening on 127.0.0.1 through direct sockets, so requests reach the worker
// straight from workerd's HTTP server (no Miniflare entry worker in between:
// no added headers, no re-encoding, no pretty error pages). workerd ignores a
// client's `Connection: close` (it drops the connection after 5 s idle), so the
// suite's raw client reads to the end of the response's framing, not the close.
import type { AppSpec, RemoteApp, Scenario } from '@portcullis/conformance';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { HONO_WORKER, workerBundle } from './bundle.js';
import type { ControlReport } from './scenario-worker.js';

/** A fixed past date: the runtime's behaviour must not move with the calendar. No compatibility flags (no `nodejs_compat`). */
export const COMPATIBILITY_DATE = '2025-09-01';

const HOST = '127.0.0.1';

/** A worker running in its own workerd process. */
export interface EdgeWorker extends RemoteApp {
  /** The app (the scenario's, when started with one), on workerd's own socket. */
  readonly url: string;
  /** The `control` entrypoint. */
  readonly controlUrl: string;
  /** The `probe` entrypoint. */
  readonly probeUrl: string;
  /** How long `new Miniflare(...)` took until its sockets listened, in ms. */
  readonly startMs: number;
}

const running = new Set<() => Promise<void>>();

/**
 * Starts the bundle of the worker `entry` (Hono's by default) in workerd, with
 * `SCENARIO` bound to `scenario` when given.
 */
export async function startWorker(scenario?: string, entry: string = HONO_WORKER): Promise<EdgeWorker> {
  const bundle = await workerBundle(entry);
  const started = performance.now();
  const mf = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: scenario === undefined ? {} : { SCENARIO: scenario },
    unsafeDirectSockets: [
      { host: HOST, port: 0 },
      { host: HOST, port: 0, entrypoint: 'control' },
      { host: HOST, port: 0, entrypoint: 'probe' },
    ],
    // The placeholder `request.cf`: never fetch Cloudflare's from the network.
    cf: false,
    log: new Log(LogLevel.WARN),
  });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    running.delete(stop);
    await mf.dispose();
  };
  running.add(stop);
  try {
    await mf.ready;
    const [app, control, probe] = await Promise.all([
      mf.unsafeGetDirectURL(),
      mf.unsafeGetDirectURL(undefined, 'control'),
      mf.unsafeGetDirectURL(undefined, 'probe'),
    ]);
    return {
      url: app.origin,
      controlUrl: control.origin,
      probeUrl: probe.origin,
      startMs: performance.now() - started,
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Stops every worker still running (afterAll of every edge test file). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

/**
 * The adapter under test for `runConformance` (the app of the worker `entry`,
 * Hono's by default): the selected scenarios, wrapped so
 * that each spec the runner builds is traced back to its scenario id, and a
 * `createApp` that starts that scenario's worker in workerd. The worker builds its
 * own app from `scenario.app()` (specs hold functions); the routes it reports must
 * be the routes of the spec built here. The runner still calls `app()` in the test
 * process too: the cases may use that spec's objects as clients (a JWT backend
 * with the same secret issues tokens the worker accepts), never as shared state.
 */
export function workerdAdapter(selected: readonly Scenario[], entry: string = HONO_WORKER): {
  scenarios: readonly Scenario[];
  createApp: (spec: AppSpec) => Promise<RemoteApp>;
} {
  const ids = new WeakMap<AppSpec, string>();
  const scenarios = selected.map(
    (s): Scenario => ({
      ...s,
      app: () => {
        const spec = s.app();
        ids.set(spec, s.id);
        return spec;
      },
    }),
  );
  async function createApp(spec: AppSpec): Promise<RemoteApp> {
    const id = ids.get(spec);
    if (id === undefined) throw new Error('createApp got a spec from an unknown scenario');
    const worker = await startWorker(id, entry);
    try {
      const report = (await (await fetch(worker.controlUrl)).json()) as ControlReport;
      if (!report.ok) {
        throw new Error(`building ${id} inside workerd failed: ${report.error.name}: ${report.error.message}\n${report.error.stack ?? ''}`);
      }
      const expected = spec.routes.map((r) => `${r.method} ${r.path}`);
      if (JSON.stringify(report.routes) !== JSON.stringify(expected)) {
        throw new Error(`${id}: the worker built routes ${JSON.stringify(report.routes)}, the spec has ${JSON.stringify(expected)}`);
      }
    } catch (error) {
      await worker.close();
      throw error;
    }
    return { url: worker.url, close: worker.close };
  }
  return { scenarios, createApp };
}

/**
 * Scenarios that cannot run when the app lives in another process: their cases
 * read or change state that the scenario module holds in the test process
 * (counters, stores, clocks, servers), which the worker's own copy of the module
 * never sees. Every adapter run inside workerd (Hono, @portcullis/fetch) excludes
 * the same ones. Some would fail; the others would pass vacuously (a counter that
 * stays 0 in the test process), which is worse.
 */
export const EXCLUDED: ReadonlyMap<string, string> = new Map([
  // Core scenarios.
  ['bearer-scheme', 'issues and revokes tokens in a MemoryTokenStore of the test process; counts verify() calls there (BEA-10)'],
  ['verification-cache', 'changes passwords, calls cache.invalidate() and counts verify() calls in the test process'],
  ['failure-log', 'reads the authentication log events captured in the test process'],
  ['chain-halts', 'counts calls of the backend after the failing one in the test process (hw.test.ts checks the 503 on workerd)'],
  // JWT scenarios.
  ['jwt-auth', 'moves the frozen clock of the test process (JWT-09 expiry, JWT-30 password change)'],
  ['jwt-cookie', 'counts /transfer calls and moves the frozen clock in the test process'],
  ['oauth2-password', 'moves the frozen clock of the test process to end the lockout (OAU-07)'],
  ['jwt-jwks', 'the JWKS and attacker servers, the keys and the backend are made by a setup case in the test process'],
  ['jwt-jwks-unavailable', 'the hanging JWKS server and the backend are made by a setup case in the test process; counts Basic calls there'],
  // Session scenarios (in-memory store).
  ['sessions-fixation (memory)', 'creates accounts, reads the session store and moves the clock in the test process'],
  ['sessions-timeouts (memory)', 'moves the frozen clock of the test process'],
  ['sessions-insecure-transport (memory)', 'counts store writes in the test process'],
  ['sessions-csrf (memory)', 'counts /transfer calls in the test process'],
  ['sessions-anonymous (memory)', 'counts store reads and writes in the test process'],
  ['sessions-outage (memory)', 'switches the store of the test process off and on'],
  ['sessions-users (memory)', 'deletes users, revokes roles and moves the clock in the test process'],
  ['sessions-logging (memory)', 'reads the log lines captured in the test process'],
  ['sessions-unknown-id (memory)', 'reads the session events captured in the test process'],
]);
