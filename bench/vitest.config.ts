import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Runs the bench's smoke test on its own: `npx vitest run --config bench/vitest.config.ts`. */
export default defineConfig({
  test: {
    root: fileURLToPath(new URL('.', import.meta.url)),
    include: ['test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
