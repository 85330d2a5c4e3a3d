/**
 * Verdicts from run records (issue #17 item 6): pure functions over the runs a target was
 * measured with, no I/O, so the rules are pinned by tests (`bench/test/verdict.test.ts`).
 *
 * A target compares a subject with a base measured in one alternating sequence
 * (base, subject, base, …, subject, base): Portcullis against its bare framework, or, for a
 * target that is a ratio of two configurations (session ÷ the framework + its session
 * middleware alone, throttling on ÷ off, JWT cold ÷ the best peer), the one directly against
 * the other. Every subject run gives one ratio against the mean of its two adjacent base runs,
 * on req/s and on CPU per request; a target may be measured in several sequences (each in
 * fresh server processes), and all their rounds are pooled.
 */
import { NOISY_PCT } from './machine.js';
import { median } from './stats.js';

/** One measured run, as kept in the results (`RunSummary` has these fields). */
export interface RunPoint {
  readonly reqPerSec: number;
  readonly cpuMicrosPerReq: number;
  readonly foreignCpuPct: number;
}

/** One alternating sequence: `base.length === subject.length + 1`, base run i and i + 1 either side of subject run i. */
export interface Sequence {
  readonly base: readonly RunPoint[];
  readonly subject: readonly RunPoint[];
}

/** One round: a subject run against the mean of its two adjacent base runs. */
export interface RoundRatio {
  /** Subject req/s ÷ the adjacent base runs' mean req/s. */
  readonly req: number;
  /** The adjacent base runs' mean CPU/req ÷ the subject's CPU/req (what a CPU-bound server would show). */
  readonly cpu: number;
  /** The most CPU other processes used during the round's three runs, % of one core. */
  readonly load: number;
}

/**
 * How near a threshold a first verdict must fall to be measured again, relative to the
 * threshold (±0.063 at 0.9, ±0.067 at 0.95, ±0.105 at 1.5×). Chosen from the two last quiet
 * full runs (18:20 and 21:03 UTC, 2026-12-06; 63 rows at ≥ 0.5 of bare, two rounds each):
 * the two per-round ratios of a row differed by a median 6.2 % (req/s) and 6.6 % (CPU), so one
 * round's ratio has a σ of about 6.5–7 % and a two-round verdict about 4.6–4.9 %. A band of
 * 7 % is 1.5 σ of a first verdict: one outside it is on the wrong side of the threshold in
 * fewer than 1 in 15 cases, and the band is narrow enough that the re-measurements fit the
 * bench's time budget. (The ±0.08 moves between the two full runs in bench/findings.md are
 * the difference of two such verdicts, σ ≈ 6.5–7 %.)
 */
export const MARGIN = 0.07;

/** The rounds of one sequence, in order. */
export function roundRatios(seq: Sequence): RoundRatio[] {
  const out: RoundRatio[] = [];
  for (let i = 0; i < seq.subject.length; i++) {
    const s = seq.subject[i] as RunPoint;
    const a = seq.base[i];
    const b = seq.base[i + 1];
    if (a === undefined || b === undefined) break;
    out.push({
      req: s.reqPerSec / ((a.reqPerSec + b.reqPerSec) / 2),
      cpu: (a.cpuMicrosPerReq + b.cpuMicrosPerReq) / 2 / s.cpuMicrosPerReq,
      load: Math.max(s.foreignCpuPct, a.foreignCpuPct, b.foreignCpuPct),
    });
  }
  return out.filter((r) => Number.isFinite(r.req) && Number.isFinite(r.cpu));
}

/**
 * The rounds a verdict is made from, pooled over every sequence: those no other process
 * disturbed, when at least `minClean` of them remain (as the harness keeps them); otherwise
 * all of them, and the verdict carries their load (and is pending).
 */
export function keptRounds(sequences: readonly Sequence[], minClean = 2): RoundRatio[] {
  const all = sequences.flatMap(roundRatios);
  const clean = all.filter((r) => r.load <= NOISY_PCT);
  return clean.length >= Math.min(minClean, all.length) && clean.length > 0 ? clean : all;
}

