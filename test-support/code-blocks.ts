/**
 * Code blocks of the documentation: finding the Markdown files, reading their fenced
 * blocks and `<!-- include: … -->` directives, and cutting `// #region` regions out of
 * source files. Used by docs/test/code-blocks.test.ts, which compiles every TypeScript
 * block; one copy, so every check of a README reads blocks the same way.
 */
import { readdirSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** A fenced code block of a Markdown file. */
export interface CodeBlock {
  /** The Markdown file, relative to the repository root, with `/` separators. */
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  /** The first word of the info string (`ts`, `sh`, …), lower-cased; `''` when there is none. */
  readonly lang: string;
  /** The block's text without the fences, its indentation (inside a list item) removed. */
  readonly text: string;
  /** The `<!-- include: path#region -->` on the line just before the fence, if any. */
  readonly include?: { readonly path: string; readonly region?: string };
}

/** An `<!-- include: … -->` comment that is not directly followed by a fenced block. */
export interface DanglingInclude {
  readonly file: string;
  readonly line: number;
  readonly directive: string;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)(.*)$/;
const INCLUDE = /^\s*<!--\s*include:\s*([^\s#]+)(?:#([\w.-]+))?\s*-->\s*$/;

/**
 * The fenced code blocks of a Markdown text, in order, with the include directive
 * that precedes each; `dangling` lists the include directives that precede no block.
 *
 * @example
 * ```ts
 * const { blocks } = codeBlocks(readFileSync('README.md', 'utf8'), 'README.md');
 * const typescript = blocks.filter((b) => b.lang === 'ts' || b.lang === 'typescript');
 * ```
 */
export function codeBlocks(markdown: string, file: string): { blocks: CodeBlock[]; dangling: DanglingInclude[] } {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  const dangling: DanglingInclude[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] as string;
    const include = INCLUDE.exec(line);
    const open = FENCE.exec(line);
    if (include !== null && !FENCE.test(lines[i + 1] ?? '')) {
      dangling.push({ file, line: i + 1, directive: line.trim() });
    }
    if (open === null) {
      i += 1;
      continue;
    }
    const [, indent = '', fence = '', lang = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j += 1) {
      const close = /^\s*(`{3,}|~{3,})\s*$/.exec(lines[j] as string);
      if (close !== null && close[1]?.[0] === fence[0] && (close[1]?.length ?? 0) >= fence.length) break;
      body.push(stripIndent(lines[j] as string, indent.length));
    }
    const previous = i > 0 ? INCLUDE.exec(lines[i - 1] as string) : null;
    blocks.push({
      file,
      line: i + 1,
      lang: lang.toLowerCase(),
      text: body.join('\n'),
      ...(previous === null
        ? {}
        : { include: { path: previous[1] as string, ...(previous[2] === undefined ? {} : { region: previous[2] }) } }),
    });
    i = j + 1;
  }
  return { blocks, dangling };
}

function stripIndent(line: string, width: number): string {
  let k = 0;
  while (k < width && line[k] === ' ') k += 1;
  return line.slice(k);
}

/**
 * The text an include directive stands for: the whole file (without its final newline),
 * or the lines between `// #region name` and `// #endregion name` with their common
 * indentation removed (marker lines of other regions inside it are left out).
 * `undefined` when the region is not in the file.
 *
 * @example
 * ```ts
 * regionOf(readFileSync('conformance-tests/src/reference.ts', 'utf8'), 'machine');
 * ```
 */
export function regionOf(source: string, name?: string): string | undefined {
  const lines = source.replace(/\r\n/g, '\n').replace(/\n+$/, '').split('\n');
  if (name === undefined) return lines.join('\n');
  const start = lines.findIndex((l) => l.trim() === `// #region ${name}`);
  if (start < 0) return undefined;
  const end = lines.findIndex((l, k) => k > start && l.trim() === `// #endregion ${name}`);
  if (end < 0) return undefined;
  const inner = lines.slice(start + 1, end).filter((l) => !/^\s*\/\/ #(end)?region\b/.test(l));
  const width = Math.min(
    ...inner.filter((l) => l.trim() !== '').map((l) => (/^ */.exec(l) as RegExpExecArray)[0].length),
  );
  return inner.map((l) => (l.trim() === '' ? '' : l.slice(Number.isFinite(width) ? width : 0))).join('\n');
}

/**
 * The Markdown files whose TypeScript blocks the docs test compiles: the root README.md,
 * every README.md under the package, example and tooling folders, and docs/*.md
 * (never under node_modules or dist). Paths are relative to `root`, `/`-separated, sorted.
 *
 * @example
 * ```ts
 * for (const file of documentationFiles(repositoryRoot)) console.log(file);
 * ```
 */
export function documentationFiles(root: string): string[] {
  const found = new Set<string>(['README.md']);
  const trees = ['core', 'adapters', 'jwt', 'hashers', 'stores', 'conformance-tests', 'examples', 'test-support', 'bench'];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name === 'dist' || entry.name.startsWith('.')) continue;
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name === 'README.md') found.add(relative(root, path).split(sep).join('/'));
    }
  };
  for (const tree of trees) {
    const dir = join(root, tree);
    if (isDirectory(dir)) walk(dir);
  }
  const docs = join(root, 'docs');
  if (isDirectory(docs)) {
    for (const name of readdirSync(docs)) if (name.endsWith('.md')) found.add(`docs/${name}`);
  }
  return [...found].sort();
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
