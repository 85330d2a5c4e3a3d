import { fuzzAdapters, fuzzApp, startFuzzTarget, type FuzzTarget } from '@portcullis/conformance/fuzz';
import { createReferenceServer } from '@portcullis/conformance/reference';
import { afterAll, beforeAll, it } from 'vitest';
import { createFastifyApp } from './app.js';

// The worked example of docs/adapters.md: the Fastify adapter answers generated hostile
// requests as the reference adapter does (conformance-tests/test/fuzz.test.ts runs every
// adapter together, longer).
const targets: FuzzTarget[] = [];
beforeAll(async () => {
  targets.push(
    await startFuzzTarget('reference', createReferenceServer(fuzzApp())),
    await startFuzzTarget('fastify', await createFastifyApp(fuzzApp())),
  );
});
afterAll(() => Promise.all(targets.map((target) => target.close())));

it('300 hostile requests: no 5xx, hang, leak or open redirect, and the same answers', async () => {
  await fuzzAdapters({ targets, runs: 300, seed: 42 }); // a failure prints the seed and the shrunk request
}, 60_000);
