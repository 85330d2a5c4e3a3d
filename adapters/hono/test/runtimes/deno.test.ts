// The conformance suite against Hono running INSIDE Deno (Deno.serve), over real
// HTTP: every scenario, with no exclusion. One Deno process for the file serves
// each scenario's app on its own port; the scenarios' controls run there too
// (test-support/runtimes.ts). Without deno: skipped with a warning, or failed in CI.
import { fileURLToPath } from 'node:url';
import { runConformanceInRuntime } from '../../../../test-support/runtimes.js';

runConformanceInRuntime({
  name: 'hono-deno',
  runtime: 'deno',
  entry: fileURLToPath(new URL('./deno-app.ts', import.meta.url)),
  supports: {
    // Deno.serve writes the answers itself (a Date field, lower-case names): the
    // scenario compares refused upgrades by their fields; hono/deno's helper upgrades.
    websocket: true,
    sessions: true,
    decorators: true,
  },
});
