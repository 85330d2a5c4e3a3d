/**
 * The conformance suite inside another runtime: an adapter's app entry is bundled
 * once per runtime (test-support/bundle.ts, with runtime-host.ts as the main
 * program), started once in Bun or Deno, and each scenario's app is built and
 * served there on its own port; vitest on Node drives it over HTTP as a
 * `RemoteApp`, and the scenario's controls run in the runtime too.
 *
 * @example
 * ```ts
 * const gate = bunGate('hono in Bun');
 * const bun = runtimeAdapter({ runtime: 'bun', entry: fileURLToPath(new URL('./app.ts', import.meta.url)), scenarios });
 * afterAll(bun.stop);
 * if (gate === 'run') runConformance({ name: 'hono-bun', supports, createApp: bun.createApp, scenarios: bun.scenarios });
 * ```
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { runConformance, scenarios, type AppSpec, type Json, type RemoteApp, type Scenario } from '@portcullis/conformance';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, bundleForRuntime, type RuntimeBundle } from './bundle.js';
import { runtimeBinary, runtimeGate, type RuntimeName } from './services.js';

export type { RuntimeName } from './services.js';
export type { RuntimeApp, RuntimeAppEntry } from './runtime-host.js';

/** The `exports` conditions of each runtime's own resolution, Web builds first. */
const CONDITIONS: Readonly<Record<RuntimeName, readonly string[]>> = {
  bun: ['bun', 'worker', 'browser'],
  deno: ['deno', 'worker', 'browser'],
};

/** A remote app of a scenario, with the routes the runtime built (checked against the spec's). */
export interface ScenarioApp extends RemoteApp {
  readonly routes: readonly string[];
}

/**
 * The adapter under test for `runConformance` when apps run elsewhere (workerd,
 * Bun, Deno): the scenarios, wrapped so that each spec the runner builds is traced
 * back to its scenario id, and a `createApp` that starts that scenario's app with
 * `start(id)`. The runtime builds its own app from `scenario.app()` (specs hold
 * functions); the routes it reports must be the routes of the spec built here.
 * The runner still calls `app()` in the test process too: cases may use that
 * spec's objects as clients (a JWT backend with the same secret issues tokens the
 * app accepts), never as shared state (that is what `client.control` is for).
 *
 * @example
 * ```ts
 * const { scenarios, createApp } = remoteAdapter(all, (id) => startMyRuntime(id));
 * ```
 */
export function remoteAdapter(
  selected: readonly Scenario[],
  start: (id: string) => Promise<ScenarioApp>,
): { scenarios: readonly Scenario[]; createApp: (spec: AppSpec) => Promise<RemoteApp> } {
  const ids = new WeakMap<AppSpec, string>();
  const scenarios = selected.map(
    (s): Scenario => ({
      ...s,
      app: () => {
        const spec = s.app();
        ids.set(spec, s.id);
        return spec;
      },
    }),
  );
  async function createApp(spec: AppSpec): Promise<RemoteApp> {
    const id = ids.get(spec);
    if (id === undefined) throw new Error('createApp got a spec from an unknown scenario');
    const app = await start(id);
    const expected = spec.routes.map((r) => `${r.method} ${r.path}`);
    if (JSON.stringify(app.routes) !== JSON.stringify(expected)) {
      await app.close();
      throw new Error(`${id}: the runtime built routes ${JSON.stringify(app.routes)}, the spec has ${JSON.stringify(expected)}`);
    }
    return app;
  }
  return { scenarios, createApp };
}

/** A test build running in Bun or Deno: one process, serving any number of scenario apps. */
export interface RuntimeHost {
  readonly runtime: RuntimeName;
  /** The runtime's version (`bun --version`, `deno --version`). */
  readonly version: string;
  /** The bundle it runs (size, build time). */
  readonly bundle: RuntimeBundle;
  /** From spawning the runtime until its control server listened, in ms. */
  readonly startMs: number;
  /** Builds the scenario's app inside the runtime and serves it on a fresh port of 127.0.0.1. */
  start(scenario: string): Promise<ScenarioApp>;
  /** Stops the runtime (and every app it serves). */
  stop(): Promise<void>;
}

