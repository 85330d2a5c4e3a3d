// The docs harness itself (test-support/code-blocks.ts): that it reads blocks the way
// Markdown does, cuts regions exactly, and that a block which would not compile for a
// strict user fails, at the right Markdown line.
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { codeBlocks, compileBlocks, regionOf, typeCheckedFiles } from '../../test-support/code-blocks.js';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const HERE = fileURLToPath(new URL('.', import.meta.url));

describe('codeBlocks', () => {
  it('reads fences with their language, line and include directive, inside lists and other fences too', () => {
    const markdown = [
      '# Title', //                                   1
      '', //                                          2
      '<!-- include: examples/x/src/app.ts#setup -->', // 3
      '```ts', //                                     4
      'const a = 1;', //                              5
      '```', //                                       6
      '- a list item:', //                            7
      '', //                                          8
      '  ~~~TypeScript title="x"', //                 9
      '  const b = 2;', //                           10
      '    indented();', //                          11
      '  ~~~', //                                    12
      '````md', //                                   13
      '```ts', //                                    14
      'not a block of its own', //                   15
      '```', //                                      16
      '````', //                                     17
      '<!-- include: examples/x/src/app.ts -->', //  18
      '', //                                         19
      '```sh', //                                    20
      'npm test', //                                 21
      '```', //                                      22
    ].join('\r\n');
    const { blocks, dangling } = codeBlocks(markdown, 'README.md');
    expect(blocks.map((b) => [b.line, b.lang, b.text, b.include])).toEqual([
      [4, 'ts', 'const a = 1;', { path: 'examples/x/src/app.ts', region: 'setup' }],
      [9, 'typescript', 'const b = 2;\n  indented();', undefined],
      [13, 'md', '```ts\nnot a block of its own\n```', undefined],
      [20, 'sh', 'npm test', undefined],
    ]);
    expect(dangling).toEqual([{ file: 'README.md', line: 18, directive: '<!-- include: examples/x/src/app.ts -->' }]);
  });
});

describe('regionOf', () => {
  const source = [
    "import { x } from 'x';",
    'export function f() {',
    '  // #region body',
    '  const a = x();',
    '  // #region inner',
    '  if (a) {',
    '    return a;',
    '  }',
    '  // #endregion inner',
    '',
    '  return null;',
    '  // #endregion body',
    '}',
    '',
  ].join('\n');

  it('cuts a region, without its common indentation or the markers of regions inside it', () => {
    expect(regionOf(source, 'body')).toBe('const a = x();\nif (a) {\n  return a;\n}\n\nreturn null;');
    expect(regionOf(source, 'inner')).toBe('if (a) {\n  return a;\n}');
  });

  it('is the whole file without its final newline when no region is named, and undefined for a missing region', () => {
    expect(regionOf(source)).toBe(source.slice(0, -1));
    expect(regionOf(source, 'missing')).toBeUndefined();
    expect(regionOf('// #region open\nconst a = 1;\n', 'open')).toBeUndefined();
  });
});

describe('typeCheckedFiles', () => {
  it('lists the sources of the build and of the root typecheck, not what they only import', () => {
    const checked = typeCheckedFiles(ROOT);
    expect(checked.has(resolve(ROOT, 'examples/koa-token-or-basic/src/app.ts'))).toBe(true); // build
    expect(checked.has(resolve(ROOT, 'core/src/session/store.ts'))).toBe(true); // build
    expect(checked.has(resolve(ROOT, 'docs/test/harness.test.ts'))).toBe(true); // typecheck
    expect(checked.has(resolve(ROOT, 'test-support/code-blocks.ts'))).toBe(false); // imported only
    expect([...checked].some((f) => f.includes('/node_modules/'))).toBe(false);
  });
});

describe('compileBlocks', () => {
  const block = (line: number, text: string) => ({ file: 'docs/x.md', line, lang: 'ts', text });

  it('compiles each block as its own module with the strict user options, and reports at the Markdown line', () => {
    const good = block(10, "import { SimpleUser } from '@portcullis/core';\nconst app = new SimpleUser('a');\nexport { app };");
    const again = block(20, 'const app = 1;\nexport { app };'); // the same name in another block: no conflict
    const undefinedName = block(30, 'const a = 1;\nusers.byId(a);');
    const optional = block(40, 'const o: { a?: string } = { a: undefined };\nexport { o };'); // exactOptionalPropertyTypes
    const implicitAny = block(50, 'export const f = (x) => x;'); // strict
    const augmentA = block(60, "declare global { interface Window { portcullis: string } }\nexport {};");
    const augmentB = block(70, "declare global { interface Window { portcullis: number } }\nexport {};");
    const dir = mkdtempSync(join(HERE, '.blocks-harness-'));
    const { diagnostics } = compileBlocks(ROOT, dir, [good, again, undefinedName, optional, implicitAny, augmentA, augmentB], {
      declarations: false,
    });
    const left = readdirSync(dir);
    rmSync(dir, { recursive: true });
    expect(left).toEqual([]); // the temporary modules are removed
    const codes = (b: ReturnType<typeof block>) => (diagnostics.get(b) ?? []).map((d) => /^(\S+) (TS\d+)/.exec(d)?.slice(1));
    expect(codes(good)).toEqual([]);
    expect(codes(again)).toEqual([]);
    expect(codes(undefinedName)).toEqual([['docs/x.md:32:1', 'TS2304']]);
    expect(codes(optional)).toEqual([['docs/x.md:41:7', 'TS2375']]);
    expect(codes(implicitAny)).toEqual([['docs/x.md:51:19', 'TS7006']]);
    expect(codes(augmentA)).toEqual([]); // augmentations are global to a program: each gets its own
    expect(codes(augmentB)).toEqual([]);
    expect(diagnostics.get(undefinedName)?.[0]).toContain("Cannot find name 'users'.\n    | users.byId(a);");
  }, 120_000);
});
