/**
 * What `vitest` is inside a runtime bundle (workerd, Bun, Deno) (esbuild aliases it here). Scenario
 * modules import `expect` at the top level, but the runtime only ever calls
 * `scenario.app()`: the cases run in the test process. Registration functions are
 * no-ops; `expect` throws, because a call inside the worker is always a bug.
 */

const noop = (): void => {};

export const describe = noop;
export const it = noop;
export const test = noop;
export const beforeAll = noop;
export const afterAll = noop;
export const beforeEach = noop;
export const afterEach = noop;

export function expect(_actual?: unknown): never {
  throw new Error('expect() was called inside a runtime bundle (workerd, Bun, Deno): assertions belong to the test process');
}
