// The packages as a user gets them (issue #13, item 7): every publishable workspace
// packed with `npm pack`, installed into fresh projects outside the repository (so
// nothing is hoisted from the monorepo), strict TypeScript apps compiled against the
// tarballs' types, started with node and probed over HTTP. publint (strict) and
// are-the-types-wrong check each tarball's published shape. See consumer/README.md.
import { checkPackage, createPackageFromTarballData } from '@arethetypeswrong/core';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stopProcess } from '../../examples/test-support/spawn.js';
import { firstFrame } from '../../test-support/websocket.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const HERE = fileURLToPath(new URL('../', import.meta.url));

/** The publishable workspaces (lerna.json's packages), in dependency order. */
const PUBLISHED = [
  'core',
  'adapters/node',
  'adapters/express',
  'adapters/koa',
  'adapters/hono',
  'adapters/fastify',
  'adapters/nest',
  'adapters/fetch',
  'jwt',
  'hashers',
  'stores/redis',
  'testing',
  'conformance-tests',
] as const;

/** The consumer projects (folders of consumer/), each with package.json and apps. */
const PROJECTS = ['express', 'koa', 'hono', 'fastify', 'nest', 'fetch', 'conformance'] as const;
type Project = (typeof PROJECTS)[number];

/**
 * What the resolutions node10 and node16-from-CommonJS may report, and why
 * (docs/packaging.md): the packages are ESM-only with `exports` and no `main`, so
 * TypeScript's legacy `node10` resolution finds nothing, and `require()` from a
 * CommonJS file resolves to ESM (which Node 20.19+ loads with require(esm); older
 * TypeScript settings call it an error). node16 (ESM) and bundler must be clean.
 */
const EXPLAINED: Readonly<Record<string, readonly string[]>> = {
  node10: ['NoResolution'],
  'node16-cjs': ['CJSResolvesToESM'],
};

interface Run {
  readonly code: number | null;
  readonly output: string;
  readonly ms: number;
}

/** The environment of a child npm/tsc: the test's, without the npm_* of an enclosing `npm test`. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!/^(npm_|VITEST)/i.test(name) && !['INIT_CWD', 'NODE_OPTIONS', 'TEST', 'NODE_ENV'].includes(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

function run(command: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { cwd, env: cleanEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const timer = setTimeout(() => {
      output += `\n[killed after ${timeoutMs} ms]`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ code: -1, output: `${output}\n${String(error)}`, ms: Date.now() - started });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: Date.now() - started });
    });
  });
}

interface PackedFile {
  readonly name: string;
  readonly filename: string;
  readonly size: number;
  readonly files: readonly { readonly path: string }[];
}

interface Manifest {
  name: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

let root = '';
/** The package name of each published workspace directory. */
const names = new Map<string, string>();
function packedName(dir: string): string {
  return names.get(dir) ?? dir;
}
let packed: readonly PackedFile[] = [];
let packFailure = '';
const installs = new Map<Project, Run>();
const compiles = new Map<Project, Run>();
const timings: string[] = [];
const children = new Set<ChildProcess>();

async function manifestOf(dir: string): Promise<Manifest> {
  return JSON.parse(await readFile(join(dir, 'package.json'), 'utf8')) as Manifest;
}

/** Every @portcullis package `wanted` needs, themselves included (runtime dependencies and peers). */
async function closure(wanted: readonly string[]): Promise<Set<string>> {
  const byName = new Map<string, Manifest>();
  for (const dir of PUBLISHED) {
    const manifest = await manifestOf(join(REPO, dir));
    byName.set(manifest.name, manifest);
  }
  const seen = new Set<string>();
  const stack = [...wanted];
  while (stack.length > 0) {
    const name = stack.pop()!;
    if (seen.has(name)) continue;
    seen.add(name);
    const manifest = byName.get(name);
    if (manifest === undefined) throw new Error(`${name} is not a publishable workspace (consumer/test/consumer.test.ts PUBLISHED)`);
    for (const dep of Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies })) {
      if (dep.startsWith('@portcullis/')) stack.push(dep);
    }
  }
  return seen;
}

