import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { checkProbes } from './check.js';
import type { Log } from './http-bench.js';
import { findConfig } from './registry.js';
import { RESULTS_DIR } from './results.js';
import { measure, startDriver, startServer } from './servers.js';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
}

/** Where a function lives: a package, a Portcullis package, node's internals, or the bench. */
function owner(url: string): string {
  if (url === '') return '(native / V8)';
  if (url.startsWith('node:')) return 'node:internal';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const ours = /\/main\/(core|adapters\/\w+|hashers|jwt|bench)\//.exec(url);
  if (ours) return ours[1] === 'bench' ? 'bench' : `@portcullis/${(ours[1] as string).replace('adapters/', '')}`;
  return url;
}

/** Self time by function and by owner, from a `.cpuprofile`. */
export function summarize(profile: CpuProfile, top = 25): string {
  const total = profile.samples.length;
  const byFunction = new Map<string, number>();
  const byOwner = new Map<string, number>();
  for (const node of profile.nodes) {
    const hits = node.hitCount ?? 0;
    if (hits === 0) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const key = `${functionName || '(anonymous)'}  ${url.replace(/^file:\/\/.*?\/main\//, '')}:${lineNumber + 1}`;
    byFunction.set(key, (byFunction.get(key) ?? 0) + hits);
    const o = functionName === '(garbage collector)' ? '(garbage collector)' : functionName === '(idle)' ? '(idle)' : owner(url);
    byOwner.set(o, (byOwner.get(o) ?? 0) + hits);
  }
  const pct = (n: number): string => `${((n / total) * 100).toFixed(1).padStart(5)}%`;
  const lines = [`${total} samples`, '', 'self time by owner:'];
  for (const [k, v] of [...byOwner].sort((a, b) => b[1] - a[1]).slice(0, 15)) lines.push(`  ${pct(v)}  ${k}`);
  lines.push('', `top ${top} functions by self time:`);
  for (const [k, v] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) lines.push(`  ${pct(v)}  ${k}`);
  return lines.join('\n');
}

/** Runs one configuration under `node --cpu-prof` for `seconds` of load; writes the profile and its summary. */
export async function profile(id: string, seconds: number, log: Log): Promise<void> {
  const config = findConfig(id);
  if (config.status !== 'ready') throw new Error(`${id} is not built`);
  const dir = join(RESULTS_DIR, 'profiles');
  const tmp = join(dir, `tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  const driver = await startDriver();
  const server = await startServer(id, ['--cpu-prof', '--cpu-prof-dir', tmp]);
  try {
    const credentials = await config.credentials(server.url.replace(/\/$/, ''));
    const failures = await checkProbes(server.port, credentials.probes);
    if (failures.length > 0) throw new Error(`check failed: ${failures.join('; ')}`);
    const sample = await measure(driver, server, credentials.wire, { durationSec: seconds });
    log(`${id}: ${Math.round(sample.reqPerSec)} req/s, ${sample.cpuMicrosPerReq.toFixed(1)} µs CPU/req under the profiler`);
  } finally {
    await server.child.stop(20_000);
    await driver.stop();
  }
  const file = readdirSync(tmp).find((f) => f.endsWith('.cpuprofile'));
  if (file === undefined) throw new Error('no profile written');
  const target = join(dir, `${id.replace(/\//g, '__')}.cpuprofile`);
  renameSync(join(tmp, file), target);
  rmSync(tmp, { recursive: true, force: true });
  const text = summarize(JSON.parse(readFileSync(target, 'utf8')) as CpuProfile);
  writeFileSync(target.replace(/\.cpuprofile$/, '.txt'), `${id}\n${text}\n`);
  log(`${target}\n${text}`);
}
