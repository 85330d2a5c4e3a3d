import type { Wire } from './config.js';
import type { RunRequest, RunResult } from './driver.js';
import { machineBusyMicros } from './machine.js';
import { Child, script } from './proc.js';

/** The server core and the load-generator core (2 cores on the bench machine). */
export const SERVER_CPU = 0;
export const DRIVER_CPU = 1;
export const CONNECTIONS = 50;

export interface RunningServer {
  readonly child: Child;
  readonly port: number;
  readonly url: string;
}

/** Starts one configuration in its own process, pinned to the server core. */
export async function startServer(id: string, nodeArgs: readonly string[] = []): Promise<RunningServer> {
  const child = new Child(script('server.js'), [id], { cpu: SERVER_CPU, nodeArgs });
  try {
    const ready = await child.waitFor('ready', 30_000);
    const port = ready.port as number;
    return { child, port, url: `http://127.0.0.1:${port}/` };
  } catch (error) {
    await child.stop(1_000);
    throw error;
  }
}

export async function startDriver(): Promise<Child> {
  const driver = new Child(script('driver.js'), [], { cpu: DRIVER_CPU });
  await driver.waitFor('ready', 30_000);
  return driver;
}

/** The server process's CPU time so far (user + system, all threads), in µs. */
export async function cpuMicros(server: RunningServer): Promise<number> {
  const m = await server.child.request('cpu', {}, 10_000);
  const usage = m.usage as NodeJS.CpuUsage;
  return usage.user + usage.system;
}

export interface Sample extends RunResult {
  /** Server CPU time per response, µs. */
  readonly cpuMicrosPerReq: number;
  /** Server CPU use over the run, % of one core: well below 100 means the server was not the limit. */
  readonly serverCpuPct: number;
  /** CPU used by processes other than the server and the load generator during the run, % of one core. */
  readonly foreignCpuPct: number;
}

/** One load run against one server, with the server's CPU time read before and after. */
export async function measure(
  driver: Child,
  server: RunningServer,
  wire: Wire,
  bound: { readonly durationSec: number } | { readonly amount: number; readonly maxSec: number },
): Promise<Sample> {
  const maxSec = 'amount' in bound ? bound.maxSec : bound.durationSec + 15;
  const run: RunRequest = { url: server.url, connections: CONNECTIONS, wire, maxSec, ...bound };
  const t0 = performance.now();
  const busy0 = machineBusyMicros();
  const before = await cpuMicros(server);
  const reply = await driver.request('run', run, (maxSec + 30) * 1000);
  const after = await cpuMicros(server);
  const busy = machineBusyMicros() - busy0;
  const wallMicros = (performance.now() - t0) * 1000;
  if (typeof reply.error === 'string') throw new Error(`load generator: ${reply.error}`);
  const result = reply.result as RunResult;
  const used = after - before;
  const driverMicros = (result.driverCpuPct / 100) * result.durationSec * 1e6;
  return {
    ...result,
    cpuMicrosPerReq: result.requests > 0 ? used / result.requests : Number.NaN,
    serverCpuPct: (used / 1e6 / result.durationSec) * 100,
    foreignCpuPct: Math.max(0, ((busy - used - driverMicros) / wallMicros) * 100),
  };
}

/** Why a run does not count: any non-2xx, socket error, timeout, or a run cut short. */
export function defect(sample: Sample): string | null {
  if (sample.non2xx > 0) return `${sample.non2xx} non-2xx responses under load`;
  if (sample.errors > 0 || sample.timeouts > 0) return `${sample.errors} errors, ${sample.timeouts} timeouts under load`;
  if (sample.cutShort) return 'run cut short by its time cap';
  if (sample.requests === 0) return 'no responses';
  return null;
}
