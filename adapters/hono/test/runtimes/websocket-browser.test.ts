// Websockets from Chromium against Hono INSIDE Bun, Deno and workerd (issue #15 part 3, WS-10, WS-11,
// WS-12): session cookie + Origin, tickets, the protocol carrier and the re-check with
// 4401 (test-support/browser-websocket.ts), the app of browser-app.ts.
import { fileURLToPath } from 'node:url';
import { browserWebSocketSuite } from '../../../../test-support/browser-websocket.js';
import { startBrowserRuntimeApp } from '../../../../test-support/browser-runtimes.js';
import { runtimeGate } from '../../../../test-support/services.js';

const entry = fileURLToPath(new URL('./browser-app.ts', import.meta.url));

browserWebSocketSuite('Hono in workerd', (port) => startBrowserRuntimeApp('workerd', entry, port));
for (const runtime of ['bun', 'deno'] as const) {
  if (runtimeGate(runtime, `Hono websocket browser test in ${runtime}`) === 'run') {
    browserWebSocketSuite(`Hono in ${runtime}`, (port) => startBrowserRuntimeApp(runtime, entry, port));
  }
}
