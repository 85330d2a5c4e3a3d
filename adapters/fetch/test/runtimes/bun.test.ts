// The conformance suite against @portcullis/fetch running INSIDE Bun (Bun.serve),
// over real HTTP: every scenario, with no exclusion. One Bun process for the file
// serves each scenario's app on its own port; the scenarios' controls run there too
// (test-support/runtimes.ts). Without bun: skipped with a warning, or failed in CI.
import { fileURLToPath } from 'node:url';
import { runConformanceInRuntime } from '../../../../test-support/runtimes.js';

runConformanceInRuntime({
  name: 'fetch-bun',
  runtime: 'bun',
  entry: fileURLToPath(new URL('./app.ts', import.meta.url)),
  // Websocket routes upgrade with the runtime's own API behind requires(...)
  // (app.ts); Web sessions and @Requires run in the runtime.
  supports: { websocket: true, sessions: true, decorators: true },
});
