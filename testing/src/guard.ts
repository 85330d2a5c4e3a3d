import { ConfigurationError } from '@portcullis/core';

/** What the production guard says, and how to fix it (no secret, no environment dump). */
export const PRODUCTION_REFUSAL =
  '@portcullis/testing refuses to run with NODE_ENV=production: it mints credentials and serves signing keys for tests only. ' +
  'Install it as a devDependency (npm install -D @portcullis/testing; npm ci --omit=dev leaves it out), import it only from test files, ' +
  'and run your tests with NODE_ENV=test (vitest and jest set it) or unset.';

/**
 * Throws a `ConfigurationError` when `NODE_ENV` is `production`. Every entry point
 * of the kit calls it when it is imported, and every function that mints a
 * credential, starts a key server or builds a clock calls it again, so setting
 * `NODE_ENV=production` after the import does not slip through either. There is
 * no override: a test kit in production is always an accident.
 *
 * @example
 * ```ts
 * import { assertNotProduction } from '@portcullis/testing';
 * assertNotProduction(); // throws under NODE_ENV=production
 * ```
 */
export function assertNotProduction(): void {
  if (nodeEnv()?.trim().toLowerCase() === 'production') throw new ConfigurationError(PRODUCTION_REFUSAL);
}

/**
 * `NODE_ENV`, read as the literal `process.env.NODE_ENV`: the one expression bundlers
 * replace (esbuild `--define`, webpack's production mode, Vite), so a production
 * bundle carries "production" here even when it runs without `NODE_ENV`. The
 * try/catch (not `typeof process`) keeps that replaced value on runtimes without
 * `process`, and reads "unset" where `process` or its `env` is missing or denied.
 */
function nodeEnv(): string | undefined {
  try {
    const env: unknown = process.env.NODE_ENV;
    return typeof env === 'string' ? env : undefined;
  } catch {
    return undefined;
  }
}

assertNotProduction();
