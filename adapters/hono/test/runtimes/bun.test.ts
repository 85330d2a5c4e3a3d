// The conformance suite against Hono running INSIDE Bun (Bun.serve), over real
// HTTP: every scenario, with no exclusion. One Bun process for the file serves
// each scenario's app on its own port; the scenarios' controls run there too
// (test-support/runtimes.ts). Without bun: skipped with a warning, or failed in CI.
import { fileURLToPath } from 'node:url';
import { runConformanceInRuntime } from '../../../../test-support/runtimes.js';

runConformanceInRuntime({
  name: 'hono-bun',
  runtime: 'bun',
  entry: fileURLToPath(new URL('./bun-app.ts', import.meta.url)),
  supports: {
    // Bun.serve writes a refused upgrade itself (a Date field, no Connection: close),
    // so the scenario's byte-for-byte refusals cannot hold; the guard's statuses on
    // upgrades do pass (401/403/400, never opened).
    websocket: false,
    sessions: true,
    decorators: true,
  },
});
