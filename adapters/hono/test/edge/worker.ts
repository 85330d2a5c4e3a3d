// The worker that runs inside workerd (bundled by bundle.ts, started by workerd.ts).
//
// - default entrypoint: the Hono app of the scenario named by the `SCENARIO`
//   binding, built from `scenario.app()` inside the worker (specs hold functions,
//   so they cannot be sent from the test process);
// - `control`: builds that app and reports its routes or the error, and runs the
//   scenario's controls (`POST /call`; scenario-worker.ts);
// - `probe`: what the runtime itself does (headers as received, atob, TextDecoder,
//   PBKDF2), for the HW rows of the security catalogue (hw.test.ts).
import type { AuthEnv } from '@portcullis/hono';
import { Hono, type ExecutionContext } from 'hono';
import { upgradeWebSocket } from 'hono/cloudflare-workers';
import { mountSpec } from '../spec-app.js';
import { scenarioWorker } from './scenario-worker.js';

export type { CallReport, ControlReport, Env, ErrorReport } from './scenario-worker.js';

// hono/cloudflare-workers never fires onOpen: the socket answers the client's first message.
// Workers have no socket: the peer is Cloudflare's CF-Connecting-IP (Miniflare sets it from its socket).
const worker = scenarioWorker((spec) => {
  const app = mountSpec(new Hono<AuthEnv>(), spec, { upgradeWebSocket, greet: 'first-message', peerAddress: (c) => c.req.header('cf-connecting-ip') });
  return (request, env, ctx) => app.fetch(request, env, ctx as ExecutionContext);
});

export default worker.app;

export const control = worker.control;

export { probe } from './probe.js';