const bundles = new Map<string, Promise<RuntimeBundle>>();

/** The bundle of `entry` for `runtime`: built once per test process. */
function bundleOf(runtime: RuntimeName, entry: string): Promise<RuntimeBundle> {
  const key = `${runtime}:${entry}`;
  let bundle = bundles.get(key);
  if (bundle === undefined) {
    const host = `./${relative(ROOT, join(ROOT, 'test-support/runtime-host.ts'))}`;
    const source = `import * as entry from ${JSON.stringify(`./${relative(ROOT, entry)}`)};\nimport { hostScenarios } from ${JSON.stringify(host)};\nhostScenarios(entry);\n`;
    bundle = bundleForRuntime({ runtime, entry: { source }, conditions: CONDITIONS[runtime], nodeBuiltins: true });
    bundles.set(key, bundle);
  }
  return bundle;
}

/** How the runtime runs a module: no config files, no prompts, the network of 127.0.0.1 only (Deno). */
function command(runtime: RuntimeName, file: string): string[] {
  return runtime === 'bun' ? ['run', '--no-install', file] : ['run', '--no-config', '--no-lock', '--no-prompt', '--allow-net=127.0.0.1', file];
}

/** The last 4 KiB a process wrote on stderr: what a failure report shows. */
function tail(text: string): string {
  return text.length > 4096 ? `…${text.slice(-4096)}` : text;
}

/**
 * Bundles `entry` (a module exporting `createRuntimeApp`: {@link RuntimeAppEntry})
 * with the scenarios for `runtime`, and starts it there.
 *
 * @throws when the runtime is not installed, or its control server does not answer within 20 s.
 */
