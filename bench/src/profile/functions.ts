/**
 * Per-function instruction counts of callgrind dumps, JavaScript included (issue #17).
 *
 * callgrind names JIT-compiled JavaScript by bare addresses. Run the servers with V8's
 * perf map on (`NODE_OPTIONS=--perf-basic-prof`, which `callgrind.ts` passes on to the
 * valgrinded server), and this resolves each address through `/tmp/perf-<pid>.map`
 * (the pid is in the dump) to the function's name, file and line, so a bisection can
 * name the function that costs:
 *
 *   NODE_OPTIONS=--perf-basic-prof node bench/dist/profile/callgrind.js --out /tmp/cg koa/x-noop koa/portcullis-token
 *   node bench/dist/profile/functions.js 1000 /tmp/cg/koa_x-noop.out.1 /tmp/cg/koa_portcullis-token.out.1
 *
 * With one dump: the top self costs per request. With two: B − A per function, largest
 * differences first (`TOP=80` shows more). Self costs (exclusive), divided by the
 * requests of the window (`--requests` of the run).
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

interface Range {
  readonly start: number;
  readonly end: number;
  readonly name: string;
}

/** The perf map of the process that wrote `dump`, sorted by address; later entries win on reuse. */
function perfMap(dump: string): Range[] {
  const pid = /^pid: (\d+)/m.exec(readFileSync(dump, 'utf8').slice(0, 4096))?.[1];
  if (pid === undefined) return [];
  let text: string;
  try {
    text = readFileSync(`/tmp/perf-${pid}.map`, 'utf8');
  } catch {
    return [];
  }
  const ranges: Range[] = [];
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+) ([0-9a-f]+) (.*)$/.exec(line);
    if (m === null) continue;
    const start = parseInt(m[1] as string, 16);
    ranges.push({ start, end: start + parseInt(m[2] as string, 16), name: (m[3] as string).replace(/^JS:/, 'JS ') });
  }
  return ranges.sort((a, b) => a.start - b.start);
}

function lookup(ranges: readonly Range[], address: number): string | undefined {
  let lo = 0;
  let hi = ranges.length - 1;
  let best: Range | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const r = ranges[mid] as Range;
    if (r.start <= address) {
      best = r;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return best !== undefined && address < best.end ? best.name : undefined;
}

/** Self cost per function name (JIT addresses resolved) and the dump's total. */
function selfCosts(dump: string): { readonly costs: Map<string, number>; readonly total: number } {
  const ranges = perfMap(dump);
  const text = execFileSync('callgrind_annotate', ['--threshold=100', dump], { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  const costs = new Map<string, number>();
  let total = 0;
  for (const line of text.split('\n')) {
    const m = /^\s*([\d,]+)\s+\([^)]*\)\s+(.*)$/.exec(line);
    if (m === null) continue;
    const cost = Number((m[1] as string).replace(/,/g, ''));
    let name = (m[2] as string).replace(/^\?\?\?:/, '').replace(/ \[[^\]]*\]$/, '');
    if (name.includes('PROGRAM TOTALS')) {
      total = cost;
      continue;
    }
    // The event loop's callers carry the whole window inclusively: not a function's own cost.
    if (/libc_start|below main|^main$|NodeMainInstance|SpinEventLoop|node::Start|^0x0+1ab70$/.test(name)) continue;
    const address = /^0x([0-9a-f]{6,})$/.exec(name);
    if (address !== null) name = lookup(ranges, parseInt(address[1] as string, 16)) ?? 'JIT code (no perf map entry)';
    name = name.replace(/\(.*$/, '');
    costs.set(name, (costs.get(name) ?? 0) + cost);
  }
  return { costs, total };
}

function main(): void {
  const [requestsArg, a, b] = process.argv.slice(2);
  const requests = Number(requestsArg);
  if (!(requests > 0) || a === undefined) throw new Error('usage: functions.js <requests> <A.out.1> [<B.out.1>]');
  const top = Number(process.env.TOP ?? 50);
  const A = selfCosts(a);
  const B = b === undefined ? undefined : selfCosts(b);
  const per = (n: number): string => String(Math.round(n / requests)).padStart(9);
  console.log(`total${per(A.total)}${B === undefined ? '' : `${per(B.total)}${per(B.total - A.total)}`}`);
  const names = new Set([...A.costs.keys(), ...(B?.costs.keys() ?? [])]);
  const rows = [...names].map((name) => ({ name, a: A.costs.get(name) ?? 0, b: B?.costs.get(name) ?? 0 }));
  rows.sort(B === undefined ? (x, y) => y.a - x.a : (x, y) => Math.abs(y.b - y.a) - Math.abs(x.b - x.a));
  for (const r of rows.slice(0, top)) console.log(`${per(r.a)}${B === undefined ? '' : `${per(r.b)}${per(r.b - r.a)}`}  ${r.name.slice(0, 150)}`);
}

main();
