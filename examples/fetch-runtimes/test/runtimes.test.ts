// The example on its three runtimes, over real HTTP: the Worker (itty-router)
// inside workerd (Miniflare, always), and the built bun.ts / deno.ts under the
// Bun and Deno binaries that npm installs (gated: a failure in CI, a visible
// skip on a machine without them), with their websocket at /ws.
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { requires } from '@portcullis/fetch';
import { serve as serveH3 } from 'h3';
import { Log, LogLevel, Miniflare } from 'miniflare';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWebSocket, rawRequest, upgradeRequest } from '@portcullis/conformance';
import { workerBundle } from '../../../adapters/hono/test/edge/bundle.js';
import { COMPATIBILITY_DATE } from '../../../adapters/hono/test/edge/workerd.js';
import { freePort } from '../../../test-support/ports.js';
import { runtimeBinary, runtimeGate, type RuntimeName } from '../../../test-support/services.js';
import { stopProcess } from '../../test-support/spawn.js';
import { DEMO_USERS } from '../src/app.js';
import { createH3App } from '../src/h3.js';

const basic = (user: string, password: string) => ({ authorization: `Basic ${btoa(`${user}:${password}`)}` });

/** The answers every runtime must give, from `origin`. */
function answersTheSame(origin: () => string): void {
  it('anonymous GET / → 200 Hello, you', async () => {
    const res = await fetch(`${origin()}/`);
    expect([res.status, await res.text()]).toEqual([200, 'Hello, you']);
  });
  it('admin → 200 JSON; a user without the scope → 403; a wrong password → 401 with the Basic challenge', async () => {
    const ok = await fetch(`${origin()}/admin`, { headers: basic('alice', 'wonderland') });
    expect([ok.status, await ok.json()]).toEqual([200, { admin: 'alice' }]);
    expect((await fetch(`${origin()}/admin`, { headers: basic('bob', 'builder') })).status).toBe(403);
    const wrong = await fetch(`${origin()}/admin`, { headers: basic('alice', 'nope') });
    expect(wrong.status).toBe(401);
    expect(wrong.headers.get('www-authenticate')).toBe('Basic realm="fetch example", charset="UTF-8"');
  });
  it('malformed credentials → 400 from the core table, never a 500', async () => {
    const res = await fetch(`${origin()}/admin`, { headers: { authorization: 'Basic !!!' } });
    expect(res.status).toBe(400);
  });
}

describe('fetch-runtimes: the Worker with itty-router inside workerd', () => {
  let mf: Miniflare;
  let origin = '';
  beforeAll(async () => {
    // The same bundler as the conformance run in workerd: Node-only library code fails the build.
    const bundle = await workerBundle(fileURLToPath(new URL('../src/worker.ts', import.meta.url)));
    mf = new Miniflare({
      modules: true,
      script: bundle.code,
      compatibilityDate: COMPATIBILITY_DATE,
      bindings: { GREETING: 'Hello' },
      unsafeDirectSockets: [{ host: '127.0.0.1', port: 0 }],
      cf: false,
      log: new Log(LogLevel.WARN),
    });
    origin = (await mf.unsafeGetDirectURL()).origin;
  });
  afterAll(() => mf?.dispose());
  answersTheSame(() => origin);
  it("an unknown path is the router's 404", async () => {
    expect((await fetch(`${origin}/nowhere`)).status).toBe(404);
  });
});

