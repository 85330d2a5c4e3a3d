// The two entrypoints every scenario worker has (bundled by bundle.ts, started by
// workerd.ts), whichever adapter builds the app: the default one serves the app of
// the scenario named by the `SCENARIO` binding, built from `scenario.app()` inside
// the worker (specs hold functions, so they cannot be sent from the test process);
// `control` builds that app and reports its routes or the error (`GET /`), and runs
// the scenario's controls (`POST /call {name, arg}`: spec.controls, test hooks that
// read or change state where the app runs). Used by Hono's
// worker.ts and by @portcullis/fetch's (adapters/fetch/test/edge/worker.ts).
import { callControl, scenarios, type AppSpec, type Json } from '@portcullis/conformance';
import { fuzzScenario } from '@portcullis/conformance/fuzz';
import { ConfigurationError } from '@portcullis/core/hashing';

/** The bindings workerd.ts sets. */
export interface Env {
  readonly SCENARIO?: string;
}

/** What workerd passes a handler after the request (Workers' `ExecutionContext`, as far as the apps use it). */
export type WorkerContext = unknown;

/** An entrypoint's handler, as workerd calls it. */
export interface Handler {
  fetch(request: Request, env: Env, ctx: WorkerContext): Promise<Response>;
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

/** An error thrown inside the worker, as JSON. */
export function report(error: unknown): ErrorReport {
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

/** The app of a spec, as the adapter under test builds it. */
export type BuildApp = (spec: AppSpec) => (request: Request, env: Env, ctx: WorkerContext) => Response | Promise<Response>;

interface Built {
  readonly scenario: string;
  readonly routes: readonly string[];
  readonly spec: AppSpec;
  readonly fetch: ReturnType<BuildApp>;
}

/** The default and `control` entrypoints of a worker whose app `build` makes. */
export function scenarioWorker(build: BuildApp): { readonly app: Handler; readonly control: Handler } {
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
    const fresh: Built = { scenario: id, routes: spec.routes.map((r) => `${r.method} ${r.path}`), spec, fetch: build(spec) };
    built = fresh;
    return fresh;
  }
  return {
    app: { fetch: (request, env, ctx) => Promise.resolve(appOf(env).fetch(request, env, ctx)) },
    control: {
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
    },
  };
}
