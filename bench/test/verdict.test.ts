import { describe, expect, it } from 'vitest';
import { checkTargets } from '../src/checks.js';
import type { HttpRow, RunSummary } from '../src/results.js';
import { pairTargets, type PairRecord } from '../src/targets.js';
import { MARGIN, judge, judgeAgainstRivals, judgeRounds, keptRounds, roundRatios, type RoundRatio, type Sequence } from '../src/verdict.js';

/**
 * The verdict rules (issue #17 item 6), on hand-made run records: no server, no timing.
 * A run here is { req/s, CPU µs/req, other processes' load }.
 */

const run = (reqPerSec: number, cpuMicrosPerReq = 1e6 / reqPerSec, foreignCpuPct = 0): RunSummary => ({
  reqPerSec,
  p50Ms: 1,
  p99Ms: 2,
  cpuMicrosPerReq,
  serverCpuPct: 100,
  driverCpuPct: 50,
  foreignCpuPct,
});

/** A sequence B S B S … B whose subject runs keep `ratios` of a base at 10,000 req/s (CPU-bound: CPU/req follows). */
function sequence(ratios: readonly number[], load: (i: number) => number = () => 0): { subject: RunSummary[]; base: RunSummary[] } {
  return {
    base: Array.from({ length: ratios.length + 1 }, (_x, i) => run(10_000, 100, load(i))),
    subject: ratios.map((r, i) => run(10_000 * r, 100 / r, load(i))),
  };
}

const rounds = (req: readonly number[], cpu: readonly number[] = req, load = 0): RoundRatio[] => req.map((r, i) => ({ req: r, cpu: cpu[i] as number, load }));

describe('roundRatios', () => {
  it('divides each subject run by the mean of its two adjacent base runs, on req/s and on CPU', () => {
    const seq: Sequence = { base: [run(10_000, 100), run(12_000, 80), run(8_000, 120)], subject: [run(9_900, 110), run(9_000, 100)] };
    const r = roundRatios(seq);
    expect(r).toHaveLength(2);
    expect(r[0]?.req).toBeCloseTo(9_900 / 11_000, 10);
    expect(r[0]?.cpu).toBeCloseTo(90 / 110, 10);
    expect(r[1]?.req).toBeCloseTo(9_000 / 10_000, 10);
    expect(r[1]?.cpu).toBeCloseTo(100 / 100, 10);
  });

  it('ignores a subject run without a base run after it', () => {
    expect(roundRatios({ base: [run(1000)], subject: [run(900)] })).toEqual([]);
  });
});

describe('judgeRounds', () => {
  it('is met only when every run reaches the threshold on req/s and on CPU', () => {
    expect(judgeRounds(rounds([0.93, 0.95, 0.97]), 0.9).status).toBe('met');
    expect(judgeRounds(rounds([0.93, 0.95, 0.97], [0.93, 0.95, 0.91]), 0.9).status).toBe('met');
  });

  it('is within noise, not met, when the spread straddles the threshold, even with a median above it', () => {
    const j = judgeRounds(rounds([0.88, 0.95, 0.97, 0.96]), 0.9);
    expect(j.req.median).toBeGreaterThan(0.9);
    expect(j.status).toBe('noise');
    expect(j.near).toBe(true);
    expect(j.req).toMatchObject({ min: 0.88, max: 0.97 });
    expect(j.rounds).toBe(4);
  });

  it('is within noise when only the CPU spread straddles', () => {
    expect(judgeRounds(rounds([0.95, 0.96], [0.89, 0.93]), 0.9).status).toBe('noise');
  });

  it('is missed when every run is below the threshold on one of the two measures', () => {
    expect(judgeRounds(rounds([0.7, 0.8, 0.85]), 0.9).status).toBe('missed');
    expect(judgeRounds(rounds([0.95, 0.99], [0.8, 0.85]), 0.9).status).toBe('missed');
  });

  it('is pending, never met, when other processes disturbed the runs kept, and says what it would be', () => {
    const j = judgeRounds(rounds([1.2, 1.3], [1.2, 1.3], 60), 0.9);
    expect(j.status).toBe('pending');
    expect(j.wouldBe).toBe('met');
    expect(j.load).toBe(60);
  });

  it('is pending with nothing measured', () => {
    expect(judgeRounds([], 0.9)).toMatchObject({ status: 'pending', wouldBe: null, rounds: 0, near: false });
  });

  it('calls a verdict near when its lower median is within the margin of the threshold, and only then (or when straddling)', () => {
    const t = 0.9;
    expect(judgeRounds(rounds([t * (1 + MARGIN) - 0.001, t * (1 + MARGIN)]), t).near).toBe(true);
    expect(judgeRounds(rounds([t * (1 - MARGIN) + 0.002, t * (1 - MARGIN) + 0.003]), t).near).toBe(true);
    expect(judgeRounds(rounds([1.1, 1.12]), t).near).toBe(false);
    expect(judgeRounds(rounds([0.7, 0.72]), t).near).toBe(false);
    // The lower of the two medians binds: far on req/s, near on CPU.
    expect(judgeRounds(rounds([1.2, 1.2], [0.91, 0.92]), t).near).toBe(true);
  });
});

