// The worker that runs @portcullis/fetch inside workerd: the scenario worker of
// adapters/hono/test/edge (bundle.ts, workerd.ts, scenario-worker.ts) with the
// reference spec app, which is this adapter (conformance-tests/src/reference.ts).
import { referenceApp } from '@portcullis/conformance/reference';
import { scenarioWorker } from '../../../hono/test/edge/scenario-worker.js';

const worker = scenarioWorker((spec) => {
  const app = referenceApp(spec);
  return (request) => app(request);
});

export default worker.app;

export const control = worker.control;

export { probe } from '../../../hono/test/edge/probe.js';
