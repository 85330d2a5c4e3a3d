/**
 * The browser suite's app (browser-websocket.ts) inside Bun, Deno or workerd: an app
 * entry (a module exporting `createBrowserApp(origin, runtime)`, see
 * browser-runtime-host.ts) bundled for the runtime and served on `port` of every
 * address, as a {@link BrowserWsApp} for `browserWebSocketSuite`.
 *
 * @example
 * ```ts
 * browserWebSocketSuite('Fetch in Bun', (port) => startBrowserRuntimeApp('bun', entry, port));
 * ```
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { COMPATIBILITY_DATE } from '../adapters/hono/test/edge/workerd.js';
import type { BrowserWsApp } from './browser-websocket.js';
import type { BrowserRuntime } from './browser-runtime-host.js';
import { ROOT, bundleForRuntime } from './bundle.js';
import { runtimeBinary } from './services.js';

const CONDITIONS: Readonly<Record<BrowserRuntime, readonly string[]>> = {
  bun: ['bun', 'worker', 'browser'],
  deno: ['deno', 'worker', 'browser'],
  workerd: ['workerd', 'worker', 'browser'],
};

/** `import` specifiers of files from the monorepo root, as the bundle's source resolves them. */
const fromRoot = (file: string): string => JSON.stringify(`./${relative(ROOT, file)}`);
const HOST = fromRoot(join(ROOT, 'test-support/browser-runtime-host.ts'));

/** Starts `entry`'s app in workerd (Miniflare, direct socket on `port`). */
async function startWorkerd(entry: string, port: number): Promise<BrowserWsApp> {
  const source = `import * as entry from ${fromRoot(entry)};\nimport { browserWorker } from ${HOST};\nexport default browserWorker(entry);\n`;
  const bundle = await bundleForRuntime({ runtime: 'workerd', entry: { source }, conditions: CONDITIONS.workerd });
  const mf = new Miniflare({
    modules: true,
    script: bundle.code,
    compatibilityDate: COMPATIBILITY_DATE,
    bindings: { ORIGIN: `http://127.0.0.1:${port}` },
    unsafeDirectSockets: [{ host: '*', port }],
    cf: false,
    log: new Log(LogLevel.WARN),
  });
  await mf.ready;
  return { url: `http://127.0.0.1:${port}`, close: () => mf.dispose() };
}

/** Starts `entry`'s app in Bun or Deno: its own process, in a directory of its own. */
async function startProcess(runtime: 'bun' | 'deno', entry: string, port: number): Promise<BrowserWsApp> {
  const installed = runtimeBinary(runtime);
  if (installed === null) throw new Error(`${runtime} is not installed`);
  const source = `import * as entry from ${fromRoot(entry)};\nimport { serveBrowserApp } from ${HOST};\nserveBrowserApp(entry, ${port});\n`;
  const bundle = await bundleForRuntime({ runtime, entry: { source }, conditions: CONDITIONS[runtime], nodeBuiltins: true });
  const dir = await mkdtemp(join(tmpdir(), `portcullis-browser-${runtime}-`));
  const file = join(dir, 'app.mjs');
  await writeFile(file, bundle.code);
  const args = runtime === 'bun' ? ['run', '--no-install', file] : ['run', '--no-config', '--no-lock', '--no-prompt', '--allow-net', file];
  const child = spawn(installed.binary, args, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runtime} did not listen within 20 s\n${output}`)), 20_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (output.includes(`{"listening":${port}}`)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${runtime} exited\n${output}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  return {
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Bundles `entry` for `runtime` and serves its browser app on `port` there.
 *
 * @example
 * ```ts
 * const app = await startBrowserRuntimeApp('deno', fileURLToPath(new URL('./browser-app.ts', import.meta.url)), await freePort());
 * ```
 */
export function startBrowserRuntimeApp(runtime: BrowserRuntime, entry: string, port: number): Promise<BrowserWsApp> {
  return runtime === 'workerd' ? startWorkerd(entry, port) : startProcess(runtime, entry, port);
}
