// Issue #11, differential fuzzing: generated hostile requests (fast-check) sent
// over raw sockets to the same app on every adapter — Express, Koa, Hono and
// Fastify on Node, the reference adapter, and Hono inside workerd — and checked by the
// oracle (conformance-tests/src/fuzz/oracle.ts): no 5xx, no hang, no leak, no
// open redirect, no access without a valid credential, identical answers.
//
// NestJS (both platforms) gets the same requests in adapters/nest/test/fuzz.test.ts: its test
// app compiles with legacy decorators, which no TypeScript program holds beside these.
//
// Seeded and bounded here; `npm run fuzz -- --runs N --seed S` runs longer (it
// runs this file with FUZZ_RUNS and FUZZ_SEED). A failure prints the seed, the
// path and the shrunk request: rerun with them to reproduce.
import { fuzzAdapters, fuzzApp, fuzzScenario, startFuzzTarget, type FuzzTarget } from '@portcullis/conformance/fuzz';
import { createReferenceServer } from '@portcullis/conformance/reference';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { createExpressApp } from '../../adapters/express/test/app.js';
import { createFastifyApp } from '../../adapters/fastify/test/app.js';
import { createHonoApp } from '../../adapters/hono/test/app.js';
import { stopAll, workerdAdapter } from '../../adapters/hono/test/edge/workerd.js';
import { createKoaApp } from '../../adapters/koa/test/app.js';

/** The default run: fixed seed, a few thousand requests per adapter. */
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20260111);

const targets: FuzzTarget[] = [];

beforeAll(async () => {
  const workerd = workerdAdapter([fuzzScenario]);
  const started = await Promise.all([
    startFuzzTarget('express', createExpressApp(fuzzApp())),
    startFuzzTarget('koa', createKoaApp(fuzzApp())),
    startFuzzTarget('hono', createHonoApp(fuzzApp())),
    startFuzzTarget('fastify', await createFastifyApp(fuzzApp())),
    startFuzzTarget('reference', createReferenceServer(fuzzApp())),
    startFuzzTarget('hono-workerd', await workerd.createApp((workerd.scenarios[0] as typeof fuzzScenario).app())),
  ]);
  targets.push(...started);
}, 60_000);

afterAll(async () => {
  await Promise.all(targets.map((t) => t.close()));
  await stopAll();
});

describe('differential fuzzing: every adapter answers hostile requests alike (issue #11)', () => {
  it(
    `LEAK-06 ${RUNS} generated requests (seed ${SEED}) on every adapter: no 5xx, hang, leak or open redirect; identical answers`,
    async () => {
      await fuzzAdapters({
        targets,
        runs: RUNS,
        seed: SEED,
      });
    },
    Math.max(60_000, RUNS * 100),
  );
});
