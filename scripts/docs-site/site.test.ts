import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join, relative, resolve, sep } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../test-support/ports.js';
import { CHROMIUM, CHROMIUM_ARGS, chromiumGate } from '../../test-support/services.js';
import { documentedEntries, ROOT } from './entries.mjs';

// `npm run docs` builds one site from the guides and the JSDoc of every entry point.
// This builds it once (into a temporary folder), checks every internal link of every
// page by reading the files, then serves it and opens it in Chromium: the index loads
// without console errors, the guides are reachable from it, pages render their
// JS-built navigation with links that resolve, and the search finds `requires`.

/** A slow, shared machine builds the site in about 40 s; the budget leaves room. */
const BUILD_BUDGET_MS = 240_000;

let out = '';
let typedoc: ChildProcess | undefined;
let build: { code: number | null; output: string; ms: number } = { code: null, output: '', ms: 0 };

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'portcullis-site-'));
  const started = performance.now();
  build = await new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'node_modules/typedoc/bin/typedoc'), '--out', out], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    typedoc = child;
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', fail);
    child.on('close', (code) => done({ code, output, ms: performance.now() - started }));
  });
  console.info(`docs site built in ${(build.ms / 1000).toFixed(1)} s`);
}, BUILD_BUDGET_MS + 10_000);

afterAll(() => {
  if (typedoc?.exitCode === null) typedoc.kill(); // a build past its budget
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Every file of the site, as paths relative to its root with `/`. */
function siteFiles(): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(relative(out, path).split(sep).join('/'));
    }
  };
  walk(out);
  return files;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'", '#x27': "'" };
