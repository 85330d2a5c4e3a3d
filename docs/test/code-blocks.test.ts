// Every TypeScript block of the documentation compiles (issue #13, "docs that compile").
//
// A `ts`/`typescript` block in README.md, a README.md under the package, example and
// tooling folders, or docs/*.md is either
// - preceded by `<!-- include: path/from/root.ts -->` or `<!-- include: path.ts#region -->`:
//   its text must equal that file (or region), and the file must be one that
//   `npm run typecheck` or `npm run build` checks; or
// - a complete module: it is written to a temporary folder inside the repository (so
//   `@portcullis/*` and the frameworks resolve through the workspace's node_modules)
//   and type-checked, with every other such block, in one TypeScript program with the
//   options a strict user has (below). A block that augments a module or the global
//   scope gets a program of its own: augmentations are global to a program, as in an app.
//
// Each block is a test named `<file>:<line>`; a failure prints the Markdown position of
// every diagnostic. Run just this test: `npx vitest run docs/test/code-blocks.test.ts`
// (after `npm run build`: the blocks import the packages' built declarations).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CodeBlock, codeBlocks, documentationFiles, regionOf } from '../../test-support/code-blocks.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const rel = (path: string): string => relative(ROOT, path).split(sep).join('/');

/** What a strict user compiles with; the README promises these. */
const OPTIONS: ts.CompilerOptions = {
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  moduleDetection: ts.ModuleDetectionKind.Force,
  noEmit: true,
};

const files = documentationFiles(ROOT);
const parsed = files.map((file) => codeBlocks(readFileSync(join(ROOT, file), 'utf8'), file));
const typescript = parsed.flatMap((p) => p.blocks).filter((b) => b.lang === 'ts' || b.lang === 'typescript');
const included = typescript.filter((b) => b.include !== undefined);
const standalone = typescript.filter((b) => b.include === undefined);
const dangling = parsed.flatMap((p) => p.dangling);

/** A user object sent whole would send its password hash too. */
const SENDS_USER =
  /\b(?:res|reply|c|ctx)\.(?:json|send)\(\s*(?:req\.|request\.|c\.var\.|ctx\.state\.)?user\s*[,)]|\bctx\.body\s*=\s*(?:ctx\.state\.)?user\s*(?:;|$)|\bresponseBody:\s*user\s*[,}]/m;

function safeToSend(block: CodeBlock): void {
  const match = SENDS_USER.exec(block.text);
  if (match !== null) {
    const line = block.line + 1 + block.text.slice(0, match.index).split('\n').length - 1;
    throw new Error(
      `${block.file}:${line}: \`${match[0].trim()}\` sends a whole user object, which may carry a password hash. ` +
        'Send an explicit shape instead, e.g. `{ id: user.identity, name: user.displayName }`.',
    );
  }
}

// ---------------------------------------------------------------------------------------
// Included blocks: equal to their file, and the file is type-checked by the repository.

/** The source files `npm run typecheck` and `npm run build` check (their tsconfigs' file lists). */
function typeCheckedFiles(): Set<string> {
  const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> })
    .scripts;
  const configs: string[] = [];
  for (const script of [scripts['typecheck'] ?? '', scripts['build'] ?? '']) {
    for (const command of script.split(/&&|;|\|\|/)) {
      const words = command.trim().split(/\s+/);
      if (words[0] !== 'tsc' && !(words[0] === 'npx' && words[1] === 'tsc')) continue;
      for (let k = 0; k < words.length; k += 1) {
        if (words[k] === '-p' || words[k] === '--project') configs.push(words[k + 1] as string);
        if (words[k] === '-b' || words[k] === '--build') {
          const targets = words.slice(k + 1).filter((w) => !w.startsWith('-'));
          configs.push(...(targets.length === 0 ? ['tsconfig.json'] : targets));
        }
      }
    }
  }
  const checked = new Set<string>();
  const seen = new Set<string>();
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const visit = (path: string): void => {
    const config = existsSync(path) && !path.endsWith('.json') ? join(path, 'tsconfig.json') : path;
    if (seen.has(config)) return;
    seen.add(config);
    const parsedConfig = ts.getParsedCommandLineOfConfigFile(config, {}, host);
    if (parsedConfig === undefined) return;
    for (const name of parsedConfig.fileNames) checked.add(resolve(name));
    for (const reference of parsedConfig.projectReferences ?? []) visit(reference.path);
  };
  for (const config of configs) visit(resolve(ROOT, config));
  return checked;
}

let checkedFiles: Set<string> | undefined;

