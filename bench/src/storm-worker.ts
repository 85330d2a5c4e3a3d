/**
 * The login storm: 50 password verifications at the hasher's default cost, all at
 * once, while `monitorEventLoopDelay` watches the event loop. A hasher that works off
 * the loop (libuv thread pool, Web Crypto) keeps the loop's p99 delay near the idle
 * value; one that blocks pushes it to the length of a verification or more.
 *
 * Hashers are imported dynamically, so this runs before they exist and reports "not
 * available"; nothing to change when they land, as long as they follow the core's
 * naming (`pbkdf2Hasher()`, a factory returning a `Hasher`).
 *
 * The Node hashers are bounded by default (libuv's pool size computing, four times that
 * in line, `hasher_busy` beyond): 50 verifications at once would be mostly refused, and
 * this table measures the hasher's effect on the event loop, not the bound. So they are
 * built with `{ bound: false }`; one more argon2id row runs the same 50 through a bound
 * of the default size whose queue holds them all (no refusal, no wait limit), to show
 * what queueing in the bound costs the loop.
 */
import { scrypt, scryptSync } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Hasher } from '@portcullis/core/hashing';
import type { StormRow } from './results.js';

const quick = process.argv.includes('--quick');
const CONCURRENT = quick ? 10 : 50;
const PASSWORD = 'correct horse battery staple';

interface Wanted {
  /** The row's label. */
  readonly hasher: string;
  readonly module: string;
  /** Export names tried first, in order. */
  readonly names: readonly string[];
  /** Otherwise: an export named like this, ending in `Hasher`, whose zero-argument call yields a Hasher. */
  readonly pattern: RegExp;
  /** The factory's argument, if any (shown in the row's source). */
  readonly options?: { readonly bound: false | { readonly concurrency: number; readonly queue: number; readonly maxWaitMs: number } };
}

const UNBOUNDED = { bound: false } as const;
/** The default bound's size (libuv's pool: 4 threads), with a queue that holds the whole storm and no wait limit. */
const HOLDS_ALL = { bound: { concurrency: 4, queue: CONCURRENT, maxWaitMs: 0 } } as const;

const WANTED: readonly Wanted[] = [
  { hasher: 'argon2id', module: '@portcullis/hashers', names: ['argon2idHasher', 'argon2Hasher'], pattern: /argon2/i, options: UNBOUNDED },
  { hasher: 'argon2id, bounded', module: '@portcullis/hashers', names: ['argon2idHasher', 'argon2Hasher'], pattern: /argon2/i, options: HOLDS_ALL },
  { hasher: 'scrypt', module: '@portcullis/hashers', names: ['scryptHasher'], pattern: /scrypt/i, options: UNBOUNDED },
  { hasher: 'bcrypt', module: '@portcullis/hashers', names: ['bcryptHasher'], pattern: /bcrypt/i, options: UNBOUNDED },
  { hasher: 'PBKDF2', module: '@portcullis/core/hashing', names: ['pbkdf2Hasher'], pattern: /^pbkdf2/i },
];

function isHasher(value: unknown): value is Hasher {
  const h = value as Hasher | null;
  return typeof h === 'object' && h !== null && typeof h.hash === 'function' && typeof h.verify === 'function' && typeof h.id === 'string';
}

/** Calls a factory (or class) with `args` and keeps the result if it is a Hasher. */
function instantiate(value: unknown, args: readonly unknown[]): Hasher | undefined {
  if (isHasher(value)) return value;
  if (typeof value !== 'function') return undefined;
  for (const make of [() => (value as (...a: unknown[]) => unknown)(...args), () => new (value as new (...a: unknown[]) => unknown)(...args)]) {
    try {
      const made = make();
      if (isHasher(made)) return made;
      if (made instanceof Promise) made.catch(() => undefined);
    } catch {
      // Not a zero-argument factory in this form.
    }
  }
  return undefined;
}

/** `{ bound: false }`, `{ bound: { concurrency: 4, queue: 50, maxWaitMs: 0 } }`: the options as a reader would write them. */
function describe(options: NonNullable<Wanted['options']>): string {
  const { bound } = options;
  return bound === false ? '{ bound: false }' : `{ bound: { concurrency: ${bound.concurrency}, queue: ${bound.queue}, maxWaitMs: ${bound.maxWaitMs} } }`;
}

async function find(wanted: Wanted): Promise<{ hasher: Hasher; source: string } | { missing: string }> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(wanted.module)) as Record<string, unknown>;
  } catch (error) {
    return { missing: `${wanted.module} not importable (${error instanceof Error ? error.message.split('\n')[0] : String(error)})` };
  }
  const candidates = [
    ...wanted.names.filter((n) => n in mod),
    ...Object.keys(mod).filter((n) => wanted.pattern.test(n) && /hasher$/i.test(n) && !wanted.names.includes(n)),
  ];
  for (const name of candidates) {
    const hasher = instantiate(mod[name], wanted.options === undefined ? [] : [wanted.options]);
    if (hasher !== undefined) return { hasher, source: `${wanted.module} ${name}(${wanted.options === undefined ? '' : describe(wanted.options)})` };
  }
  return { missing: `${wanted.module} has no ${wanted.names[0]} export yet` };
}

