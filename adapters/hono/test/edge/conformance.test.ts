// The conformance suite against Hono running INSIDE workerd (Miniflare), over
// real HTTP: adapter "hono-workerd" (HW in the security catalogue). Each scenario
// gets its own workerd process; the worker builds the app from `scenario.app()`
// (bundle.ts, worker.ts, workerd.ts).
import { runConformance, scenarios } from '@portcullis/conformance';
import { afterAll } from 'vitest';
import { stopAll, workerdAdapter } from './workerd.js';

// Every scenario runs: cases reach state where the app runs only through the
// scenario's controls (spec.controls), which the worker runs behind its `control`
// entrypoint (worker.ts), never on the app's socket.
const { scenarios: wrapped, createApp } = workerdAdapter(scenarios);

afterAll(stopAll);

runConformance({
  name: 'hono-workerd',
  runtime: 'workerd',
  supports: {
    // hono/cloudflare-workers' helper upgrades; it never fires onOpen, so the app
    // greets in answer to the client's first message (the scenario's client says
    // hello on open), and workerd writes refusals with its own header case.
    websocket: true,
    // Hono's sessions() is Web-standard (HMAC on Web Crypto, a pluggable store):
    // the session scenarios run inside workerd on the in-memory store.
    sessions: true,
    // @Requires on the same spec app (spec-app.ts), bundled for workerd.
    decorators: true,
  },
  createApp,
  scenarios: wrapped,
});
