import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import request from 'supertest';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { rawRequest } from './raw.js';
import type { Client, Scenario } from './scenario.js';
import { scenarios as all } from './scenarios/index.js';
import { callControl } from './control.js';
import type { AdapterUnderTest, AppSpec, Json, RemoteApp } from './spec.js';

/** Options of {@link runConformance}. */
export interface ConformanceOptions extends AdapterUnderTest {
  /** The scenarios to run; default every one. */
  readonly scenarios?: readonly Scenario[];
  /**
   * The runtime whose own HTTP server writes the answers (Bun.serve, Deno.serve,
   * workerd), declared by the runtime runs: byte-level checks then compare the
   * header fields ({@link Client.remote}). Without it answers are compared byte for
   * byte, whatever `createApp` returns.
   */
  readonly runtime?: 'bun' | 'deno' | 'workerd' | undefined;
}

function isRemoteApp(app: Server | RemoteApp): app is RemoteApp {
  return typeof (app as Partial<RemoteApp>).url === 'string';
}

/** The port of a remote app's `http://127.0.0.1:<port>` URL. */
function remotePort(app: RemoteApp): number {
  const url = new URL(app.url);
  const port = Number(url.port);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1' || !Number.isInteger(port) || port <= 0) {
    throw new Error(`createApp returned ${app.url}; a remote app must listen on http://127.0.0.1:<port>`);
  }
  return port;
}

/**
 * Registers the conformance suite for one adapter with vitest: every scenario
 * builds a real app through `createApp`, listens on 127.0.0.1 (or already runs
 * there, in another runtime: a {@link RemoteApp}) and is checked over real
 * HTTP. Scenarios needing a capability the adapter does not declare in
 * `supports` are skipped by that declaration.
 *
 * @example
 * ```ts
 * // adapters/my-framework/test/conformance.test.ts
 * import { runConformance } from '@portcullis/conformance';
 * runConformance({ name: 'my-framework', supports: { websocket: false }, createApp });
 * ```
 */
export function runConformance(options: ConformanceOptions): void {
  const { name, supports, createApp, runtime } = options;
  describe(`conformance: ${name}`, () => {
    for (const scenario of options.scenarios ?? all) {
      const missing = (scenario.needs ?? []).filter((n) => !supports[n]);
      const title = `${scenario.id}: ${scenario.title}`;
      if (missing.length > 0) {
        describe.skip(`${title} (needs ${missing.join(', ')})`, () => {
          for (const c of scenario.cases) it(c.name, () => {});
        });
        continue;
      }
      const impossible = runtime === undefined ? undefined : scenario.notOn?.[runtime];
      if (impossible !== undefined) {
        describe.skip(`${title} (not on ${runtime}: ${impossible})`, () => {
          for (const c of scenario.cases) it(c.name, () => {});
        });
        continue;
      }
      describe(title, () => {
        let server: Server;
        let remote: RemoteApp | undefined;
        let client: Client;
        beforeAll(async () => {
          const spec: AppSpec = scenario.app();
          const app = await createApp(spec);
          let port: number;
          let control: (name: string, arg: Json) => Promise<Json>;
          if (isRemoteApp(app)) {
            remote = app;
            port = remotePort(app);
            control = (name, arg) => {
              if (app.control === undefined) throw new Error(`${name}: the remote app of ${scenario.id} has no control(); its spec has controls`);
              return app.control(name, arg);
            };
          } else {
            control = (name, arg) => callControl(spec.controls, name, arg);
            server = app;
            await new Promise<void>((resolve, reject) => {
              server.once('error', reject);
              server.listen(0, '127.0.0.1', () => resolve());
            });
            port = (server.address() as AddressInfo).port;
          }
          const url = `http://127.0.0.1:${port}`;
          client = {
            port,
            url,
            get: (path) => request(url).get(path),
            post: (path) => request(url).post(path),
            raw: (head) => rawRequest(port, head),
            remote: runtime !== undefined,
            control: async <T extends Json>(name: string, arg: Json = null) => (await control(name, arg)) as T,
          };
        });
        afterAll(async () => {
          if (remote) return remote.close();
          if (!server) return;
          server.closeAllConnections?.();
          await new Promise<void>((resolve) => server.close(() => resolve()));
        });
        for (const c of scenario.cases) it(c.name, () => c.run(client));
      });
    }
  });
}
