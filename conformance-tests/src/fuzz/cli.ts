// `npm run fuzz -- --runs N --seed S`: runs conformance-tests/test/fuzz.test.ts and Nest's
// adapters/nest/test/fuzz.test.ts, the same requests (the servers, the workerd worker and the
// decorators transform are vitest's)
// with FUZZ_RUNS and FUZZ_SEED, and exits with its status.
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const USAGE = 'usage: npm run fuzz -- [--runs N] [--seed S]   (defaults: 2000 runs, the test file\'s fixed seed)';

function integer(name: string, text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  if (!/^-?\d+$/.test(text)) {
    console.error(`--${name} must be an integer\n${USAGE}`);
    process.exit(2);
  }
  return text;
}

let values: { runs?: string; seed?: string; help?: boolean };
try {
  ({ values } = parseArgs({ options: { runs: { type: 'string' }, seed: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }));
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
const runs = integer('runs', values.runs);
const seed = integer('seed', values.seed);
const env = { ...process.env, ...(runs === undefined ? {} : { FUZZ_RUNS: runs }), ...(seed === undefined ? {} : { FUZZ_SEED: seed }) };
const result = spawnSync('npx', ['vitest', 'run', 'conformance-tests/test/fuzz.test.ts', 'adapters/nest/test/fuzz.test.ts'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
