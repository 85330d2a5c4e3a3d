import { fuzzAdapters, fuzzApp, startFuzzTarget, type FuzzTarget } from '@portcullis/conformance/fuzz';
import { createReferenceServer } from '@portcullis/conformance/reference';
import { afterAll, beforeAll, it } from 'vitest';
import { createApp } from '../example/node-http.js';

// The node:http adapter of docs/adapters.md answers generated hostile requests as the reference adapter does.
const targets: FuzzTarget[] = [];
beforeAll(async () => {
  targets.push(
    await startFuzzTarget('reference', createReferenceServer(fuzzApp())),
    await startFuzzTarget('node:http', createApp(fuzzApp())),
  );
});
afterAll(() => Promise.all(targets.map((target) => target.close())));

it('300 hostile requests: no 5xx, hang, leak or open redirect, and the same answers', async () => {
  await fuzzAdapters({ targets, runs: 300, seed: 42 }); // a failure prints the seed and the shrunk request
}, 60_000);
