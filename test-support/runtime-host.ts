// The test build's main program inside Bun or Deno (bundled with an adapter's app
// entry by runtimes.ts; never imported by Node). It serves a control server on
// 127.0.0.1 and prints its port as one JSON line (`{"control":<port>}`) on stdout.
// The control server (not the apps' ports) takes:
//   POST   /apps {"scenario": id}          builds `scenario.app()` here, serves the
//                                          adapter's app for it on a fresh port →
//                                          {"id", "port", "routes"}
//   POST   /apps/<id>/call {"name","arg"}   runs the spec's control → {"value"}
//   DELETE /apps/<id>                      stops that app
// Errors answer 500 with `{"error": {name, message, stack}}`.
import { callControl, scenarios, type AppSpec, type Json, type Scenario } from '@portcullis/conformance';
import { fuzzScenario } from '@portcullis/conformance/fuzz';

/** The runtimes a test build runs in. */
export type RuntimeName = 'bun' | 'deno';

/** An adapter's app for one spec, as the runtime serves it. */
export interface RuntimeApp {
  /** The app: `Request → Response`. Bun passes its server, Deno its `info`, as the second argument (Hono's `c.env`). */
  fetch(request: Request, server: unknown): Response | Promise<Response>;
  /** Bun only: `Bun.serve`'s `websocket` handlers, when the app upgrades (hono/bun's `websocket`, or the app's own). */
  readonly websocket?: unknown;
}

/**
 * What an app entry module exports: the adapter's app for a spec, in `runtime`.
 *
 * @example
 * ```ts
 * export function createRuntimeApp(spec: AppSpec, runtime: RuntimeName): RuntimeApp {
 *   return { fetch: mountSpec(new Hono(), spec).fetch };
 * }
 * ```
 */
export interface RuntimeAppEntry {
  createRuntimeApp(spec: AppSpec, runtime: RuntimeName): RuntimeApp;
}

/** What the host needs of Bun and Deno (their own types are not installed). */
interface Served {
  readonly port: number;
  stop(): Promise<void>;
}
interface BunGlobal {
  serve(options: {
    hostname: string;
    port: number;
    fetch: (request: Request, server: unknown) => Response | Promise<Response>;
    websocket?: unknown;
  }): { readonly port: number; stop(closeActiveConnections?: boolean): Promise<void> | void };
}
interface DenoGlobal {
  serve(
    options: { hostname: string; port: number; onListen?: () => void },
    handler: (request: Request, info: unknown) => Response | Promise<Response>,
  ): { readonly addr: { readonly port: number }; shutdown(): Promise<void> };
}

const HOST = '127.0.0.1';
const runtimeGlobals = globalThis as { Bun?: BunGlobal; Deno?: DenoGlobal };

function serve(fetch: RuntimeApp['fetch'], websocket?: unknown): Served {
  const { Bun, Deno } = runtimeGlobals;
  if (Bun !== undefined) {
    const server = Bun.serve({ hostname: HOST, port: 0, fetch, ...(websocket === undefined ? {} : { websocket }) });
    return { port: server.port, stop: async () => void (await server.stop(true)) };
  }
  if (Deno !== undefined) {
    const server = Deno.serve({ hostname: HOST, port: 0, onListen: () => {} }, (request, info) => fetch(request, info));
    return { port: server.addr.port, stop: () => server.shutdown() };
  }
  throw new Error('runtime-host runs inside Bun or Deno');
}

function errorJson(error: unknown): Response {
  const { name, message, stack } = error instanceof Error ? error : { name: typeof error, message: String(error), stack: undefined };
  return Response.json({ error: { name, message, stack } }, { status: 500 });
}

/**
 * Runs the control server for `entry`'s apps in this runtime (see the comment at the top).
 *
 * @example
 * ```ts
 * import * as entry from './adapters/hono/test/runtimes/app.ts';
 * hostScenarios(entry);
 * ```
 */
export function hostScenarios(entry: RuntimeAppEntry): void {
  const runtime: RuntimeName = runtimeGlobals.Bun !== undefined ? 'bun' : 'deno';
  const all: readonly Scenario[] = [...scenarios, fuzzScenario];
  const apps = new Map<string, { spec: AppSpec; served: Served }>();
  let next = 0;

  async function handle(request: Request): Promise<Response> {
    const path = new URL(request.url).pathname.split('/').filter(Boolean);
    if (path[0] !== 'apps') return new Response('not found', { status: 404 });
    if (path.length === 1 && request.method === 'POST') {
      const { scenario: id } = (await request.json()) as { scenario: string };
      const scenario = all.find((s) => s.id === id);
      if (scenario === undefined) throw new Error(`no scenario ${JSON.stringify(id)} in the ${runtime} bundle`);
      const spec = scenario.app();
      const app = entry.createRuntimeApp(spec, runtime);
      const served = serve((req, server) => app.fetch(req, server), app.websocket);
      const key = String(++next);
      apps.set(key, { spec, served });
      return Response.json({ id: key, port: served.port, routes: spec.routes.map((r) => `${r.method} ${r.path}`) });
    }
    const app = apps.get(path[1] ?? '');
    if (app === undefined) return new Response('no such app', { status: 404 });
    if (path.length === 3 && path[2] === 'call' && request.method === 'POST') {
      const { name, arg } = (await request.json()) as { name: string; arg: Json };
      return Response.json({ value: await callControl(app.spec.controls, name, arg) });
    }
    if (path.length === 2 && request.method === 'DELETE') {
      apps.delete(path[1] as string);
      await app.served.stop();
      return new Response(null, { status: 204 });
    }
    return new Response('not found', { status: 404 });
  }

  const control = serve(async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      return errorJson(error);
    }
  });
  console.log(JSON.stringify({ control: control.port }));
}
