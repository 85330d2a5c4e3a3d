/**
 * Which rows the targets are judged on, shared by the harness (which measures them,
 * and again when a first verdict is near its threshold) and the report (which judges them).
 */
import type { Framework, Scheme } from './config.js';
import type { HttpRow, RunSummary } from './results.js';
import type { Sequence } from './verdict.js';

/** Hot-path target: Portcullis keeps this fraction of bare. */
export const HOT_TARGET = 0.9;
/** Throttling on vs off (issue #16): "Basic (cache hit) + throttling" keeps this fraction of "Basic (cache hit)". */
export const THROTTLE_TARGET = 0.95;
/** JWT cold path: this many times the best peer. */
export const COLD_TARGET = 1.5;

/** What the target selection needs of a configuration or a measured row. */
export interface Described {
  readonly id: string;
  readonly framework: Framework;
  readonly name: string;
  readonly library: string;
  readonly scheme: Scheme;
  readonly path: 'hot' | 'cold' | null;
  readonly baseline?: boolean;
}

/** The cheap credentials whose Portcullis rows must keep 0.9 of bare (cache hit, static token, hot JWT). */
export function isHotPath(r: Described): boolean {
  return r.library === 'portcullis' && (r.id.endsWith('basic-cache') || r.scheme === 'token' || (r.scheme === 'jwt' && r.path === 'hot'));
}

export type PairKind = 'session' | 'throttle' | 'jwt-cold';

/**
 * A target that is a ratio of two configurations, measured directly: the subject alternating
 * with the base in one sequence (base, subject, base, …, base), in fresh processes.
 */
export interface PairTarget<T extends Described = Described> {
  readonly kind: PairKind;
  readonly framework: Framework;
  readonly subject: T;
  readonly base: T;
  readonly threshold: number;
}

const isPeer = (r: Described): boolean => r.library !== 'portcullis' && r.library !== 'bare' && r.baseline !== true;

/**
 * The pair targets among `rows`: Portcullis session ≥ 0.9 of each session baseline,
 * "Basic (cache hit) + throttling" ≥ 0.95 of "Basic (cache hit)", Portcullis JWT cold ≥ 1.5×
 * the best cold JWT peer (the one `score` ranks highest; the first listed without a score).
 */
export function pairTargets<T extends Described>(rows: readonly T[], score?: (row: T) => number): PairTarget<T>[] {
  const out: PairTarget<T>[] = [];
  const frameworks = [...new Set(rows.map((r) => r.framework))];
  for (const framework of frameworks) {
    const mine = rows.filter((r) => r.framework === framework);
    const session = mine.find((r) => r.library === 'portcullis' && r.scheme === 'session');
    if (session !== undefined) {
      for (const base of mine.filter((r) => r.baseline === true && r.scheme === 'session')) out.push({ kind: 'session', framework, subject: session, base, threshold: HOT_TARGET });
    }
    const hit = mine.find((r) => r.id.endsWith('/portcullis-basic-cache'));
    const throttled = mine.find((r) => r.id.endsWith('/portcullis-basic-cache-throttle'));
    if (hit !== undefined && throttled !== undefined) out.push({ kind: 'throttle', framework, subject: throttled, base: hit, threshold: THROTTLE_TARGET });
    const cold = mine.find((r) => r.library === 'portcullis' && r.scheme === 'jwt' && r.path === 'cold');
    const coldPeers = mine.filter((r) => isPeer(r) && r.scheme === 'jwt' && r.path === 'cold');
    const best = score === undefined ? coldPeers[0] : coldPeers.reduce<T | undefined>((b, p) => (b === undefined || score(p) > score(b) ? p : b), undefined);
    if (cold !== undefined && best !== undefined) out.push({ kind: 'jwt-cold', framework, subject: cold, base: best, threshold: COLD_TARGET });
  }
  return out;
}

/** The label of a pair target in the Targets table. */
export function pairLabel(t: PairTarget): string {
  switch (t.kind) {
    case 'session':
      return `session ≥ ${HOT_TARGET} of ${t.base.name}`;
    case 'throttle':
      return `throttling on ≥ ${THROTTLE_TARGET} of off: ${t.subject.name}`;
    case 'jwt-cold':
      return `JWT cold ≥ ${COLD_TARGET}× best peer`;
  }
}

/** One pair target's direct measurement (`bench/results/pairs.json`). */
export interface PairRecord {
  readonly kind: PairKind;
  readonly framework: Framework;
  readonly subjectId: string;
  readonly baseId: string;
  readonly threshold: number;
  readonly status: 'measured' | 'failed';
  readonly error?: string;
  /** One alternating sequence per pair of fresh processes, in the order measured: base, subject, base, …, base. */
  readonly sequences: readonly { readonly subject: readonly RunSummary[]; readonly base: readonly RunSummary[] }[];
}

/** A row's sequences against bare: its first pass (`runs`), then every re-measurement. */
export function rowSequences(row: HttpRow): Sequence[] {
  const first = row.runs === undefined ? [] : [{ subject: row.runs.config, base: row.runs.bare }];
  return [...first, ...(row.remeasured ?? []).map((s) => ({ subject: s.config, base: s.bare }))];
}
