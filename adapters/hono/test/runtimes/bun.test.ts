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
    // Bun.serve writes the answers itself (a Date field, its own header case): the
    // scenario compares refused upgrades by their fields; hono/bun's helper upgrades.
    websocket: true,
    sessions: true,
    decorators: true,
  },
});
