// The differential fuzzer (issue #11) with Nest on both platforms: the same generated
// hostile requests, the same oracle (conformance-tests/src/fuzz/oracle.ts), Nest's answers
// compared with the reference adapter's and Fastify's. The fuzz app logs `carol` in
// through `POST /session-login`, so it needs Nest's sessions (the platform's: the Express
// bridge on express-session, the Fastify plugin on Web sessions).
//
// A file of its own: Nest's test app compiles with legacy decorators and the Express, Koa
// and Hono test apps with standard ones, which no TypeScript program holds together. The seed and
// run count are conformance-tests/test/fuzz.test.ts's (FUZZ_SEED, FUZZ_RUNS), so both files
// send the same requests and Nest is compared, through the reference adapter, with Express,
// Koa and Hono as well.
import { fuzzAdapters, fuzzApp, startFuzzTarget, type FuzzTarget } from '@portcullis/conformance/fuzz';
import { createReferenceServer } from '@portcullis/conformance/reference';
import { afterAll, beforeAll, it } from 'vitest';
import { createFastifyApp } from '../../fastify/test/app.js';
import { createNestApp } from './app.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20260111);

const targets: FuzzTarget[] = [];

beforeAll(async () => {
  targets.push(
    ...(await Promise.all([
      startFuzzTarget('reference', createReferenceServer(fuzzApp())),
      startFuzzTarget('fastify', await createFastifyApp(fuzzApp())),
      startFuzzTarget('nest (express)', await createNestApp(fuzzApp(), 'express')),
      startFuzzTarget('nest (fastify)', await createNestApp(fuzzApp(), 'fastify')),
    ])),
  );
}, 60_000);

afterAll(() => Promise.all(targets.map((target) => target.close())));

it(
  `LEAK-06 FW-11 ${RUNS} generated requests (seed ${SEED}) on Nest (Express and Fastify platforms): no 5xx, hang, leak or open redirect; the same answers as the other adapters`,
  async () => {
    await fuzzAdapters({ targets, runs: RUNS, seed: SEED }); // a failure prints the seed, the path and the shrunk request
  },
  Math.max(60_000, RUNS * 100),
);
