import { checkProbes } from './check.js';
import { jwtCredentials } from './schemes.js';
import { FRAMEWORKS, type BenchConfig, type Framework, type Scheme } from './config.js';
import type { Log } from './http-bench.js';
import type { Child } from './proc.js';
import type { SoakRow } from './results.js';
import { defect, measure, startServer, type RunningServer } from './servers.js';

/** Heap after GC may grow at most this much between the start (after warm-up) and the end. */
export const MAX_HEAP_GROWTH = 0.1;

/**
 * The configuration soaked for a scheme: the cache-hit Basic (else the map verify); for
 * JWT the hot configuration (its verified-token cache on) driven with the 10,000-token
 * pool, so the cache fills to its bound during the warm-up and every entry is touched
 * throughout: a cache that is not bounded, or entries that leak, show up as growth.
 */
const CANDIDATES: Readonly<Record<'basic' | 'jwt', readonly string[]>> = {
  basic: ['portcullis-basic-cache', 'portcullis-basic-map'],
  jwt: ['portcullis-jwt-hot'],
};

const MB = 1024 * 1024;
const mb = (bytes: number): number => Math.round((bytes / MB) * 100) / 100;

async function heap(server: RunningServer): Promise<{ heapUsed: number; rss: number }> {
  const m = await server.child.request('heap', {}, 30_000);
  if (typeof m.error === 'string') throw new Error(m.error);
  return { heapUsed: m.heapUsed as number, rss: m.rss as number };
}

async function soakOne(driver: Child, framework: Framework, scheme: Scheme, config: BenchConfig, requests: number, log: Log): Promise<SoakRow> {
  const base = { framework, scheme, id: config.id, name: scheme === 'jwt' ? `${config.name.replace(/ \(hot\)$/, '')} (cache on, 10,000-token pool)` : config.name };
  const empty = { requests: null, seconds: null, reqPerSec: null, heapStartMB: null, heapEndMB: null, growthPct: null, rssEndMB: null, passed: null };
  if (config.status !== 'ready') {
    log(`  ${config.id}: not built yet`);
    return { ...base, ...empty, status: 'not-built' };
  }
  let server: RunningServer | undefined;
  try {
    server = await startServer(config.id, ['--expose-gc']);
    let credentials = await config.credentials(server.url.replace(/\/$/, ''));
    const failures = await checkProbes(server.port, credentials.probes);
    if (failures.length > 0) throw new Error(`check failed: ${failures.join('; ')}`);
    if (scheme === 'jwt') {
      const pool = jwtCredentials('cold');
      const poolFailures = await checkProbes(server.port, pool.probes);
      if (poolFailures.length > 0) throw new Error(`pool check failed: ${poolFailures.join('; ')}`);
      credentials = { ...credentials, wire: pool.wire };
    }
    const warm = await measure(driver, server, credentials.wire, { durationSec: requests >= 100_000 ? 3 : 0.5 });
    const warmDefect = defect(warm);
    if (warmDefect !== null) throw new Error(`warm-up: ${warmDefect}`);
    const start = await heap(server);
    // Bounded by count, and by time: even at 1,000 req/s a million requests fit.
    const sample = await measure(driver, server, credentials.wire, { amount: requests, maxSec: Math.max(60, Math.ceil(requests / 1_000)) });
    const wrong = defect(sample);
    if (wrong !== null) throw new Error(wrong);
    const end = await heap(server);
    const growth = (end.heapUsed - start.heapUsed) / start.heapUsed;
    const row: SoakRow = {
      ...base,
      status: 'measured',
      requests: sample.requests,
      seconds: Math.round(sample.durationSec),
      reqPerSec: Math.round(sample.reqPerSec),
      heapStartMB: mb(start.heapUsed),
      heapEndMB: mb(end.heapUsed),
      growthPct: Math.round(growth * 1000) / 10,
      rssEndMB: mb(end.rss),
      passed: growth <= MAX_HEAP_GROWTH,
    };
    log(
      `  ${config.id}: ${sample.requests.toLocaleString('en-US')} requests in ${row.seconds} s, heap ${row.heapStartMB} → ${row.heapEndMB} MB ` +
        `(${row.growthPct}%) ${row.passed ? 'ok' : 'GREW'}`,
    );
    return row;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    log(`  ${config.id}: FAILED ${message}`);
    return { ...base, ...empty, status: 'failed', error: message };
  } finally {
    await server?.child.stop();
  }
}

/** The configuration soaked per adapter and scheme (the first built candidate, else the first, reported as not built). */
export function soakTargets(configs: readonly BenchConfig[]): BenchConfig[] {
  const targets: BenchConfig[] = [];
  for (const framework of FRAMEWORKS) {
    for (const scheme of ['basic', 'jwt'] as const) {
      const pool = configs.filter((c) => c.framework === framework);
      const candidates = CANDIDATES[scheme].map((slug) => pool.find((c) => c.id === `${framework}/${slug}`)).filter((c) => c !== undefined);
      const config = candidates.find((c) => c.status === 'ready') ?? candidates[0];
      if (config !== undefined) targets.push(config); // none when --only left the scheme out
    }
  }
  return targets;
}

/** A long run per adapter and scheme, heap after GC compared at start and end. */
export async function runSoak(driver: Child, configs: readonly BenchConfig[], requests: number, log: Log): Promise<SoakRow[]> {
  const rows: SoakRow[] = [];
  for (const config of soakTargets(configs)) rows.push(await soakOne(driver, config.framework, config.scheme, config, requests, log));
  return rows;
}
