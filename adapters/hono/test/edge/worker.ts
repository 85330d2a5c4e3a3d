// The worker that runs inside workerd (bundled by bundle.ts, started by workerd.ts).
//
// - default entrypoint: the Hono app of the scenario named by the `SCENARIO`
//   binding, built from `scenario.app()` inside the worker (specs hold functions,
//   so they cannot be sent from the test process);
// - `control`: builds that app and reports its routes or the error (`GET /`), and
//   runs the scenario's controls (`POST /call {name, arg}`: spec.controls, test
//   hooks that read or change state where the app runs);
// - `probe`: what the runtime itself does (headers as received, atob, TextDecoder,
//   PBKDF2), for the HW rows of the security catalogue (hw.test.ts).
import { callControl, scenarios, type AppSpec, type Json } from '@portcullis/conformance';
import { fuzzScenario } from '@portcullis/conformance/fuzz';
import { ConfigurationError, WORKERS_MAX_PBKDF2_ITERATIONS, pbkdf2Hasher } from '@portcullis/core/hashing';
import type { AuthEnv } from '@portcullis/hono';
import { Hono, type ExecutionContext } from 'hono';
import { upgradeWebSocket } from 'hono/cloudflare-workers';
import { mountSpec } from '../spec-app.js';

/** The bindings workerd.ts sets. */
export interface Env {
  readonly SCENARIO?: string;
}

/** An entrypoint's handler, as workerd calls it. */
interface Handler {
  fetch(request: Request, env: Env, ctx: ExecutionContext): Promise<Response>;
}

/** What `control` answers. */
export type ControlReport =
  | { readonly ok: true; readonly scenario: string; readonly routes: readonly string[]; readonly userAgent: string }
  | { readonly ok: false; readonly error: ErrorReport };

/** What `control`'s `POST /call` answers: the control's JSON result, or the error it threw. */
export type CallReport = { readonly ok: true; readonly value: Json } | { readonly ok: false; readonly error: ErrorReport };

/** An error thrown inside the worker, as JSON. */
export interface ErrorReport {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly detail?: string;
  readonly isConfigurationError: boolean;
  readonly stack?: string;
}

function report(error: unknown): ErrorReport {
  if (!(error instanceof Error)) return { name: typeof error, message: String(error), isConfigurationError: false };
  const { code, detail } = error as { code?: unknown; detail?: unknown };
  return {
    name: error.name,
    message: error.message,
    ...(typeof code === 'string' ? { code } : {}),
    ...(typeof detail === 'string' ? { detail } : {}),
    isConfigurationError: error instanceof ConfigurationError,
    ...(error.stack === undefined ? {} : { stack: error.stack }),
  };
}

interface Built {
  readonly scenario: string;
  readonly routes: readonly string[];
  readonly spec: AppSpec;
  readonly fetch: (request: Request, env: Env, ctx: ExecutionContext) => Response | Promise<Response>;
}

let built: Built | undefined;

/** The scenario's app, built once per isolate (on the first request, where workerd allows crypto and timers). */
function appOf(env: Env): Built {
  const id = env.SCENARIO;
  if (built !== undefined && built.scenario === id) return built;
  if (id === undefined) throw new Error('this worker has no SCENARIO binding');
  // The fuzzer's app (conformance-tests/test/fuzz.test.ts) is built here too.
  const scenario = [...scenarios, fuzzScenario].find((s) => s.id === id);
  if (scenario === undefined) throw new Error(`no scenario ${JSON.stringify(id)} in the worker bundle`);
  const spec = scenario.app();
  // hono/cloudflare-workers never fires onOpen: the socket answers the client's first message.
  const app = mountSpec(new Hono<AuthEnv>(), spec, { upgradeWebSocket, greet: 'first-message' });
  const fresh: Built = { scenario: id, routes: spec.routes.map((r) => `${r.method} ${r.path}`), spec, fetch: app.fetch };
  built = fresh;
  return fresh;
}

const encoder = new TextEncoder();

function attempt<T>(run: () => T): { ok: true; value: T } | { ok: false; error: ErrorReport } {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    return { ok: false, error: report(error) };
  }
}

async function attemptAsync<T>(run: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: ErrorReport }> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    return { ok: false, error: report(error) };
  }
}

