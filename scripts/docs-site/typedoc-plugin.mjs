// @ts-check
/**
 * The docs site's TypeDoc plugin: one site for the guides and the API reference.
 *
 * - Each entry module is named by its import specifier (`@portcullis/core/adapter`,
 *   not `core/src/adapter`), and a package's `.` page shows that package's README.
 * - A relative link in a guide to a package folder or its README goes to the package's
 *   page; a link to something the site does not carry (an example's folder, a source
 *   file, bench data) goes to that path in the repository on GitHub, so no link of the
 *   site points at a file that is not there. Links to missing files still fail the
 *   build (TypeDoc's own `invalidPath` validation).
 * - A guide is named by its first `# heading` (`Error codes`, not `docs/errors`),
 *   unless its front matter has a `title`; its page keeps its file's name
 *   (`documents/errors.html`).
 * - A heading's anchor counts the text of its code spans, as GitHub's does:
 *   ``## `HashingError` `` is `#hashingerror` on both, so one link works in both places.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative, resolve, sep } from 'node:path';
import { Converter, KindRouter, MinimalSourceFile, ReflectionKind } from 'typedoc';
import { documentedEntries, REPOSITORY_URL, ROOT } from './entries.mjs';

/** A Markdown link target under the repository's main branch: `](URL)` with the path and the anchor. */
const REPOSITORY_LINK = new RegExp(`\\]\\((${REPOSITORY_URL.replaceAll('.', '\\.')}/(?:blob|tree)/main/([^)#\\s]*)(?:#([^)\\s]*))?)\\)`, 'g');

/** Files a guide may link to that the site serves as they are (TypeDoc copies them into `media/`). */
const MEDIA = new Set(['.svg', '.png', '.jpg', '.jpeg', '.gif', '.webp']);

/**
 * The module name TypeDoc gives an entry point when `displayBasePath` is the root.
 * @param {string} file absolute
 */
function typedocModuleName(file) {
  return relative(ROOT, file).split(sep).join('/').replace(/(\/index)?\.ts$/, '');
}

/**
 * @param {import('typedoc').Application} app
 */
