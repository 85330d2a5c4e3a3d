/**
 * Instructions per request, counted by valgrind's callgrind: immune to the other load
 * on a shared machine, where wall-clock and CPU-time figures are not (issue #17).
 *
 *   npx tsc -p bench/tsconfig.profile.json
 *   node bench/dist/profile/callgrind.js [--requests 1000] [--warmup 2000] [--parallel 1] [--connections 4] [--out DIR] [--annotate] express/bare …
 *
 * For each configuration id (`node bench/dist/run.js list`, with BENCH_EXPERIMENTS=1 for
 * the `x-` experiments) the server (`target.js`) runs alone under
 * `valgrind --tool=callgrind`; this process is the client, outside valgrind, sending
 * the configuration's own wire headers (a pool round robin) over 4 keep-alive
 * connections (`--connections N`: autocannon uses 50, so per-socket effects, such as a
 * cache per socket or the order in which sockets are served, show only with as many). After `--warmup` requests (the JIT has settled) the counters are zeroed
 * (`callgrind_control -z`), `--requests` requests are sent, and the counters are dumped
 * (`callgrind_control -d`): total instructions of the server process (all threads, GC
 * included) over that window, divided by the requests, is the figure. Every response
 * must be a 2xx. `server@wire` (e.g. `koa/bare@koa/portcullis-jwt-hot`) runs one
 * configuration's server with another's headers: the bare that the HTTP bench pairs with
 * that row, which carries the same request. With `--annotate` the per-function inclusive costs
 * (`callgrind_annotate --inclusive=yes`) of the window are written beside the dump in
 * `bench/results/callgrind/`; JIT-compiled JavaScript shows there as addresses, the
 * runtime's C++ (GC, property stores, builtins) by name. Load goes to 127.0.0.1 only;
 * the server is stopped by its pid.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { poolValues } from '../credentials.js';
import { findConfig } from '../registry.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const OUT = join(here, '..', '..', 'results', 'callgrind');
/** Keep-alive sockets of the client by default (`--connections` sets another count). */
const CONNECTIONS = 4;
/**
 * V8 tiers code up 8× sooner than by default, so the warm-up reaches optimised code
 * (no TurboFan compile left in the window) in a few thousand requests under valgrind.
 */
const NODE_FLAGS = ['--interrupt-budget=8192'];

interface Options {
  readonly requests: number;
  readonly warmup: number;
  readonly annotate: boolean;
  readonly parallel: number;
  readonly connections: number;
  readonly out: string;
  readonly ids: readonly string[];
}

function parseArgs(argv: readonly string[]): Options {
  let requests = 1000;
  let warmup = 2000;
  let parallel = 1;
  let connections = CONNECTIONS;
  let out = OUT;
  let annotate = false;
  const ids: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i] as string;
    if (a === '--requests') requests = Number(argv[++i]);
    else if (a === '--warmup') warmup = Number(argv[++i]);
    else if (a === '--parallel') parallel = Number(argv[++i]);
    else if (a === '--connections') connections = Number(argv[++i]);
    else if (a === '--out') out = argv[++i] as string;
    else if (a === '--annotate') annotate = true;
    else ids.push(a);
  }
  if (ids.length === 0 || !(requests > 0) || !(warmup >= 0) || !(parallel >= 1) || !Number.isInteger(connections) || !(connections >= 1)) {
    throw new Error('usage: callgrind.js [--requests N] [--warmup N] [--parallel N] [--connections N] [--out DIR] [--annotate] <config id>…');
  }
  return { requests, warmup, annotate, parallel, connections, out, ids };
}

/**
 * `server@wire` runs the server of one configuration with the requests of another:
 * `koa/bare@koa/portcullis-jwt-hot` is bare Koa receiving the JWT row's headers, the bare
 * that `npm run bench` puts next to that row (its bare runs carry the same request, so a
 * longer header's parsing is not counted against the middleware). A plain id is both.
 */
function serverOf(id: string): string {
  const at = id.indexOf('@');
  return at === -1 ? id : id.slice(0, at);
}

/** The configuration whose wire headers a window sends (see {@link serverOf}). */
function wireOf(id: string): string {
  const at = id.indexOf('@');
  return at === -1 ? id : id.slice(at + 1);
}

