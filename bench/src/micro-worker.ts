/**
 * Micro-benchmarks of the core's per-request work, with tinybench, in a process of
 * their own pinned to the server core. Each sample times a batch of calls and reports
 * the per-call time (`overriddenDuration`), so sub-microsecond functions are not
 * drowned by the timer's own cost.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Bench } from 'tinybench';
import {
  AuthCredentials,
  SimpleUser,
  VerificationCache,
  basicAuth,
  timingSafeEqual,
  type Connection,
} from '@portcullis/core';
import {
  createAuthenticator,
  createConnection,
  createGuard,
  hmacSha256,
  parseBasic,
  readAuthorization,
} from '@portcullis/core/adapter';
import { tokenAuth } from '@portcullis/core';
import { connectionFromNode } from '@portcullis/node';
import { PASSWORD, TOKEN, USER, WRONG_PASSWORD, basicHeader, checkPassword } from './credentials.js';
import type { MicroRow } from './results.js';

const quick = process.argv.includes('--quick');
let sink: unknown;

type Timed = { overriddenDuration: number };

/** One sample lasts about this long: long enough for the timer, short enough for many samples. */
const SAMPLE_MS = 1;

/** Calls per sample so that a sample takes about SAMPLE_MS (measured over ~30 ms, which also warms the function up). */
function calibrateSync(fn: () => unknown): number {
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 30) {
    for (let i = 0; i < 100; i++) sink = fn();
    calls += 100;
  }
  return Math.max(1, Math.round((calls * SAMPLE_MS) / (performance.now() - t0)));
}

async function calibrateAsync(fn: () => Promise<unknown>): Promise<number> {
  let calls = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 30) {
    sink = await fn();
    calls++;
  }
  return Math.max(1, Math.round((calls * SAMPLE_MS) / (performance.now() - t0)));
}

/**
 * A tinybench task timing a batch of calls per sample and reporting the per-call time.
 * (tinybench's `time` budget sums the reported durations, so the bench is bounded by
 * `iterations` instead.)
 */
function sync(fn: () => unknown): () => Timed {
  const batch = calibrateSync(fn);
  return () => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink = fn();
    return { overriddenDuration: (performance.now() - t0) / batch };
  };
}

async function async(fn: () => Promise<unknown>): Promise<() => Promise<Timed>> {
  const batch = await calibrateAsync(fn);
  return async () => {
    const t0 = performance.now();
    for (let i = 0; i < batch; i++) sink = await fn();
    return { overriddenDuration: (performance.now() - t0) / batch };
  };
}

/** A Node request as autocannon sends it, plus the headers a browser typically adds. */
function nodeRequest(authorization: string | undefined): IncomingMessage {
  const raw: string[] = [
    'Host', '127.0.0.1:3000',
    'User-Agent', 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0 Safari/537.36',
    'Accept', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
    'Accept-Language', 'en-US,en;q=0.5',
    'Accept-Encoding', 'gzip, deflate, br',
    'Connection', 'keep-alive',
  ];
  if (authorization !== undefined) raw.push('Authorization', authorization);
  const headers: Record<string, string> = {};
  for (let i = 0; i < raw.length; i += 2) headers[(raw[i] as string).toLowerCase()] = raw[i + 1] as string;
  return { method: 'GET', url: '/', headers, rawHeaders: raw } as unknown as IncomingMessage;
}

function connection(authorization: string | undefined): Connection {
  return connectionFromNode(nodeRequest(authorization), '/', Date.now);
}

