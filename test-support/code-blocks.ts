/**
 * Code blocks of the documentation: finding the Markdown files, reading their fenced
 * blocks and `<!-- include: … -->` directives, cutting `// #region` regions out of
 * source files, listing what the repository type-checks, and compiling blocks as a
 * strict user would. Used by docs/test/code-blocks.test.ts, which checks every
 * TypeScript block; one copy, so every check of a README reads blocks the same way.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import ts from 'typescript';

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
  const trees = ['core', 'adapters', 'jwt', 'hashers', 'stores', 'testing', 'conformance-tests', 'examples', 'test-support', 'bench'];
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

/**
 * The source files `npm run typecheck` and `npm run build` check: the file lists of the
 * tsconfigs their `tsc -p` / `tsc -b` commands name (following `npm run <script>`, and the
 * projects those tsconfigs reference), as absolute paths. A file only imported by a
 * checked file is not listed.
 *
 * @example
 * ```ts
 * typeCheckedFiles(root).has(resolve(root, 'examples/koa-token-or-basic/src/app.ts')); // true
 * ```
 */
export function typeCheckedFiles(root: string): Set<string> {
  const { scripts } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  const configs: string[] = [];
  const read = new Set<string>();
  const readScript = (name: string): void => {
    if (read.has(name)) return;
    read.add(name);
    for (const command of (scripts[name] ?? '').split(/&&|\|\||;/)) {
      const words = command.trim().split(/\s+/);
      if (words[0] === 'npm' && words[1] === 'run' && words[2] !== undefined) readScript(words[2]);
      if (words[0] !== 'tsc' && !(words[0] === 'npx' && words[1] === 'tsc')) continue;
      for (let k = 0; k < words.length; k += 1) {
        if (words[k] === '-p' || words[k] === '--project') configs.push(words[k + 1] as string);
        if (words[k] === '-b' || words[k] === '--build') {
          const targets = words.slice(k + 1).filter((w) => !w.startsWith('-'));
          configs.push(...(targets.length === 0 ? ['tsconfig.json'] : targets));
        }
      }
    }
  };
  readScript('typecheck');
  readScript('build');
  const checked = new Set<string>();
  const seen = new Set<string>();
  const host: ts.ParseConfigFileHost = {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  };
  const visit = (path: string): void => {
    const config = existsSync(path) && statSync(path).isDirectory() ? join(path, 'tsconfig.json') : path;
    if (seen.has(config)) return;
    seen.add(config);
    const parsed = ts.getParsedCommandLineOfConfigFile(config, {}, host);
    if (parsed === undefined) return;
    for (const name of parsed.fileNames) checked.add(resolve(name));
    for (const reference of parsed.projectReferences ?? []) visit(reference.path);
  };
  for (const config of configs) visit(resolve(root, config));
  return checked;
}

/** The options a strict user compiles with: what the docs promise every block meets. */
export const STRICT_USER_OPTIONS: Readonly<ts.CompilerOptions> = Object.freeze({
  strict: true,
  exactOptionalPropertyTypes: true,
  skipLibCheck: false,
  // TypeScript's own lib.*.d.ts are checked by TypeScript; skipping them halves the time.
  // Every other declaration (ours, @types/*, the frameworks') is checked.
  skipDefaultLibCheck: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  types: ['node'],
  moduleDetection: ts.ModuleDetectionKind.Force, // every block is a module of its own
  noEmit: true,
});

/** What {@link compileBlocks} found. */
export interface CompiledBlocks {
  /** Per block: `file:line:column TScode: message` lines, positions in the Markdown file. */
  readonly diagnostics: ReadonlyMap<CodeBlock, readonly string[]>;
  /** Diagnostics outside the blocks (declaration files, options), `path:line:column …` from `root`. */
  readonly elsewhere: readonly string[];
}

/**
 * Type-checks blocks as complete modules with {@link STRICT_USER_OPTIONS}: each is
 * written to a temporary folder under `dir` (inside the repository, so `@portcullis/*` and
 * the frameworks resolve through the workspace's node_modules; removed afterwards) and
 * all go into one TypeScript program. A block that augments a module or the global scope
 * (`declare module '…'`, `declare global`) gets a program of its own, since augmentations
 * are global to a program as they are in an app. `declarations: true` also checks every
 * declaration file the blocks reach (`skipLibCheck: false`), once.
 *
 * @example
 * ```ts
 * const { diagnostics } = compileBlocks(root, join(root, 'docs', 'test'), blocks, { declarations: true });
 * ```
 */
export function compileBlocks(
  root: string,
  dir: string,
  blocks: readonly CodeBlock[],
  options: { readonly declarations: boolean },
): CompiledBlocks {
  const diagnostics = new Map<CodeBlock, string[]>(blocks.map((b) => [b, []]));
  const elsewhere = new Set<string>();
  if (blocks.length === 0) return { diagnostics, elsewhere: [] };
  const folder = mkdtempSync(join(dir, '.blocks-'));
  try {
    const byPath = new Map<string, CodeBlock>();
    blocks.forEach((block, index) => {
      const path = join(folder, `b${index}_${block.file.replace(/[^\w]+/g, '_')}_L${block.line}.ts`);
      writeFileSync(path, `${block.text}\n`);
      byPath.set(path, block);
    });
    const host = ts.createCompilerHost(STRICT_USER_OPTIONS, true);
    host.getCurrentDirectory = () => root;
    const cache = new Map<string, ts.SourceFile | undefined>();
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (name, languageVersion, onError, fresh) => {
      if (byPath.has(resolve(name))) return getSourceFile(name, languageVersion, onError, fresh);
      if (!cache.has(name)) cache.set(name, getSourceFile(name, languageVersion, onError, fresh));
      return cache.get(name);
    };
    const augments = (path: string): boolean =>
      /^\s*declare\s+(?:module\s+['"]|global\b)/m.test((byPath.get(path) as CodeBlock).text);
    const paths = [...byPath.keys()];
    const groups = [paths.filter((p) => !augments(p)), ...paths.filter(augments).map((p) => [p])].filter(
      (g) => g.length > 0,
    );
    for (const [index, group] of groups.entries()) {
      const program = ts.createProgram({ rootNames: group, options: STRICT_USER_OPTIONS, host });
      const everything = options.declarations && index === 0; // declarations are checked once
      const files = group.map((p) => program.getSourceFile(p) as ts.SourceFile);
      const found = [
        ...program.getOptionsDiagnostics(),
        ...program.getGlobalDiagnostics(),
        ...(everything
          ? [...program.getSyntacticDiagnostics(), ...program.getSemanticDiagnostics()]
          : files.flatMap((f) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)])),
      ];
      for (const d of found) {
        const message = `TS${d.code}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n  ')}`;
        if (d.file === undefined) {
          elsewhere.add(`(compiler options) ${message}`);
          continue;
        }
        const { line, character } = d.file.getLineAndCharacterOfPosition(d.start ?? 0);
        const block = byPath.get(resolve(d.file.fileName));
        if (block === undefined) {
          elsewhere.add(`${relative(root, d.file.fileName).split(sep).join('/')}:${line + 1}:${character + 1} ${message}`);
        } else {
          const text = (block.text.split('\n')[line] ?? '').trim();
          (diagnostics.get(block) as string[]).push(`${block.file}:${block.line + 1 + line}:${character + 1} ${message}\n    | ${text}`);
        }
      }
    }
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  return { diagnostics, elsewhere: [...elsewhere].sort() };
}
