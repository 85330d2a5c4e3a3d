/**
 * The Hono adapter's per-request work, step by step, without HTTP: one Hono app per
 * variant answers `app.fetch(request, { incoming })` in a loop, with the `incoming`
 * that @hono/node-server hands over (url, headers, rawHeaders, socket) and its
 * lightweight `Response`. `count` runs each variant under callgrind: after a warm-up
 * the counters are zeroed, the requests run, the counters are dumped; the dump's total
 * over the requests is the variant's instructions per request (the loop and Hono's
 * own work included: compare variants, not absolute figures).
 *
 *   npx tsc -p bench/tsconfig.profile.json
 *   node bench/dist/experiments/hono-steps.js list
 *   node bench/dist/experiments/hono-steps.js count [--requests N] <variant>…
 *
 * Each variant adds a step of `authentication()` to the one before it (see `variants`).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Context, MiddlewareHandler } from 'hono';
import { JWT_AUDIENCE, JWT_ISSUER, JWT_SECRET, PASSWORD, TOKEN, USER, basicHeader, checkPassword, jwtHot } from '../credentials.js';

type Variant = { readonly authorization: string | undefined; readonly middleware: () => Promise<MiddlewareHandler | undefined> };

async function users() {
  const { SimpleUser } = await import('@portcullis/core');
  return new SimpleUser(USER);
}

async function tokenBackend() {
  const { tokenAuth } = await import('@portcullis/core');
  const alice = await users();
  const tokens = new Map([[TOKEN, alice]]);
  return tokenAuth({ verify: (t) => tokens.get(t) ?? null });
}

async function basicCacheBackend() {
  const { basicAuth, VerificationCache } = await import('@portcullis/core');
  const alice = await users();
  return basicAuth({ realm: 'bench', cache: new VerificationCache<typeof alice>(), verify: (u, p) => (checkPassword(u, p) ? alice : null) });
}

async function jwtBackend() {
  const { jwtAuth } = await import('@portcullis/jwt');
  const { SimpleUser } = await import('@portcullis/core');
  return jwtAuth({
    algorithms: ['HS256'],
    secret: new TextEncoder().encode(JWT_SECRET),
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    retrieveUser: (token) => new SimpleUser(token.sub),
  });
}

async function portcullis(backend: () => Promise<Parameters<typeof import('@portcullis/hono').authentication>[0]['backend']>): Promise<MiddlewareHandler> {
  const { authentication } = await import('@portcullis/hono');
  return authentication({ backend: await backend(), mode: 'required' }) as unknown as MiddlewareHandler;
}

const TOKEN_HEADER = `Token ${TOKEN}`;

const variants: Record<string, Variant> = {
  bare: { authorization: TOKEN_HEADER, middleware: async () => undefined },
  noop: {
    authorization: TOKEN_HEADER,
    middleware: async () => {
      const alice = await users();
      return async (c, next) => {
        c.set('user', alice);
        await next();
      };
    },
  },
  'noop-then': {
    authorization: TOKEN_HEADER,
    middleware: async () => {
      const alice = await users();
      const ignore = (): void => undefined;
      return (c, next) => {
        c.set('user', alice);
        return next().then(ignore);
      };
    },
  },
  conn: {
    authorization: TOKEN_HEADER,
    middleware: async () => {
      const { toConnection } = await import('@portcullis/hono');
      const alice = await users();
      return async (c, next) => {
        const connection = toConnection(c, Date.now);
        c.set('user', connection.method === 'GET' ? alice : undefined);
        await next();
      };
    },
  },
  'conn-run': {
    authorization: TOKEN_HEADER,
    middleware: async () => {
      const { toConnection } = await import('@portcullis/hono');
      const { createAuthenticator } = await import('@portcullis/core/adapter');
      const authenticator = createAuthenticator({ backend: await tokenBackend(), mode: 'required' });
      return async (c, next) => {
        const decision = authenticator.run(toConnection(c, authenticator.clock)) as { user?: unknown };
        c.set('user', decision.user);
        await next();
      };
    },
  },
  'conn-run-auth': {
    authorization: TOKEN_HEADER,
    middleware: async () => {
      const { toConnection } = await import('@portcullis/hono');
      const { createAuthenticator } = await import('@portcullis/core/adapter');
      const authenticator = createAuthenticator({ backend: await tokenBackend(), mode: 'required' });
      return async (c, next) => {
        const decision = authenticator.run(toConnection(c, authenticator.clock)) as { user?: unknown; auth?: unknown };
        c.set('user', decision.user);
        c.set('auth', decision.auth);
        await next();
      };
    },
  },
  'conn-run-auth-remember': {
    authorization: TOKEN_HEADER,
    middleware: async () => {
      const { toConnection } = await import('@portcullis/hono');
      const { createAuthenticator, requestStates } = await import('@portcullis/core/adapter');
      const authenticator = createAuthenticator({ backend: await tokenBackend(), mode: 'required' });
      const states = requestStates<Context>();
      return async (c, next) => {
        const connection = toConnection(c, authenticator.clock);
        const decision = authenticator.run(connection) as { user?: unknown; auth?: unknown };
        c.set('user', decision.user);
        c.set('auth', decision.auth);
        states.remember(c, connection, authenticator.challenges);
        await next();
      };
    },
  },
  'conn-run-auth-remember-weak': {
    // The same with the guards' state in a `WeakMap` (`requestStates({ storage: 'weakMap' })`, as on Express).
    authorization: TOKEN_HEADER,
    middleware: async () => {
      const { toConnection } = await import('@portcullis/hono');
      const { createAuthenticator, requestStates } = await import('@portcullis/core/adapter');
      const authenticator = createAuthenticator({ backend: await tokenBackend(), mode: 'required' });
      const states = requestStates<Context>({ storage: 'weakMap' });
      return async (c, next) => {
        const connection = toConnection(c, authenticator.clock);
        const decision = authenticator.run(connection) as { user?: unknown; auth?: unknown };
        c.set('user', decision.user);
        c.set('auth', decision.auth);
        states.remember(c, connection, authenticator.challenges);
        await next();
      };
    },
  },
  token: { authorization: TOKEN_HEADER, middleware: () => portcullis(tokenBackend) },
  'basic-cache': { authorization: basicHeader(USER, PASSWORD), middleware: () => portcullis(basicCacheBackend) },
  'jwt-hot': { authorization: `Bearer ${jwtHot()}`, middleware: () => portcullis(jwtBackend) },
};

async function serve(name: string): Promise<void> {
  const variant = variants[name];
  if (variant === undefined) throw new Error(`no variant ${name}`);
  const { Hono } = await import('hono');
  // @hono/node-server's listener swaps in its lightweight Response (no stream per body), as in the server.
  const { getRequestListener } = await import('@hono/node-server');
  const app = new Hono();
  getRequestListener(app.fetch);
  const m = await variant.middleware();
  if (m !== undefined) app.use(m);
  app.get('/', (c: Context) => c.text(`Hello, ${(c.get('user') as { displayName?: string } | undefined)?.displayName ?? USER}`));
  const rawHeaders = ['Host', '127.0.0.1', 'Connection', 'keep-alive'];
  if (variant.authorization !== undefined) rawHeaders.push('Authorization', variant.authorization);
  const headers: Record<string, string> = {};
  for (let i = 0; i < rawHeaders.length; i += 2) headers[(rawHeaders[i] as string).toLowerCase()] = rawHeaders[i + 1] as string;
  const incoming = { url: '/', method: 'GET', headers, rawHeaders, socket: { remoteAddress: '127.0.0.1' } };
  const request = new Request('http://127.0.0.1/', { headers });
  const run = async (k: number): Promise<void> => {
    for (let i = 0; i < k; i++) {
      const res = await app.fetch(request, { incoming });
      if (res.status !== 200) throw new Error(`status ${res.status}`);
    }
  };
  // The driver (`count`) answers each line with the number of requests to run next; 0 ends.
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  process.stdout.write('ready\n');
  for (let next = await lines.next(); !next.done; next = await lines.next()) {
    const k = Number(next.value);
    if (!(k > 0)) break;
    await run(k);
    process.stdout.write('done\n');
  }
  process.exit(0);
}

const run = promisify(execFile);

/** Counts one variant under callgrind: warm-up, zero, `requests` requests, dump. */
async function count(name: string, requests: number, warmup: number): Promise<number> {
  const out = `/tmp/hono-steps-${process.pid}-${name}.out`;
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--interrupt-budget=8192', fileURLToPath(import.meta.url), 'serve', name], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const expect = async (word: string): Promise<void> => {
    for (let next = await lines.next(); !next.done; next = await lines.next()) if (next.value === word) return;
    throw new Error(`${name}: the child ended before "${word}"`);
  };
  try {
    await expect('ready');
    child.stdin!.write(`${warmup}\n`);
    await expect('done');
    await run('callgrind_control', ['-z', String(child.pid)]);
    child.stdin!.write(`${requests}\n`);
    await expect('done');
    await run('callgrind_control', ['-d', String(child.pid)]);
    const m = /^(?:totals|summary): (\d+)/m.exec(readFileSync(`${out}.1`, 'utf8'));
    if (m === null) throw new Error(`no totals in ${out}.1`);
    return Number(m[1]) / requests;
  } finally {
    child.stdin!.end('0\n');
  }
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  if (mode === 'serve') return serve(args[0] as string);
  if (mode === 'count') {
    let requests = 5000;
    let warmup = 10_000;
    const names: string[] = [];
    for (let i = 0; i < args.length; i++) {
      if (args[i] === '--requests') requests = Number(args[++i]);
      else if (args[i] === '--warmup') warmup = Number(args[++i]);
      else names.push(args[i] as string);
    }
    for (const name of names) {
      if (variants[name] === undefined) throw new Error(`no variant ${name}`);
      const perRequest = await count(name, requests, warmup);
      console.log(`${name.padEnd(28)} ${Math.round(perRequest).toLocaleString('en').padStart(10)} instructions/request`);
    }
    return;
  }
  console.log(Object.keys(variants).join('\n'));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
