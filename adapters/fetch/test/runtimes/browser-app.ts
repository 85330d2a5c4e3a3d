// The websocket-from-a-browser app (test-support/browser-websocket.ts's contract) on
// @portcullis/fetch INSIDE Bun, Deno or workerd: withAuth with Web sessions, the
// ticket endpoint, webSocketOrigins in front, and `/ws` upgraded with the runtime's
// own API behind `requires('authenticated')`, answering only the negotiated protocol
// and re-checked by watchWebSocket. Bundled by test-support/browser-runtimes.ts.
import {
  isWebSocketUpgrade,
  login,
  logout,
  negotiatedProtocol,
  requires,
  ticketEndpoint,
  watchWebSocket,
  webSocketOrigins,
  withAuth,
  type AuthHandler,
  type RequestAuth,
  type WebSocketWatch,
} from '@portcullis/fetch';
import type { BaseUser } from '@portcullis/core';
import { browserWsFixture } from '../../../../test-support/browser-websocket-fixture.js';
import type { BrowserRuntime, BrowserRuntimeApp } from '../../../../test-support/browser-runtime-host.js';

/** What an accepted socket needs: its re-check, its greeting and the protocol to answer. */
export interface Accepted {
  readonly watch: WebSocketWatch;
  readonly hello: string;
  readonly protocol: string | undefined;
}

/** What the app needs of each runtime (their own types are not installed). */
interface BunSocket {
  readonly data: Accepted;
  send(text: string): void;
  close(code?: number, reason?: string): void;
}
interface BunServer {
  upgrade(request: Request, options: { data: Accepted; headers: Record<string, string> }): boolean;
}
interface DenoGlobal {
  upgradeWebSocket(request: Request, options: { protocol?: string }): { socket: WebSocket; response: Response };
}
interface WorkerSocket {
  accept(): void;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'close', listener: () => void): void;
}

const badHandshake = (): Response => new Response('Bad Request', { status: 400 });

/** The runtime's upgrade of an accepted handshake (`rest`: what the runtime passed after the request). */
export type Upgrade = (request: Request, accepted: Accepted, rest: readonly unknown[]) => Response;

/** Each runtime's own upgrade, answering the negotiated protocol only (Hono's runtime app uses them too). */
export const UPGRADES: Readonly<Record<BrowserRuntime, Upgrade>> = {
  // Bun echoes the client's first offer unless told: the header is always set ('' = none).
  bun: (request, accepted, [server]) =>
    (server as BunServer).upgrade(request, { data: accepted, headers: { 'Sec-WebSocket-Protocol': accepted.protocol ?? '' } })
      ? new Response(null)
      : badHandshake(),
  deno: (request, { watch, hello, protocol }) => {
    const { Deno } = globalThis as unknown as { Deno: DenoGlobal };
    let upgraded: ReturnType<DenoGlobal['upgradeWebSocket']>;
    try {
      upgraded = Deno.upgradeWebSocket(request, protocol === undefined ? {} : { protocol });
    } catch {
      return badHandshake();
    }
    const { socket, response } = upgraded;
    socket.onopen = () => {
      watch.open(socket);
      socket.send(hello);
    };
    socket.onclose = () => watch.close();
    return response;
  },
  // #region workerd
  workerd: (_request, { watch, hello, protocol }) => {
    const { WebSocketPair } = globalThis as unknown as { WebSocketPair: new () => { 0: WorkerSocket; 1: WorkerSocket } };
    const { 0: client, 1: server } = new WebSocketPair();
    server.accept();
    watch.open(server);
    server.addEventListener('close', () => watch.close());
    server.send(hello);
    const headers: Record<string, string> = protocol === undefined ? {} : { 'sec-websocket-protocol': protocol };
    return new Response(null, { status: 101, webSocket: client, headers } as ResponseInit);
  },
  // #endregion workerd
};

/** The Bun `websocket` handlers: the socket's data carries its watch and greeting. */
export const bunWebSocket = {
  open(ws: BunSocket) {
    ws.data.watch.open(ws);
    ws.send(ws.data.hello);
  },
  close(ws: BunSocket) {
    ws.data.watch.close();
  },
};

/**
 * The suite's HTTP routes on `withAuth` (the page, login, logout, token, revoke, the ticket
 * endpoint), with `GET /ws` handed to `socket`: shared by this app and the Node one
 * (../websocket-browser.test.ts).
 */
export function browserRoutes<A extends unknown[]>(
  fx: ReturnType<typeof browserWsFixture>,
  socket: (request: Request, principal: RequestAuth, ...rest: A) => Response | Promise<Response>,
): AuthHandler<BaseUser, A> {
  const issueTicket = ticketEndpoint(fx.tickets);
  return async (request, principal, ...rest) => {
    const url = new URL(request.url);
    const route = `${request.method} ${url.pathname}`;
    if (route === 'GET /') return new Response('<!doctype html><title>ws</title>', { headers: { 'content-type': 'text/html' } });
    if (route === 'GET /ws') return socket(request, principal, ...rest);
    if (route === 'POST /login') {
      const user = fx.userOf(url.searchParams.get('user'));
      if (user === null) return new Response('no such user', { status: 400 });
      await login(request, user);
      return new Response(null, { status: 204 });
    }
    if (route === 'POST /logout') {
      await logout(request);
      return new Response(null, { status: 204 });
    }
    if (route === 'POST /token') {
      const issued = await fx.issueToken(principal.user);
      return issued === null ? new Response('Unauthorized', { status: 401 }) : Response.json(issued);
    }
    if (route === 'POST /revoke') {
      await fx.tokens.revoke(url.searchParams.get('token') ?? '');
      return new Response(null, { status: 204 });
    }
    if (url.pathname === '/ws-ticket') return issueTicket(request, principal);
    return new Response('Not Found', { status: 404 });
  };
}

/** The app of the browser suite for `origin` (`http://127.0.0.1:<port>`), in `runtime`. */
export function createBrowserApp(origin: string, runtime: BrowserRuntime): BrowserRuntimeApp {
  const fx = browserWsFixture();
  const guard = requires('authenticated');
  const upgrade = UPGRADES[runtime];
  const socket = guard<BaseUser, unknown[]>((request, principal, ...rest) => {
    if (!isWebSocketUpgrade(request)) return badHandshake();
    const watch = watchWebSocket(request, principal, { app, requires: guard, recheck: fx.recheck });
    return upgrade(request, { watch, hello: fx.hello(principal.user, principal.auth), protocol: negotiatedProtocol(request, fx.protocols) }, rest);
  });
  const app = webSocketOrigins([origin])(withAuth(browserRoutes(fx, socket), { backend: fx.backend, sessions: fx.sessions }));
  return runtime === 'bun' ? { fetch: app, websocket: bunWebSocket } : { fetch: app };
}
