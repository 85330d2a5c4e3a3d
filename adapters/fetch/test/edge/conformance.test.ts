// The conformance suite against @portcullis/fetch running INSIDE workerd
// (Miniflare), over real HTTP, on the same machinery as Hono's edge run
// (adapters/hono/test/edge: one workerd process per scenario, the worker builds
// the app from `scenario.app()`). Every scenario runs: cases reach state where the
// app runs only through the scenario's controls, behind the worker's `control`
// entrypoint.
import { fileURLToPath } from 'node:url';
import { runConformance, scenarios } from '@portcullis/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { workerBundle } from '../../../hono/test/edge/bundle.js';
import { stopAll, workerdAdapter } from '../../../hono/test/edge/workerd.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const { scenarios: wrapped, createApp } = workerdAdapter(scenarios, WORKER);

afterAll(stopAll);

describe('fetch-workerd bundle', () => {
  it('no Node-only module from library code (@portcullis/fetch, the core) is in the worker bundle', async () => {
    const bundle = await workerBundle(WORKER);
    // bundle.ts refuses to build otherwise; what is stubbed is the suite's own test-side code.
    for (const found of bundle.nodeOnlyImports) expect(found.importer).toMatch(/^conformance-tests\//);
    expect(bundle.bytes).toBeGreaterThan(0);
  });
});

runConformance({
  name: 'fetch-workerd',
  runtime: 'workerd',
  // Websocket routes upgrade with a WebSocketPair behind requires(...) (worker.ts);
  // Web sessions run inside workerd on the in-memory store; @Requires on class-style routes.
  supports: { websocket: true, sessions: true, decorators: true },
  createApp,
  scenarios: wrapped,
});