describe('included blocks equal their (type-checked) source', () => {
  for (const block of included) {
    const { path, region } = block.include as { path: string; region?: string };
    it(`${block.file}:${block.line}`, () => {
      const source = join(ROOT, path);
      expect(existsSync(source), `${block.file}:${block.line - 1}: include of ${path}: no such file`).toBe(true);
      const expected = regionOf(readFileSync(source, 'utf8'), region);
      expect(expected, `${block.file}:${block.line - 1}: ${path} has no region "${region}"`).toBeDefined();
      expect(block.text, `${block.file}:${block.line}: the block differs from ${path}${region ? `#${region}` : ''}`).toBe(
        expected,
      );
      checkedFiles ??= typeCheckedFiles();
      expect(
        checkedFiles.has(resolve(source)),
        `${block.file}:${block.line - 1}: ${path} is not in any tsconfig that \`npm run typecheck\` or \`npm run build\` checks; ` +
          'include a file that one of them lists (an example’s src/ or test/), or add it to the root tsconfig.json',
      ).toBe(true);
      safeToSend(block);
    });
  }

  it('every include directive is directly followed by a fenced block', () => {
    expect(dangling.map((d) => `${d.file}:${d.line}: ${d.directive}`)).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------
// Standalone blocks: complete modules, compiled together.

/**
 * Errors in third-party declarations that are not Portcullis's and that no user of one
 * framework meets. Each entry says why; everything else in a declaration file fails.
 */
const THIRD_PARTY: readonly { readonly diagnostic: RegExp; readonly why: string }[] = [
  {
    diagnostic: /^node_modules\/@types\/koa\/index\.d\.ts:\d+:\d+ TS2694: .*content-disposition.* has no exported member 'Options'/,
    why:
      'The workspace hoists express 5’s content-disposition@2 (which ships its own types, without `Options`) ' +
      'above koa’s content-disposition@1, so @types/koa resolves the wrong one. A Koa app alone resolves ' +
      '@types/content-disposition and compiles.',
  },
];

let folder = '';
const diagnostics = new Map<CodeBlock, string[]>();
const elsewhere = new Set<string>();

function position(file: ts.SourceFile, start: number | undefined): { line: number; column: number } {
  const { line, character } = file.getLineAndCharacterOfPosition(start ?? 0);
  return { line, column: character + 1 };
}

beforeAll(() => {
  if (standalone.length === 0) return;
  folder = mkdtempSync(join(ROOT, 'docs', 'test', '.blocks-'));
  const byPath = new Map<string, CodeBlock>();
  for (const block of standalone) {
    const path = join(folder, `${block.file.replace(/[^\w]+/g, '_')}_L${block.line}.ts`);
    writeFileSync(path, `${block.text}\n`);
    byPath.set(path, block);
    diagnostics.set(block, []);
  }

  const host = ts.createCompilerHost(OPTIONS, true);
  host.getCurrentDirectory = () => ROOT;
  const cache = new Map<string, ts.SourceFile | undefined>();
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, languageVersion, onError, fresh) => {
    if (byPath.has(resolve(name))) return getSourceFile(name, languageVersion, onError, fresh);
    if (!cache.has(name)) cache.set(name, getSourceFile(name, languageVersion, onError, fresh));
    return cache.get(name);
  };

  // Augmentations (`declare module`, `declare global`) are global to a program.
  const augments = (block: CodeBlock): boolean => /^\s*declare\s+(?:module\s+['"]|global\b)/m.test(block.text);
  const paths = [...byPath.keys()];
  const groups = [
    paths.filter((p) => !augments(byPath.get(p) as CodeBlock)),
    ...paths.filter((p) => augments(byPath.get(p) as CodeBlock)).map((p) => [p]),
  ].filter((g) => g.length > 0);

  for (const [index, group] of groups.entries()) {
    const program = ts.createProgram({ rootNames: group, options: OPTIONS, host });
    // The declarations are checked once, in the first program; the others check their blocks.
    const checked = index === 0 ? undefined : group.map((p) => program.getSourceFile(p) as ts.SourceFile);
    const all = [
      ...program.getOptionsDiagnostics(),
      ...program.getGlobalDiagnostics(),
      ...(checked === undefined
        ? [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()]
        : checked.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])),
    ];
    for (const d of all) {
      const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`;
      const block = d.file === undefined ? undefined : byPath.get(resolve(d.file.fileName));
      if (d.file === undefined) {
        elsewhere.add(`(compiler options) ${message}`);
      } else if (block === undefined) {
        const { line, column } = position(d.file, d.start);
        elsewhere.add(`${rel(d.file.fileName)}:${line + 1}:${column} ${message}`);
      } else {
        const { line, column } = position(d.file, d.start);
        const text = block.text.split('\n')[line] ?? '';
        (diagnostics.get(block) as string[]).push(
          `${block.file}:${block.line + 1 + line}:${column} ${message}\n    | ${text.trim()}`,
        );
      }
    }
  }
}, 300_000);

afterAll(() => {
  if (folder !== '') rmSync(folder, { recursive: true, force: true });
});

describe('standalone blocks compile as complete modules (strict, exactOptionalPropertyTypes, skipLibCheck: false)', () => {
  for (const block of standalone) {
    it(`${block.file}:${block.line}`, () => {
      const found = diagnostics.get(block) ?? [];
      if (found.length > 0) {
        throw new Error(
          `${block.file}:${block.line}: the block does not compile as a complete module ` +
            `(add its imports, or \`declare\` the app pieces it does not show):\n${found.join('\n')}`,
        );
      }
      safeToSend(block);
    });
  }

  it('the declarations the blocks import compile too (skipLibCheck: false)', () => {
    const unexplained = [...elsewhere].filter((d) => !THIRD_PARTY.some((known) => known.diagnostic.test(d)));
    expect(unexplained.sort()).toEqual([]);
  });
});

it('finds the documentation (README.md, docs/*.md, package and example READMEs)', () => {
  expect(files).toContain('README.md');
  expect(files.some((f) => f.startsWith('docs/'))).toBe(true);
  expect(files.every((f) => !f.includes('node_modules/') && !f.includes('/dist/'))).toBe(true);
  expect(typescript.length).toBeGreaterThan(0);
});
