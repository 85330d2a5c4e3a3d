import type { Log } from './http-bench.js';
import { Child, script } from './proc.js';
import type { MicroRow } from './results.js';
import { SERVER_CPU } from './servers.js';

/** Runs `micro-worker.js` pinned to the server core and collects its rows. */
export async function runMicro(quick: boolean, log: Log): Promise<MicroRow[]> {
  const child = new Child(script('micro-worker.js'), quick ? ['--quick'] : [], { cpu: SERVER_CPU });
  try {
    const reply = await child.waitFor('result', 10 * 60_000);
    const rows = reply.rows as MicroRow[];
    for (const r of rows) log(`  ${r.name}: ${r.nsPerOp === null ? r.error : `${r.nsPerOp.toLocaleString('en-US')} ns`}`);
    return rows;
  } catch (error) {
    log(`  micro-benchmarks failed: ${error instanceof Error ? error.message : String(error)}`);
    return [{ name: 'micro-benchmarks', group: 'error', nsPerOp: null, opsPerSec: null, rmePct: null, samples: 0, error: String(error) }];
  } finally {
    await child.stop(2_000);
  }
}
