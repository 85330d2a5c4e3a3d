// The conformance suite against @portcullis/fetch running INSIDE workerd
// (Miniflare), over real HTTP, on the same machinery as Hono's edge run
// (adapters/hono/test/edge: one workerd process per scenario, the worker builds
// the app from `scenario.app()`), with the same exclusions (scenarios whose cases
// reach into test-process state).
import { fileURLToPath } from 'node:url';
import { runConformance, scenarios, type Scenario } from '@portcullis/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { workerBundle } from '../../../hono/test/edge/bundle.js';
import { EXCLUDED, stopAll, workerdAdapter } from '../../../hono/test/edge/workerd.js';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));
const selected: readonly Scenario[] = scenarios.filter((s) => !EXCLUDED.has(s.id));
const { scenarios: wrapped, createApp } = workerdAdapter(selected, WORKER);

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
  // Web sessions run inside workerd on the in-memory store; @Requires on class-style routes.
  supports: { websocket: false, sessions: true, decorators: true },
  createApp,
  scenarios: wrapped,
});
