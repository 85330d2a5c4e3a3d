// Bun: `bun dist/bun.js` (PORT, default 3000; ORIGIN, the page origin allowed to open /ws).
// The app of app.ts, plus a websocket at /ws for signed-in users and the ticket endpoint.
import type { SimpleUser, UnauthenticatedUser } from '@portcullis/core';
import {
  isWebSocketUpgrade,
  negotiatedProtocol,
  requires,
  watchWebSocket,
  webSocketOrigins,
  withAuth,
  type RequestAuth,
  type WebSocketWatch,
} from '@portcullis/fetch';
import { DEMO_USERS, issueTicket, PROTOCOLS, RECHECK, routes, socketBackendFor } from './app.js';

/** What this file uses of Bun's global (no @types/bun needed). */
interface BunSocket<D> {
  readonly data: D;
  send(text: string): void;
  close(code?: number, reason?: string): void;
}
interface BunServer<D> {
  upgrade(request: Request, options: { data: D; headers: Record<string, string> }): boolean;
}
declare const Bun: {
  readonly env: Record<string, string | undefined>;
  serve<D>(options: {
    port: number;
    hostname: string;
    fetch: (request: Request, server: BunServer<D>) => Promise<Response>;
    websocket: { open(ws: BunSocket<D>): void; close(ws: BunSocket<D>): void };
  }): { readonly port: number };
};

const port = Number(Bun.env.PORT ?? 3000);

// #region bun
/** What a socket carries from its upgrade to its handlers (`ws.data`): the user, typed, and its re-check. */
interface SocketData {
  readonly user: SimpleUser | UnauthenticatedUser;
  readonly watch: WebSocketWatch;
}

const guard = requires('authenticated');

/**
 * `GET /ws`: a websocket for signed-in users (Basic, or `?ticket=` from `POST /ws-ticket`;
 * 403 otherwise, 401 for bad credentials). Anything but a `GET` with `Upgrade: websocket`
 * gets 400 (Bun upgrades other methods and `h2c, websocket`). The 101 always names the
 * negotiated protocol (`''`: none), or Bun would echo the client's first offer.
 */
const chat = guard((request, principal: RequestAuth<SimpleUser>, server: BunServer<SocketData>) => {
  if (!isWebSocketUpgrade(request)) return new Response('Bad Request', { status: 400 });
  const watch = watchWebSocket(request, principal, { app, requires: guard, recheck: RECHECK });
  const headers = { 'Sec-WebSocket-Protocol': negotiatedProtocol(request, PROTOCOLS) ?? '' };
  return server.upgrade(request, { data: { user: principal.user, watch }, headers }) ? new Response(null) : new Response('Bad Request', { status: 400 });
});

// Upgrades from another site's page are refused before authentication (no ticket spent);
// clients without Origin (curl, servers) may connect: browsers always send it.
const app = webSocketOrigins([Bun.env.ORIGIN ?? `http://127.0.0.1:${port}`], { allowMissingOrigin: true })(
  withAuth(
    (request, auth, server: BunServer<SocketData>) => {
      const { pathname } = new URL(request.url);
      if (pathname === '/ws') return chat(request, auth, server);
      if (pathname === '/ws-ticket') return issueTicket(request, auth);
      return routes(request, auth);
    },
    { backend: socketBackendFor(DEMO_USERS) },
  ),
);

const server = Bun.serve<SocketData>({
  port,
  hostname: '127.0.0.1',
  fetch: app,
  websocket: {
    open: (ws) => {
      ws.data.watch.open(ws); // closed with 4401 once the credentials fail, 4403 once the guard denies
      ws.send(`Hello, ${ws.data.user.displayName}`);
    },
    close: (ws) => ws.data.watch.close(),
  },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
// #endregion bun
