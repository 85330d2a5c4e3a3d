// The HW rows of the security catalogue: Hono on an edge runtime, here workerd
// (Miniflare 4.20260426.0, compatibility date 2025-09-01, no compatibility
// flags). Every request goes over real HTTP to workerd's own HTTP server; the
// `probe` entrypoint shows what the runtime itself hands the worker (headers,
// atob, TextDecoder, PBKDF2), the app shows what Portcullis answers. Where the
// catalogue says "same as Node", the same spec also runs on Node
// (@hono/node-server, ../app.ts) and the answers are compared.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basic, openWebSocket, rawRequest, scenarios, type RawResponse, type Scenario } from '@portcullis/conformance';
import { passwordPolicy, pbkdf2Hasher, pepperedHasher } from '@portcullis/core/hashing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHonoApp } from '../app.js';
import { workerBundle } from './bundle.js';
import { COMPATIBILITY_DATE, startWorker, stopAll, type EdgeWorker } from './workerd.js';

function scenario(id: string): Scenario {
  const found = scenarios.find((s) => s.id === id);
  if (found === undefined) throw new Error(`no scenario ${id}`);
  return found;
}

const portOf = (url: string): number => Number(new URL(url).port);
const HOST = 'Host: app.example';
const INVALID = 'Invalid authorization credentials';

/** basic-strict (required mode, Basic realm="api", GET /me) in workerd … */
let edge: EdgeWorker;
/** … and the same spec on Node. */
let node: Server;
/** chain-halts (a user store that throws) in workerd. */
let broken: EdgeWorker;
/** websocket (a guarded upgrade, status 404 on the guard) in workerd. */
let sockets: EdgeWorker;
/** sessions-litestar (cookie sessions) in workerd … */
let sessions: EdgeWorker;
/** … and on Node. */
let nodeSessions: Server;

async function listen(server: Server): Promise<Server> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

