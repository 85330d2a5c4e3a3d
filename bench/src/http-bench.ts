import { checkProbes } from './check.js';
import { FRAMEWORKS, type BenchConfig, type Credentials, type ReadyConfig, type Wire } from './config.js';
import type { Child } from './proc.js';
import { bareConfig } from './registry.js';
import type { HttpRow, RunSummary } from './results.js';
import { isHotPath, pairLabel, pairTargets, rowSequences, HOT_TARGET, type PairRecord } from './targets.js';
import { judge, type Judgement } from './verdict.js';
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
  /** Subject runs of a direct comparison's first sequence (B S B S … B, both fresh). */
  readonly pairRounds: number;
  /** Subject runs of each re-measurement of a target whose first verdict was near its threshold. */
  readonly remeasureRounds: number;
  /** Wall time all re-measurements may take together, s (nearest targets first). */
  readonly remeasureSec: number;
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

/** A running server and the request it is sent. */
interface Side {
  readonly server: RunningServer;
  readonly wire: Wire;
}

/**
 * Alternates `base` and `subject`: B S B S … B, `rounds` subject runs. A round is a subject
 * run and the base runs on either side; a round during which other processes used the
 * machine is replaced by an extra one (at most `rounds` extra, paid from the bench's slack).
 */
async function alternate(driver: Child, base: Side, subject: Side, rounds: number, runSeconds: number): Promise<{ base: Sample[]; subject: Sample[] }> {
  const baseSamples: Sample[] = [];
  const subjectSamples: Sample[] = [];
  const run = async (side: Side, into: Sample[], label: string): Promise<void> => {
    const sample = await measure(driver, side.server, side.wire, { durationSec: runSeconds });
    const wrong = defect(sample);
    if (wrong !== null) throw new Error(`${label} run: ${wrong}`);
    into.push(sample);
  };
  const clean = (i: number): boolean =>
    [subjectSamples[i], baseSamples[i], baseSamples[i + 1]].every((s) => s !== undefined && s.foreignCpuPct <= NOISY_PCT);
  await run(base, baseSamples, 'bare');
  for (let i = 0; i < 2 * rounds; i++) {
    const cleanSoFar = subjectSamples.filter((_c, j) => clean(j)).length;
    if (i >= rounds && cleanSoFar >= rounds) break;
    // An extra round costs two runs, paid from the bench's slack.
    if (i >= rounds && !takeSlack(2 * runSeconds * 1000 + 500)) break;
    if (i >= rounds) await waitForQuiet(10_000);
    await run(subject, subjectSamples, 'configuration');
    await run(base, baseSamples, 'bare');
  }
  return { base: baseSamples, subject: subjectSamples };
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

    // Rounds disturbed by other processes are left out of the medians if enough clean rounds remain.
    const { base: bareSamples, subject: configSamples } = await alternate(driver, { server: bare, wire }, { server, wire }, plan.rounds, plan.runSeconds);
    const clean = (i: number): boolean =>
      [configSamples[i], bareSamples[i], bareSamples[i + 1]].every((s) => s !== undefined && s.foreignCpuPct <= NOISY_PCT);
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

export interface HttpResults {
  readonly rows: HttpRow[];
  /** The direct comparisons (`pairs.json`). */
  readonly pairs: PairRecord[];
}

/**
 * Runs every configuration, framework by framework (one bare server per framework stays up
 * throughout); then the targets that are a ratio of two configurations, each directly (the
 * one alternating with the other); then, nearest first and within `plan.remeasureSec`, every
 * target whose verdict is near its threshold again, in fresh processes.
 */
export async function runHttp(driver: Child, configs: readonly BenchConfig[], plan: HttpPlan, log: Log): Promise<HttpResults> {
  const rows = await firstPass(driver, configs, plan, log);
  const ready = new Map(configs.filter((c): c is ReadyConfig => c.status === 'ready').map((c) => [c.id, c]));
  const pairs = await measurePairs(driver, rows, ready, plan, log);
  await remeasure(driver, rows, pairs, ready, plan, log);
  return { rows, pairs };
}

/** Every configuration against its bare framework, framework by framework. */
async function firstPass(driver: Child, configs: readonly BenchConfig[], plan: HttpPlan, log: Log): Promise<HttpRow[]> {
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

/**
 * One sequence in fresh processes: `base` and `subject` started anew, checked, warmed up
 * and alternated B S B S … B. `base` is sent the subject's request when `sameWire` (bare
 * against a configuration), its own otherwise (a session baseline logs in for its own cookie).
 */
async function freshSequence(
  driver: Child,
  baseConfig: ReadyConfig,
  subjectConfig: ReadyConfig,
  rounds: number,
  plan: HttpPlan,
  sameWire: boolean,
): Promise<{ subject: RunSummary[]; base: RunSummary[] }> {
  const started: RunningServer[] = [];
  try {
    await waitForQuiet(10_000);
    const side = async (config: ReadyConfig): Promise<Side> => {
      const server = await startServer(config.id);
      started.push(server);
      const credentials = await config.credentials(server.url.replace(/\/$/, ''));
      const failures = await checkProbes(server.port, credentials.probes);
      if (failures.length > 0) throw new Error(`${config.id} check failed: ${failures.join('; ')}`);
      return { server, wire: credentials.wire };
    };
    const subject = await side(subjectConfig);
    const ownBase = await side(baseConfig);
    const base = sameWire ? { server: ownBase.server, wire: subject.wire } : ownBase;
    // Both are fresh: both get the same warm-up.
    const warmup = Math.max(0.5, plan.warmupSeconds * 0.75);
    await measure(driver, subject.server, subject.wire, { durationSec: warmup });
    await measure(driver, base.server, base.wire, { durationSec: warmup });
    const runs = await alternate(driver, base, subject, rounds, plan.runSeconds);
    return { subject: runs.subject.map(summary), base: runs.base.map(summary) };
  } finally {
    for (const server of started) await server.child.stop();
  }
}

const ratioText = (j: Judgement): string =>
  `req/s ${j.req.median.toFixed(2)} (${j.req.min.toFixed(2)}–${j.req.max.toFixed(2)}), CPU ${j.cpu.median.toFixed(2)} (${j.cpu.min.toFixed(2)}–${j.cpu.max.toFixed(2)}), ${j.rounds} runs → ${j.status}`;

/** The targets that are a ratio of two configurations, each measured directly in fresh processes. */
async function measurePairs(driver: Child, rows: readonly HttpRow[], ready: ReadonlyMap<string, ReadyConfig>, plan: HttpPlan, log: Log): Promise<PairRecord[]> {
  const targets = pairTargets(rows.filter((r) => r.status === 'measured'), (r) => r.ratioToBare ?? 0);
  if (targets.length > 0) log(`\n-- ${targets.length} targets measured directly (base, configuration, base, …, base; fresh processes)`);
  const out: PairRecord[] = [];
  for (const t of targets) {
    const base = ready.get(t.base.id);
    const subject = ready.get(t.subject.id);
    const record = { kind: t.kind, framework: t.framework, subjectId: t.subject.id, baseId: t.base.id, threshold: t.threshold };
    if (base === undefined || subject === undefined) continue;
    try {
      const sequence = await freshSequence(driver, base, subject, plan.pairRounds, plan, false);
      const measured: PairRecord = { ...record, status: 'measured', sequences: [sequence] };
      out.push(measured);
      log(`  ${t.framework} ${pairLabel(t)}: ${ratioText(judge(measured.sequences, t.threshold))}`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      out.push({ ...record, status: 'failed', error: message, sequences: [] });
      log(`  ${t.framework} ${pairLabel(t)}: FAILED ${message}`);
    }
  }
  return out;
}

/**
 * Targets whose verdict is near the threshold (within the margin, or a spread straddling it)
 * are measured again in fresh processes, nearest first, while `plan.remeasureSec` lasts; the
 * new sequence is added to the row's `remeasured` (hot path) or the record's `sequences`
 * (pairs), and the report pools them all. Targets from disturbed rows are not: they are
 * reported as not measured cleanly whatever more runs would say.
 */
async function remeasure(
  driver: Child,
  rows: HttpRow[],
  pairs: PairRecord[],
  ready: ReadonlyMap<string, ReadyConfig>,
  plan: HttpPlan,
  log: Log,
): Promise<void> {
  type Candidate = { label: string; j: Judgement; run: () => Promise<void> };
  const candidates: Candidate[] = [];
  for (const [index, row] of rows.entries()) {
    const config = ready.get(row.id);
    if (row.status !== 'measured' || !isHotPath(row) || config === undefined || (row.foreignCpuPct ?? 0) > NOISY_PCT) continue;
    const j = judge(rowSequences(row), HOT_TARGET);
    candidates.push({
      label: `${row.id} ≥ ${HOT_TARGET} of bare`,
      j,
      run: async () => {
        const sequence = await freshSequence(driver, bareConfig(row.framework), config, plan.remeasureRounds, plan, true);
        const current = rows[index] as HttpRow;
        const updated: HttpRow = { ...current, remeasured: [...(current.remeasured ?? []), { config: sequence.subject, bare: sequence.base }] };
        rows[index] = updated;
        log(`  ${row.id}: now ${ratioText(judge(rowSequences(updated), HOT_TARGET))}`);
      },
    });
  }
  for (const [index, record] of pairs.entries()) {
    const base = ready.get(record.baseId);
    const subject = ready.get(record.subjectId);
    // A target involving a row other processes disturbed stays pending whatever its pair says.
    const disturbed = rows.some((r) => (r.id === record.subjectId || r.id === record.baseId) && (r.foreignCpuPct ?? 0) > NOISY_PCT);
    if (record.status !== 'measured' || base === undefined || subject === undefined || disturbed) continue;
    candidates.push({
      label: `${record.subjectId} ≥ ${record.threshold} of ${record.baseId}`,
      j: judge(record.sequences, record.threshold),
      run: async () => {
        const sequence = await freshSequence(driver, base, subject, plan.remeasureRounds, plan, false);
        const current = pairs[index] as PairRecord;
        const updated: PairRecord = { ...current, sequences: [...current.sequences, sequence] };
        pairs[index] = updated;
        log(`  ${record.subjectId} vs ${record.baseId}: now ${ratioText(judge(updated.sequences, record.threshold))}`);
      },
    });
  }
  const near = candidates.filter((c) => c.j.near && c.j.status !== 'pending').sort((a, b) => Math.abs(a.j.distance) - Math.abs(b.j.distance));
  if (near.length === 0) return;
  log(`\n-- ${near.length} targets near their threshold, measured again nearest first (${plan.remeasureSec} s at most): ${near.map((c) => c.label).join(', ')}`);
  const cost = ((2 * plan.remeasureRounds + 1) * plan.runSeconds + 2 * Math.max(0.5, plan.warmupSeconds * 0.75) + 2) * 1000;
  let leftMs = plan.remeasureSec * 1000;
  for (const c of near) {
    if (leftMs < cost) {
      log(`  no time left to measure ${c.label} again (${ratioText(c.j)})`);
      continue;
    }
    const t0 = performance.now();
    try {
      await c.run();
    } catch (error) {
      log(`  ${c.label}: re-measurement FAILED ${error instanceof Error ? error.message : String(error)}; the first verdict stands`);
    }
    leftMs -= performance.now() - t0;
  }
}