/** The event loop's delay while `work` runs. */
async function watch(work: () => Promise<unknown>): Promise<{ p99Ms: number; maxMs: number; wallMs: number }> {
  const histogram = monitorEventLoopDelay({ resolution: 1 });
  histogram.enable();
  // The histogram records the time between two of its timer ticks: the first tick only
  // sets the baseline, so let it tick before the work starts, or blocking work right at
  // the start would go unrecorded.
  await sleep(5);
  const t0 = performance.now();
  await work();
  const wallMs = performance.now() - t0;
  // Let the loop turn a few times: work that blocked it is only recorded when the timer fires again.
  await sleep(20);
  histogram.disable();
  return { p99Ms: histogram.percentile(99) / 1e6, maxMs: histogram.max / 1e6, wallMs };
}

const r2 = (n: number): number => Math.round(n * 100) / 100;

async function storm(label: string, source: string, status: StormRow['status'], verify: () => Promise<unknown>, id?: string): Promise<StormRow> {
  try {
    await verify(); // warm: first call may compile or spin up the thread pool
    const { p99Ms, maxMs, wallMs } = await watch(() => Promise.all(Array.from({ length: CONCURRENT }, verify)));
    return {
      hasher: label,
      source,
      status,
      ...(id === undefined ? {} : { id }),
      concurrent: CONCURRENT,
      loopDelayP99Ms: r2(p99Ms),
      loopDelayMaxMs: r2(maxMs),
      wallMs: Math.round(wallMs),
      msPerVerify: r2(wallMs / CONCURRENT),
    };
  } catch (error) {
    return {
      hasher: label, source, status: 'failed', concurrent: CONCURRENT,
      loopDelayP99Ms: null, loopDelayMaxMs: null, wallMs: null, msPerVerify: null,
      error: error instanceof Error ? error.message : String(error),
    };
  }
}

async function main(): Promise<StormRow[]> {
  const rows: StormRow[] = [];
  const idle = await watch(() => sleep(quick ? 300 : 1_000));
  rows.push({
    hasher: 'idle (no work)', source: 'baseline', status: 'reference', concurrent: 0,
    loopDelayP99Ms: r2(idle.p99Ms), loopDelayMaxMs: r2(idle.maxMs), wallMs: Math.round(idle.wallMs), msPerVerify: null,
  });
  for (const wanted of WANTED) {
    const found = await find(wanted);
    if ('missing' in found) {
      rows.push({ hasher: wanted.hasher, source: found.missing, status: 'not-available', concurrent: CONCURRENT, loopDelayP99Ms: null, loopDelayMaxMs: null, wallMs: null, msPerVerify: null });
      continue;
    }
    const { hasher, source } = found;
    let stored: string;
    try {
      stored = await hasher.hash(PASSWORD);
    } catch (error) {
      rows.push({ hasher: wanted.hasher, source, status: 'failed', concurrent: CONCURRENT, loopDelayP99Ms: null, loopDelayMaxMs: null, wallMs: null, msPerVerify: null, error: `hash: ${error instanceof Error ? error.message : String(error)}` });
      continue;
    }
    rows.push(
      await storm(wanted.hasher, source, 'measured', async () => {
        const outcome = await hasher.verify(PASSWORD, stored);
        if (!outcome.ok) throw new Error('verify returned ok: false for the right password');
      }, hasher.id),
    );
  }
  // Calibration: what the measure shows for off-loop and for blocking work of the same kind.
  const salt = Buffer.alloc(16, 1);
  rows.push(
    await storm('node:crypto scrypt (thread pool)', 'reference, N=16384 r=8 p=1', 'reference', () =>
      new Promise((resolve, reject) => scrypt(PASSWORD, salt, 32, { N: 16384, r: 8, p: 1 }, (e, k) => (e ? reject(e) : resolve(k))))),
  );
  rows.push(
    await storm('node:crypto scryptSync (blocking)', 'reference, N=16384 r=8 p=1', 'reference', async () => scryptSync(PASSWORD, salt, 32, { N: 16384, r: 8, p: 1 })),
  );
  return rows;
}

main().then(
  (rows) => {
    process.send?.({ type: 'result', rows });
    process.exit(0);
  },
  (error: unknown) => {
    process.send?.({ type: 'error', message: error instanceof Error ? error.stack ?? error.message : String(error) });
    process.exit(1);
  },
);