async function close(server: Server | undefined): Promise<void> {
  if (server === undefined) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

const nodePort = (server: Server): number => (server.address() as AddressInfo).port;

beforeAll(async () => {
  const ids = ['basic-strict', 'chain-halts', 'websocket', 'sessions-litestar (memory)'];
  [edge, broken, sockets, sessions] = (await Promise.all(ids.map((id) => startWorker(id)))) as [EdgeWorker, EdgeWorker, EdgeWorker, EdgeWorker];
  for (const worker of [edge, broken, sockets, sessions]) {
    const report = (await (await fetch(worker.controlUrl)).json()) as { ok: boolean };
    expect(report.ok).toBe(true);
  }
  node = await listen(createHonoApp(scenario('basic-strict').app()));
  nodeSessions = await listen(createHonoApp(scenario('sessions-litestar (memory)').app()));
});

afterAll(async () => {
  await stopAll();
  await Promise.all([close(node), close(nodeSessions)]);
});

/** `GET /me` with `lines`, on workerd and on Node. */
async function onBoth(lines: readonly string[]): Promise<{ edge: RawResponse; node: RawResponse }> {
  const head = ['GET /me HTTP/1.1', HOST, ...lines];
  const [e, n] = await Promise.all([rawRequest(portOf(edge.url), head), rawRequest(nodePort(node), head)]);
  return { edge: e, node: n };
}

/** The same answer, as far as a client can tell. */
function answer(res: RawResponse): unknown {
  return { status: res.status, body: res.body, contentType: res.header('content-type'), cacheControl: res.header('cache-control') };
}

/** The credentials headers as the worker receives them. */
interface Seen {
  authorization: string | null;
  authorizationLength: number | null;
  cookie: string | null;
}

/** What the runtime hands the worker for `lines`. */
async function seenByWorker(lines: readonly string[]): Promise<Seen> {
  const res = await rawRequest(portOf(edge.probeUrl), ['GET /headers HTTP/1.1', HOST, ...lines]);
  expect(res.status).toBe(200);
  return JSON.parse(res.body) as Seen;
}

async function probe<T>(path: string): Promise<T> {
  const res = await fetch(`${edge.probeUrl}${path}`);
  expect(res.status).toBe(200);
  return (await res.json()) as T;
}

describe(`HW: Hono inside workerd (compatibility date ${COMPATIBILITY_DATE}, no nodejs_compat)`, () => {
  it('no Node-only module from library code is in the worker bundle, and the runtime has no Node globals', async () => {
    const bundle = await workerBundle();
    // bundle.ts refuses to build otherwise; what is stubbed is the suite's own test-side code.
    for (const found of bundle.nodeOnlyImports) expect(found.importer).toMatch(/^conformance-tests\//);
    const globals = await probe<Record<string, string>>('/globals');
    expect(globals).toEqual({ Buffer: 'undefined', process: 'undefined', setImmediate: 'undefined', require: 'undefined', __dirname: 'undefined' });
  });

  it('BAS-15 two Authorization lines reach workerd joined by ", " → 400 duplicate, whichever comes first, as on Node', async () => {
    const right = `Authorization: ${basic('user', 'pass')}`;
    const wrong = `Authorization: ${basic('alice', 'wrong')}`;
    expect((await seenByWorker([right, wrong])).authorization).toBe(`${basic('user', 'pass')}, ${basic('alice', 'wrong')}`);
    for (const pair of [
      [right, wrong],
      [wrong, right],
    ]) {
      const res = await onBoth(pair);
      expect(res.edge.status).toBe(400);
      expect(res.edge.body).toBe('Multiple authorization credentials');
      expect(answer(res.edge)).toEqual(answer(res.node));
    }
  });

  it('BAS-16 DOS-03 a 9,000-character Authorization reaches the worker whole; the library answers 431 inside workerd, as on Node', async () => {
    const line = `Authorization: Basic ${'A'.repeat(9000)}`;
    expect((await seenByWorker([line])).authorizationLength).toBe(9006);
    const res = await onBoth([line]);
    expect(res.edge.status).toBe(431);
    expect(res.edge.body).toBe('Request Header Fields Too Large');
    expect(res.edge.header('cache-control')).toBe('no-store');
    expect(answer(res.edge)).toEqual(answer(res.node));
  });

  it("BAS-16 DOS-03 17,000 characters: workerd passes them to the worker and the library answers 431 (Node's own parser refuses them first)", async () => {
    const line = `Authorization: Basic ${'A'.repeat(17_000)}`;
    expect((await seenByWorker([line])).authorizationLength).toBe(17_006);
    const res = await onBoth([line]);
    expect(res.edge.status).toBe(431);
    expect(res.edge.body).toBe('Request Header Fields Too Large');
    expect(res.edge.header('cache-control')).toBe('no-store');
    // Node (16 KiB max header size) answers before the app runs: no library body.
    expect(res.node.status).toBe(431);
    expect(res.node.body).toBe('');
  });

  it('DOS-03 workerd itself refuses a request head over 128 KiB with its own 431, before the worker runs', async () => {
    const res = await rawRequest(portOf(edge.url), ['GET /me HTTP/1.1', HOST, `Authorization: Basic ${'A'.repeat(131_072)}`]);
    expect(res.status).toBe(431);
    expect(res.body).toBe('ERROR: header too large.');
    expect(res.header('cache-control')).toBeUndefined();
  });

  describe("LEAK-06 BAS-12 BAS-14 strict base64 and UTF-8 inside workerd, whatever its atob and TextDecoder accept", () => {
    interface Decoded {
      atob: { ok: boolean; canonical?: boolean };
      utf8Fatal: { ok: boolean } | null;
      utf8Lenient: string | null;
    }
    const cases: readonly (readonly [string, string, (d: Decoded) => void])[] = [
      ['dXNlcjpwYXNz=', 'excess padding: atob throws', (d) => expect(d.atob.ok).toBe(false)],
      ['!!!', 'not base64: atob throws', (d) => expect(d.atob.ok).toBe(false)],
      ['dXNlcjpwYXN=', 'stray bits: atob accepts a non-canonical spelling', (d) => expect(d.atob).toEqual({ ok: true, canonical: false })],
      ['dXNlcjpwYTpzcw', 'missing padding: atob accepts it', (d) => expect(d.atob).toEqual({ ok: true, canonical: false })],
      ['dXNl cjpwYXNz', 'a space inside: atob skips it', (d) => expect(d.atob).toEqual({ ok: true, canonical: false })],
      ['dXNl\tcjpwYXNz', 'a TAB inside: atob skips it', (d) => expect(d.atob).toEqual({ ok: true, canonical: false })],
      [
        'dXNlcjpw5HNzd29yZA==',
        'latin-1 "user:pässword": a fatal TextDecoder throws, a lenient one yields U+FFFD',
        (d) => {
          expect(d.atob.ok).toBe(true);
          expect(d.utf8Fatal?.ok).toBe(false);
          expect(d.utf8Lenient).toBe('user:p\uFFFDssword');
        },
      ],
    ];
    for (const [token, what, runtime] of cases) {
      it(`LEAK-06 ${JSON.stringify(token)} (${what}) → 400, never 500, as on Node`, async () => {
        runtime(await probe<Decoded>(`/decode?token=${encodeURIComponent(token)}`));
        const res = await onBoth([`Authorization: Basic ${token}`]);
        expect(res.edge.status).toBe(400);
        expect(res.edge.body).toBe(INVALID);
        expect(answer(res.edge)).toEqual(answer(res.node));
      });
    }
  });

  describe('PWD-05 PBKDF2 on Workers: the 100,000-iteration platform cap is checked at construction', () => {
    interface ErrorReport {
      name: string;
      code?: string;
      detail?: string;
      isConfigurationError: boolean;
    }
    interface Pbkdf2Report {
      userAgent: string;
      default: { ok: true } | { ok: false; error: ErrorReport };
      explicit:
        | { ok: true; hashed: { ok: true; value: { hash: string; right: { ok: boolean }; wrong: { ok: boolean } } } | { ok: false; error: ErrorReport } }
        | { ok: false; error: ErrorReport };
    }

    it("PWD-05 pbkdf2Hasher() with default options, constructed inside workerd (navigator.userAgent 'Cloudflare-Workers'), throws a ConfigurationError", async () => {
      const report = await probe<Pbkdf2Report>('/pbkdf2');
      expect(report.userAgent).toBe('Cloudflare-Workers');
      expect(report.default.ok).toBe(false);
      if (report.default.ok) return;
      expect(report.default.error).toMatchObject({ name: 'ConfigurationError', code: 'invalid_configuration', isConfigurationError: true });
      expect(report.default.error.detail).toMatch(/600000 iterations exceed the 100000 PBKDF2 iterations Cloudflare Workers allow/);
    });

    it('PWD-05 pbkdf2Hasher({ iterations: 100_000 }) hashes and verifies inside workerd', async () => {
      const report = await probe<Pbkdf2Report>('/pbkdf2');
      expect(report.explicit.ok).toBe(true);
      if (!report.explicit.ok) return;
      expect(report.explicit.hashed.ok).toBe(true);
      if (!report.explicit.hashed.ok) return;
      const { hash, right, wrong } = report.explicit.hashed.value;
      expect(hash).toMatch(/^\$pbkdf2-sha256\$i=100000\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/);
      expect(right.ok).toBe(true);
      expect(wrong.ok).toBe(false);
    });

    it('PWD-05 local workerd does not enforce the production cap (600,000 iterations derive), so only the construction-time guard catches it', async () => {
      for (const iterations of [100_000, 100_001, 600_000]) {
        expect(await probe<{ ok: boolean }>(`/derive?iterations=${iterations}`), String(iterations)).toMatchObject({ ok: true });
      }
    });
  });

  it('PWD-20 PWD-11 a peppered hash made inside workerd verifies on Node with the same pepper; the policy answers as on Node', async () => {
    const pepper = 'a pepper of 32 bytes or more, for the edge';
    const report = await probe<{ ok: true; value: { hash: string; right: unknown; wrong: unknown; policy: unknown[] } }>(
      `/pepper?pepper=${encodeURIComponent(pepper)}`,
    );
    expect(report.ok).toBe(true);
    const { hash, right, wrong, policy } = report.value;
    expect(hash).toMatch(/^pepper\$edge\$\$pbkdf2-sha256\$i=1000\$/);
    expect(right).toEqual({ ok: true, needsRehash: false });
    expect(wrong).toEqual({ ok: false, needsRehash: false });
    const onNode = pepperedHasher({ inner: pbkdf2Hasher({ iterations: 1000 }), peppers: { edge: pepper }, current: 'edge' });
    expect(await onNode.verify('p\u00e4ss:w\u00f6rd \u{1f511}', hash)).toEqual({ ok: true, needsRehash: false });
    const otherPepper = pepperedHasher({ inner: pbkdf2Hasher({ iterations: 1000 }), peppers: { edge: `${pepper}!` }, current: 'edge' });
    expect(await otherPepper.verify('p\u00e4ss:w\u00f6rd \u{1f511}', hash)).toEqual({ ok: false, needsRehash: false });
    const nodePolicy = passwordPolicy({ hasher: onNode });
    expect(policy).toEqual(await Promise.all(['seven77', '\u{1f511}'.repeat(8), 'a'.repeat(1025)].map((p) => nodePolicy.check(p))));
    expect(policy.map((r) => (r as { ok: boolean }).ok)).toEqual([false, true, false]);
  });

  it('CK-05 two Cookie lines reach workerd joined by ", " (Node joins "; "); the first session id wins on both', async () => {
    expect((await seenByWorker(['Cookie: id=a', 'Cookie: theme=dark'])).cookie).toBe('id=a, theme=dark');
    /** A session id issued by the app on `port`. */
    async function signup(port: number): Promise<string> {
      const res = await request(`http://127.0.0.1:${port}`)
        .post('/signup')
        .set('Sec-Fetch-Site', 'same-origin')
        .send({ name: 'Alice', email: `ck05-${port}@example.com`, password: 'correct horse battery' });
      expect(res.status).toBe(201);
      const sid = /^id=([^;]+)/.exec(String(res.headers['set-cookie']))?.[1];
      expect(sid).toBeDefined();
      return sid as string;
    }
    const apps = [
      { port: portOf(sessions.url), sid: await signup(portOf(sessions.url)) },
      { port: nodePort(nodeSessions), sid: await signup(nodePort(nodeSessions)) },
    ];
    const cases: readonly (readonly [(sid: string) => string[], number])[] = [
      [(sid) => [`Cookie: id=${sid}`, 'Cookie: theme=dark'], 200],
      [(sid) => ['Cookie: theme=dark', `Cookie: id=${sid}`], 200],
      [(sid) => [`Cookie: id=${sid}`, 'Cookie: id=forged'], 200],
      [(sid) => ['Cookie: id=forged', `Cookie: id=${sid}`], 401],
    ];
    for (const [lines, status] of cases) {
      for (const { port, sid } of apps) {
        const res = await rawRequest(port, ['GET /user HTTP/1.1', HOST, ...lines(sid)]);
        expect(res.status, `${lines('<sid>').join(' | ')} on ${port === apps[0]?.port ? 'workerd' : 'Node'}`).toBe(status);
      }
    }
  });

  it('CHN-01 BAS-19 a user store that throws inside workerd → 503 with the generic body, never the error text', async () => {
    const res = await rawRequest(portOf(broken.url), ['GET /me HTTP/1.1', HOST, `Authorization: ${basic('alice', 'alicepwd')}`]);
    expect(res.status).toBe(503);
    expect(res.body).toBe('Service Unavailable');
    expect(res.body).not.toContain('ECONNREFUSED');
  });

  describe("websocket upgrades inside workerd (hono/cloudflare-workers' upgradeWebSocket)", () => {
    /** Opens the socket, sends one message ({@link openWebSocket}); resolves with the answer, or the refusal's status. */
    const connect = (authorization?: string) => openWebSocket(`ws://127.0.0.1:${portOf(sockets.url)}/ws`, authorization ? { authorization } : {});

    it('an anonymous upgrade → 403, whatever the guard\'s status says (404)', async () => {
      expect(await connect()).toEqual({ status: 403 });
    });

    it('authenticated without the admin scope → 403', async () => {
      expect(await connect(basic('alice', 'alicepwd'))).toEqual({ status: 403 });
    });

    it('invalid credentials on an upgrade → 401, never opened', async () => {
      expect(await connect(basic('root', 'wrong'))).toEqual({ status: 401 });
    });

    it('with the scopes the socket opens and knows the user', async () => {
      expect(await connect(basic('root', 'rootpwd'))).toEqual({ message: 'Hello, root' });
    });

    it('a refusal is the core\'s upgradeRefusal inside workerd too: the status, the challenge, no body, no content type', async () => {
      const upgrade = ['GET /ws HTTP/1.1', HOST, 'Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=='];
      const forbidden = await rawRequest(portOf(sockets.url), upgrade);
      expect(forbidden.status).toBe(403);
      expect(forbidden.body).toBe('');
      expect(forbidden.header('content-type')).toBeUndefined();
      const unauthorized = await rawRequest(portOf(sockets.url), [...upgrade, `Authorization: ${basic('root', 'wrong')}`]);
      expect(unauthorized.status).toBe(401);
      expect(unauthorized.body).toBe('');
      expect(unauthorized.header('www-authenticate')).toBe('Basic realm="api", charset="UTF-8"');
      expect(unauthorized.header('content-type')).toBeUndefined();
    });
  });
});
