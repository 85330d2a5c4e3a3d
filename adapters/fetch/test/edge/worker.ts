// The worker that runs @portcullis/fetch inside workerd: the scenario worker of
// adapters/hono/test/edge (bundle.ts, workerd.ts, scenario-worker.ts) with the
// reference spec app, which is this adapter (conformance-tests/src/reference.ts).
import { referenceApp } from '@portcullis/conformance/reference';
import { scenarioWorker } from '../../../hono/test/edge/scenario-worker.js';

// Workers have no socket: the peer is Cloudflare's CF-Connecting-IP (Miniflare sets it from its socket).
const worker = scenarioWorker((spec) => {
  const app = referenceApp(spec, { peerAddress: (request) => request.headers.get('cf-connecting-ip') ?? undefined });
  return (request) => app(request);
});

export default worker.app;

export const control = worker.control;

export { probe } from '../../../hono/test/edge/probe.js';