/** Writes <root>/<project>: its package.json with the tarballs, the strict tsconfig, its apps in src/. */
async function createProject(project: Project): Promise<string> {
  const dir = join(root, project);
  await mkdir(join(dir, 'src'), { recursive: true });
  const manifest = await manifestOf(join(HERE, project));
  const dependencies = { ...manifest.dependencies };
  const wanted = Object.keys(dependencies).filter((name) => name.startsWith('@portcullis/'));
  for (const name of await closure(wanted)) {
    const tarball = packed.find((p) => p.name === name);
    if (tarball === undefined) throw new Error(`no tarball for ${name}`);
    dependencies[name] = `file:../packs/${tarball.filename}`;
  }
  await writeFile(join(dir, 'package.json'), `${JSON.stringify({ ...manifest, dependencies }, null, 2)}\n`);
  // A project with its own tsconfig.json (nest: legacy decorators) extends the shared one, copied as tsconfig.base.json.
  const own = join(HERE, project, 'tsconfig.json');
  const hasOwn = await readFile(own).then(() => true, () => false);
  await copyFile(join(HERE, 'tsconfig.json'), join(dir, hasOwn ? 'tsconfig.base.json' : 'tsconfig.json'));
  if (hasOwn) await copyFile(own, join(dir, 'tsconfig.json'));
  await copyFile(join(HERE, 'shared/listen.ts'), join(dir, 'src/listen.ts'));
  for (const file of await readdir(join(HERE, project))) {
    if (/\.c?ts$/.test(file)) await copyFile(join(HERE, project, file), join(dir, 'src', file));
  }
  if (project === 'conformance') await addExampleAdapters(dir);
  return dir;
}

/**
 * The worked adapters of docs/adapters.md (`conformance-tests/example/<name>.ts`, each
 * exporting `createApp` and `supports`, written only against the published entry
 * points): copied into the conformance project with a `<name>.test.ts` that runs the
 * suite on them, as a framework author's project would.
 */
