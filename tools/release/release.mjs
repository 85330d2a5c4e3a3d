#!/usr/bin/env node
// The release flow (CONTRIBUTING.md, "Releasing"). All packages share one version
// (lerna fixed mode); the bump comes from the CHANGELOGs' "Unreleased" sections
// (changelog.mjs), or is given.
//
//   node tools/release/release.mjs dry-run [bump]   (npm run release:dry-run)
//     In a throwaway clone of HEAD: lerna version (bumps every package and the
//     internal dependency ranges, rolls the CHANGELOGs, commits and tags — in the
//     clone), builds, and packs every publishable package into .release/. Nothing
//     in this repository, its git state or any registry changes.
//   node tools/release/release.mjs version [bump]   (npm run release:version)
//     The same lerna version here: a "Release vX.Y.Z" commit and tag, not pushed.
//   node tools/release/release.mjs changelog
//     lerna's `version` lifecycle (the root package.json's "version" script): rolls
//     every CHANGELOG to the version lerna.json now holds and stages them.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recommendBump, rollChangelog, unreleasedOf } from './changelog.mjs';

const TOOLS = fileURLToPath(new URL('.', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const BUMPS = ['major', 'minor', 'patch', 'premajor', 'preminor', 'prepatch', 'prerelease'];

function fail(message) {
  console.error(`release: ${message}`);
  process.exit(1);
}

function sh(command, args, cwd, options = {}) {
  const result = spawnSync(command, args, { cwd, stdio: options.capture ? 'pipe' : 'inherit', encoding: 'utf8', env: options.env ?? process.env });
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status}) in ${cwd}${options.capture ? `:\n${result.stdout}${result.stderr}` : ''}`);
  return result.stdout ?? '';
}

/** The publishable package directories: lerna.json's packages that are not private. */
function publishable(root) {
  const lerna = JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8'));
  const dirs = lerna.packages.flatMap((pattern) =>
    pattern.endsWith('/*') ? readdirSync(join(root, pattern.slice(0, -2))).map((d) => `${pattern.slice(0, -1)}${d}`) : [pattern],
  );
  return dirs.filter((dir) => {
    const file = join(root, dir, 'package.json');
    return existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).private !== true;
  });
}

function changelogs(root) {
  return ['CHANGELOG.md', ...publishable(root).map((dir) => `${dir}/CHANGELOG.md`)];
}

/** The bump asked for, or the one the root CHANGELOG's "Unreleased" section calls for. */
function bumpFor(root, asked) {
  if (asked !== undefined) {
    if (!BUMPS.includes(asked) && !/^\d+\.\d+\.\d+(-[\w.]+)?$/.test(asked)) fail(`unknown bump "${asked}": one of ${BUMPS.join(', ')} or a version`);
    return asked;
  }
  const { version } = JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8'));
  const sections = changelogs(root).map((file) => (existsSync(join(root, file)) ? unreleasedOf(readFileSync(join(root, file), 'utf8')) : null));
  const bump = recommendBump(version, sections);
  if (bump === null) fail('nothing to release: every CHANGELOG\'s "Unreleased" section is empty');
  console.log(`release: ${version} → ${bump} (from the CHANGELOGs' "Unreleased" sections)`);
  return bump;
}

/** lerna, installed in tools/release on first use (the root `npm ci` does not install it). */
function lerna() {
  const bin = join(TOOLS, 'node_modules/lerna/dist/cli.js');
  if (!existsSync(bin)) {
    console.log('release: installing lerna into tools/release (once)…');
    sh('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], TOOLS);
  }
  return bin;
}

/** `lerna version <bump>` in `root`: bumps, runs the "version" lifecycle (changelog), commits and tags; never pushes. */
function lernaVersion(root, bump) {
  sh(process.execPath, [lerna(), 'version', bump, '--yes', '--no-push', '--force-publish', '--message', 'Release %s'], root);
}

/**
 * A throwaway clone of HEAD whose node_modules holds this checkout's installed packages
 * (the same lockfile); its @portcullis/* links are relative, so they name the clone's
 * own workspaces.
 */
function throwawayClone() {
  const dir = mkdtempSync(join(tmpdir(), 'portcullis-release-'));
  const clone = join(dir, 'repo');
  sh('git', ['clone', '--quiet', '--no-hardlinks', REPO, clone], dir);
  sh('git', ['config', 'user.name', 'Portcullis release dry run'], clone);
  sh('git', ['config', 'user.email', 'release-dry-run@invalid'], clone);
  const modules = join(REPO, 'node_modules');
  if (!existsSync(modules)) fail('node_modules is missing: run npm ci first');
  // Hard links (a copy where they are not possible): real paths inside the clone, so the
  // declarations tsc emits there name their imports as they do here.
  const linked = spawnSync('cp', ['-al', modules, join(clone, 'node_modules')], { stdio: 'ignore' });
  if (linked.status !== 0) {
    rmSync(join(clone, 'node_modules'), { recursive: true, force: true });
    cpSync(modules, join(clone, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  }
  return { dir, clone };
}

function dryRun(asked) {
  const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8' }).trim();
  if (dirty !== '') console.warn('release: uncommitted changes are not part of the dry run (it releases HEAD)');
  const { dir, clone } = throwawayClone();
  try {
    const bump = bumpFor(clone, asked);
    lernaVersion(clone, bump);
    const version = JSON.parse(readFileSync(join(clone, 'lerna.json'), 'utf8')).version;
    const dirs = publishable(clone);
    sh(process.execPath, [join(clone, 'node_modules/typescript/bin/tsc'), '-b', ...dirs], clone);
    const out = join(REPO, '.release');
    rmSync(out, { recursive: true, force: true });
    mkdirSync(out);
    const packed = JSON.parse(sh('npm', ['pack', '--json', '--pack-destination', out, ...dirs.flatMap((d) => ['-w', d])], clone, { capture: true }));
    const tag = sh('git', ['describe', '--tags', '--exact-match'], clone, { capture: true }).trim();
    const commit = sh('git', ['log', '-1', '--format=%h %s'], clone, { capture: true }).trim();
    writeFileSync(join(out, 'versions.json'), `${JSON.stringify({ version, tag, packages: packed.map((p) => ({ name: p.name, version: p.version, filename: p.filename, size: p.size })) }, null, 2)}\n`);
    console.log(`\nrelease dry run: v${version} (in the throwaway clone: commit "${commit}", tag ${tag}; nothing pushed or published)`);
    for (const p of packed) console.log(`  ${p.filename.padEnd(40)} ${(p.size / 1024).toFixed(1).padStart(7)} kB  ${p.entryCount} files`);
    console.log(`tarballs in ${relative(process.cwd(), out) || '.'}/ (git-ignored)`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function version(asked) {
  const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO, encoding: 'utf8' }).trim();
  if (dirty !== '') fail('the working tree has changes: commit them first');
  lernaVersion(REPO, bumpFor(REPO, asked));
  console.log('release: committed and tagged. Push the commit and the tag, then `npx lerna publish from-package` (CONTRIBUTING.md).');
}

function changelog() {
  const root = process.cwd();
  const { version } = JSON.parse(readFileSync(join(root, 'lerna.json'), 'utf8'));
  const date = new Date().toISOString().slice(0, 10);
  const files = changelogs(root).filter((file) => existsSync(join(root, file)));
  for (const file of files) writeFileSync(join(root, file), rollChangelog(readFileSync(join(root, file), 'utf8'), version, date));
  sh('git', ['add', '--', ...files], root);
  console.log(`release: ${files.length} CHANGELOGs rolled to ${version}`);
}

const [command, bump] = process.argv.slice(2);
if (command === 'dry-run') dryRun(bump);
else if (command === 'version') version(bump);
else if (command === 'changelog') changelog();
else fail('usage: release.mjs dry-run [bump] | version [bump] | changelog');