/** Header sets to send, round robin: the wire's fixed headers, or one per pool value. */
async function headerSets(id: string, baseUrl: string): Promise<readonly Record<string, string>[]> {
  const config = findConfig(id);
  if (config.status !== 'ready') throw new Error(`${id} is not built`);
  const { wire } = await config.credentials(baseUrl);
  if (wire.pool === undefined) return [wire.headers];
  return poolValues(wire.pool.name, wire.pool.prefix).map((v) => ({ ...wire.headers, [wire.pool!.header]: v }));
}

/** Sends `count` GET / requests over `connections` keep-alive sockets; throws on any non-2xx. */
async function load(agent: http.Agent, port: number, sets: readonly Record<string, string>[], count: number, connections: number): Promise<void> {
  let next = 0;
  const one = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const headers = sets[next % sets.length] as Record<string, string>;
      next++;
      const req = http.get({ host: '127.0.0.1', port, path: '/', agent, headers }, (res) => {
        res.resume();
        res.on('end', () => ((res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      // Under valgrind, with many sockets open at once, one request can wait minutes.
      req.setTimeout(600_000, () => req.destroy(new Error('timeout')));
      req.on('error', reject);
    });
  const worker = async (): Promise<void> => {
    while (next < count) await one();
  };
  await Promise.all(Array.from({ length: connections }, worker));
}

function portOf(child: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server did not start in 15 min')), 900_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code})`)));
  });
}

/** The `summary:`/`totals:` instruction count of a callgrind dump. */
function totalInstructions(file: string): number {
  const text = readFileSync(file, 'utf8');
  const m = /^(?:totals|summary): (\d+)/m.exec(text);
  if (m === null) throw new Error(`no totals in ${file}`);
  return Number(m[1]);
}

async function measure(id: string, options: Options): Promise<{ id: string; perRequest: number; dump: string }> {
  mkdirSync(options.out, { recursive: true });
  const slug = id.replace(/[^A-Za-z0-9-]+/g, '_');
  const outFile = join(options.out, `${slug}.out`);
  const child = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${outFile}`, process.execPath, ...NODE_FLAGS, join(here, 'target.js'), serverOf(id)],
    { stdio: ['pipe', 'pipe', 'ignore'], env: process.env },
  );
  try {
    const port = await portOf(child);
    const sets = await headerSets(wireOf(id), `http://127.0.0.1:${port}/`);
    const agent = new http.Agent({ keepAlive: true, maxSockets: options.connections });
    await load(agent, port, sets, options.warmup, options.connections);
    await run('callgrind_control', ['-z', String(child.pid)]);
    await load(agent, port, sets, options.requests, options.connections);
    await run('callgrind_control', ['-d', String(child.pid)]);
    agent.destroy();
    const dump = `${outFile}.1`;
    const perRequest = totalInstructions(dump) / options.requests;
    if (options.annotate) {
      const { stdout } = await run('callgrind_annotate', ['--inclusive=yes', '--threshold=99', dump], { maxBuffer: 64 * 1024 * 1024 });
      writeFileSync(`${dump}.txt`, stdout);
    }
    return { id, perRequest, dump };
  } finally {
    child.stdin?.end();
    if (child.exitCode === null) child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const rows: { id: string; perRequest: number; dump: string }[] = [];
  const queue = [...options.ids];
  // Each server is one valgrind process (one core at most); instruction counts do not depend on the load.
  const worker = async (): Promise<void> => {
    for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
      try {
        const row = await measure(id, options);
        rows.push(row);
        console.log(`${id.padEnd(40)} ${Math.round(row.perRequest).toLocaleString('en').padStart(12)} instructions/request`);
      } catch (error) {
        process.exitCode = 1;
        console.log(`${id.padEnd(40)} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: options.parallel }, worker));
  rows.sort((a, b) => options.ids.indexOf(a.id) - options.ids.indexOf(b.id));
  const at = new Date().toISOString();
  writeFileSync(join(options.out, 'latest.json'), `${JSON.stringify({ at, requests: options.requests, warmup: options.warmup, rows }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