async function addExampleAdapters(dir: string): Promise<void> {
  const examples = join(REPO, 'conformance-tests/example');
  const files = await readdir(examples).catch(() => [] as string[]);
  for (const file of files.filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'))) {
    const name = file.slice(0, -3);
    await copyFile(join(examples, file), join(dir, 'src', file));
    await writeFile(
      join(dir, 'src', `${name}.test.ts`),
      `import { runConformance } from '@portcullis/conformance';\n` +
        `import { createApp, supports } from './${name}.js';\n\n` +
        `runConformance({ name: '${name} (from conformance-tests/example)', supports, createApp });\n`,
    );
  }
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = Date.now();
  try {
    return await work();
  } finally {
    timings.push(`${label}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
}

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'portcullis-consumer-'));
  if (!relative(REPO, root).startsWith('..')) throw new Error(`the consumer projects must live outside the repository, not in ${root}`);
  for (const dir of PUBLISHED) names.set(dir, (await manifestOf(join(REPO, dir))).name);
  const packs = join(root, 'packs');
  await mkdir(packs);
  const pack = await timed('npm pack', () =>
    run('npm', ['pack', '--json', '--pack-destination', packs, ...PUBLISHED.flatMap((dir) => ['-w', dir])], REPO),
  );
  if (pack.code !== 0) {
    packFailure = pack.output;
    return;
  }
  packed = JSON.parse(pack.output.slice(pack.output.indexOf('['))) as PackedFile[];
  const dirs = await Promise.all(PROJECTS.map(createProject));
  // Each project installs then compiles; the projects run side by side.
  await timed('npm install + tsc (5 projects, side by side)', () =>
    Promise.all(
      PROJECTS.map(async (project, i) => {
        const dir = dirs[i]!;
        const install = await timed(`npm install ${project}`, () => run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund'], dir));
        installs.set(project, install);
        if (install.code !== 0) return;
        compiles.set(project, await timed(`tsc ${project}`, () => run(process.execPath, ['node_modules/typescript/bin/tsc', '-p', '.'], dir)));
      }),
    ),
  );
}, 240_000);

afterAll(async () => {
  await Promise.all([...children].map((child) => stopProcess(child)));
  if (timings.length > 0) console.info(`consumer test timings — ${timings.join('; ')}`);
  if (root !== '' && !process.env.PORTCULLIS_KEEP_CONSUMER) await rm(root, { recursive: true, force: true });
});

function tarballOf(dir: string): PackedFile {
  expect(packFailure, `npm pack failed:\n${packFailure}`).toBe('');
  const name = packedName(dir);
  const found = packed.find((p) => p.name === name);
  expect(found, `npm pack produced no tarball for ${name}`).toBeDefined();
  return found!;
}


describe('the tarballs', () => {
  it('cover every package lerna publishes', async () => {
    const lerna = JSON.parse(await readFile(join(REPO, 'lerna.json'), 'utf8')) as { packages: string[] };
    const dirs: string[] = [];
    for (const pattern of lerna.packages) {
      if (!pattern.endsWith('/*')) dirs.push(pattern);
      else for (const dir of await readdir(join(REPO, pattern.slice(0, -2)))) dirs.push(`${pattern.slice(0, -1)}${dir}`);
    }
    const published: string[] = [];
    for (const dir of dirs) {
      const manifest = await readFile(join(REPO, dir, 'package.json'), 'utf8').catch(() => null);
      if (manifest !== null && (JSON.parse(manifest) as { private?: boolean }).private !== true) published.push(dir);
    }
    expect(published.sort(), 'consumer/test/consumer.test.ts PUBLISHED must list what lerna publishes').toEqual([...PUBLISHED].sort());
  });

  describe.each(PUBLISHED.map((dir) => [dir]))('%s', (dir) => {
    it('carries its README, CHANGELOG and compiled entry points', () => {
      const files = tarballOf(dir).files.map((f) => f.path);
      expect(files, `${packedName(dir)}: no README.md in the tarball`).toContain('README.md');
      expect(files, `${packedName(dir)}: no CHANGELOG.md in the tarball (package.json "files")`).toContain('CHANGELOG.md');
      expect(files.some((f) => f.startsWith('dist/') && f.endsWith('.d.ts')), `${packedName(dir)}: no dist/*.d.ts`).toBe(true);
    });

    it('passes publint --strict', async () => {
      const data = await readFile(join(root, 'packs', tarballOf(dir).filename));
      const tarball = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
      const result = await publint({ pack: { tarball }, strict: true, level: 'suggestion' });
      const failing = result.messages.filter((m) => m.type !== 'suggestion');
      const suggestions = result.messages.filter((m) => m.type === 'suggestion');
      if (suggestions.length > 0) console.info(`${packedName(dir)}: publint suggests\n${suggestions.map((m) => formatMessage(m, result.pkg)).join('\n')}`);
      expect(
        failing.map((m) => `${m.type}: ${formatMessage(m, result.pkg, { color: false })}`),
        `${packedName(dir)}: publint --strict`,
      ).toEqual([]);
    });

    it('has types that resolve under node16 (ESM) and bundler (are-the-types-wrong)', async () => {
      const data = await readFile(join(root, 'packs', tarballOf(dir).filename));
      const result = await checkPackage(createPackageFromTarballData(new Uint8Array(data)));
      expect(result.types, `${packedName(dir)}: attw found no types`).not.toBe(false);
      const problems = 'problems' in result ? result.problems : [];
      const unexplained = problems
        .filter((p) => !('resolutionKind' in p) || !(EXPLAINED[p.resolutionKind] ?? []).includes(p.kind))
        .map((p) => JSON.stringify(p));
      expect(unexplained, `${packedName(dir)}: are-the-types-wrong problems not explained in docs/packaging.md`).toEqual([]);
    });
  });
});

function expectStep(label: string, step: Run | undefined): void {
  expect(packFailure, `npm pack failed:\n${packFailure}`).toBe('');
  expect(step, `${label} did not run (an earlier step failed)`).toBeDefined();
  expect(step!.code, `${label} failed (exit ${step!.code}; projects in ${root}, kept with PORTCULLIS_KEEP_CONSUMER=1):\n${step!.output}`).toBe(0);
}

describe.each(PROJECTS.map((project) => [project]))('consumer project %s', (project) => {
  it("uses the monorepo's versions of frameworks and tools (the tested ones, and a warm npm cache)", async () => {
    const ours = await manifestOf(REPO);
    const theirs = await manifestOf(join(HERE, project));
    const drift = Object.entries({ ...theirs.dependencies, ...theirs.devDependencies })
      .filter(([name, version]) => !name.startsWith('@portcullis/') && ours.devDependencies?.[name] !== version)
      .map(([name, version]) => `${name}: ${version} here, ${ours.devDependencies?.[name] ?? 'absent'} in the root package.json`);
    expect(drift, `consumer/${project}/package.json`).toEqual([]);
  });

  it('installs the tarballs with its peers, nothing @portcullis from the registry', async () => {
    expectStep(`npm install (consumer/${project})`, installs.get(project));
    const lock = JSON.parse(await readFile(join(root, project, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { resolved?: string }>;
    };
    const fromRegistry = Object.entries(lock.packages)
      // A @portcullis package itself (not a third-party dependency nested below one of them).
      .filter(([path, entry]) => /(?:^|\/)node_modules\/@portcullis\/[^/]+$/.test(path) && !(entry.resolved ?? '').startsWith('file:'))
      .map(([path, entry]) => `${path} ← ${entry.resolved ?? '?'}`);
    expect(fromRegistry, `consumer/${project}: @portcullis packages not installed from the tarballs`).toEqual([]);
  });

  it('type-checks strictly (strict, exactOptionalPropertyTypes, skipLibCheck false, nodenext)', () => {
    expectStep(`npm install (consumer/${project})`, installs.get(project));
    expectStep(`tsc -p consumer/${project}`, compiles.get(project));
  });
});

/** A started consumer app: its base URL. */
async function start(project: Project, app: string): Promise<string> {
  expectStep(`tsc -p consumer/${project}`, compiles.get(project));
  const child = spawn(process.execPath, [`dist/${app}.js`], {
    cwd: join(root, project),
    env: cleanEnv({ PORT: '0', NODE_ENV: 'production' }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`consumer/${project}/${app}.ts did not listen within 15 s:\n${output}`)), 15_000);
    const read = (chunk: string) => {
      output += chunk;
      const match = /LISTENING (\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout.setEncoding('utf8').on('data', read);
    child.stderr.setEncoding('utf8').on('data', read);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`consumer/${project}/${app}.ts exited with ${code} before listening:\n${output}`));
    });
  });
  return `http://127.0.0.1:${port}`;
}

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: string;
}

