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
    // Deno.serve writes a refused upgrade itself (a Date field, no Connection: close),
    // so the scenario's byte-for-byte refusals cannot hold, and hono/deno's helper
    // leaves a rejected promise that ends the Deno process when a client goes away.
    websocket: false,
    sessions: true,
    decorators: true,
  },
});
