import type { Log } from './http-bench.js';
import { Child, script } from './proc.js';
import type { StormRow } from './results.js';
import { SERVER_CPU } from './servers.js';

/**
 * Runs `storm-worker.js` pinned to the server core: the hashers' thread-pool work
 * competes for the same core as the event loop, as it does on a one-core server.
 */
export async function runStorm(quick: boolean, log: Log): Promise<StormRow[]> {
  const child = new Child(script('storm-worker.js'), quick ? ['--quick'] : [], { cpu: SERVER_CPU });
  try {
    const reply = await child.waitFor('result', 10 * 60_000);
    const rows = reply.rows as StormRow[];
    for (const r of rows) {
      log(
        `  ${r.hasher}: ${r.status === 'not-available' ? `not available (${r.source})` : r.status === 'failed' ? `failed: ${r.error ?? ''}` : `loop delay p99 ${r.loopDelayP99Ms} ms, max ${r.loopDelayMaxMs} ms, ${r.concurrent} verifications in ${r.wallMs} ms`}`,
      );
    }
    return rows;
  } catch (error) {
    log(`  login storm failed: ${error instanceof Error ? error.message : String(error)}`);
    return [{ hasher: 'login storm', source: 'error', status: 'failed', concurrent: 0, loopDelayP99Ms: null, loopDelayMaxMs: null, wallMs: null, msPerVerify: null, error: String(error) }];
  } finally {
    await child.stop(2_000);
  }
}