export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface Judgement {
  /**
   * `met`: every pooled round reaches the threshold on req/s and on CPU. `missed`: every round
   * stays below it on one of the two. `noise`: the rounds' spread straddles the threshold
   * ("within noise of 0.9"). `pending`: nothing measured, or other processes disturbed the
   * rounds kept (never met nor missed from those).
   */
  readonly status: 'met' | 'missed' | 'noise' | 'pending';
  /** What the figures would say without the load (for `pending` rows that were measured). */
  readonly wouldBe: 'met' | 'missed' | 'noise' | null;
  readonly req: Spread;
  readonly cpu: Spread;
  /** Rounds pooled (subject runs). */
  readonly rounds: number;
  /** The most CPU other processes used during the rounds kept, % of one core. */
  readonly load: number;
  /** The binding figure (the lower of the two medians) ÷ the threshold, minus 1: how far the verdict is from the line. */
  readonly distance: number;
  /** Worth measuring again: the spread straddles the threshold, or the binding median is within `MARGIN` of it. */
  readonly near: boolean;
}

const spread = (values: readonly number[]): Spread => ({ median: median(values), min: Math.min(...values), max: Math.max(...values) });

/** The verdict on pooled rounds against `threshold` (subject ≥ threshold × base). */
export function judgeRounds(rounds: readonly RoundRatio[], threshold: number, margin = MARGIN): Judgement {
  if (rounds.length === 0) {
    const none = { median: Number.NaN, min: Number.NaN, max: Number.NaN };
    return { status: 'pending', wouldBe: null, req: none, cpu: none, rounds: 0, load: 0, distance: Number.NaN, near: false };
  }
  const req = spread(rounds.map((r) => r.req));
  const cpu = spread(rounds.map((r) => r.cpu));
  const load = Math.max(...rounds.map((r) => r.load));
  // Both: req/s can be flattered by a load-generator limit, CPU/req cannot.
  const figures: 'met' | 'missed' | 'noise' =
    req.min >= threshold && cpu.min >= threshold ? 'met' : req.max < threshold || cpu.max < threshold ? 'missed' : 'noise';
  const distance = Math.min(req.median, cpu.median) / threshold - 1;
  return {
    status: load > NOISY_PCT ? 'pending' : figures,
    wouldBe: figures,
    req,
    cpu,
    rounds: rounds.length,
    load,
    distance,
    near: figures === 'noise' || Math.abs(distance) <= margin,
  };
}

/** The verdict on every sequence a target was measured in, pooled. */
export function judge(sequences: readonly Sequence[], threshold: number, margin = MARGIN): Judgement {
  return judgeRounds(keptRounds(sequences), threshold, margin);
}

/**
 * One subject against several rivals measured in other sequences (Portcullis ≥ every peer of
 * its scheme): each compared on its own rounds' ratios to bare. `met` when the subject's worst
 * round beats every rival's best on both measures, `missed` when its best round is below some
 * rival's worst on either, `noise` when the spreads overlap; `pending` when any of them was
 * disturbed.
 */
export function judgeAgainstRivals(
  subject: readonly RoundRatio[],
  rivals: readonly (readonly RoundRatio[])[],
): { readonly status: Judgement['status']; readonly wouldBe: Judgement['wouldBe']; readonly load: number } {
  if (subject.length === 0 || rivals.some((r) => r.length === 0)) return { status: 'pending', wouldBe: null, load: 0 };
  const s = { req: spread(subject.map((r) => r.req)), cpu: spread(subject.map((r) => r.cpu)) };
  const rs = rivals.map((rounds) => ({ req: spread(rounds.map((r) => r.req)), cpu: spread(rounds.map((r) => r.cpu)) }));
  const load = Math.max(...subject.map((r) => r.load), ...rivals.flat().map((r) => r.load));
  const figures: 'met' | 'missed' | 'noise' = rs.every((r) => s.req.min >= r.req.max && s.cpu.min >= r.cpu.max)
    ? 'met'
    : rs.some((r) => s.req.max < r.req.min || s.cpu.max < r.cpu.min)
      ? 'missed'
      : 'noise';
  return { status: load > NOISY_PCT ? 'pending' : figures, wouldBe: figures, load };
}
