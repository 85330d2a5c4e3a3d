// The shape of every publishable package, as npm and a new user see it: metadata
// (repository, homepage, bugs, keywords, engines, licence), dependency ranges,
// frameworks as peers, LICENSE and README in the tarball, every entry point loadable
// from CommonJS. A package that loses one of these fails here, with the field named.
// (publint and are-the-types-wrong check the tarballs' exports in the consumer test.)
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const REPOSITORY = 'https://github.com/portcullis-js/portcullis';
const NODE_FLOOR = '>=20.19'; // require() of an ES module works without flags from Node 20.19 on
const AUTHOR = 'The Portcullis authors';

/** The packages published to npm. A new one is added here on purpose (and gets every check below). */
const PUBLISHED = [
  'core', 'adapters/node', 'adapters/express', 'adapters/koa', 'adapters/hono', 'adapters/fastify', 'adapters/nest', 'adapters/fetch',
  'jwt', 'hashers', 'stores/redis', 'testing', 'conformance-tests',
];

/** Libraries the app owns (one copy, its version): never a runtime dependency of ours, always a peer. */
const APP_OWNED = ['express', 'express-session', 'koa', 'koa-session', '@koa/router', 'hono', '@hono/node-server', 'fastify', '@fastify/websocket', '@nestjs/common', '@nestjs/core', '@nestjs/websockets', '@nestjs/platform-ws', 'reflect-metadata', 'rxjs', 'redis', 'vitest', 'fast-check'];


interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  description?: string;
  keywords?: unknown;
  homepage?: unknown;
  bugs?: unknown;
  repository?: unknown;
  license?: unknown;
  author?: unknown;
  type?: unknown;
  engines?: Record<string, string>;
  exports?: Record<string, string | Record<string, string>>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  devDependencies?: Record<string, string>;
}

const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const manifest = (dir: string): PackageJson => JSON.parse(read(`${dir}/package.json`)) as PackageJson;

/** Every workspace directory of the root package.json (`examples/*` expanded). */
function workspaces(): string[] {
  const root = manifest('.') as PackageJson & { workspaces: string[] };
  return root.workspaces.flatMap((pattern) => {
    if (!pattern.endsWith('/*')) return [pattern];
    const parent = pattern.slice(0, -2);
    return readdirSync(join(ROOT, parent), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && existsSync(join(ROOT, parent, entry.name, 'package.json')))
      .map((entry) => `${parent}/${entry.name}`);
  });
}

const lernaVersion = (JSON.parse(read('lerna.json')) as { version: string }).version;
const packages = PUBLISHED.map((dir) => ({ dir, pkg: manifest(dir) }));
const internalNames = new Set(packages.map(({ pkg }) => pkg.name));

/** A version range, not one exact version: `^1.2.3`, `~1.2`, `>=1 <3`, `^4 || ^5`. */
const isRange = (spec: string): boolean => !/^=?v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(spec.trim());

