// The main program of a browser-suite app inside Bun or Deno (bundled with an app
// entry by browser-runtimes.ts; never imported by Node), and the worker of one in
// workerd: it serves the entry's app on the given port of every address (so that
// `localhost` is a cross-site page, as in browser-websocket.ts) and prints
// `{"listening":<port>}` on stdout.

/** The runtimes the browser suite runs apps in, besides Node. */
export type BrowserRuntime = 'bun' | 'deno' | 'workerd';

/** An app of the browser suite, as the runtime serves it. */
export interface BrowserRuntimeApp {
  /** `Request → Response`; Bun passes its server, Deno its `info`, workerd its `env` and `ctx`. */
  fetch(request: Request, ...rest: unknown[]): Promise<Response>;
  /** Bun only: `Bun.serve`'s `websocket` handlers. */
  readonly websocket?: unknown;
}

/** What an app entry module exports. */
export interface BrowserAppEntry {
  createBrowserApp(origin: string, runtime: BrowserRuntime): BrowserRuntimeApp;
}

interface RuntimeGlobals {
  Bun?: { serve(options: { hostname: string; port: number; fetch: BrowserRuntimeApp['fetch']; websocket?: unknown }): unknown };
  Deno?: { serve(options: { hostname: string; port: number; onListen?: () => void }, handler: (request: Request, info: unknown) => Promise<Response>): unknown };
}

/**
 * Serves `entry`'s app for `http://127.0.0.1:<port>` in this runtime (Bun or Deno).
 *
 * @example
 * ```ts
 * import * as entry from './adapters/fetch/test/runtimes/browser-app.ts';
 * serveBrowserApp(entry, 4000);
 * ```
 */
export function serveBrowserApp(entry: BrowserAppEntry, port: number): void {
  const { Bun, Deno } = globalThis as RuntimeGlobals;
  const origin = `http://127.0.0.1:${port}`;
  if (Bun !== undefined) {
    const app = entry.createBrowserApp(origin, 'bun');
    Bun.serve({ hostname: '::', port, fetch: app.fetch, ...(app.websocket === undefined ? {} : { websocket: app.websocket }) });
  } else if (Deno !== undefined) {
    const app = entry.createBrowserApp(origin, 'deno');
    Deno.serve({ hostname: '::', port, onListen: () => {} }, (request, info) => app.fetch(request, info));
  } else {
    throw new Error('serveBrowserApp runs inside Bun or Deno');
  }
  console.log(JSON.stringify({ listening: port }));
}

/**
 * The worker of `entry`'s app in workerd: built on its first request, for the
 * origin in the `ORIGIN` binding (module state lives as long as the isolate:
 * Miniflare keeps one).
 *
 * @example
 * ```ts
 * export default browserWorker(entry);
 * ```
 */
export function browserWorker(entry: BrowserAppEntry): { fetch(request: Request, env: { ORIGIN: string }, ctx: unknown): Promise<Response> } {
  let app: BrowserRuntimeApp | undefined;
  return {
    fetch: (request, env, ctx) => (app ??= entry.createBrowserApp(env.ORIGIN, 'workerd')).fetch(request, env, ctx),
  };
}
