// @ts-check
/**
 * What the API reference documents: every publishable workspace package (not `private`)
 * and every entry of its `exports` (`.`, `./adapter`, …), read from the package.json
 * files so that a new package or subpath is documented without touching the site's
 * configuration. Used by `typedoc.config.mjs` and by the site's test.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (two levels above this file). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the published repository lives: links to files that are not on the site go there. */
export const REPOSITORY_URL = 'https://github.com/portcullis-js/portcullis';

/**
 * One documented entry point.
 * @typedef {object} Entry
 * @property {string} moduleName the import specifier, e.g. `@portcullis/core/adapter`
 * @property {string} packageName e.g. `@portcullis/core`
 * @property {string} packageDir the package folder relative to the root, e.g. `core`
 * @property {string} source the TypeScript source of the entry, absolute
 * @property {boolean} main whether this is the package's `.` entry (its README goes on that page)
 */

/**
 * @param {string} file
 * @returns {any}
 */
function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/**
 * The `types` file of an `exports` entry mapped back to its source: `./dist/x.d.ts` is
 * built from `./src/x.ts` (every package compiles `src` into `dist`).
 * @param {string} packageDir absolute
 * @param {string} types e.g. `./dist/hashing/index.d.ts`
 * @param {string} what the entry, for the error message
 */
function sourceOf(packageDir, types, what) {
  const match = /^\.\/dist\/(.+)\.d\.ts$/.exec(types);
  if (!match) {
    throw new Error(`${what}: its "types" (${types}) is not under ./dist/*.d.ts; the docs site maps ./dist/X.d.ts to ./src/X.ts. Point "types" at the built declaration file.`);
  }
  const source = join(packageDir, 'src', `${match[1]}.ts`);
  if (!existsSync(source)) throw new Error(`${what}: ${relative(ROOT, source)} does not exist (mapped from "types": ${types}).`);
  return source;
}

/**
 * The entry points of every publishable workspace package, in workspace order.
 * @param {string} [root]
 * @returns {Entry[]}
 */
export function documentedEntries(root = ROOT) {
  /** @type {string[]} */
  const workspaces = readJson(join(root, 'package.json')).workspaces ?? [];
  /** @type {Entry[]} */
  const entries = [];
  for (const pattern of workspaces) {
    if (pattern.includes('*')) continue; // examples/*: apps, never published
    const packageDir = join(root, pattern);
    const manifestFile = join(packageDir, 'package.json');
    if (!existsSync(manifestFile) || !statSync(manifestFile).isFile()) continue;
    const manifest = readJson(manifestFile);
    if (manifest.private || typeof manifest.exports !== 'object' || manifest.exports === null) continue;
    for (const [subpath, target] of Object.entries(manifest.exports)) {
      if (typeof target !== 'object' || target === null || typeof target.types !== 'string') continue; // ./package.json
      const what = `${manifest.name} exports["${subpath}"]`;
      entries.push({
        moduleName: subpath === '.' ? manifest.name : `${manifest.name}/${subpath.replace(/^\.\//, '')}`,
        packageName: manifest.name,
        packageDir: pattern,
        source: sourceOf(packageDir, target.types, what),
        main: subpath === '.',
      });
    }
  }
  return entries;
}

/**
 * TypeScript `paths` that send every `@portcullis/*` import to its source, so that the
 * reference is built from one program (absolute paths: they do not depend on a baseUrl) and a type used by two packages is one page.
 * @param {readonly Entry[]} entries
 * @returns {Record<string, string[]>}
 */
export function sourcePaths(entries) {
  return Object.fromEntries(entries.map((entry) => [entry.moduleName, [entry.source]]));
}
