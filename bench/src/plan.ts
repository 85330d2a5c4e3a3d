import type { BenchConfig, Framework } from './config.js';
import type { HttpPlan } from './http-bench.js';
import type { HttpRow } from './results.js';
import { soakTargets } from './soak.js';
import { pairTargets } from './targets.js';

/**
 * Fits the run into a time budget. The soak is fixed work (a million requests per
 * adapter and scheme), so its duration is estimated from the last full run's req/s
 * (`bench/results/latest.json`, committed) or conservative defaults; the HTTP runs
 * get what remains: 3 rounds of up to 5 s, down to 2 rounds of 2 s when many
 * configurations are built. The direct comparisons (pair targets) and a fixed allowance for
 * re-measuring targets near their threshold come on top.
 *
 * The fixed costs are the 21:03 UTC full run's (2026-12-06): 50 configurations took 691 s
 * over HTTP at 2 rounds of 2 s (13 s of runs and warm-ups each, so under 1 s of start-up and
 * probes), micro 4 s, the storm 47 s, the login storm over HTTP 68 s.
 */

/** Conservative req/s when there is no previous run to go by. */
const DEFAULT_RATE: Readonly<Record<Framework, number>> = { express: 4_000, koa: 12_000, hono: 12_000, fastify: 12_000 };
/** Starting a server, probing it, stopping it, waiting briefly for quiet. */
const PER_CONFIG_OVERHEAD_SEC = 1;
const SOAK_OVERHEAD_SEC = 8;
const MICRO_SEC = 10;
const STORM_SEC = 50;
/** The login storm over HTTP: four servers, 15 s of load each, start-up and probes. */
const LOGIN_SEC = 75;
/** Subject runs of a direct comparison's sequence, and of each re-measurement. */
const PAIR_ROUNDS = 2;
const REMEASURE_ROUNDS = 2;
/**
 * What the re-measurements may take together: at 2 rounds of 2 s, about 14 s each, so the
 * six nearest targets or so. With the 11 direct comparisons (~15 s each) it keeps the full
 * bench near 25.5 min on the 21:03 run's figures (21.5 min before both).
 */
const REMEASURE_SEC = 90;

export interface Plan {
  readonly http: HttpPlan;
  /** Slack for a busy machine (waiting for quiet, replacing disturbed rounds). */
  readonly slackSec: number;
  readonly estimateSec: { readonly http: number; readonly soak: number; readonly other: number; readonly total: number };
  readonly fits: boolean;
}

function perConfigSec(runSeconds: number, rounds: number): number {
  const warmup = Math.min(2, runSeconds);
  return (2 * rounds + 1) * runSeconds + 1.5 * warmup + PER_CONFIG_OVERHEAD_SEC;
}

/** A sequence in two fresh processes (both started, probed and warmed up: 0.75 of the warm-up each). */
export function freshSequenceSec(runSeconds: number, rounds: number): number {
  const warmup = Math.min(2, runSeconds);
  return (2 * rounds + 1) * runSeconds + 2 * Math.max(0.5, 0.75 * warmup) + 2 * PER_CONFIG_OVERHEAD_SEC;
}

export function makePlan(options: {
  readonly configs: readonly BenchConfig[];
  readonly previous: readonly HttpRow[];
  readonly budgetSec: number;
  readonly soakRequests: number;
  readonly phases: ReadonlySet<string>;
  readonly runSeconds?: number;
  readonly rounds?: number;
}): Plan {
  const { configs, previous, budgetSec, soakRequests, phases } = options;
  const measured = phases.has('http') ? configs.filter((c) => c.status === 'ready' && c.library !== 'bare').length : 0;
  const rate = (c: BenchConfig): number => previous.find((r) => r.id === c.id && r.status === 'measured')?.reqPerSec ?? DEFAULT_RATE[c.framework];
  const soak = phases.has('soak')
    ? soakTargets(configs)
        .filter((c) => c.status === 'ready')
        .reduce((sum, c) => sum + soakRequests / rate(c) + SOAK_OVERHEAD_SEC, 0)
    : 0;
  const other = (phases.has('micro') ? MICRO_SEC : 0) + (phases.has('storm') ? STORM_SEC : 0) + (phases.has('login') ? LOGIN_SEC : 0);
  const slackSec = Math.min(180, Math.max(30, budgetSec * 0.1));
  const pairs = phases.has('http') ? pairTargets(configs.filter((c) => c.status === 'ready')).length : 0;
  const remeasureSec = phases.has('http') ? REMEASURE_SEC : 0;
  const pairSec = (runSeconds: number): number => pairs * freshSequenceSec(runSeconds, PAIR_ROUNDS);
  const available = budgetSec - soak - other - slackSec - remeasureSec;

  const candidates: { runSeconds: number; rounds: number }[] = [];
  for (const rounds of options.rounds !== undefined ? [options.rounds] : [3, 2]) {
    for (let r = 5; r >= 2; r -= 0.5) candidates.push({ runSeconds: options.runSeconds ?? r, rounds });
  }
  const fitting = candidates.find((c) => measured * perConfigSec(c.runSeconds, c.rounds) + pairSec(c.runSeconds) <= available);
  const chosen = fitting ?? (candidates[candidates.length - 1] as { runSeconds: number; rounds: number });
  const http = measured * perConfigSec(chosen.runSeconds, chosen.rounds) + pairSec(chosen.runSeconds) + remeasureSec;
  return {
    http: {
      runSeconds: chosen.runSeconds,
      rounds: chosen.rounds,
      warmupSeconds: Math.min(2, chosen.runSeconds),
      pairRounds: PAIR_ROUNDS,
      remeasureRounds: REMEASURE_ROUNDS,
      remeasureSec,
    },
    slackSec,
    estimateSec: { http: Math.round(http), soak: Math.round(soak), other, total: Math.round(http + soak + other) },
    fits: fitting !== undefined,
  };
}
