import type { BenchConfig, Framework } from './config.js';
import type { HttpPlan } from './http-bench.js';
import type { HttpRow } from './results.js';
import { soakTargets } from './soak.js';

/**
 * Fits the run into a time budget. The soak is fixed work (a million requests per
 * adapter and scheme), so its duration is estimated from the last full run's req/s
 * (`bench/results/latest.json`, committed) or conservative defaults; the HTTP runs
 * get what remains: 3 rounds of up to 5 s, down to 2 rounds of 2 s when many
 * configurations are built.
 */

/** Conservative req/s when there is no previous run to go by. */
const DEFAULT_RATE: Readonly<Record<Framework, number>> = { express: 4_000, koa: 12_000, hono: 12_000, fastify: 12_000 };
/** Starting a server, probing it, stopping it. */
const PER_CONFIG_OVERHEAD_SEC = 2;
const SOAK_OVERHEAD_SEC = 8;
const MICRO_SEC = 20;
const STORM_SEC = 60;
/** The login storm over HTTP: four servers, 15 s of load each, start-up and probes. */
const LOGIN_SEC = 120;

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
  const available = budgetSec - soak - other - slackSec;

  const candidates: { runSeconds: number; rounds: number }[] = [];
  for (const rounds of options.rounds !== undefined ? [options.rounds] : [3, 2]) {
    for (let r = 5; r >= 2; r -= 0.5) candidates.push({ runSeconds: options.runSeconds ?? r, rounds });
  }
  const fitting = candidates.find((c) => measured * perConfigSec(c.runSeconds, c.rounds) <= available);
  const chosen = fitting ?? (candidates[candidates.length - 1] as { runSeconds: number; rounds: number });
  const http = measured * perConfigSec(chosen.runSeconds, chosen.rounds);
  return {
    http: { runSeconds: chosen.runSeconds, rounds: chosen.rounds, warmupSeconds: Math.min(2, chosen.runSeconds) },
    slackSec,
    estimateSec: { http: Math.round(http), soak: Math.round(soak), other, total: Math.round(http + soak + other) },
    fits: fitting !== undefined,
  };
}