async function main(): Promise<MicroRow[]> {
  const alice = new SimpleUser(USER);
  const users = new Map([[USER, alice]]);
  const tokens = new Map([[TOKEN, alice]]);
  const valid = basicHeader(USER, PASSWORD);
  const wrong = basicHeader(USER, WRONG_PASSWORD);
  const basicConn = connection(valid);
  const wrongConn = connection(wrong);
  const tokenConn = connection(`Token ${TOKEN}`);
  const anonymousConn = connection(undefined);
  const mapVerify = (u: string, p: string): SimpleUser | null => (checkPassword(u, p) ? (users.get(u) ?? null) : null);

  const basicMap = createAuthenticator({ backend: basicAuth({ realm: 'bench', verify: mapVerify }), mode: 'required' });
  const cache = new VerificationCache<SimpleUser>();
  const basicCached = createAuthenticator({ backend: basicAuth({ realm: 'bench', verify: mapVerify, cache }), mode: 'required' });
  const token = createAuthenticator({ backend: tokenAuth({ verify: (t) => tokens.get(t) ?? null }), mode: 'required' });
  await basicCached.run(basicConn); // fills the cache
  const subtleKey = await crypto.subtle.importKey('raw', new Uint8Array(32).fill(7), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const guard = createGuard('authenticated');
  const admin = createGuard(['authenticated', 'admin']);
  const granted = { user: alice, auth: new AuthCredentials(['authenticated']), challenges: ['Basic realm="bench"'] };
  const nodeReq = nodeRequest(valid);

  const bench = new Bench({ time: 0, warmupTime: 0, warmupIterations: 5, iterations: quick ? 50 : 400 });
  const groups = new Map<string, string>();
  const add = (group: string, name: string, fn: () => unknown): void => {
    groups.set(name, group);
    bench.add(name, fn as () => Timed);
  };

  add('connection', 'connectionFromNode (Node request → Connection, 7 headers)', sync(() => connectionFromNode(nodeReq, '/', Date.now)));
  add('connection', 'createConnection (plain init)', sync(() => createConnection({ method: 'GET', target: '/', header: () => undefined, authorization: [valid] })));
  add('parsers', 'readAuthorization (Basic)', sync(() => readAuthorization(basicConn)));
  add('parsers', 'parseBasic (valid)', sync(() => parseBasic(basicConn)));
  add('decision', 'run: basicAuth, map verify (sync) → continue', sync(() => basicMap.run(basicConn)));
  add('decision', 'run: tokenAuth, Map lookup → continue', sync(() => token.run(tokenConn)));
  add('decision', 'run: basicAuth + VerificationCache hit → continue (sync)', sync(() => basicCached.run(basicConn)));
  const tokenReq = nodeRequest(`Token ${TOKEN}`);
  add('decision', 'connectionFromNode + run: tokenAuth (what an adapter does per request)', sync(() => token.run(connectionFromNode(tokenReq, '/', Date.now))));
  add('decision', 'run: required mode, anonymous → 401', sync(() => basicMap.run(anonymousConn)));
  add('decision', 'run: wrong password → 401', sync(() => basicMap.run(wrongConn)));
  add('guard', 'guard.check: scopes held → null', sync(() => guard.check(basicConn, granted)));
  add('guard', 'guard.check: scope missing → 403', sync(() => admin.check(basicConn, granted)));
  add('reference', 'VerificationCache.get (hit): plain-JS HMAC-SHA256, sync', sync(() => cache.get(USER, PASSWORD, Date.now())));
  add('reference', 'the same HMAC through crypto.subtle.sign (what the cache did before)', await async(() => crypto.subtle.sign('HMAC', subtleKey, new TextEncoder().encode(`${USER.length}:${USER}:${PASSWORD}`))));
  add('reference', 'core timingSafeEqual (2 × crypto.subtle SHA-256)', await async(() => timingSafeEqual(PASSWORD, PASSWORD)));
  add('reference', 'checkPassword (node:crypto SHA-256 + timingSafeEqual, sync)', sync(() => checkPassword(USER, PASSWORD)));
  const hmacKey = Buffer.alloc(32, 7);
  const syncMac = hmacSha256(new Uint8Array(hmacKey));
  add('reference', 'core hmacSha256 (plain JS, sync), the cache key input', sync(() => syncMac(`${USER.length}:${USER}:${PASSWORD}`)));
  add('reference', 'node:crypto createHmac SHA-256 (sync), same input as the cache key', sync(() => createHmac('sha256', hmacKey).update(`${USER.length}:${USER}:${PASSWORD}`).digest()));

  await bench.run();
  if (sink === Symbol.for('never')) console.log(sink);
  return bench.tasks.map((task): MicroRow => {
    const group = groups.get(task.name) ?? '';
    const r = task.result;
    if (r.state !== 'completed' && r.state !== 'aborted-with-statistics') {
      return { name: task.name, group, nsPerOp: null, opsPerSec: null, rmePct: null, samples: 0, error: r.state === 'errored' ? r.error.message : r.state };
    }
    const ms = r.latency.mean;
    return {
      name: task.name,
      group,
      nsPerOp: Math.round(ms * 1e6 * 10) / 10,
      opsPerSec: Math.round(1000 / ms),
      rmePct: Math.round(r.latency.rme * 10) / 10,
      samples: r.latency.samplesCount,
    };
  });
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