describe('keptRounds and judge', () => {
  it('leaves disturbed rounds out when at least two clean ones remain, pooling every sequence', () => {
    const first = sequence([0.5, 0.95], (i) => (i === 0 ? 80 : 0)); // the first base run disturbed: round 0 only
    const second = sequence([0.94, 0.96]);
    const kept = keptRounds([first, second]);
    expect(kept.map((r) => Math.round(r.req * 100) / 100)).toEqual([0.95, 0.94, 0.96]);
    expect(judge([first, second], 0.9).status).toBe('met');
  });

  it('keeps every round when fewer than two are clean, and the verdict is then pending', () => {
    const seq = sequence([0.95, 0.96], (i) => (i === 2 ? 0 : 50));
    const j = judge([seq], 0.9);
    expect(j.rounds).toBe(2);
    expect(j.status).toBe('pending');
  });

  it('pools a re-measurement with the first pass: a clean first verdict can turn into noise', () => {
    expect(judge([sequence([0.93, 0.94])], 0.9).status).toBe('met');
    expect(judge([sequence([0.93, 0.94]), sequence([0.86, 0.92])], 0.9).status).toBe('noise');
  });
});

describe('judgeAgainstRivals', () => {
  it('is met when the worst run beats every rival best run, within noise when they overlap, missed when behind', () => {
    expect(judgeAgainstRivals(rounds([0.9, 0.92]), [rounds([0.8, 0.85])]).status).toBe('met');
    expect(judgeAgainstRivals(rounds([0.75, 0.97]), [rounds([0.83, 0.88])]).status).toBe('noise');
    expect(judgeAgainstRivals(rounds([0.68, 0.69]), [rounds([0.71, 0.72])]).status).toBe('missed');
    expect(judgeAgainstRivals(rounds([0.9, 0.92], undefined, 40), [rounds([0.5, 0.6])]).status).toBe('pending');
  });
});

// Rows as the harness writes them, with only what the verdicts read set meaningfully.
function row(id: string, over: Partial<HttpRow> & { ratios?: readonly number[]; load?: number } = {}): HttpRow {
  const [framework, slug] = id.split('/') as [HttpRow['framework'], string];
  const library = slug === 'bare' ? 'bare' : slug.startsWith('portcullis') ? 'portcullis' : slug;
  const scheme: HttpRow['scheme'] = slug.includes('session') ? 'session' : slug.includes('token') ? 'token' : slug.includes('jwt') ? 'jwt' : slug === 'bare' ? 'none' : 'basic';
  const ratios = over.ratios ?? [1];
  const seq = sequence(ratios, () => over.load ?? 0);
  const r = ratios[Math.floor(ratios.length / 2)] ?? 1;
  return {
    id,
    framework,
    name: slug,
    scheme,
    library,
    path: slug.includes('cold') ? 'cold' : slug.includes('hot') ? 'hot' : null,
    status: 'measured',
    reqPerSec: 10_000 * r,
    p50Ms: 1,
    p99Ms: 2,
    ratioToBare: r,
    cpuMicrosPerReq: 100 / r,
    addedCpuMicrosPerReq: 100 / r - 100,
    cpuRatioToBare: r,
    bareReqPerSec: 10_000,
    serverCpuPct: 100,
    driverCpuPct: 50,
    foreignCpuPct: over.load ?? 0,
    runs: { config: seq.subject, bare: seq.base },
    ...over,
  };
}

