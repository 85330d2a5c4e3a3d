import { checkProbes } from './check.js';
import { FRAMEWORKS, type BenchConfig, type Credentials, type ReadyConfig } from './config.js';
import type { Child } from './proc.js';
import { bareConfig } from './registry.js';
import type { HttpRow, RunSummary } from './results.js';
import { NOISY_PCT, takeSlack, waitForQuiet } from './machine.js';
import { defect, measure, startServer, type RunningServer, type Sample } from './servers.js';
import { median, num } from './stats.js';

export interface HttpPlan {
  /** Length of each measured run. */
  readonly runSeconds: number;
  /** Configuration runs per configuration; bare runs are one more (B C B C … B). */
  readonly rounds: number;
  /** Unmeasured warm-up of a fresh configuration server (its bare partner gets half). */
  readonly warmupSeconds: number;
}

export type Log = (line: string) => void;

const summary = (s: Sample): RunSummary => ({
  reqPerSec: Math.round(s.reqPerSec),
  p50Ms: s.p50Ms,
  p99Ms: s.p99Ms,
  cpuMicrosPerReq: Math.round(s.cpuMicrosPerReq * 100) / 100,
  serverCpuPct: Math.round(s.serverCpuPct),
  driverCpuPct: Math.round(s.driverCpuPct),
  foreignCpuPct: Math.round(s.foreignCpuPct),
});

function emptyRow(config: BenchConfig, status: HttpRow['status'], error?: string): HttpRow {
  return {
    id: config.id,
    framework: config.framework,
    name: config.name,
    scheme: config.scheme,
    library: config.library,
    ...(config.baseline === true ? { baseline: true } : {}),
    path: config.path,
    status,
    ...(config.note === undefined ? {} : { note: config.note }),
    ...(error === undefined ? {} : { error }),
    reqPerSec: null,
    p50Ms: null,
    p99Ms: null,
    ratioToBare: null,
    cpuMicrosPerReq: null,
    addedCpuMicrosPerReq: null,
    cpuRatioToBare: null,
    bareReqPerSec: null,
    serverCpuPct: null,
    driverCpuPct: null,
  };
}

/**
 * Measures one configuration against its framework's bare server, alternating
 * B C B C … B with the same request shape (headers, pool) on both, so drift and the
 * load generator's own cost cancel in the ratio.
 */
async function measureConfig(
  driver: Child,
  bare: RunningServer,
  config: ReadyConfig,
  plan: HttpPlan,
  log: Log,
): Promise<{ row: HttpRow; bareSamples: Sample[]; pooled: boolean }> {
  let server: RunningServer | undefined;
  try {
    await waitForQuiet(15_000);
    server = await startServer(config.id);
    const credentials: Credentials = await config.credentials(server.url.replace(/\/$/, ''));
    const failures = await checkProbes(server.port, credentials.probes);
    if (failures.length > 0) return { row: emptyRow(config, 'failed', `check failed: ${failures.join('; ')}`), bareSamples: [], pooled: false };
    const wire = credentials.wire;

    await measure(driver, server, wire, { durationSec: plan.warmupSeconds });
    await measure(driver, bare, wire, { durationSec: Math.max(0.5, plan.warmupSeconds / 2) });

    // B C B C … B. A round is a configuration run and the bare runs on either side; a round
    // during which other processes used the machine is replaced by an extra one (at most
    // `rounds` extra), and left out of the medians if enough clean rounds remain.
    const bareSamples: Sample[] = [];
    const configSamples: Sample[] = [];
    const run = async (target: RunningServer, into: Sample[], label: string): Promise<void> => {
      const sample = await measure(driver, target, wire, { durationSec: plan.runSeconds });
      const wrong = defect(sample);
      if (wrong !== null) throw new Error(`${label} run: ${wrong}`);
      into.push(sample);
    };
    const clean = (i: number): boolean =>
      [configSamples[i], bareSamples[i], bareSamples[i + 1]].every((s) => s !== undefined && s.foreignCpuPct <= NOISY_PCT);
    await run(bare, bareSamples, 'bare');
    for (let i = 0; i < 2 * plan.rounds; i++) {
      const cleanSoFar = configSamples.filter((_c, j) => clean(j)).length;
      if (i >= plan.rounds && cleanSoFar >= plan.rounds) break;
      // An extra round costs two runs, paid from the bench's slack.
      if (i >= plan.rounds && !takeSlack(2 * plan.runSeconds * 1000 + 500)) break;
      if (i >= plan.rounds) await waitForQuiet(10_000);
      await run(server, configSamples, 'configuration');
      await run(bare, bareSamples, 'bare');
    }
    let used = configSamples.map((_c, i) => i).filter(clean);
    if (used.length < Math.min(plan.rounds, 2)) used = configSamples.map((_c, i) => i);
    const disturbedRounds = configSamples.length - used.filter(clean).length;
    const cs = used.map((i) => configSamples[i] as Sample);
    const bareAround = used.map((i) => [bareSamples[i] as Sample, bareSamples[i + 1] as Sample] as const);

    const ratios = cs.map((c, k) => c.reqPerSec / (((bareAround[k] as readonly [Sample, Sample])[0].reqPerSec + (bareAround[k] as readonly [Sample, Sample])[1].reqPerSec) / 2));
    const bareCpuAround = bareAround.map(([a, b]) => (a.cpuMicrosPerReq + b.cpuMicrosPerReq) / 2);
    const added = cs.map((c, k) => c.cpuMicrosPerReq - (bareCpuAround[k] as number));
    const cpuRatios = cs.map((c, k) => (bareCpuAround[k] as number) / c.cpuMicrosPerReq);
    const bareUsed = bareAround.flatMap(([a, b]) => [a, b]);
    const row: HttpRow = {
      ...emptyRow(config, 'measured'),
      reqPerSec: num(median(cs.map((s) => s.reqPerSec)), 0),
      p50Ms: num(median(cs.map((s) => s.p50Ms)), 2),
      p99Ms: num(median(cs.map((s) => s.p99Ms)), 2),
      ratioToBare: num(median(ratios), 3),
      cpuMicrosPerReq: num(median(cs.map((s) => s.cpuMicrosPerReq)), 2),
      addedCpuMicrosPerReq: num(median(added), 2),
      cpuRatioToBare: num(median(cpuRatios), 3),
      bareReqPerSec: num(median(bareUsed.map((s) => s.reqPerSec)), 0),
      serverCpuPct: num(median(cs.map((s) => s.serverCpuPct)), 0),
      driverCpuPct: num(Math.max(...cs.map((s) => s.driverCpuPct), ...bareUsed.map((s) => s.driverCpuPct)), 0),
      foreignCpuPct: num(Math.max(...cs.map((s) => s.foreignCpuPct), ...bareUsed.map((s) => s.foreignCpuPct)), 0),
      disturbedRounds,
      runs: { config: configSamples.map(summary), bare: bareSamples.map(summary) },
    };
    return { row, bareSamples: [...new Set(bareUsed)], pooled: wire.pool !== undefined };
  } catch (error) {
    log(`  ${config.id}: ${error instanceof Error ? error.message : String(error)}`);
    return { row: emptyRow(config, 'failed', error instanceof Error ? error.message : String(error)), bareSamples: [], pooled: false };
  } finally {
    await server?.child.stop();
  }
}