async function probe(base: string, path: string, init: RequestInit = {}): Promise<Answer> {
  const response = await fetch(base + path, { redirect: 'manual', ...init });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** The `name=value` of the cookie an answer sets (for the next request's `Cookie`). */
/**
 * A session app's round trip: `POST /login` (form, same origin) sets the session cookie,
 * `GET /me` answers the user with it, `POST /logout` ends it, and `/me` is 401 again.
 */
async function loginMeLogout(base: string, username: string): Promise<void> {
  const origin = { origin: base };
  const login = await probe(base, '/login', { ...form({ username, password: 'letmein' }), headers: { ...form({}).headers, ...origin } });
  expect([login.status, login.body], `POST /login: ${login.body}`).toEqual([200, `Logged in as ${username}`]);
  const cookie = cookieOf(login);
  expect(await probe(base, '/me', { headers: { cookie } })).toMatchObject({ status: 200, body: JSON.stringify({ user: username }) });
  expect((await probe(base, '/logout', { method: 'POST', headers: { cookie, ...origin } })).status).toBe(204);
  expect((await probe(base, '/me', { headers: { cookie } })).status, 'the session is gone after logout').toBe(401);
}

function cookieOf(answer: Answer): string {
  const cookie = answer.headers.getSetCookie()[0];
  expect(cookie, 'no Set-Cookie').toBeDefined();
  return cookie!.split(';')[0]!;
}

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/**
 * The Basic demo every consumer app with one serves (Express, Nest on both platforms): anonymous
 * hello, the challenge on /login, alice's hello and redirect, the guard's 404 for a missing scope,
 * a wrong password that is never anonymous, malformed Basic.
 */
async function expectBasicDemo(base: string): Promise<void> {
  expect(await probe(base, '/')).toMatchObject({ status: 200, body: 'Hello, you' });
  const challenge = await probe(base, '/login');
  expect(challenge.status, 'GET /login without credentials').toBe(401);
  expect(challenge.headers.get('www-authenticate')).toBe('Basic realm="consumer", charset="UTF-8"');
  const alice = { headers: { authorization: basic('alice', 'wonderland') } };
  expect(await probe(base, '/', alice)).toMatchObject({ status: 200, body: 'Hello, alice' });
  const login = await probe(base, '/login', alice);
  expect([login.status, login.headers.get('location')]).toEqual([303, '/admin']);
  expect((await probe(base, '/admin', alice)).status, 'alice lacks admin: the guard says 404').toBe(404);
  expect((await probe(base, '/', { headers: { authorization: basic('alice', 'nope') } })).status, 'a wrong password never becomes anonymous').toBe(401);
  expect((await probe(base, '/', { headers: { authorization: 'Basic !!!' } })).status, 'malformed Basic').toBe(400);
}
const form = (fields: Record<string, string>) => ({
  method: 'POST',
  headers: { 'content-type': 'application/x-www-form-urlencoded' },
  body: new URLSearchParams(fields).toString(),
});

describe('consumer apps over HTTP', () => {
  it('express/require.cts: CommonJS loads the packages with require() (Node 20.19+, module nodenext)', async () => {
    expectStep('tsc -p consumer/express', compiles.get('express'));
    const loaded = await run(process.execPath, ['dist/require.cjs'], join(root, 'express'));
    expect([loaded.code, loaded.output.trim()], `node dist/require.cjs:\n${loaded.output}`).toEqual([0, 'function function function']);
  });

  it('express/basic: anonymous hello, Basic challenge, 404 for a missing scope', async () => {
    await expectBasicDemo(await start('express', 'basic'));
  });

  it.each(['express', 'fastify'])('nest/%s: the global guard, @Requires and @User on that Nest platform, and a gateway behind PortcullisWsAdapter', async (platform) => {
    const base = await start('nest', platform);
    await expectBasicDemo(base);
    const events = base.replace(/^http/, 'ws') + '/events';
    const whoami = { event: 'whoami' };
    expect(await firstFrame(events, whoami), 'an anonymous upgrade is refused before the socket opens').toEqual({ status: 403, challenge: undefined });
    expect(await firstFrame(events, whoami, { authorization: basic('alice', 'nope') }), 'a wrong password on the upgrade').toEqual({
      status: 401,
      challenge: 'Basic realm="consumer", charset="UTF-8"',
    });
    expect(await firstFrame(events, whoami, { authorization: basic('alice', 'wonderland') }), '@User() in the gateway').toEqual({ frame: { event: 'whoami', data: 'alice' } });
  });

  it('express/sessions: login issues a session cookie, /me needs it, logout ends it', async () => {
    const base = await start('express', 'sessions');
    const origin = { origin: base };
    expect((await probe(base, '/me')).status, 'GET /me without a session').toBe(401);
    const bad = await probe(base, '/login', { ...form({ username: 'frank', password: 'no' }), headers: { ...form({}).headers, ...origin } });
    expect(bad.status, 'wrong password').toBe(401);
    await loginMeLogout(base, 'frank');
  });

  it('express/testing: loginAs makes a session the app accepts; under NODE_ENV=production the kit does not load', async () => {
    expectStep('tsc -p consumer/express', compiles.get('express'));
    const dir = join(root, 'express');
    const ran = await run(process.execPath, ['dist/testing.js'], dir);
    expect([ran.code, ran.output.trim()], ran.output).toEqual([0, '200 {"user":"grace"}']);
    const production = await new Promise<{ code: number | null; output: string }>((resolve) => {
      const child = spawn(process.execPath, ['dist/testing.js'], { cwd: dir, env: cleanEnv({ NODE_ENV: 'production' }), stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.once('close', (code) => resolve({ code, output }));
    });
    expect(production.code, production.output).toBe(1);
    expect(production.output).toContain('@portcullis/testing refuses to run with NODE_ENV=production');
  });

  it('koa/token: Token scheme with its challenge', async () => {
    const base = await start('koa', 'token');
    expect(await probe(base, '/')).toMatchObject({ status: 200, body: 'Hello, you' });
    const token = { headers: { authorization: 'Token bob-token-0123456789abcdef' } };
    expect(await probe(base, '/me', token)).toMatchObject({ status: 200, body: '{"user":"bob","scopes":["authenticated"]}' });
    const anonymous = await probe(base, '/me');
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Token']);
    expect((await probe(base, '/', { headers: { authorization: 'Token wrong-token-0123456789' } })).status).toBe(401);
  });

  it('koa/hashers: Basic against a bcrypt hash, upgraded to argon2id on login', async () => {
    const base = await start('koa', 'hashers');
    const anonymous = await probe(base, '/me');
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="consumer", charset="UTF-8"']);
    const erin = { headers: { authorization: basic('erin', 's3cret passphrase') } };
    expect(await probe(base, '/me', erin)).toMatchObject({ status: 200, body: '{"user":"erin","hash":"argon2id"}' });
    expect((await probe(base, '/me', erin)).status, 'the upgraded hash verifies').toBe(200);
    expect((await probe(base, '/me', { headers: { authorization: basic('erin', 'wrong') } })).status).toBe(401);
  });

  it('hono/jwt: Basic buys a JWT, the JWT opens /me, a forged one is refused', async () => {
    const base = await start('hono', 'jwt');
    const anonymous = await probe(base, '/me');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Bearer realm=');
    const issued = await probe(base, '/token', { method: 'POST', headers: { authorization: basic('carol', 'secret') } });
    expect(issued.status, `POST /token: ${issued.body}`).toBe(200);
    const { access_token: token } = JSON.parse(issued.body) as { access_token: string };
    expect(await probe(base, '/me', { headers: { authorization: `Bearer ${token}` } })).toMatchObject({ status: 200, body: '{"user":"carol"}' });
    const forged = await probe(base, '/me', { headers: { authorization: `Bearer ${token.slice(0, -4)}AAAA` } });
    expect(forged.status).toBe(401);
    expect(forged.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });

  it('fastify/basic: the plugin app-wide, the registered user type, a 404-hiding guard', async () => {
    const base = await start('fastify', 'basic');
    expect(await probe(base, '/')).toMatchObject({ status: 200, body: 'Hello, you' });
    const anonymous = await probe(base, '/me');
    expect([anonymous.status, anonymous.headers.get('www-authenticate')]).toEqual([401, 'Basic realm="consumer", charset="UTF-8"']);
    const gina = { headers: { authorization: basic('gina', 'hunter22') } };
    expect(await probe(base, '/me', gina)).toMatchObject({ status: 200, body: '{"user":"gina","admin":false}' });
    expect((await probe(base, '/admin', gina)).status, 'gina lacks admin: the guard says 404').toBe(404);
    expect((await probe(base, '/', { headers: { authorization: basic('gina', 'nope') } })).status).toBe(401);
    expect((await probe(base, '/', { headers: { authorization: 'Basic !!!' } })).status, 'malformed Basic').toBe(400);
  });

  it('hono/sessions: required mode, login, logout', async () => {
    const base = await start('hono', 'sessions');
    expect((await probe(base, '/me')).status, 'GET /me without a session (required mode)').toBe(401);
    await loginMeLogout(base, 'dave');
  });

  it('fetch/sessions: withAuth with Web sessions on a plain fetch handler: required mode, login, logout', async () => {
    const base = await start('fetch', 'sessions');
    expect((await probe(base, '/me')).status, 'GET /me without a session (required mode)').toBe(401);
    await loginMeLogout(base, 'grace');
  });
});

describe('consumer project conformance', () => {
  it('runs the suite against the reference adapter with its own vitest', async () => {
    // Vitest strips the types: this runs even when the type check above fails, so both are reported.
    expectStep('npm install (consumer/conformance)', installs.get('conformance'));
    const suite = await timed('conformance suite', () =>
      run(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', 'src', '--reporter=dot'], join(root, 'conformance')),
    );
    expect(suite.code, `vitest in consumer/conformance failed:\n${suite.output}`).toBe(0);
  }, 120_000);
});
