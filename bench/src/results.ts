import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Framework, Scheme } from './config.js';

/** `bench/` (this file is `bench/src/…` or `bench/dist/…`). */
export const BENCH_DIR = fileURLToPath(new URL('..', import.meta.url));
export const REPO_DIR = join(BENCH_DIR, '..');
export const RESULTS_DIR = join(BENCH_DIR, 'results');

/** One configuration in `bench/results/latest.json`. */
export interface HttpRow {
  readonly id: string;
  readonly framework: Framework;
  readonly name: string;
  readonly scheme: Scheme;
  /** `bare`, `portcullis`, or the peer's package name. */
  readonly library: string;
  readonly path: 'hot' | 'cold' | null;
  /** "The framework + its session middleware alone": a baseline, not a peer (issue #17 item 4). */
  readonly baseline?: boolean;
  readonly status: 'measured' | 'not-built' | 'failed';
  readonly note?: string;
  readonly error?: string;
  /** Median of the configuration's runs. */
  readonly reqPerSec: number | null;
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** Median over runs of reqPerSec ÷ the mean of the two adjacent bare runs. */
  readonly ratioToBare: number | null;
  /** Server CPU time per request (all of the server process's threads), µs, median of runs. */
  readonly cpuMicrosPerReq: number | null;
  /** `cpuMicrosPerReq` minus the adjacent bare runs' CPU per request: what the middleware costs. */
  readonly addedCpuMicrosPerReq: number | null;
  /** bare CPU/req ÷ this CPU/req: the throughput ratio a CPU-bound server would show. */
  readonly cpuRatioToBare: number | null;
  /** The adjacent bare runs' median req/s, same request shape. */
  readonly bareReqPerSec: number | null;
  /** Server CPU use during the measured runs, % of its one core (median). */
  readonly serverCpuPct: number | null;
  /** The load generator's CPU use, % of its core (max over this configuration's and its bare runs). */
  readonly driverCpuPct: number | null;
  /** CPU used by other processes on the machine during the runs kept, % of one core (max). */
  readonly foreignCpuPct?: number | null;
  /** Rounds (configuration run + adjacent bare runs) left out because the machine was busy with other work. */
  readonly disturbedRounds?: number;
  /** The first pass: every configuration run and every bare run, in order (B C B C … B), disturbed rounds included. */
  readonly runs?: { readonly config: readonly RunSummary[]; readonly bare: readonly RunSummary[] };
  /**
   * Later sequences of a hot-path row whose first verdict fell near its threshold, each in a
   * fresh bare and a fresh configuration process (B C B C … B). The Targets table pools them
   * with `runs`; the figures above are the first pass's.
   */
  readonly remeasured?: readonly { readonly config: readonly RunSummary[]; readonly bare: readonly RunSummary[] }[];
}

export interface RunSummary {
  readonly reqPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly cpuMicrosPerReq: number;
  readonly serverCpuPct: number;
  readonly driverCpuPct: number;
  readonly foreignCpuPct: number;
}

export interface MicroRow {
  readonly name: string;
  readonly group: string;
  readonly nsPerOp: number | null;
  readonly opsPerSec: number | null;
  readonly rmePct: number | null;
  readonly samples: number;
  readonly error?: string;
}

export interface StormRow {
  readonly hasher: string;
  /** Where it came from (`@portcullis/hashers` export, …) or why it is missing. */
  readonly source: string;
  readonly status: 'measured' | 'not-available' | 'failed' | 'reference';
  readonly id?: string;
  readonly concurrent: number;
  readonly loopDelayP99Ms: number | null;
  readonly loopDelayMaxMs: number | null;
  readonly wallMs: number | null;
  readonly msPerVerify: number | null;
  readonly error?: string;
}

/** One variant of the login storm over HTTP (`bench/results/login.json`). */
export interface LoginRow {
  readonly variant: string;
  readonly name: string;
  readonly status: 'measured' | 'failed';
  /** Concurrent connections, each posting the login form again as soon as it is answered. */
  readonly connections: number;
  readonly seconds: number | null;
  /** Every answer per second (logins, 401s, 503s). */
  readonly answersPerSec: number | null;
  /** 2xx answers (successful logins) per second. */
  readonly loginsPerSec: number | null;
  /** 503 answers (a full hashing queue) per second. */
  readonly busyPerSec: number | null;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly errors: number;
  /** Requests unanswered after autocannon's 10 s timeout. */
  readonly timeouts: number;
  /** Latency of the answered requests (autocannon). */
  readonly p50Ms: number | null;
  readonly p99Ms: number | null;
  /** The server's event-loop delay over the run (`monitorEventLoopDelay`, 1 ms resolution). */
  readonly loopDelayP99Ms: number | null;
  readonly loopDelayMaxMs: number | null;
  /** The server's RSS when the run started, and its peak (sampled every 20 ms). */
  readonly rssStartMiB: number | null;
  readonly rssPeakMiB: number | null;
  readonly serverCpuPct: number | null;
  /** CPU used by other processes on the machine during the run, % of one core. */
  readonly foreignCpuPct: number | null;
  readonly error?: string;
}

export interface SoakRow {
  readonly framework: Framework;
  readonly scheme: Scheme;
  readonly id: string;
  readonly name: string;
  readonly status: 'measured' | 'not-built' | 'failed';
  readonly requests: number | null;
  readonly seconds: number | null;
  readonly reqPerSec: number | null;
  readonly heapStartMB: number | null;
  readonly heapEndMB: number | null;
  readonly growthPct: number | null;
  readonly rssEndMB: number | null;
  readonly passed: boolean | null;
  readonly error?: string;
}

export interface Meta {
  readonly date: string;
  readonly quick: boolean;
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly plan: Record<string, number>;
  readonly phases: readonly string[];
  /** Later runs of some phases into the same directory. */
  readonly rerun?: readonly { readonly date: string; readonly phases: readonly string[] }[];
  readonly durations: Record<string, number>;
}

export function writeJson(dir: string, name: string, value: unknown): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
  return file;
}

export function readJson<T>(dir: string, name: string): T | undefined {
  const file = join(dir, name);
  if (!existsSync(file)) return undefined;
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function ensureDir(file: string): void {
  mkdirSync(dirname(file), { recursive: true });
}
