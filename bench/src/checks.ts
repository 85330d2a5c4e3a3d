/**
 * The issue's targets judged from the results (issue #17 items 1–4 and 6): which rows, which
 * figures, and the status each gets. Kept apart from the report's rendering (and its chart
 * library) so the rules are tested with the root suite.
 */
import { FRAMEWORKS, type Framework } from './config.js';
import { NOISY_PCT } from './machine.js';
import type { HttpRow } from './results.js';
import { COLD_TARGET, HOT_TARGET, isHotPath, pairLabel, pairTargets, rowSequences, type PairRecord, type PairTarget } from './targets.js';
import { judge, judgeAgainstRivals, judgeRounds, keptRounds, type Judgement, type RoundRatio, type Spread } from './verdict.js';

export const FRAMEWORK_LABEL: Readonly<Record<Framework, string>> = { express: 'Express 5', koa: 'Koa 3', hono: 'Hono 4 (@hono/node-server)', fastify: 'Fastify 5' };
/** Below this server CPU use, a bare run was limited by the load generator rather than by the server. */
const SATURATED = 90;

export const n = (v: number | null | undefined, digits = 0): string =>
  v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

export interface TargetCheck {
  readonly target: string;
  readonly framework: Framework;
  /** `noise`: the pooled runs' spread straddles the threshold ("within noise of 0.9"): neither met nor missed. */
  readonly status: 'met' | 'missed' | 'noise' | 'pending';
  readonly detail: string;
  /** Runs pooled into the verdict (configuration runs, or subject runs of a direct comparison); absent where not measured. */
  readonly runs?: number;
  /** Min–max of the per-run ratios behind the verdict, req/s and CPU; absent where not measured. */
  readonly spread?: { readonly req: Spread; readonly cpu: Spread };
}

/** A row's rounds against bare, pooled over its sequences; a row without run records is one round of its medians. */
function rowRounds(r: HttpRow): RoundRatio[] {
  const kept = keptRounds(rowSequences(r));
  if (kept.length > 0) return kept;
  if (r.ratioToBare === null || r.cpuRatioToBare === null) return [];
  return [{ req: r.ratioToBare, cpu: r.cpuRatioToBare, load: r.foreignCpuPct ?? 0 }];
}

/** `0.88 (0.75–0.97)`, or `0.88` from one run. */
const ranged = (s: Spread, digits = 2): string => (s.min === s.max ? n(s.median, digits) : `${n(s.median, digits)} (${n(s.min, digits)}–${n(s.max, digits)})`);

/**
 * The status and detail of a judged target. Never `met` (nor `missed`, nor `noise`) from a
 * row whose runs other processes disturbed (issue #17 item 6): such a target is reported as
 * not measured, with the figures and the load, for a re-run on a quiet machine.
 */
function verdict(
  j: Pick<Judgement, 'status' | 'wouldBe' | 'load'>,
  involved: readonly (HttpRow | undefined)[],
  threshold: string,
  detail: string,
): Pick<TargetCheck, 'status' | 'detail'> {
  const load = Math.max(j.load, ...involved.map((r) => r?.foreignCpuPct ?? 0));
  const would = j.wouldBe === 'noise' ? `within noise of ${threshold}` : j.wouldBe ?? 'not measured';
  if (load > NOISY_PCT) return { status: 'pending', detail: `not measured cleanly: other processes used up to ${n(load)}% of a core during the runs kept (would be ${would}: ${detail})` };
  if (j.status === 'pending') return { status: 'pending', detail: `not measured: ${detail}` };
  return { status: j.status, detail: j.status === 'noise' ? `within noise of ${threshold}: ${detail}` : detail };
}

const runsNote = (j: Judgement, sequences: number, what: string): string =>
  `${j.rounds} run${j.rounds === 1 ? '' : 's'}${what}${sequences > 1 ? ` in ${sequences} sequences of fresh processes` : ''}`;

/**
 * The issue's targets, checked against the measured rows and the direct comparisons
 * (`pairs`, `bench/results/pairs.json`; `undefined` for results that predate them, whose
 * pair targets read "not measured directly").
 */