export function load(app) {
  const entries = documentedEntries();
  const byTypedocName = new Map(entries.map((entry) => [typedocModuleName(entry.source), entry]));
  /** Absolute paths (package folders and their READMEs) that stand for a package's page. */
  const packagePaths = new Map();
  for (const entry of entries.filter((e) => e.main)) {
    const dir = resolve(ROOT, entry.packageDir);
    packagePaths.set(dir, entry.moduleName);
    packagePaths.set(join(dir, 'README.md'), entry.moduleName);
  }
  /** @type {Map<string, import('typedoc').DeclarationReflection>} */
  const modules = new Map();

  app.converter.on(Converter.EVENT_CREATE_DECLARATION, (_context, reflection) => {
    if (!reflection.kindOf(ReflectionKind.Module) || !reflection.parent?.isProject()) return;
    const entry = byTypedocName.get(reflection.name);
    if (!entry) return;
    reflection.name = entry.moduleName;
    modules.set(entry.moduleName, reflection);
  });

  /** A guide's page is named after its file (`documents/errors.html`), whatever its title. */
  const guideFiles = new Map();
  app.renderer.defineRouter(
    'portcullis',
    class extends KindRouter {
      /**
       * @override
       * @param {import('typedoc').Reflection} reflection
       */
      getIdealBaseName(reflection) {
        const file = guideFiles.get(reflection.id);
        return file ? `documents/${file}` : super.getIdealBaseName(reflection);
      }
    },
  );

  app.converter.on(Converter.EVENT_CREATE_DOCUMENT, (_context, document) => {
    guideFiles.set(document.id, document.name.replace(/^.*\//, '').replace(/[^\w.-]/g, '_'));
    if (typeof document.frontmatter['title'] === 'string') return;
    const text = document.content.map((part) => part.text).join('');
    const heading = /^# +(.+?) *#*$/m.exec(text);
    if (heading?.[1]) document.name = heading[1].replaceAll('`', '');
  });

  // Markdown files (the README, the guides, package READMEs) are parsed by this method.
  const converter = app.converter;
  const parseRawComment = converter.parseRawComment.bind(converter);
  converter.parseRawComment = (file, files) => {
    const parsed = parseRawComment(file, files);
    parsed.content = parsed.content.flatMap((part) => {
      if (part.kind === 'text') return onSiteLinks(part.text, files);
      if (part.kind !== 'relative-link' || typeof part.target !== 'number') return [part];
      const absolute = files.resolvePath(part.target);
      if (absolute === undefined || packagePaths.has(resolve(absolute))) return [part];
      const isFile = existsSync(absolute) && statSync(absolute).isFile();
      if (isFile && (MEDIA.has(extname(absolute).toLowerCase()) || isGuide(absolute))) return [part];
      // Not on the site: link to the repository instead, and forget the media entry
      // (TypeDoc would copy the file, or warn that a folder is not a file).
      forget(files, part.target);
      const path = relative(ROOT, absolute).split(sep).join('/');
      const anchor = part.targetAnchor ? `#${part.targetAnchor}` : '';
      return [{ kind: 'text', text: `${REPOSITORY_URL}/${isFile ? 'blob' : 'tree'}/main/${path}${anchor}` }];
    });
    return parsed;
  };

  // JSDoc links to the guides the same way (absolute URLs work in an editor's hover).
  app.converter.on(Converter.EVENT_RESOLVE_END, (context) => {
    const files = context.project.files;
    for (const reflection of Object.values(context.project.reflections)) {
      const comment = reflection.comment;
      if (!comment) continue;
      comment.summary = comment.summary.flatMap((part) => (part.kind === 'text' ? onSiteLinks(part.text, files) : [part]));
      for (const tag of comment.blockTags) tag.content = tag.content.flatMap((part) => (part.kind === 'text' ? onSiteLinks(part.text, files) : [part]));
    }
  });

  /**
   * Package READMEs and JSDoc link to the guides with absolute repository URLs (they
   * are read on npm and in editors too); on the site such a link, as a Markdown link target, goes to the guide's
   * page or the package's page instead.
   * @param {string} text
   * @param {import('typedoc').FileRegistry} files
   * @returns {import('typedoc').CommentDisplayPart[]}
   */
  function onSiteLinks(text, files) {
    /** @type {import('typedoc').CommentDisplayPart[]} */
    const parts = [];
    let last = 0;
    for (const match of text.matchAll(REPOSITORY_LINK)) {
      const [url = '', path = '', anchor] = match.slice(1);
      const absolute = resolve(ROOT, decodeURIComponent(path).replace(/\/$/, ''));
      if (!isGuide(absolute) && !packagePaths.has(absolute)) continue;
      const start = (match.index ?? 0) + 2; // after "]("
      parts.push({ kind: 'text', text: text.slice(last, start) });
      const { target } = files.registerAbsolute(normalizedPath(absolute));
      parts.push({ kind: 'relative-link', text: url, target, targetAnchor: anchor });
      last = start + url.length;
    }
    parts.push({ kind: 'text', text: text.slice(last) });
    return parts.filter((part) => part.text !== '');
  }

  app.converter.on(Converter.EVENT_RESOLVE_BEGIN, (context) => {
    const project = context.project;
    for (const [absolute, moduleName] of packagePaths) {
      const reflection = modules.get(moduleName);
      if (!reflection) continue;
      project.files.registerReflectionPath(normalizedPath(absolute), reflection);
    }
    for (const entry of entries.filter((e) => e.main)) {
      const reflection = modules.get(entry.moduleName);
      const readme = join(ROOT, entry.packageDir, 'README.md');
      if (!reflection || !existsSync(readme)) continue;
      const file = new MinimalSourceFile(readFileSync(readme, 'utf8').replaceAll('\r\n', '\n'), normalizedPath(readme));
      reflection.readme = converter.parseRawComment(file, project.files).content;
    }
    const missing = entries.filter((entry) => !modules.has(entry.moduleName)).map((entry) => entry.moduleName);
    if (missing.length > 0) app.logger.warn(`docs site: no module page for ${missing.join(', ')} (is the entry point converted?)`);
  });
}

/**
 * TypeDoc's form of an absolute path (`/` separators).
 * @param {string} absolute
 * @returns {import('typedoc').NormalizedPath}
 */
function normalizedPath(absolute) {
  return /** @type {import('typedoc').NormalizedPath} */ (absolute.split(sep).join('/'));
}

/**
 * The root README and `docs/*.md`: pages of the site.
 * @param {string} absolute
 */
function isGuide(absolute) {
  const path = relative(ROOT, absolute).split(sep).join('/');
  return path === 'README.md' || /^docs\/[^/]+\.md$/.test(path);
}

/**
 * Drops a media entry of TypeDoc's file registry (a path that is now an external link).
 * @param {import('typedoc').FileRegistry} files
 * @param {number} id
 */
function forget(files, id) {
  const registry = /** @type {{ mediaToPath: Map<number, string>; pathToMedia: Map<string, number> }} */ (/** @type {unknown} */ (files));
  const path = registry.mediaToPath.get(id);
  registry.mediaToPath.delete(id);
  if (path !== undefined) registry.pathToMedia.delete(path);
}

/**
 * TypeDoc's `markdownItLoader`: before headings get their `id`, a code span in a
 * heading becomes `<code>`, its text, `</code>`, so that the text counts in the anchor
 * (TypeDoc's slug reads only text tokens) while the heading renders as before.
 * @param {any} parser markdown-it
 */
export function headingCodeSpansInAnchors(parser) {
  parser.core.ruler.push('portcullis_heading_code_spans', (/** @type {any} */ state) => {
    const Token = state.Token;
    state.tokens.forEach((/** @type {any} */ token, /** @type {number} */ i) => {
      if (token.type !== 'inline' || state.tokens[i - 1]?.type !== 'heading_open' || !token.children) return;
      token.children = token.children.flatMap((/** @type {any} */ child) => {
        if (child.type !== 'code_inline') return [child];
        const open = new Token('html_inline', '', 0);
        open.content = '<code>';
        const text = new Token('text', '', 0);
        text.content = child.content;
        const close = new Token('html_inline', '', 0);
        close.content = '</code>';
        return [open, text, close];
      });
    });
  });
}
