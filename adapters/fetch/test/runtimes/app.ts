// @portcullis/fetch's app of a conformance scenario inside Bun or Deno: the entry
// that test-support/runtimes.ts bundles with the scenarios (runtime-host.ts serves
// it with Bun.serve or Deno.serve, one port per scenario). The reference spec app
// is this adapter (conformance-tests/src/reference.ts); websocket routes upgrade
// with the runtime's own API behind `requires(...)`, as the README shows.
import type { AppSpec } from '@portcullis/conformance';
import { referenceApp } from '@portcullis/conformance/reference';
import type { RuntimeApp, RuntimeName } from '../../../../test-support/runtimes.js';

/** What the app needs of Bun and Deno (their own types are not installed). */
interface BunSocket {
  readonly data: { readonly greeting: string };
  send(text: string): void;
  close(): void;
}
interface BunServer {
  upgrade(request: Request, options: { data: BunSocket['data'] }): boolean;
}
interface DenoGlobal {
  upgradeWebSocket(request: Request): { socket: WebSocket; response: Response };
}

/** A handshake the runtime refuses (no `Sec-WebSocket-Key`, another version): 400, as `ws` answers it on Node. */
const badHandshake = (): Response => new Response('Bad Request', { status: 400, headers: { 'content-type': 'text/plain; charset=utf-8' } });

/** Bun: `server.upgrade` carries the greeting to `websocket.open` in `ws.data`; Bun ignores the answer once upgraded. */
function bunApp(spec: AppSpec): RuntimeApp {
  const app = referenceApp(spec, (request, greeting, server: BunServer) =>
    server.upgrade(request, { data: { greeting } }) ? new Response(null) : badHandshake(),
  );
  const websocket = {
    open(ws: BunSocket) {
      ws.send(ws.data.greeting);
      ws.close();
    },
  };
  return { fetch: (request, server) => app(request, server as BunServer), websocket };
}

/** Deno: `Deno.upgradeWebSocket` gives the socket and the 101 to return. */
function denoApp(spec: AppSpec): RuntimeApp {
  const { Deno } = globalThis as unknown as { Deno: DenoGlobal };
  const app = referenceApp<[unknown]>(spec, (request, greeting) => {
    let upgraded: ReturnType<DenoGlobal['upgradeWebSocket']>;
    try {
      upgraded = Deno.upgradeWebSocket(request);
    } catch {
      return badHandshake();
    }
    const { socket, response } = upgraded;
    socket.onopen = () => {
      socket.send(greeting);
      socket.close();
    };
    return response;
  });
  // Deno's info after the request: where withAuth reads the peer address.
  return { fetch: (request, info) => app(request, info) };
}

/** The spec's app on @portcullis/fetch, with the runtime's websocket upgrade. */
export function createRuntimeApp(spec: AppSpec, runtime: RuntimeName): RuntimeApp {
  return runtime === 'bun' ? bunApp(spec) : denoApp(spec);
}