export function checkTargets(rows: readonly HttpRow[], pairs?: readonly PairRecord[]): TargetCheck[] {
  const out: TargetCheck[] = [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const measuredPairs = pairTargets(rows.filter((r) => r.status === 'measured'), (r) => r.ratioToBare ?? 0);
  for (const framework of FRAMEWORKS) {
    const mine = rows.filter((r) => r.framework === framework);
    const bare = mine.find((r) => r.library === 'bare');
    // The load generator, not the server, set bare's req/s: it used its whole core while the server had room.
    const driverBound = bare !== undefined && (bare.driverCpuPct ?? 0) >= SATURATED && (bare.serverCpuPct ?? 100) < SATURATED;
    const ours = mine.filter((r) => r.library === 'portcullis');
    const peers = mine.filter((r) => r.library !== 'portcullis' && r.library !== 'bare' && r.baseline !== true);

    // 1. Hot path ≥ 0.90 of bare: the cheap credentials (cache hit, static token, hot JWT), on
    // every run of the row pooled (its first pass and any re-measurement).
    for (const r of ours.filter(isHotPath)) {
      const target = `hot path ≥ ${HOT_TARGET} of bare: ${r.name}`;
      if (r.status !== 'measured') {
        out.push({ target, framework, status: 'pending', detail: r.status === 'not-built' ? 'not built yet' : `failed: ${r.error ?? ''}` });
        continue;
      }
      const j = judgeRounds(rowRounds(r), HOT_TARGET);
      const sequences = rowSequences(r).length;
      out.push({
        target,
        framework,
        runs: j.rounds,
        spread: { req: j.req, cpu: j.cpu },
        ...verdict(
          j,
          [r],
          String(HOT_TARGET),
          `req/s ratio ${n(j.req.median, 2)}, CPU ratio ${n(j.cpu.median, 2)} (medians of ${runsNote(j, sequences, '')}; first pass +${n(r.addedCpuMicrosPerReq, 1)} µs/req on ${n(bare?.cpuMicrosPerReq, 1)} µs bare)` +
            (driverBound ? `; bare ${FRAMEWORK_LABEL[framework]} used ${n(bare?.serverCpuPct)}% of its core: the load generator, not the server, set bare's req/s, so the CPU ratio is the honest one` : '') +
            (j.wouldBe === 'missed' && j.req.max >= HOT_TARGET && j.cpu.max < HOT_TARGET ? '; reached on req/s, missed on CPU' : ''),
        ),
      });
    }

    // 2. Targets that are a ratio of two configurations (JWT cold ÷ the best peer, session ÷ the
    // framework + its session middleware alone, throttling on ÷ off), judged on their direct
    // measurement: the one alternating with the other in one sequence.
    for (const t of measuredPairs.filter((p) => p.framework === framework)) out.push(pairCheck(t, pairs, byId));
    for (const t of pairTargets(mine)) {
      // Pair targets whose rows were not measured (not built, failed): say so.
      if (t.subject.status === 'measured' && t.base.status === 'measured') continue;
      if (t.kind === 'jwt-cold' && measuredPairs.some((p) => p.kind === 'jwt-cold' && p.framework === framework)) continue;
      const failed = [t.subject, t.base].find((r) => r.status !== 'measured') as HttpRow;
      out.push({ target: pairLabel(t), framework, status: 'pending', detail: failed.status === 'not-built' ? `${failed.name} not built yet` : `failed: ${failed.name}: ${failed.error ?? ''}` });
    }

    // 3. Every Portcullis configuration ≥ every peer of the same scheme (and path), on the rows'
    // drift-free figures (req/s ÷ the adjacent bare runs, bare CPU/req ÷ CPU/req), run by run:
    // met when Portcullis's worst run beats every peer's best on both, within noise when they overlap.
    for (const r of ours) {
      const rivals = peers.filter((p) => p.scheme === r.scheme && (r.path === null || p.path === r.path) && p.status === 'measured');
      if (rivals.length === 0) continue;
      const target = `≥ every ${r.scheme} peer: ${r.name}`;
      if (r.status !== 'measured') {
        out.push({ target, framework, status: 'pending', detail: r.status === 'not-built' ? 'not built yet' : `failed: ${r.error ?? ''}` });
        continue;
      }
      const mineRounds = rowRounds(r);
      const rivalRounds = rivals.map(rowRounds);
      const j = judgeAgainstRivals(mineRounds, rivalRounds);
      const spreadOf = (rounds: readonly RoundRatio[]): { req: Spread; cpu: Spread } => {
        const k = judgeRounds(rounds, 1);
        return { req: k.req, cpu: k.cpu };
      };
      const fig = (x: HttpRow, rounds: readonly RoundRatio[]): string => {
        const s = spreadOf(rounds);
        return `${ranged(s.req)} / ${ranged(s.cpu)} (${n(x.reqPerSec)} req/s, +${n(x.addedCpuMicrosPerReq, 1)} µs)`;
      };
      const own = spreadOf(mineRounds);
      const rs = rivals.map((p, i) => ({ p, rounds: rivalRounds[i] as RoundRatio[], s: spreadOf(rivalRounds[i] as RoundRatio[]) }));
      const behind = rs.filter((x) => own.req.max < x.s.req.min || own.cpu.max < x.s.cpu.min);
      const overlapping = rs.filter((x) => !(own.req.min >= x.s.req.max && own.cpu.min >= x.s.cpu.max) && !behind.includes(x));
      const best = rs.reduce((b, x) => (x.s.cpu.median > b.s.cpu.median ? x : b));
      out.push({
        target,
        framework,
        runs: mineRounds.length,
        spread: own,
        ...verdict(
          j,
          [r, ...rivals],
          'the peers',
          `÷ bare / CPU ratio ${fig(r, mineRounds)}; ` +
            (j.wouldBe === 'met'
              ? `best peer ${best.p.name} ${fig(best.p, best.rounds)}`
              : j.wouldBe === 'missed'
                ? `behind ${behind.map((x) => `${x.p.name} ${fig(x.p, x.rounds)}`).join(', ')}`
                : `runs overlap ${overlapping.map((x) => `${x.p.name} ${fig(x.p, x.rounds)}`).join(', ')}`),
        ),
      });
    }
  }
  return out;
}

/** A pair target's verdict from its direct measurement, or "not measured directly". */
function pairCheck(t: PairTarget<HttpRow>, pairs: readonly PairRecord[] | undefined, byId: ReadonlyMap<string, HttpRow>): TargetCheck {
  const target = pairLabel(t);
  // JWT cold: the record names the peer it was measured against (the best by ÷ bare when measured).
  const record = pairs?.find((p) => p.kind === t.kind && p.subjectId === t.subject.id && (t.kind === 'jwt-cold' || p.baseId === t.base.id));
  const base = (record === undefined ? undefined : byId.get(record.baseId)) ?? t.base;
  const across = judgeRounds([{ req: (t.subject.ratioToBare ?? 0) / (base.ratioToBare ?? Infinity), cpu: (t.subject.cpuRatioToBare ?? 0) / (base.cpuRatioToBare ?? Infinity), load: 0 }], t.threshold);
  const acrossText = `across rows (each ÷ its own bare runs, minutes apart): req/s ${n(across.req.median, 2)}, CPU ${n(across.cpu.median, 2)}`;
  if (record === undefined) {
    return {
      target,
      framework: t.framework,
      status: 'pending',
      detail: `not measured directly${pairs === undefined ? ' (these results predate direct measurement)' : ''}; ${acrossText}`,
    };
  }
  if (record.status !== 'measured') return { target, framework: t.framework, status: 'pending', detail: `failed: ${record.error ?? 'not measured'}; ${acrossText}` };
  const j = judge(record.sequences.map((s) => ({ subject: s.subject, base: s.base })), record.threshold);
  const runs = runsNote(j, record.sequences.length, ` alternating with ${base.name}`);
  const detail =
    t.kind === 'jwt-cold'
      ? `${n(j.req.median, 2)}× ${base.name} on req/s, ${n(j.cpu.median, 2)}× on CPU per request (medians of ${runs}); ${acrossText.replace('req/s', 'req/s ÷ bare')}`
      : `req/s ${n(j.req.median, 2)} of ${t.kind === 'session' ? "the baseline's" : `${base.name}'s`}, CPU ${n(j.cpu.median, 2)} (medians of ${runs}); ${acrossText}`;
  return {
    target,
    framework: t.framework,
    runs: j.rounds,
    spread: { req: j.req, cpu: j.cpu },
    ...verdict(j, [t.subject, base], t.kind === 'jwt-cold' ? `${COLD_TARGET}×` : String(t.threshold), detail),
  };
}