/** The packages (not Node's modules, not relative paths) that the files of `folder` chosen by `pick` import. */
function packagesImported(folder: string, pick: (file: string) => boolean): string[] {
  const imported = new Set<string>();
  for (const file of readdirSync(folder, { recursive: true, encoding: 'utf8' })) {
    if (!pick(file)) continue;
    for (const line of readFileSync(join(folder, file), 'utf8').split('\n')) {
      if (/^\s*(\*|\/\/|\/\*)/.test(line)) continue; // comments: JSDoc examples import other packages
      const fixed = /^(?:(?:import|export)\s[^'"]*?from\s*|import\s*|\}\s*from\s*)['"]([^'"]+)['"]/.exec(line);
      if (fixed) imported.add(fixed[1]!);
      for (const [, specifier] of line.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) imported.add(specifier!);
    }
  }
  const bare = [...imported].filter((s) => !s.startsWith('.') && !s.startsWith('node:'));
  const packageOf = (s: string): string => s.split('/').slice(0, s.startsWith('@') ? 2 : 1).join('/');
  return [...new Set(bare.map(packageOf))];
}

describe('publishable packages', () => {
  it('are exactly the workspaces that are not private, all at the lerna version', () => {
    const published = workspaces().filter((dir) => manifest(dir).private !== true);
    expect(published.sort()).toEqual([...PUBLISHED].sort());
    for (const { dir, pkg } of packages) expect(pkg.version, `${dir}: version`).toBe(lernaVersion);
  });

  it('the root LICENSE and package.json are MIT, for the Portcullis authors', () => {
    const license = read('LICENSE');
    expect(license.startsWith('MIT License\n\nCopyright (c) 2026 The Portcullis authors\n')).toBe(true);
    const root = manifest('.');
    expect([root.license, root.author, root.engines], 'the root package.json agrees').toEqual(['MIT', AUTHOR, { node: NODE_FLOOR }]);
  });

  describe.each(packages)('$dir', ({ dir, pkg }) => {
    it('names its repository, homepage, issue tracker, licence, author and keywords', () => {
      expect(pkg.name, 'name').toMatch(/^@portcullis\/[a-z0-9-]+$/);
      expect(pkg.description?.trim(), 'description').toBeTruthy();
      expect(pkg.repository, 'repository').toEqual({ type: 'git', url: `git+${REPOSITORY}.git`, directory: dir });
      expect(pkg.homepage, 'homepage').toBe(`${REPOSITORY}/tree/main/${dir}#readme`);
      expect(pkg.bugs, 'bugs').toBe(`${REPOSITORY}/issues`);
      expect(pkg.license, 'license').toBe('MIT');
      expect(pkg.author, 'author').toBe(AUTHOR);
      expect(Array.isArray(pkg.keywords), 'keywords is an array').toBe(true);
      const keywords = pkg.keywords as unknown[];
      expect(keywords.length, 'keywords').toBeGreaterThanOrEqual(3);
      expect(keywords.every((word) => typeof word === 'string' && /^[a-z0-9][a-z0-9-]*$/.test(word)), 'keywords are lower-case words').toBe(true);
      expect(keywords, 'keywords').toContain('portcullis');
    });

    it(`is ESM and asks for Node ${NODE_FLOOR}`, () => {
      expect(pkg.type, 'type').toBe('module');
      expect(pkg.engines, 'engines').toEqual({ node: NODE_FLOOR });
    });

    it('depends on its siblings with ^<version> and on third-party code with ranges', () => {
      for (const [name, spec] of Object.entries(pkg.dependencies ?? {})) {
        if (name.startsWith('@portcullis/')) {
          expect(internalNames.has(name), `${name} is a published package`).toBe(true);
          expect(spec, `dependencies.${name}`).toBe(`^${lernaVersion}`);
        } else {
          expect(isRange(spec), `dependencies.${name} is a range, not the pin ${spec}`).toBe(true);
        }
      }
    });

    it('takes frameworks, clients and test runners as peers with ranges', () => {
      for (const name of APP_OWNED) {
        expect(pkg.dependencies?.[name], `${name} is a peer dependency, not a dependency`).toBeUndefined();
      }
      for (const [name, spec] of Object.entries(pkg.peerDependencies ?? {})) {
        expect(isRange(spec), `peerDependencies.${name} is a range, not the pin ${spec}`).toBe(true);
      }
      for (const name of Object.keys(pkg.peerDependenciesMeta ?? {})) {
        expect(pkg.peerDependencies?.[name], `peerDependenciesMeta.${name} names a peer`).toBeDefined();
      }
    });

    it('declares every package its built code imports', () => {
      const declared = new Set([pkg.name, ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
      const dist = join(ROOT, dir, 'dist');
      expect(existsSync(dist), `${dir}/dist exists (run npm run build)`).toBe(true);
      const undeclared = packagesImported(dist, (file) => file.endsWith('.js')).filter((name) => !declared.has(name));
      expect(undeclared, `${dir}: imported but not in dependencies or peerDependencies`).toEqual([]);
    });

    it.runIf(pkg.devDependencies !== undefined)('with devDependencies, declares every package its tests import (vitest aside: the repository runs them)', () => {
      const declared = new Set([pkg.name, 'vitest', ...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
      const test = join(ROOT, dir, 'test');
      const undeclared = existsSync(test) ? packagesImported(test, (file) => file.endsWith('.ts')).filter((name) => !declared.has(name)) : [];
      expect(undeclared, `${dir}: its tests import these, but they are in no dependencies list`).toEqual([]);
    });

    it('carries a LICENSE equal to the root one', () => {
      expect(existsSync(join(ROOT, dir, 'LICENSE')), `${dir}/LICENSE exists`).toBe(true);
      expect(read(`${dir}/LICENSE`) === read('LICENSE'), `${dir}/LICENSE is byte-equal to LICENSE`).toBe(true);
    });

    it('has a README with its install line (peers included), ESM notes and absolute links', () => {
      const readme = read(`${dir}/README.md`);
      expect(readme.startsWith(`# ${pkg.name}\n`), 'README opens with the package name').toBe(true);
      const install = readme.split('\n').find((line) => new RegExp(`^npm install (-\\S+ )*${pkg.name}( |$)`).test(line));
      expect(install, `README has a line "npm install ${pkg.name} …"`).toBeDefined();
      const requiredPeers = Object.keys(pkg.peerDependencies ?? {}).filter((name) => pkg.peerDependenciesMeta?.[name]?.optional !== true);
      for (const peer of requiredPeers) expect(install!.split(/\s+/), `the install line names the peer ${peer}`).toContain(peer);
      expect(readme, 'README says the package is ESM-only').toMatch(/ESM-only/);
      expect(readme, 'README says what works from CommonJS').toMatch(/require\(\)/);
      const relative = [...readme.matchAll(/\]\(([^)]+)\)/g)].map(([, target]) => target!).filter((target) => !/^(https?:|mailto:|#)/.test(target));
      expect(relative, 'links are absolute (relative ones are dead on npm)').toEqual([]);
    });
  });

  it('ship LICENSE, README.md and every file their exports name (npm pack --dry-run)', () => {
    const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts', ...PUBLISHED.flatMap((dir) => ['-w', dir])], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const packs = JSON.parse(output) as Array<{ name: string; files: Array<{ path: string }> }>;
    expect(packs.map((pack) => pack.name).sort()).toEqual([...internalNames].sort());
    for (const { dir, pkg } of packages) {
      const files = new Set(packs.find((pack) => pack.name === pkg.name)!.files.map((file) => file.path));
      const targets = Object.values(pkg.exports ?? {}).flatMap((entry) => (typeof entry === 'string' ? [entry] : Object.values(entry)));
      for (const path of ['LICENSE', 'README.md', 'package.json', ...targets.map((target) => target.replace(/^\.\//, ''))]) {
        expect(files.has(path), `${dir}: the tarball contains ${path}`).toBe(true);
      }
    }
  }, 60_000);

  it('every entry point loads with require() from CommonJS (no top-level await)', () => {
    const entries = packages.flatMap(({ pkg }) =>
      Object.keys(pkg.exports ?? {}).filter((key) => key !== './package.json').map((key) => pkg.name + key.slice(1)),
    );
    const script = `for (const name of ${JSON.stringify(entries)}) require(name); console.log('loaded ' + ${entries.length});`;
    const output = execFileSync(process.execPath, ['--input-type=commonjs', '-e', script], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(output.trim()).toBe(`loaded ${entries.length}`);
  }, 30_000);
});
