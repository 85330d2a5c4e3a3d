// Every TypeScript block of the documentation compiles (issue #13, "docs that compile").
//
// A `ts`/`typescript` block in README.md, a README.md under the package, example and
// tooling folders, or docs/*.md is either
// - preceded by `<!-- include: path/from/root.ts -->` or `<!-- include: path.ts#region -->`:
//   its text must equal that file (or the lines between `// #region name` and
//   `// #endregion name`, common indentation removed), and the file must be one that
//   `npm run typecheck` or `npm run build` checks; or
// - a complete module: compiled with every other such block in one TypeScript program,
//   with the options of a strict user (strict, exactOptionalPropertyTypes,
//   skipLibCheck: false, nodenext, ES2022, types node, lib es2022 + dom).
//
// Each block is a test named `<file>:<line>` (the line of its opening fence); a failure
// prints the Markdown position of every diagnostic. Run just this test with
// `npm run build && npx vitest run docs/test/code-blocks.test.ts` (the blocks import
// the packages' built declarations).
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type CodeBlock,
  type CompiledBlocks,
  codeBlocks,
  compileBlocks,
  documentationFiles,
  regionOf,
  typeCheckedFiles,
} from '../../test-support/code-blocks.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const HERE = fileURLToPath(new URL('.', import.meta.url));

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
    const line = block.line + block.text.slice(0, match.index).split('\n').length;
    throw new Error(
      `${block.file}:${line}: \`${match[0].trim()}\` sends a whole user object, which may carry a password hash. ` +
        'Send an explicit shape instead, e.g. `{ id: user.identity, name: user.displayName }`.',
    );
  }
}

/**
 * Errors in third-party declarations that are not Portcullis's and that a user of one
 * framework does not meet. Each entry says why; any other error in a declaration fails.
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

describe('included blocks equal their type-checked source', () => {
  let checked: Set<string> | undefined;
  for (const block of included) {
    const { path, region } = block.include as { path: string; region?: string };
    const where = `${block.file}:${block.line - 1}: <!-- include: ${path}${region === undefined ? '' : `#${region}`} -->`;
    it(`${block.file}:${block.line}`, () => {
      const source = join(ROOT, path);
      expect(existsSync(source), `${where}: no such file`).toBe(true);
      const expected = regionOf(readFileSync(source, 'utf8'), region);
      expect(expected, `${where}: no such region (// #region ${region} … // #endregion ${region})`).toBeDefined();
      expect(block.text, `${where}: the block differs from the source; copy it again`).toBe(expected);
      checked ??= typeCheckedFiles(ROOT);
      expect(
        checked.has(resolve(source)),
        `${where}: the file is not in any tsconfig that \`npm run typecheck\` or \`npm run build\` checks; ` +
          'include an example’s src/ or test/ file, or add the file to the root tsconfig.json',
      ).toBe(true);
      safeToSend(block);
    });
  }

  it('every include directive is directly followed by a fenced block', () => {
    expect(dangling.map((d) => `${d.file}:${d.line}: ${d.directive}`)).toEqual([]);
  });
});

describe('standalone blocks compile as complete modules (strict, exactOptionalPropertyTypes, skipLibCheck: false)', () => {
  let compiled: CompiledBlocks;
  beforeAll(() => {
    compiled = compileBlocks(ROOT, HERE, standalone, { declarations: true });
  }, 300_000);

  for (const block of standalone) {
    it(`${block.file}:${block.line}`, () => {
      const found = compiled.diagnostics.get(block) ?? [];
      if (found.length > 0) {
        throw new Error(
          `${block.file}:${block.line}: the block does not compile as a complete module ` +
            `(add its imports, \`declare\` the app pieces it does not show, or include a tested file):\n${found.join('\n')}`,
        );
      }
      safeToSend(block);
    });
  }

  it('the declarations the blocks import compile too (skipLibCheck: false)', () => {
    const unexplained = compiled.elsewhere.filter((d) => !THIRD_PARTY.some((known) => known.diagnostic.test(d)));
    expect(unexplained).toEqual([]);
  });
});

it('finds the documentation: README.md, docs/*.md, the package and example READMEs', () => {
  expect(files).toContain('README.md');
  expect(files).toContain('docs/sessions.md');
  expect(files).toContain('examples/koa-token-or-basic/README.md');
  expect(files.every((f) => !f.includes('node_modules/') && !f.includes('dist/'))).toBe(true);
  expect(typescript.length).toBeGreaterThan(20);
});