/** The bare row of a framework: its bare runs with a static request shape (no pool), pooled over every configuration. */
function bareRow(config: ReadyConfig, samples: readonly Sample[]): HttpRow {
  if (samples.length === 0) return emptyRow(config, 'failed', 'no bare run completed');
  return {
    ...emptyRow(config, 'measured'),
    reqPerSec: num(median(samples.map((s) => s.reqPerSec)), 0),
    p50Ms: num(median(samples.map((s) => s.p50Ms)), 2),
    p99Ms: num(median(samples.map((s) => s.p99Ms)), 2),
    ratioToBare: 1,
    cpuMicrosPerReq: num(median(samples.map((s) => s.cpuMicrosPerReq)), 2),
    addedCpuMicrosPerReq: 0,
    cpuRatioToBare: 1,
    bareReqPerSec: num(median(samples.map((s) => s.reqPerSec)), 0),
    serverCpuPct: num(median(samples.map((s) => s.serverCpuPct)), 0),
    driverCpuPct: num(Math.max(...samples.map((s) => s.driverCpuPct)), 0),
  };
}

const fmt = (n: number | null, digits = 0): string => (n === null ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits }));

/** Runs every configuration, framework by framework; one bare server per framework stays up throughout. */
export async function runHttp(driver: Child, configs: readonly BenchConfig[], plan: HttpPlan, log: Log): Promise<HttpRow[]> {
  const rows: HttpRow[] = [];
  const measurable = configs.filter((c) => c.status === 'ready' && c.library !== 'bare').length;
  let done = 0;
  for (const framework of FRAMEWORKS) {
    const mine = configs.filter((c) => c.framework === framework && c.library !== 'bare');
    if (mine.length === 0) continue;
    const bareCfg = bareConfig(framework);
    const frameworkRows: HttpRow[] = [];
    const staticBare: Sample[] = [];
    let bare: RunningServer | undefined;
    try {
      bare = await startServer(bareCfg.id);
      const failures = await checkProbes(bare.port, (await bareCfg.credentials(bare.url)).probes);
      if (failures.length > 0) throw new Error(`bare check failed: ${failures.join('; ')}`);
      for (const config of mine) {
        if (config.status !== 'ready') {
          frameworkRows.push(emptyRow(config, 'not-built'));
          log(`  ${config.id}: not built yet`);
          continue;
        }
        done++;
        const { row, bareSamples, pooled } = await measureConfig(driver, bare, config, plan, log);
        frameworkRows.push(row);
        if (!pooled) staticBare.push(...bareSamples);
        if (row.status === 'measured') {
          log(
            `[${done}/${measurable}] ${config.id}: ${fmt(row.reqPerSec)} req/s, ${fmt(row.ratioToBare, 2)} of bare ` +
              `(${fmt(row.bareReqPerSec)}), +${fmt(row.addedCpuMicrosPerReq, 1)} µs CPU/req (${fmt(row.cpuRatioToBare, 2)}), p99 ${fmt(row.p99Ms, 1)} ms` +
              `, server ${fmt(row.serverCpuPct)}%, driver ≤ ${fmt(row.driverCpuPct)}%, other load ≤ ${fmt(row.foreignCpuPct ?? null)}%` +
              (row.disturbedRounds ? `, ${row.disturbedRounds} disturbed round(s)` : ''),
          );
        } else log(`[${done}/${measurable}] ${config.id}: FAILED ${row.error ?? ''}`);
      }
      rows.push(bareRow(bareCfg, staticBare), ...frameworkRows);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      log(`  ${framework}: ${message}`);
      rows.push(emptyRow(bareCfg, 'failed', message), ...frameworkRows);
      for (const config of mine.slice(frameworkRows.length)) rows.push(emptyRow(config, 'failed', `bare ${framework} failed: ${message}`));
    } finally {
      await bare?.child.stop();
    }
  }
  return rows;
}