describe('fetch-runtimes: h3 v2 on Node, through its own serve (srvx)', () => {
  let server: ReturnType<typeof serveH3> | undefined;
  let origin = '';
  beforeAll(async () => {
    const app = createH3App(DEMO_USERS);
    // A fetch handler mounted with `app.mount` gets a Proxy of the request alone, without the principal.
    app.mount('/mounted', (request) => requires('admin')((_request, { user }) => new Response(`Hello, ${user.displayName}`))(request, undefined));
    const port = await freePort();
    server = serveH3(app, { port, hostname: '127.0.0.1', silent: true });
    await server.ready();
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(() => server?.close(true));
  answersTheSame(() => origin);
  it("an unknown path is h3's own 404", async () => {
    expect((await fetch(`${origin}/nowhere`)).status).toBe(404);
  });
  it('BAS-15 two Authorization lines on the wire (srvx reads them from rawHeaders, joined) → 400, whichever comes first', async () => {
    const raw = (first: string, second: string) =>
      new Promise<string>((resolve, reject) => {
        const socket = connect(Number(new URL(origin).port), '127.0.0.1', () =>
          socket.end(`GET /admin HTTP/1.1\r\nHost: x\r\nAuthorization: ${first}\r\nAuthorization: ${second}\r\nConnection: close\r\n\r\n`));
        let data = '';
        socket.on('data', (chunk) => (data += chunk));
        socket.on('close', () => resolve(data));
        socket.on('error', reject);
      });
    const admin = basic('alice', 'wonderland').authorization;
    const user = basic('bob', 'builder').authorization;
    expect(await raw(admin, user)).toMatch(/^HTTP\/1\.1 400 [^]*Multiple authorization credentials/);
    expect(await raw(user, admin)).toMatch(/^HTTP\/1\.1 400 [^]*Multiple authorization credentials/);
  });
  it("a guard in a mounted fetch handler, called without the principal, judges what withAuth decided for the request (through h3's Proxy of it), never h3's 500", async () => {
    const admin = await fetch(`${origin}/mounted/x`, { headers: basic('alice', 'wonderland') });
    expect([admin.status, await admin.text()]).toEqual([200, 'Hello, alice']);
    const user = await fetch(`${origin}/mounted/x`, { headers: basic('bob', 'builder') });
    expect([user.status, await user.text()]).toEqual([403, 'Forbidden']);
    expect((await fetch(`${origin}/mounted/x`)).status).toBe(403);
  });
});

/** Starts `args` under `runtime` with PORT set; resolves once it prints its `listening on` line. */
async function serve(runtime: RuntimeName, args: readonly string[]): Promise<{ child: ChildProcess; origin: string }> {
  const binary = runtimeBinary(runtime)?.binary as string;
  const port = await freePort();
  const child = spawn(binary, [...args], { cwd: fileURLToPath(new URL('..', import.meta.url)), env: { ...process.env, PORT: String(port), NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const origin = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${runtime} did not start in 15 s:\n${output}`)), 15_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1];
      if (url !== undefined) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code) => reject(new Error(`${runtime} exited with ${code}:\n${output}`)));
  });
  return { child, origin };
}

/** Opens `/ws` on `origin` ({@link openWebSocket}): the first message, or the refusal's status. */
const openSocket = (origin: string, headers: Record<string, string> = {}) => openWebSocket(`${origin.replace('http:', 'ws:')}/ws`, headers);

/** The websocket at `/ws` of bun.ts and deno.ts, behind `requires('authenticated')`. */
function socketAnswers(origin: () => string): void {
  it('/ws: a signed-in user gets a socket that greets them by name; anonymous → 403, a wrong password → 401, never opened', async () => {
    expect(await openSocket(origin(), basic('bob', 'builder'))).toEqual({ message: 'Hello, bob' });
    expect(await openSocket(origin())).toEqual({ status: 403 });
    expect(await openSocket(origin(), basic('bob', 'nope'))).toEqual({ status: 401 });
  });
  it('WS-12 /ws with a ticket: POST /ws-ticket (signed in) → one socket, then 401; anonymous → 401', async () => {
    const ticketFor = (headers: Record<string, string>) => fetch(`${origin()}/ws-ticket`, { method: 'POST', headers });
    expect((await ticketFor({})).status).toBe(401);
    const issued = await ticketFor(basic('bob', 'builder'));
    expect(issued.status).toBe(200);
    const { ticket } = (await issued.json()) as { ticket: string };
    const url = `${origin().replace('http:', 'ws:')}/ws?ticket=${ticket}`;
    expect(await openWebSocket(url)).toEqual({ message: 'Hello, bob' });
    expect(await openWebSocket(url)).toEqual({ status: 401 });
  });
  it('WS-11 /ws from another site (Origin) → 403 before authentication; from the app origin → the socket', async () => {
    expect(await openSocket(origin(), { ...basic('bob', 'builder'), origin: 'https://evil.example' })).toEqual({ status: 403 });
    expect(await openSocket(origin(), { ...basic('bob', 'builder'), origin: origin() })).toEqual({ message: 'Hello, bob' });
  });
  it('/ws without a websocket handshake → 400, never a 500', async () => {
    expect((await fetch(`${origin()}/ws`, { headers: basic('bob', 'builder') })).status).toBe(400);
  });
  it('/ws: a signed-in handshake with two Upgrade lines (h2c, websocket), or by POST, PUT, HEAD, OPTIONS → 400, never upgraded, and the server lives on', async () => {
    const port = Number(new URL(origin()).port);
    const [get, ...handshake] = upgradeRequest('/ws', [`Authorization: ${basic('bob', 'builder').authorization}`]);
    const twoLines = [get as string, ...handshake.flatMap((line) => (line === 'Upgrade: websocket' ? ['Upgrade: h2c', line] : [line]))];
    expect((await rawRequest(port, twoLines)).status).toBe(400);
    // No Content-Length: with one, Deno refuses the handshake itself; without, it upgraded any method.
    for (const method of ['POST', 'PUT', 'HEAD', 'OPTIONS']) {
      expect((await rawRequest(port, [`${method} /ws HTTP/1.1`, ...handshake])).status, method).toBe(400);
    }
    // Deno's server used to reject "Request closed" unhandled after the 101 and exit.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await openSocket(origin(), basic('bob', 'builder'))).toEqual({ message: 'Hello, bob' });
  });
}

const RUNS: readonly { runtime: RuntimeName; args: readonly string[] }[] = [
  { runtime: 'bun', args: ['dist/bun.js'] },
  { runtime: 'deno', args: ['run', '--allow-net', '--allow-env', '--allow-read', 'dist/deno.js'] },
];

for (const { runtime, args } of RUNS) {
  const gate = runtimeGate(runtime, `fetch-runtimes example under ${runtime}`);
  describe.runIf(gate === 'run')(`fetch-runtimes: ${args.at(-1)} under ${runtime} (${runtimeBinary(runtime)?.version ?? 'missing'})`, () => {
    let server: { child: ChildProcess; origin: string } | undefined;
    beforeAll(async () => {
      server = await serve(runtime, args);
    }, 30_000);
    afterAll(async () => {
      if (server !== undefined) await stopProcess(server.child);
    });
    answersTheSame(() => server?.origin ?? '');
    socketAnswers(() => server?.origin ?? '');
  });
}
