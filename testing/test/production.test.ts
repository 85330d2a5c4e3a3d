import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { assertNotProduction, loginAs, testClock, testJwks, tokenLogin, PRODUCTION_REFUSAL } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Imports `specifier` in a fresh Node process with `NODE_ENV` set (or unset). */
function importIn(specifier: string, nodeEnv: string | undefined) {
  const env = { ...process.env };
  delete env.NODE_ENV;
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  return spawnSync(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(specifier)}); console.log('loaded');`], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 20_000,
  });
}

describe('the production guard', () => {
  it.each(['@portcullis/testing', '@portcullis/testing/express', '@portcullis/testing/koa'])('%s does not load under NODE_ENV=production, and says how to fix it', (specifier) => {
    const run = importIn(specifier, 'production');
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('loaded');
    expect(run.stderr).toContain('ConfigurationError');
    expect(run.stderr).toContain('refuses to run with NODE_ENV=production');
    expect(run.stderr).toContain('npm install -D @portcullis/testing');
  });

  it.each([[undefined], ['test'], ['development']])('loads with NODE_ENV=%s', (nodeEnv) => {
    const run = importIn('@portcullis/testing', nodeEnv);
    expect([run.status, run.stdout.trim()], run.stderr).toEqual([0, 'loaded']);
  });

  describe('NODE_ENV switched to production after the import', () => {
    const saved = process.env.NODE_ENV;
    afterEach(() => {
      process.env.NODE_ENV = saved;
    });

    it('every entry point of the kit refuses at the call', async () => {
      process.env.NODE_ENV = 'Production ';
      expect(assertNotProduction).toThrow(PRODUCTION_REFUSAL);
      expect(() => testClock()).toThrow(/NODE_ENV=production/);
      await expect(testJwks()).rejects.toThrow(/NODE_ENV=production/);
      expect(() => tokenLogin({ issue: () => 'x' })).toThrow(/NODE_ENV=production/);
      await expect(loginAs({ credentialFor: async () => ({ kind: 'bearer', headers: {}, value: 'x' }) }, { isAuthenticated: true, identity: 'a', displayName: 'a' } as never)).rejects.toThrow(
        /NODE_ENV=production/,
      );
    });
  });
});
