// Bundles worker.ts, the scenario modules and the packages under test (through
// their published `exports`: the built dist/, as an app's bundler sees them) into
// one ES module for workerd. Nothing Node-only may reach it from the library:
// the core must be Web-standard. Test-side modules that import Node (the suite's
// HTTP clients, mock servers) get a stub that throws if it is ever called inside
// the worker, and are listed in `nodeOnlyImports`. Test-side code in the bundle
// may not use Node's `Buffer` global either (workerd has none): the build fails.
import { readFile } from 'node:fs/promises';
import { builtinModules } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, transform, type Metafile, type Plugin } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
/** The monorepo root. */
export const ROOT = resolve(here, '../../../..');

/** Packages that only work on Node: the suite's own clients and the Node adapters. */
const NODE_ONLY_PACKAGES = ['ws', 'supertest', '@hono/node-server', '@portcullis/node', '@portcullis/hashers'];

/** Test-side code, which may import Node (stubbed); everything else is library code, which may not. */
const TEST_SIDE = [/^conformance-tests\//, /^adapters\/[^/]+\/test\//];

/** One import of a Node-only module found while bundling. */
export interface NodeOnlyImport {
  /** The importing file, relative to the monorepo root. */
  readonly importer: string;
  /** What it imports (`node:http`, `ws`…). */
  readonly specifier: string;
  /** Whether the importer's code is in the bundle (false: tree-shaken away). */
  readonly inBundle: boolean;
}

/** The worker, ready for Miniflare. */
export interface WorkerBundle {
  /** One ES module. */
  readonly code: string;
  readonly bytes: number;
  readonly buildMs: number;
  /** Node-only imports of test-side modules (stubbed). Library code never has any: the build fails. */
  readonly nodeOnlyImports: readonly NodeOnlyImport[];
}

function isTestSide(file: string): boolean {
  return TEST_SIDE.some((p) => p.test(file));
}

function isNodeOnly(specifier: string): boolean {
  if (specifier.startsWith('node:')) return true;
  const bare = specifier.split('/')[0] as string;
  if (builtinModules.includes(specifier) || builtinModules.includes(bare)) return true;
  return NODE_ONLY_PACKAGES.some((p) => specifier === p || specifier.startsWith(`${p}/`));
}

/** `vitest` → the shim; Node-only modules → a stub that throws when used. */
function edgeEnvironment(): Plugin {
  return {
    name: 'portcullis:edge-environment',
    setup(b) {
      b.onResolve({ filter: /^vitest$/ }, () => ({ path: join(here, 'vitest-shim.ts'), sideEffects: false }));
      b.onResolve({ filter: /.*/ }, (args) => {
        if (args.kind === 'entry-point' || !isNodeOnly(args.path)) return undefined;
        return { path: args.path, namespace: 'node-only', sideEffects: false };
      });
      b.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => {
        const message = `${args.path} is Node-only and not available inside workerd`;
        // CommonJS, so that any named import resolves (to undefined) and the default
        // import is a function that throws: nothing fails until it is used.
        return {
          loader: 'js',
          contents: `module.exports = function unavailable() { throw new Error(${JSON.stringify(message)}); };`,
        };
      });
    },
  };
}

function nodeOnlyImports(metafile: Metafile): NodeOnlyImport[] {
  const output = Object.values(metafile.outputs)[0];
  const found: NodeOnlyImport[] = [];
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    for (const imported of imports) {
      if (!imported.path.startsWith('node-only:')) continue;
      found.push({
        importer: relative(ROOT, resolve(ROOT, input)),
        specifier: imported.original ?? imported.path.slice('node-only:'.length),
        inBundle: (output?.inputs[input]?.bytesInOutput ?? 0) > 0,
      });
    }
  }
  return found;
}

/** What `Buffer` becomes when a module is scanned for it: esbuild's `define` rewrites only the global's references. */
const BUFFER_MARKER = '__portcullis_buffer_global__';

/**
 * Test-side modules in the bundle that use Node's `Buffer` global (not a local
 * binding, a property or a string: `define` leaves those alone; nor a type).
 */
async function bufferUsers(metafile: Metafile): Promise<string[]> {
  const output = Object.values(metafile.outputs)[0];
  const users: string[] = [];
  for (const [input, { bytesInOutput }] of Object.entries(output?.inputs ?? {})) {
    // Inputs of other namespaces (`node-only:ws`) are stubs, not files.
    if (bytesInOutput === 0 || input.includes(':') || !isTestSide(input)) continue;
    const { code } = await transform(await readFile(resolve(ROOT, input), 'utf8'), {
      loader: /\.[cm]?ts$/.test(input) ? 'ts' : 'js',
      define: { Buffer: BUFFER_MARKER, 'globalThis.Buffer': BUFFER_MARKER },
    });
    if (code.includes(BUFFER_MARKER)) users.push(input);
  }
  return users;
}

/** Hono's worker (the default entry). */
export const HONO_WORKER = join(here, 'worker.ts');

const bundling = new Map<string, Promise<WorkerBundle>>();

/**
 * The bundle of the worker `entry` (built once per entry and test process, in
 * memory): Hono's by default, @portcullis/fetch's from adapters/fetch/test/edge.
 *
 * @throws if library code (anything outside the conformance suite and the test
 * folders) imports a Node-only module, or if test-side code in the bundle uses
 * the `Buffer` global.
 */
export function workerBundle(entry: string = HONO_WORKER): Promise<WorkerBundle> {
  const cached = bundling.get(entry);
  if (cached !== undefined) return cached;
  const building = (async () => {
    const started = performance.now();
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: [entry],
      bundle: true,
      write: false,
      outfile: 'worker.js',
      format: 'esm',
      // Neither Node nor a browser: the packages' `exports` as workerd's bundlers resolve them.
      platform: 'neutral',
      conditions: ['workerd', 'worker', 'browser'],
      mainFields: ['module', 'main'],
      target: 'es2022',
      metafile: true,
      logLevel: 'silent',
      plugins: [edgeEnvironment()],
    });
    const file = result.outputFiles[0];
    if (file === undefined) throw new Error('esbuild produced no output');
    const found = nodeOnlyImports(result.metafile);
    const library = found.filter((i) => !isTestSide(i.importer));
    if (library.length > 0) {
      throw new Error(
        `library code imports Node-only modules, so it cannot run on workerd:\n` +
          library.map((i) => `  ${i.importer} → ${i.specifier}`).join('\n'),
      );
    }
    const buffer = await bufferUsers(result.metafile);
    if (buffer.length > 0) {
      throw new Error(
        `test-side code in the worker bundle uses Node's Buffer global, which workerd does not have (use btoa/atob: conformance-tests/src/base64.ts):\n` +
          buffer.map((file) => `  ${file}`).join('\n'),
      );
    }
    return {
      code: file.text,
      bytes: file.contents.byteLength,
      buildMs: performance.now() - started,
      nodeOnlyImports: found,
    };
  })();
  bundling.set(entry, building);
  return building;
}
