/**
 * `npm run bench` — Portcullis against the bare frameworks and the peer middlewares.
 *
 *   node bench/dist/run.js                 full run (< 26 min on the 2-core bench machine), writes
 *                                          bench/results/*.json and docs/benchmarks.md + .svg
 *   node bench/dist/run.js --quick         smoke run (~3 min), writes bench/results/quick/, docs untouched
 *   node bench/dist/run.js report          regenerate docs/benchmarks.md + .svg from bench/results
 *                                          (`--out <results dir>` to read elsewhere, `--docs <dir>` to write elsewhere)
 *   node bench/dist/run.js profile <id>    run one configuration under `node --cpu-prof` and print its hottest functions
 *   node bench/dist/run.js list            the configurations and their ids
 *   node bench/dist/run.js --experiments --only x- --phases http   the variants behind bench/findings.md
 *
 * Options: --only <id substring>[,…]  --phases micro,storm,http,soak,login  --run-seconds N  --rounds N
 *          --soak-requests N  --budget-min N (default 26)  --out <dir>  --no-docs  --docs <dir>
 */
import { availableParallelism, cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { BenchConfig } from './config.js';
import { runHttp, type HttpPlan } from './http-bench.js';
import { runMicro } from './micro.js';
import { killAll } from './proc.js';
import { profile } from './profile.js';
import { allConfigs } from './registry.js';
import { writeDocs } from './report.js';
import { makePlan } from './plan.js';
import { setSlack } from './machine.js';
import { RESULTS_DIR, readJson, writeJson, type HttpRow, type LoginRow, type Meta, type MicroRow, type SoakRow, type StormRow } from './results.js';
import { runLogin } from './login.js';
import { startDriver } from './servers.js';
import { runSoak } from './soak.js';
import { runStorm } from './storm.js';
import type { PairRecord } from './targets.js';

const PHASES = ['micro', 'storm', 'http', 'soak', 'login'] as const;
type Phase = (typeof PHASES)[number];

const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

function elapsed(since: number): string {
  const s = Math.round((performance.now() - since) / 1000);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      phases: { type: 'string' },
      'run-seconds': { type: 'string' },
      rounds: { type: 'string' },
      'soak-requests': { type: 'string' },
      seconds: { type: 'string' },
      out: { type: 'string' },
      'no-docs': { type: 'boolean', default: false },
      'budget-min': { type: 'string' },
      docs: { type: 'string' },
      experiments: { type: 'boolean', default: false },
    },
  });
  const command = positionals[0] ?? 'run';
  // Inherited by the server processes, which build the same registry.
  if (values.experiments) process.env.BENCH_EXPERIMENTS = '1';
  if (command === 'report') {
    // `--docs <dir>` writes benchmarks.md and .svg there instead of the repository's docs/.
    const written = await writeDocs(values.out ?? RESULTS_DIR, values.docs === undefined ? undefined : resolve(values.docs));
    log(`wrote ${written.join(', ')}`);
    return;
  }
  if (command === 'list') {
    for (const c of allConfigs()) log(`${c.id.padEnd(36)} ${c.status === 'ready' ? '' : '(not built) '}${c.name}`);
    return;
  }
  if (command === 'profile') {
    const id = positionals[1];
    if (id === undefined) throw new Error('usage: run.js profile <config id> [--seconds N]');
    await profile(id, Number(values.seconds ?? 10), log);
    return;
  }
  if (command !== 'run') throw new Error(`unknown command ${command}`);

  const quick = values.quick;
  const soakRequests = Number(values['soak-requests'] ?? (quick ? 20_000 : 1_000_000));
  const phases = new Set<Phase>(
    values.phases === undefined ? PHASES : (values.phases.split(',').filter((p) => (PHASES as readonly string[]).includes(p)) as Phase[]),
  );
  const only = values.only?.split(',').filter(Boolean);
  // Partial runs never overwrite the full results the docs are built from.
  const out = values.out ?? (quick ? join(RESULTS_DIR, 'quick') : only !== undefined || values.phases !== undefined ? join(RESULTS_DIR, 'partial') : RESULTS_DIR);
  const selected = (c: BenchConfig): boolean => only === undefined || only.some((o) => c.id.includes(o));
  const configs = allConfigs().filter(selected);

  const budgetSec = Number(values['budget-min'] ?? 26) * 60;
  const plan = quick
    ? { http: { runSeconds: 1, rounds: 1, warmupSeconds: 0.5, pairRounds: 1, remeasureRounds: 1, remeasureSec: 15 }, slackSec: 0, estimateSec: { http: 0, soak: 0, other: 0, total: 0 }, fits: true }
    : makePlan({
        configs,
        previous: readJson<HttpRow[]>(RESULTS_DIR, 'latest.json') ?? [],
        budgetSec,
        soakRequests,
        phases,
        ...(values['run-seconds'] === undefined ? {} : { runSeconds: Number(values['run-seconds']) }),
        ...(values.rounds === undefined ? {} : { rounds: Number(values.rounds) }),
      });
  const http = plan.http;
  setSlack(plan.slackSec * 1000);

  const started = performance.now();
  const durations: Record<string, number> = {};
  const timed = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t = performance.now();
    log(`\n== ${name} (${elapsed(started)} in)`);
    try {
      return await f();
    } finally {
      durations[name] = Math.round((performance.now() - t) / 1000);
    }
  };
  const measurable = configs.filter((c) => c.status === 'ready' && c.library !== 'bare').length;
  log(
    `Portcullis bench${quick ? ' (quick)' : ''}: ${measurable} configurations × (${http.rounds} runs + ${http.rounds + 1} bare runs of ${http.runSeconds} s); ` +
      `the targets that compare two configurations directly (${http.pairRounds} runs each, fresh processes), and targets near their threshold again (${http.remeasureRounds} more runs each, ${http.remeasureSec} s at most); ` +
      `soak ${soakRequests.toLocaleString('en-US')} requests per adapter and scheme. ` +
      (quick ? '' : `Estimate: ${Math.round(plan.estimateSec.total / 60)} min: HTTP ${Math.round(plan.estimateSec.http / 60)} min, soak ${Math.round(plan.estimateSec.soak / 60)} min, other ${Math.round(plan.estimateSec.other / 60)} min, ` +
        `+ up to ${Math.round(plan.slackSec / 60)} min if the machine is busy (budget ${budgetSec / 60} min${plan.fits ? '' : ', NOT MET even at the shortest runs'}). `) +
      `Results → ${out}`,
  );

  const meta: Meta = {
    date: new Date().toISOString(),
    quick,
    node: process.version,
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    plan: { ...http, soakRequests, connections: 50, budgetMin: budgetSec / 60, estimateMin: Math.round(plan.estimateSec.total / 6) / 10 },
    phases: [...phases],
    durations,
  };

  if (phases.has('micro')) writeJson(out, 'micro.json', await timed('micro-benchmarks', () => runMicro(quick, log)) satisfies MicroRow[]);
  if (phases.has('storm')) writeJson(out, 'storm.json', await timed('login storm', () => runStorm(quick, log)) satisfies StormRow[]);
  if (phases.has('http') || phases.has('soak') || phases.has('login')) {
    const driver = await startDriver();
    try {
      if (phases.has('http')) {
        const { rows, pairs } = await timed('HTTP: bare vs Portcullis vs peers', () => runHttp(driver, configs, http, log));
        writeJson(out, 'latest.json', rows satisfies HttpRow[]);
        writeJson(out, 'pairs.json', pairs satisfies PairRecord[]);
      }
      if (phases.has('soak')) {
        const rows = await timed('soak', () => runSoak(driver, configs, soakRequests, log));
        writeJson(out, 'soak.json', rows satisfies SoakRow[]);
      }
      if (phases.has('login')) {
        const rows = await timed('login storm over HTTP', () => runLogin(driver, quick, log));
        writeJson(out, 'login.json', rows satisfies LoginRow[]);
      }
    } finally {
      await driver.stop();
    }
  }
  durations.total = Math.round((performance.now() - started) / 1000);
  // A run of some phases into a results directory keeps the rest of its meta (plan, total).
  const previousMeta = phases.size < PHASES.length ? readJson<Meta>(out, 'meta.json') : undefined;
  if (previousMeta !== undefined) {
    const { total: _total, ...rerun } = durations;
    writeJson(out, 'meta.json', {
      ...previousMeta,
      durations: { ...previousMeta.durations, ...rerun },
      rerun: [...(previousMeta.rerun ?? []), { date: meta.date, phases: meta.phases }],
    } satisfies Meta);
  } else writeJson(out, 'meta.json', meta);
  log(`\ndone in ${elapsed(started)}; results in ${out}`);
  if (!quick && !values['no-docs'] && resolve(out) === resolve(RESULTS_DIR)) {
    const written = await writeDocs(out);
    log(`wrote ${written.join(', ')}`);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    killAll();
    process.exit(1);
  },
);
