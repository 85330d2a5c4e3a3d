/**
 * Linear-time checks for parsers of request input (DESIGN: "every parser of request
 * input is linear in its input"). No absolute thresholds: a parser is timed on a
 * small and a large worst-case input for the same number of calls, and the test
 * bounds the ratio. With the large input 8× the small one, a linear parser costs
 * about 8× (less when a constant overhead dominates), a quadratic one about 64×:
 * a bound of 20 passes the first and fails the second by far, even on a loaded
 * machine: time is the process's CPU time, both sizes are timed in interleaved
 * trials, and each keeps its fastest trial.
 */

/** The ratio the linear-time tests assert below, for inputs 8× apart. */
export const LINEAR_BOUND = 20;

/** The size factor between the small and the large input. */
export const SCALE = 8;

let sink: unknown;

/** CPU milliseconds of this process (time spent preempted by other processes is not counted). */
function cpu(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

function time<T>(parse: (input: T) => unknown, input: T, calls: number): number {
  const start = cpu();
  for (let i = 0; i < calls; i++) sink = parse(input);
  return cpu() - start;
}


/**
 * time(large) / time(small) for the same number of calls, chosen so that the large
 * input takes about `budgetMs` of CPU per trial. Each size keeps its fastest of
 * `trials` interleaved trials: interference (other processes, a GC pause) only
 * ever adds time, so the minimum is the cost of the parser itself.
 *
 * @example
 * ```ts
 * const n = 1024;
 * expect(growth((v) => parse(v), 'a'.repeat(n), 'a'.repeat(SCALE * n))).toBeLessThan(LINEAR_BOUND);
 * ```
 */
export function growth<T>(parse: (input: T) => unknown, small: T, large: T, { trials = 5, budgetMs = 3 } = {}): number {
  for (let i = 0; i < 3; i++) {
    sink = parse(small);
    sink = parse(large);
  }
  let calls = 1;
  while (calls < 1 << 16 && time(parse, large, calls) < budgetMs) calls *= 2;
  let a = Infinity;
  let b = Infinity;
  for (let i = 0; i < trials; i++) {
    a = Math.min(a, time(parse, small, calls));
    b = Math.min(b, time(parse, large, calls));
  }
  void sink;
  return b / Math.max(a, 0.001);
}

/**
 * `make(size)` for the cap and for an 8th of it: the worst case of a parser at its
 * size cap against the same shape at an 8th of the size.
 *
 * @example
 * ```ts
 * expect(growthAt(8192, (n) => 'Basic ' + ' '.repeat(n - 7) + 'x', readIt)).toBeLessThan(LINEAR_BOUND);
 * ```
 */
export function growthAt<T>(cap: number, make: (size: number) => T, parse: (input: T) => unknown): number {
  return growth(parse, make(Math.floor(cap / SCALE)), make(cap));
}
