/**
 * The load generator: autocannon in its own process (the orchestrator pins it to
 * core 1), one run per `run` message. A run is bounded by time (`durationSec`) or by
 * count (`amount`), and always by `maxSec`, after which it is stopped and reported as
 * cut short.
 */
import autocannon from 'autocannon';
import type { Wire } from './config.js';
import { poolValues } from './credentials.js';

export interface RunRequest {
  readonly url: string;
  readonly connections: number;
  readonly wire: Wire;
  /** Run for this long… */
  readonly durationSec?: number;
  /** …or until this many responses. */
  readonly amount?: number;
  /** Hard cap on the run's wall time. */
  readonly maxSec: number;
  /** The method; default `GET`. */
  readonly method?: 'GET' | 'POST';
  /** A request body (the login storm's form). */
  readonly body?: string;
  /**
   * Bodies sent round robin, one per request, instead of `body`: the login storm gives every
   * in-flight login its own credentials, so no login coalesces with another (Portcullis runs
   * concurrent identical logins once).
   */
  readonly bodies?: readonly string[];
}

export interface RunResult {
  readonly requests: number;
  readonly durationSec: number;
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  readonly timeouts: number;
  /** The driver's own CPU use over the run, in % of one core: near 100 means the driver, not the server, was the limit. */
  readonly driverCpuPct: number;
  /** True when `maxSec` stopped the run. */
  readonly cutShort: boolean;
  /** Responses by status code (`{ "200": 812, "503": 4120 }`). */
  readonly statusCounts: Readonly<Record<string, number>>;
}

const pools = new Map<string, readonly string[]>();

function options(req: RunRequest): autocannon.Options {
  const base: autocannon.Options = {
    url: req.url,
    connections: req.connections,
    pipelining: 1,
    headers: { ...req.wire.headers },
    // autocannon's own timeout per request (s); a stuck server shows up as timeouts, not a hang.
    timeout: 10,
    ...(req.amount === undefined ? { duration: req.durationSec ?? 1 } : { amount: req.amount }),
    ...(req.method === undefined ? {} : { method: req.method }),
    ...(req.body === undefined ? {} : { body: req.body }),
  };
  // The login storm: one body per request, round robin.
  if (req.bodies !== undefined && req.bodies.length > 0) return roundRobin(base, req.bodies, (request, body) => ({ ...request, body }));
  const pool = req.wire.pool;
  if (pool === undefined) return base;
  const key = `${pool.name}:${pool.prefix}`;
  let values = pools.get(key);
  if (values === undefined) pools.set(key, (values = poolValues(pool.name, pool.prefix)));
  const header = pool.header;
  // One value per request across all connections, round robin: with 10,000 values and 50
  // connections, no two in-flight requests carry the same credential.
  return roundRobin(base, values, (request, value) => ({ ...request, headers: { ...request.headers, [header]: value } }));
}

/** `base`, each request (across all connections) given the next of `values` by `apply`. */
function roundRobin(base: autocannon.Options, values: readonly string[], apply: (request: autocannon.Request, value: string) => autocannon.Request): autocannon.Options {
  let next = 0;
  const setupRequest = (request: autocannon.Request): autocannon.Request => {
    const value = values[next] as string;
    next = next + 1 === values.length ? 0 : next + 1;
    return apply(request, value);
  };
  return { ...base, requests: [{ setupRequest }] };
}

function run(req: RunRequest): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const cpu = process.cpuUsage();
    const started = performance.now();
    let cutShort = false;
    const instance = autocannon(options(req), (error, result) => {
      clearTimeout(cap);
      if (error) return reject(error instanceof Error ? error : new Error(String(error)));
      const used = process.cpuUsage(cpu);
      const wallSec = (performance.now() - started) / 1000;
      const durationSec = result.duration > 0 ? result.duration : wallSec;
      const requests = result.requests.total;
      resolve({
        requests,
        durationSec,
        reqPerSec: requests / durationSec,
        p50Ms: result.latency.p50,
        p99Ms: result.latency.p99,
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        driverCpuPct: ((used.user + used.system) / 1e6 / wallSec) * 100,
        cutShort,
        statusCounts: Object.fromEntries(
          Object.entries((result as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]),
        ),
      });
    });
    const cap = setTimeout(() => {
      cutShort = true;
      instance.stop();
    }, req.maxSec * 1000);
  });
}

process.on('disconnect', () => process.exit(0));
process.on('message', (m: RunRequest & { type: string; id: number }) => {
  if (m.type === 'stop') process.exit(0);
  if (m.type !== 'run') return;
  run(m).then(
    (result) => process.send?.({ type: 'run', id: m.id, result }),
    (error: unknown) => process.send?.({ type: 'run', id: m.id, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.send?.({ type: 'ready' });
