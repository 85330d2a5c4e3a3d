// Miniflare lifecycle: one workerd process per started worker (~0.2-0.3 s each),
// listening on 127.0.0.1 through direct sockets, so requests reach the worker
// straight from workerd's HTTP server (no Miniflare entry worker in between:
// no added headers, no re-encoding, no pretty error pages). workerd ignores a
// client's `Connection: close` (it drops the connection after 5 s idle), so the
// suite's raw client reads to the end of the response's framing, not the close.
import type { AppSpec, Json, RemoteApp, Scenario } from '@portcullis/conformance';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { remoteAdapter } from '../../../../test-support/runtimes.js';
import { HONO_WORKER, workerBundle } from './bundle.js';
import type { CallReport, ControlReport } from './scenario-worker.js';

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
  /**
   * The app behind Miniflare's entry worker, which stands in for Cloudflare's edge:
   * it sets `CF-Connecting-IP` from its socket (when the client did not send one;
   * Cloudflare always overwrites it), the only peer address a Worker can know.
   */
  readonly edgeUrl: string;
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
    const edge = await mf.ready;
    const [app, control, probe] = await Promise.all([
      mf.unsafeGetDirectURL(),
      mf.unsafeGetDirectURL(undefined, 'control'),
      mf.unsafeGetDirectURL(undefined, 'probe'),
    ]);
    return {
      url: app.origin,
      controlUrl: control.origin,
      probeUrl: probe.origin,
      edgeUrl: edge.origin,
      startMs: performance.now() - started,
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Runs the scenario's control `name` inside the worker (its `control` entrypoint, not the app's socket). */
async function callWorker(worker: EdgeWorker, name: string, arg: Json): Promise<Json> {
  const res = await fetch(`${worker.controlUrl}/call`, { method: 'POST', body: JSON.stringify({ name, arg }) });
  const report = (await res.json()) as CallReport;
  if (!report.ok) throw new Error(`control ${name} inside workerd failed: ${report.error.name}: ${report.error.message}\n${report.error.stack ?? ''}`);
  return report.value;
}

/** Stops every worker still running (afterAll of every edge test file). */
export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((stop) => stop()));
}

/**
 * The adapter under test for `runConformance` with every app inside workerd (the
 * app of the worker `entry`, Hono's by default): `remoteAdapter`
 * (test-support/runtimes.ts) with one workerd process per scenario, whose
 * `control` entrypoint builds the app (checked against the spec's routes) and runs
 * the scenario's controls.
 */
export function workerdAdapter(selected: readonly Scenario[], entry: string = HONO_WORKER): {
  scenarios: readonly Scenario[];
  createApp: (spec: AppSpec) => Promise<RemoteApp>;
} {
  return remoteAdapter(selected, async (id) => {
    const worker = await startWorker(id, entry);
    try {
      const report = (await (await fetch(worker.controlUrl)).json()) as ControlReport;
      if (!report.ok) {
        throw new Error(`building ${id} inside workerd failed: ${report.error.name}: ${report.error.message}\n${report.error.stack ?? ''}`);
      }
      // The client-address and throttling scenarios need a peer address: through the stand-in for Cloudflare's edge.
      const url = id.startsWith('client-address') || id === 'throttling' ? worker.edgeUrl : worker.url;
      return { url, routes: report.routes, close: worker.close, control: (name, arg) => callWorker(worker, name, arg) };
    } catch (error) {
      await worker.close();
      throw error;
    }
  });
}