/** PWD-05: the PBKDF2 hasher as constructed inside the runtime. */
async function pbkdf2Report(): Promise<unknown> {
  const byDefault = attempt(() => pbkdf2Hasher());
  const explicit = attempt(() => pbkdf2Hasher({ iterations: WORKERS_MAX_PBKDF2_ITERATIONS }));
  let hashed: unknown = null;
  if (explicit.ok) {
    const hasher = explicit.value;
    hashed = await attemptAsync(async () => {
      const hash = await hasher.hash('correct horse battery staple');
      return {
        hash,
        right: await hasher.verify('correct horse battery staple', hash),
        wrong: await hasher.verify('correct horse battery stapler', hash),
      };
    });
  }
  return {
    userAgent: navigator.userAgent,
    default: byDefault.ok ? { ok: true } : byDefault,
    explicit: explicit.ok ? { ok: true, hashed } : explicit,
  };
}

/** What the runtime's own PBKDF2 does with `iterations` (the production cap is not enforced by workerd locally). */
async function deriveReport(iterations: number): Promise<unknown> {
  return attemptAsync(async () => {
    const key = await crypto.subtle.importKey('raw', encoder.encode('password'), 'PBKDF2', false, ['deriveBits']);
    const bits = await crypto.subtle.deriveBits({ name: 'PBKDF2', hash: 'SHA-256', salt: new Uint8Array(16), iterations }, key, 256);
    return bits.byteLength;
  });
}

/** LEAK-06: what the runtime's atob and TextDecoder do with a Basic token. */
function decodeReport(token: string): unknown {
  const decoded = attempt(() => atob(token));
  const bytes = decoded.ok ? Uint8Array.from(decoded.value, (ch) => ch.charCodeAt(0)) : null;
  return {
    atob: decoded.ok ? { ok: true, canonical: btoa(decoded.value) === token } : decoded,
    utf8Fatal: bytes === null ? null : attempt(() => new TextDecoder('utf-8', { fatal: true }).decode(bytes)),
    utf8Lenient: bytes === null ? null : new TextDecoder('utf-8').decode(bytes),
  };
}

/** Node's globals, as the worker sees them (no `nodejs_compat`). */
function globalsReport(): Record<string, string> {
  const g = globalThis as Record<string, unknown>;
  return Object.fromEntries(['Buffer', 'process', 'setImmediate', 'require', '__dirname'].map((name) => [name, typeof g[name]]));
}

/** What the runtime hands the worker for the request's credentials headers. */
function headersReport(request: Request): unknown {
  const authorization = request.headers.get('authorization');
  return {
    authorization: authorization !== null && authorization.length > 200 ? `${authorization.slice(0, 20)}…` : authorization,
    authorizationLength: authorization?.length ?? null,
    apiKey: request.headers.get('x-api-key'),
    cookie: request.headers.get('cookie'),
  };
}

export default {
  fetch: (request, env, ctx) => Promise.resolve(appOf(env).fetch(request, env, ctx)),
} satisfies Handler;

export const control = {
  async fetch(request, env) {
    if (request.method === 'POST' && new URL(request.url).pathname === '/call') {
      try {
        const { name, arg } = (await request.json()) as { name: string; arg: Json };
        return Response.json({ ok: true, value: await callControl(appOf(env).spec.controls, name, arg) } satisfies CallReport);
      } catch (error) {
        return Response.json({ ok: false, error: report(error) } satisfies CallReport);
      }
    }
    try {
      const app = appOf(env);
      return Response.json({ ok: true, scenario: app.scenario, routes: app.routes, userAgent: navigator.userAgent } satisfies ControlReport);
    } catch (error) {
      return Response.json({ ok: false, error: report(error) } satisfies ControlReport);
    }
  },
} satisfies Handler;

export const probe = {
  async fetch(request) {
    const url = new URL(request.url);
    switch (url.pathname) {
      case '/headers':
        return Response.json(headersReport(request));
      case '/pbkdf2':
        return Response.json(await pbkdf2Report());
      case '/derive':
        return Response.json(await deriveReport(Number(url.searchParams.get('iterations'))));
      case '/globals':
        return Response.json(globalsReport());
      case '/decode':
        return Response.json(decodeReport(url.searchParams.get('token') ?? ''));
      default:
        return new Response('no such probe', { status: 404 });
    }
  },
} satisfies Handler;