export async function startRuntime(runtime: RuntimeName, entry: string): Promise<RuntimeHost> {
  const installed = runtimeBinary(runtime);
  if (installed === null) throw new Error(`${runtime} is not installed (npm ci installs it as a devDependency)`);
  const bundle = await bundleOf(runtime, entry);
  // A directory of its own: neither runtime reads the repository's package.json, .env or config.
  const dir = await mkdtemp(join(tmpdir(), `portcullis-${runtime}-`));
  const file = join(dir, 'host.mjs');
  await writeFile(file, bundle.code);
  const started = performance.now();
  const child: ChildProcess = spawn(installed.binary, command(runtime, file), {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? dir, DENO_NO_UPDATE_CHECK: '1', DO_NOT_TRACK: '1', NO_COLOR: '1' },
  });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr = tail(stderr + chunk)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let alive = true;
  void exited.then(() => (alive = false));

  const controlPort = await new Promise<number>((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => reject(new Error(`${runtime} did not start its control server within 20 s\n${stderr}`)), 20_000);
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      const line = /^\{"control":(\d+)\}$/m.exec(stdout);
      if (line !== null) {
        clearTimeout(timer);
        resolve(Number(line[1]));
      }
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${runtime} exited before its control server listened\n${stderr}`));
    });
  }).catch(async (error: unknown) => {
    child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
    throw error;
  });
  const startMs = performance.now() - started;
  const control = `http://127.0.0.1:${controlPort}`;

  async function ask<T>(path: string, init: RequestInit): Promise<T> {
    if (!alive) throw new Error(`${runtime} is no longer running\n${stderr}`);
    const res = await fetch(`${control}${path}`, init);
    if (res.status === 204) return undefined as T;
    const body = (await res.json()) as T & { error?: { name: string; message: string; stack?: string } };
    if (body.error !== undefined) throw new Error(`inside ${runtime}: ${body.error.name}: ${body.error.message}\n${body.error.stack ?? ''}`);
    return body;
  }

  return {
    runtime,
    version: installed.version,
    bundle,
    startMs,
    async start(scenario) {
      const app = await ask<{ id: string; port: number; routes: string[] }>('/apps', { method: 'POST', body: JSON.stringify({ scenario }) });
      let closed = false;
      return {
        url: `http://127.0.0.1:${app.port}`,
        routes: app.routes,
        close: async () => {
          if (closed || !alive) return;
          closed = true;
          await ask(`/apps/${app.id}`, { method: 'DELETE' });
        },
        control: async (name: string, arg: Json) =>
          (await ask<{ value: Json }>(`/apps/${app.id}/call`, { method: 'POST', body: JSON.stringify({ name, arg }) })).value,
      };
    },
    async stop() {
      if (alive) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
        await exited;
        clearTimeout(timer);
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Options of {@link runtimeAdapter}. */
export interface RuntimeAdapterOptions {
  /** `bun` or `deno`. */
  readonly runtime: RuntimeName;
  /** The absolute path of the app entry: a module exporting `createRuntimeApp(spec, runtime)`. */
  readonly entry: string;
  /** The scenarios to run (they must be in `@portcullis/conformance`'s `scenarios`, or the fuzz scenario). */
  readonly scenarios: readonly Scenario[];
}

/**
 * The adapter under test for `runConformance` with every app inside `runtime`: one
 * runtime process (started on the first `createApp`, one bundle) for the whole file.
 *
 * @example
 * ```ts
 * const deno = runtimeAdapter({ runtime: 'deno', entry: fileURLToPath(new URL('./app.ts', import.meta.url)), scenarios });
 * afterAll(deno.stop);
 * runConformance({ name: 'hono-deno', supports, createApp: deno.createApp, scenarios: deno.scenarios });
 * ```
 */
export function runtimeAdapter(options: RuntimeAdapterOptions): {
  scenarios: readonly Scenario[];
  createApp: (spec: AppSpec) => Promise<RemoteApp>;
  /** The host once the first `createApp` started it (its version, bundle and start time), else `undefined`. */
  host: () => Promise<RuntimeHost> | undefined;
  /** The host, started now if no `createApp` did yet. */
  start: () => Promise<RuntimeHost>;
  /** Stops the runtime, after printing one line: its version, the bundle's size and build time, the start time. */
  stop: () => Promise<void>;
} {
  let host: Promise<RuntimeHost> | undefined;
  const started = () => (host ??= startRuntime(options.runtime, options.entry));
  const { scenarios, createApp } = remoteAdapter(options.scenarios, async (id) => (await started()).start(id));
  return {
    scenarios,
    createApp,
    host: () => host,
    start: started,
    stop: async () => {
      const running = await host?.catch(() => undefined);
      if (running === undefined) return;
      const { runtime, version, bundle, startMs } = running;
      console.info(
        `${runtime} ${version}: bundle ${Math.round(bundle.bytes / 1024)} KiB built in ${Math.round(bundle.buildMs)} ms, started in ${Math.round(startMs)} ms`,
      );
      await running.stop();
    },
  };
}

/** Options of {@link runConformanceInRuntime}. */
export interface RuntimeConformanceOptions {
  /** The adapter's name in the runtime (`hono-bun`, `fetch-deno`…). */
  readonly name: string;
  readonly runtime: RuntimeName;
  /** The app entry: a module exporting `createRuntimeApp(spec, runtime)`. */
  readonly entry: string;
  /** What the adapter supports in this runtime. */
  readonly supports: Parameters<typeof runConformance>[0]['supports'];
}

/**
 * The conformance suite for one adapter inside Bun or Deno: every scenario, the
 * runtime started once for the file, and a check that the host refuses a scenario
 * its bundle does not have. Without the runtime it is skipped with a warning (or
 * fails, when `CI` is set).
 *
 * @example
 * ```ts
 * runConformanceInRuntime({ name: 'hono-bun', runtime: 'bun', entry: fileURLToPath(new URL('./bun-app.ts', import.meta.url)), supports });
 * ```
 */
export function runConformanceInRuntime({ name, runtime, entry, supports }: RuntimeConformanceOptions): void {
  const gate = runtimeGate(runtime, `conformance: ${name}`);
  const adapter = runtimeAdapter({ runtime, entry, scenarios });
  afterAll(adapter.stop);
  if (gate !== 'run') return;
  runConformance({ name, runtime, supports, createApp: adapter.createApp, scenarios: adapter.scenarios });
  describe(`${name} host`, () => {
    it('refuses a scenario its bundle does not have, naming it', async () => {
      const host = await adapter.start();
      await expect(host.start('no-such-scenario')).rejects.toThrow(`no scenario "no-such-scenario" in the ${runtime} bundle`);
    });
  });
}
