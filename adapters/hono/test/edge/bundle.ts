// The worker bundle: worker.ts, the scenario modules and the packages under test,
// bundled for workerd by test-support/bundle.ts (which refuses Node-only library
// code and test-side uses of `Buffer`).
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleForRuntime, type RuntimeBundle } from '../../../../test-support/bundle.js';

export { ROOT } from '../../../../test-support/bundle.js';

/** The worker, ready for Miniflare. */
export type WorkerBundle = RuntimeBundle;

const here = dirname(fileURLToPath(import.meta.url));
let bundling: Promise<WorkerBundle> | undefined;

/**
 * The worker bundle (built once per test process, in memory).
 *
 * @throws if library code imports a Node-only module, or if test-side code in the bundle uses the `Buffer` global.
 */
export function workerBundle(): Promise<WorkerBundle> {
  bundling ??= bundleForRuntime({ runtime: 'workerd', entry: { file: join(here, 'worker.ts') }, conditions: ['workerd', 'worker', 'browser'] });
  return bundling;
}
