import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterEach, describe, expect, it } from 'vitest';
import { MemorySessionStore, SimpleUser } from '@portcullis/core';
import { expressSessionStore } from '@portcullis/express/sessions';
import { koaSessionStore } from '@portcullis/koa/sessions';
import { assertNotProduction, loginAs, testClock, testJwks, tokenLogin, webSessionLogin, PRODUCTION_REFUSAL, type CredentialSource } from '../src/index.js';
import { expressSessionLogin } from '../src/express.js';
import { koaSessionLogin } from '../src/koa.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Runs Node with `args` in a fresh process with `NODE_ENV` set (or unset). */
function nodeWith(args: readonly string[], nodeEnv: string | undefined) {
  const env = { ...process.env };
  delete env.NODE_ENV;
  if (nodeEnv !== undefined) env.NODE_ENV = nodeEnv;
  return spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 20_000 });
}

/** Imports `specifier` in a fresh Node process with `NODE_ENV` set (or unset). */
function importIn(specifier: string, nodeEnv: string | undefined) {
  return nodeWith(['--input-type=module', '-e', `await import(${JSON.stringify(specifier)}); console.log('loaded');`], nodeEnv);
}

/** Bundles a server entry that imports `specifier` with esbuild, as a production build does with `define`, and runs the bundle without `NODE_ENV`. */
async function runBundle(specifier: string, define: Record<string, string>) {
  const dir = await mkdtemp(join(tmpdir(), 'portcullis-testing-bundle-'));
  try {
    const outfile = join(dir, 'server.mjs');
    await build({
      stdin: { contents: `import ${JSON.stringify(specifier)};\nconsole.log('loaded');\n`, resolveDir: ROOT, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outfile,
      define,
      // What ESM server bundles add so that bundled CommonJS (express, koa) can require Node's modules.
      banner: { js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);" },
      logLevel: 'silent',
    });
    return nodeWith([outfile], undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
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

  describe('bundled into a production build (esbuild define process.env.NODE_ENV), run without NODE_ENV', () => {
    it.each(['@portcullis/testing', '@portcullis/testing/express', '@portcullis/testing/koa'])('%s refuses to load', async (specifier) => {
      const run = await runBundle(specifier, { 'process.env.NODE_ENV': '"production"' });
      expect(run.status, run.stderr).toBe(1);
      expect(run.stdout).not.toContain('loaded');
      expect(run.stderr).toContain('refuses to run with NODE_ENV=production');
    });

    it('the same bundle built for development loads', async () => {
      const run = await runBundle('@portcullis/testing', { 'process.env.NODE_ENV': '"development"' });
      expect([run.status, run.stdout.trim()], run.stderr).toEqual([0, 'loaded']);
    });
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

    const SECRET = 'the-test-secret-of-the-app-0123456789abcdef';
    const store = new MemorySessionStore();
    let issued = 0;
    const sources: [string, () => CredentialSource | Promise<CredentialSource>][] = [
      ['webSessionLogin', () => webSessionLogin({ store, secret: SECRET })],
      ['expressSessionLogin', () => expressSessionLogin({ store: expressSessionStore(store), secret: SECRET })],
      ['koaSessionLogin', () => koaSessionLogin({ store: koaSessionStore(store), secret: SECRET })],
      ['tokenLogin', () => tokenLogin({ issue: () => `token-${++issued}` })],
      ['testJwks', () => testJwks()],
    ];

    it.each(sources)('%s: a source built before the switch mints nothing after it (its credentialFor, not only loginAs, refuses)', async (_name, make) => {
      const source = await make();
      try {
        const before = [store.size, issued];
        process.env.NODE_ENV = 'production';
        await expect(source.credentialFor(new SimpleUser('alice'), {})).rejects.toThrow(PRODUCTION_REFUSAL);
        expect([store.size, issued]).toEqual(before);
        process.env.NODE_ENV = saved;
        await expect(source.credentialFor(new SimpleUser('alice'), {})).resolves.toMatchObject({ value: expect.any(String) });
      } finally {
        process.env.NODE_ENV = saved;
        if ('close' in source && typeof source.close === 'function') await source.close();
      }
    });
  });
});