const unescapeHtml = (text: string): string => text.replace(/&(amp|lt|gt|quot|#39|#x27);/g, (_, name: string) => ENTITIES[name] ?? '');

const idCache = new Map<string, Set<string>>();

/** The ids a page of the site defines (`id="…"`, and `name="…"` of old-style anchors). */
function idsOf(file: string): Set<string> {
  let ids = idCache.get(file);
  if (!ids) {
    const html = readFileSync(join(out, file), 'utf8');
    ids = new Set([...html.matchAll(/\s(?:id|name)="([^"]*)"/g)].map((m) => unescapeHtml(m[1] ?? '')));
    idCache.set(file, ids);
  }
  return ids;
}

/**
 * Why `href`, found on `page` (a path relative to the site's root), does not resolve:
 * `null` when it is external or points at a file of the site (and, with a fragment, at an
 * id of that file).
 */
function brokenLink(page: string, href: string, files: ReadonlySet<string>): string | null {
  const base = new URL(page, 'http://site.invalid/');
  const url = new URL(href, base);
  if (url.origin !== base.origin) return url.protocol === 'http:' || url.protocol === 'https:' || url.protocol === 'mailto:' ? null : `unexpected scheme ${url.protocol}`;
  const target = decodeURIComponent(url.pathname.slice(1)) || 'index.html';
  const file = target.endsWith('/') ? `${target}index.html` : target;
  if (!files.has(file)) return `no file ${file}`;
  const fragment = decodeURIComponent(url.hash.slice(1));
  if (fragment !== '' && file.endsWith('.html') && !idsOf(file).has(fragment)) return `no id "${fragment}" in ${file}`;
  return null;
}

describe('npm run docs', () => {
  it(`builds without a warning, within ${BUILD_BUDGET_MS / 1000} s`, () => {
    expect(build.output).not.toMatch(/\[(warning|error)\]/);
    expect(build.code).toBe(0);
    expect(build.ms).toBeLessThan(BUILD_BUDGET_MS);
    expect(existsSync(join(out, 'index.html'))).toBe(true);
  });

  it('has a page for every entry point of every publishable package, and for every guide', () => {
    const files = new Set(siteFiles());
    const modules = readFileSync(join(out, 'modules.html'), 'utf8');
    for (const entry of documentedEntries()) {
      // TypeDoc's file name for `@portcullis/core/adapter` is `modules/_portcullis_core_adapter.html`.
      const page = `modules/${entry.moduleName.replace(/[@/-]/g, '_')}.html`;
      expect(files.has(page), `${entry.moduleName} → ${page}`).toBe(true);
      expect(modules).toContain(`>${entry.moduleName}<`);
    }
    const guides = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    const documents = [...files].filter((file) => file.startsWith('documents/') && file.endsWith('.html'));
    expect(documents).toHaveLength(guides.length);
  });

  it('the link check itself refuses a missing page, a missing id and a script link', () => {
    const files = new Set(siteFiles());
    expect(brokenLink('modules.html', 'index.html#portcullis', files)).toBeNull();
    expect(brokenLink('documents/errors.html', '../index.html', files)).toBeNull();
    expect(brokenLink('documents/errors.html', 'https://example.com/x', files)).toBeNull();
    expect(brokenLink('documents/errors.html', 'errors.html#no-such-heading', files)).toMatch(/no id/);
    expect(brokenLink('index.html', 'documents/no-such-guide.html', files)).toMatch(/no file/);
    expect(brokenLink('index.html', 'javascript:void(0)', files)).toMatch(/scheme/);
  });

  it('every link of every page points at a file of the site, and every #fragment at an id of that page', () => {
    const files = siteFiles();
    const fileSet = new Set(files);
    const broken: string[] = [];
    let checked = 0;
    const pages = files.filter((file) => file.endsWith('.html'));
    expect(pages.length).toBeGreaterThan(50);
    for (const page of pages) {
      const html = readFileSync(join(out, page), 'utf8');
      const links = [
        ...[...html.matchAll(/<a\s[^>]*?\bhref="([^"]*)"/g)].map((m) => m[1] ?? ''),
        ...[...html.matchAll(/<(?:link|script)\s[^>]*?\b(?:href|src)="([^"]*)"/g)].map((m) => m[1] ?? ''),
      ];
      for (const link of links) {
        checked += 1;
        const why = brokenLink(page, unescapeHtml(link), fileSet);
        if (why) broken.push(`${page}: ${link} (${why})`);
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
  });
});

const gate = chromiumGate('docs site browser test');

describe.runIf(gate === 'fail')('the docs site browser test needs chromium', () => {
  it(`${CHROMIUM} is installed (required when CI is set)`, () => {
    throw new Error(`${CHROMIUM} is missing`);
  });
});

describe.runIf(gate === 'run')('the docs site in chromium', () => {
  let server: Server;
  let origin = '';
  let browser: Browser;

  beforeAll(async () => {
    const root = resolve(out);
    const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.json': 'application/json' };
    server = createServer((request, response) => {
      const path = decodeURIComponent(new URL(request.url ?? '/', 'http://x/').pathname);
      const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
      if (!file.startsWith(root + sep) || !existsSync(file) || !statSync(file).isFile()) {
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
    });
    const port = await freePort();
    await new Promise<void>((listening) => server.listen(port, '127.0.0.1', listening));
    origin = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS] });
  }, 30_000);

  afterAll(async () => {
    await browser?.close();
    await new Promise((closed) => server?.close(closed));
  });

  /** A fresh page that records console errors, page errors and failed requests in `problems`. */
  async function watchedPage(): Promise<{ page: Page; problems: string[] }> {
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()}`));
    page.on('response', (response) => {
      if (response.status() >= 400) problems.push(`${response.status()}: ${response.url()}`);
    });
    return { page, problems };
  }

  /** Loads `path` in `page` and waits for the sidebar, which the site's script builds from its navigation data. */
  async function load(page: Page, path: string): Promise<void> {
    const response = await page.goto(`${origin}/${path}`, { waitUntil: 'load' });
    expect(response?.status(), path).toBe(200);
    await page.waitForSelector('#tsd-nav-container a[href*="modules/"]', { state: 'attached' });
  }

  async function open(path: string): Promise<{ page: Page; problems: string[] }> {
    const watched = await watchedPage();
    await load(watched.page, path);
    return watched;
  }

  /** Same-origin links of the rendered page (the JS-built navigation included). */
  async function renderedLinks(page: Page): Promise<string[]> {
    const hrefs = await page.$$eval('a[href]', (anchors) => anchors.map((a) => (a as HTMLAnchorElement).href));
    return hrefs.filter((href) => href.startsWith(`${origin}/`));
  }

  it('the index loads with its title, its navigation and no console error; every guide is linked from it', async () => {
    const { page, problems } = await open('index.html');
    expect(await page.title()).toBe('Portcullis');
    expect(await page.textContent('h1')).toContain('Portcullis');
    const links = new Set((await renderedLinks(page)).map((href) => new URL(href).pathname.slice(1)));
    const documents = siteFilesUnder('documents');
    expect(documents.length).toBeGreaterThan(0);
    for (const document of documents) expect(links, `index → ${document}`).toContain(document);
    for (const entry of documentedEntries()) expect(links).toContain(`modules/${entry.moduleName.replace(/[@/-]/g, '_')}.html`);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);

  it('a sample of pages (every guide, some packages, a page of each kind of symbol) renders without errors, and their rendered links resolve', async () => {
    const files = new Set(siteFiles());
    const packages = ['@portcullis/core', '@portcullis/core/adapter', '@portcullis/express', '@portcullis/conformance'].map((name) => `modules/${name.replace(/[@/-]/g, '_')}.html`);
    const symbols = ['functions', 'classes', 'interfaces', 'types', 'variables'].flatMap((dir) => siteFilesUnder(dir).slice(0, 1));
    const sample = [...siteFilesUnder('documents'), ...packages, ...symbols, 'modules.html', 'hierarchy.html'];
    const { page, problems } = await watchedPage();
    const broken: string[] = [];
    for (const path of sample) {
      problems.length = 0;
      await load(page, path);
      expect(problems, path).toEqual([]);
      for (const href of await renderedLinks(page)) {
        const url = new URL(href);
        const why = brokenLink(path, `${url.pathname}${url.search}${url.hash}`, files);
        if (why) broken.push(`${path}: ${href} (${why})`);
      }
    }
    await page.close();
    expect(broken).toEqual([]);
  }, 120_000);

  it('the search box lists the `requires` guards when one types "requires"', async () => {
    const { page, problems } = await open('index.html');
    await page.click('#tsd-search-trigger');
    await page.fill('#tsd-search-input', 'requires');
    const results = page.locator('#tsd-search-results li a');
    await results.first().waitFor();
    const found = await results.evaluateAll((anchors) => anchors.map((a) => ({ text: a.textContent ?? '', href: (a as HTMLAnchorElement).href })));
    // Every adapter's `requires` has a page; the search lists them (at most 10 results
    // are shown, so with many adapters at least the first three).
    const pages = siteFilesUnder('functions').filter((file) => /\/_portcullis_[a-z]+\.requires\.html$/.test(file));
    expect(pages).toEqual(expect.arrayContaining(['express', 'hono', 'koa'].map((adapter) => `functions/_portcullis_${adapter}.requires.html`)));
    const guards = found.filter((result) => /\/functions\/_portcullis_[a-z]+\.requires\.html$/.test(result.href));
    const listed = guards.map((guard) => new URL(guard.href).pathname.slice(1));
    expect(listed.length).toBeGreaterThanOrEqual(Math.min(pages.length, 3));
    expect(pages).toEqual(expect.arrayContaining(listed));
    for (const guard of guards) expect(guard.text).toContain('requires');
    // The keyboard picks a result and opens its page.
    await page.keyboard.press('ArrowDown');
    await Promise.all([page.waitForURL(/requires/i), page.keyboard.press('Enter')]);
    expect(await page.textContent('h1')).toMatch(/requires/i);
    expect(problems).toEqual([]);
    await page.close();
  }, 60_000);
});

/** The `.html` files of one folder of the site, sorted. */
function siteFilesUnder(dir: string): string[] {
  const path = join(out, dir);
  if (!existsSync(path)) return [];
  return readdirSync(path).filter((name) => name.endsWith('.html')).sort().map((name) => `${dir}/${name}`);
}