describe('checkTargets', () => {
  const bare = row('koa/bare');

  it('never reports a disturbed row met', () => {
    const checks = checkTargets([bare, row('koa/portcullis-token', { ratios: [0.97, 0.98], load: 45 })]);
    const hot = checks.find((c) => c.target.startsWith('hot path'));
    expect(hot?.status).toBe('pending');
    expect(hot?.detail).toMatch(/not measured cleanly.*would be met/);
  });

  it('never reports a row met when the row says it was disturbed, even if its run records look clean', () => {
    const checks = checkTargets([bare, { ...row('koa/portcullis-token', { ratios: [0.97, 0.98] }), foreignCpuPct: 45 }]);
    expect(checks.find((c) => c.target.startsWith('hot path'))?.status).toBe('pending');
  });

  it('reports a straddling hot-path spread as within noise, with the runs and the spread', () => {
    const checks = checkTargets([bare, row('koa/portcullis-basic-cache', { ratios: [0.81, 0.91] })]);
    const hot = checks.find((c) => c.target.startsWith('hot path'));
    expect(hot?.status).toBe('noise');
    expect(hot?.detail).toMatch(/^within noise of 0\.9/);
    expect(hot?.runs).toBe(2);
    expect(hot?.spread?.req.min).toBeCloseTo(0.81, 10);
    expect(hot?.spread?.req.max).toBeCloseTo(0.91, 10);
  });

  it('pools a row’s re-measurements into its hot-path verdict', () => {
    const again = sequence([0.93, 0.95]);
    const checks = checkTargets([bare, { ...row('koa/portcullis-token', { ratios: [0.91, 0.92] }), remeasured: [{ config: again.subject, bare: again.base }] }]);
    const hot = checks.find((c) => c.target.startsWith('hot path'));
    expect(hot).toMatchObject({ status: 'met', runs: 4 });
    expect(hot?.detail).toMatch(/4 runs in 2 sequences/);
  });

  describe('a session target', () => {
    // Across rows, minutes apart, the session row's ÷ bare over the baseline's says 0.25 / 0.31 = 0.81 …
    const session = row('hono/portcullis-session', { ratios: [0.24, 0.25, 0.26] });
    const alone = row('hono/portcullis-sessions-alone', { ratios: [0.3, 0.31, 0.32], baseline: true });
    const rows = [row('hono/bare'), session, alone];
    // … measured directly, alternating with the baseline, it keeps 0.95–0.99 of it.
    const direct: PairRecord = {
      kind: 'session',
      framework: 'hono',
      subjectId: session.id,
      baseId: alone.id,
      threshold: 0.9,
      status: 'measured',
      sequences: [sequence([0.95, 0.96]), sequence([0.97, 0.96])],
    };

    it('is judged on the direct comparison, not on the ratio of the two ÷ bare figures', () => {
      const check = checkTargets(rows, [direct]).find((c) => c.target.startsWith('session'));
      expect(check).toMatchObject({ status: 'met', runs: 4 });
      expect(check?.spread?.req.min).toBeCloseTo(0.95, 10);
      expect(check?.detail).toMatch(/req\/s 0\.96 of the baseline's/);
      expect(check?.detail).toMatch(/across rows .*req\/s 0\.81/);
    });

    it('is not measured when the results have no direct comparison (results from before it)', () => {
      const check = checkTargets(rows).find((c) => c.target.startsWith('session'));
      expect(check?.status).toBe('pending');
      expect(check?.detail).toMatch(/^not measured directly/);
      expect(check?.runs).toBeUndefined();
    });

    it('is within noise when the direct runs straddle 0.9, and pending when they were disturbed', () => {
      const straddling = { ...direct, sequences: [sequence([0.88, 0.93])] };
      expect(checkTargets(rows, [straddling]).find((c) => c.target.startsWith('session'))?.status).toBe('noise');
      const disturbed = { ...direct, sequences: [sequence([0.95, 0.97], () => 70)] };
      expect(checkTargets(rows, [disturbed]).find((c) => c.target.startsWith('session'))?.status).toBe('pending');
    });
  });

  it('judges JWT cold against the peer it was measured with, directly', () => {
    const rows = [row('fastify/bare'), row('fastify/portcullis-jwt-cold', { ratios: [0.76] }), row('fastify/fastify-jwt-cold', { ratios: [0.6] })];
    const record: PairRecord = {
      kind: 'jwt-cold',
      framework: 'fastify',
      subjectId: 'fastify/portcullis-jwt-cold',
      baseId: 'fastify/fastify-jwt-cold',
      threshold: 1.5,
      status: 'measured',
      sequences: [sequence([1.25, 1.3])],
    };
    const check = checkTargets(rows, [record]).find((c) => c.target.startsWith('JWT cold'));
    expect(check?.status).toBe('missed');
    expect(check?.detail).toMatch(/^1\.28× fastify-jwt-cold on req\/s/);
  });

  it('reports "≥ every peer" within noise when the runs overlap', () => {
    const checks = checkTargets([row('express/bare'), row('express/portcullis-basic-cache', { ratios: [0.75, 0.97] }), row('express/express-basic-auth', { ratios: [0.83, 0.88] })]);
    expect(checks.find((c) => c.target.startsWith('≥ every basic peer'))?.status).toBe('noise');
  });
});

describe('pairTargets', () => {
  it('pairs session with each baseline, throttling on with off, JWT cold with the best cold peer', () => {
    const rows = [
      row('express/portcullis-session'),
      row('express/express-session', { baseline: true }),
      row('express/passport-session'),
      row('express/portcullis-basic-cache'),
      row('express/portcullis-basic-cache-throttle'),
      row('express/portcullis-jwt-cold'),
      row('express/express-jwt-cold', { ratioToBare: 0.21 }),
      row('express/passport-jwt-cold', { ratioToBare: 0.18 }),
    ];
    const pairs = pairTargets(rows, (r) => r.ratioToBare ?? 0).map((p) => [p.kind, p.subject.id, p.base.id, p.threshold]);
    expect(pairs).toEqual([
      ['session', 'express/portcullis-session', 'express/express-session', 0.9],
      ['throttle', 'express/portcullis-basic-cache-throttle', 'express/portcullis-basic-cache', 0.95],
      ['jwt-cold', 'express/portcullis-jwt-cold', 'express/express-jwt-cold', 1.5],
    ]);
  });
});
