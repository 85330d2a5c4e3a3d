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

/** Hono's worker (the default entry). */
export const HONO_WORKER = join(here, 'worker.ts');

const bundling = new Map<string, Promise<WorkerBundle>>();

/**
 * The bundle of the worker `entry` (built once per entry and test process, in
 * memory): Hono's by default, @portcullis/fetch's from adapters/fetch/test/edge.
 *
 * @throws if library code imports a Node-only module, or if test-side code in the bundle uses the `Buffer` global.
 */
export function workerBundle(entry: string = HONO_WORKER): Promise<WorkerBundle> {
  let building = bundling.get(entry);
  if (building === undefined) {
    building = bundleForRuntime({ runtime: 'workerd', entry: { file: entry }, conditions: ['workerd', 'worker', 'browser'] });
    bundling.set(entry, building);
  }
  return building;
}
