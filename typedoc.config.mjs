// @ts-check
/**
 * `npm run docs`: the guides (README.md, docs/*.md) and the API reference of every
 * publishable package's entry points, as one static site in `site/` (git-ignored).
 * The entry points are read from each package.json's `exports`
 * (scripts/docs-site/entries.mjs); any warning (an undocumented export, a broken
 * `{@link}`, a link to a missing file) fails the build.
 */
import { documentedEntries, REPOSITORY_URL, ROOT, sourcePaths } from './scripts/docs-site/entries.mjs';
import { headingCodeSpansInAnchors } from './scripts/docs-site/typedoc-plugin.mjs';

const entries = documentedEntries();

/** @type {Partial<import('typedoc').TypeDocOptions>} */
const config = {
  name: 'Portcullis',
  entryPointStrategy: 'resolve',
  entryPoints: entries.map((entry) => entry.source),
  // Workspace order (core first), not alphabetical.
  sortEntryPoints: false,
  displayBasePath: ROOT,
  // One program for all packages: `@portcullis/*` imports resolve to the sources, so a
  // type shared by two packages is one page and every cross-package link resolves.
  tsconfig: 'tsconfig.docs.json',
  compilerOptions: { paths: sourcePaths(entries) },
  readme: 'README.md',
  favicon: 'docs/favicon.svg',
  // A glob: guides added later are picked up, and a guide that is not there is no error.
  projectDocuments: ['docs/*.md'],
  plugin: ['./scripts/docs-site/typedoc-plugin.mjs'],
  markdownItLoader: headingCodeSpansInAnchors,
  router: 'portcullis',
  out: 'site',
  cleanOutputDir: true,
  excludePrivate: true,
  excludeInternal: true,
  excludeExternals: false,
  // Source links point at the published repository; no git remote is needed.
  disableGit: true,
  sourceLinkTemplate: `${REPOSITORY_URL}/blob/{gitRevision}/{path}#L{line}`,
  gitRevision: 'main',
  githubPages: false,
  hideGenerator: true,
  searchInComments: true,
  searchInDocuments: true,
  navigation: { includeCategories: false, includeGroups: true, includeFolders: false, compactFolders: true, excludeReferences: false },
  navigationLinks: { GitHub: REPOSITORY_URL },
  // Every documented package, not only the root's: an undocumented export of any of them is a warning.
  packagesRequiringDocumentation: [...new Set(entries.map((entry) => entry.packageName))],
  treatWarningsAsErrors: true,
  // One program cannot compile both decorator dialects (Nest's legacy ones in
  // @portcullis/nest, standard ones elsewhere); `npm run build` type-checks every
  // package with its own settings, so the docs build reads declarations only.
  skipErrorChecking: true,
  treatValidationWarningsAsErrors: true,
  validation: { notExported: true, invalidLink: true, invalidPath: true, rewrittenLink: true, notDocumented: true, unusedMergeModuleWith: true },
  logLevel: 'Warn',
};

export default config;
