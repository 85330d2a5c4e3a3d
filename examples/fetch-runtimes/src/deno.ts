// Deno: `deno run --allow-net --allow-env --allow-read dist/deno.js` (PORT, default 3000;
// ORIGIN, the page origin allowed to open /ws).
// The app of app.ts, plus a websocket at /ws for signed-in users and the ticket endpoint.
import type { SimpleUser } from '@portcullis/core';
import { isWebSocketUpgrade, negotiatedProtocol, requires, watchWebSocket, webSocketOrigins, withAuth, type RequestAuth } from '@portcullis/fetch';
import { DEMO_USERS, issueTicket, PROTOCOLS, RECHECK, routes, socketBackendFor } from './app.js';

/** What this file uses of Deno's global (no Deno types needed). */
declare const Deno: {
  readonly env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen?: (address: { port: number }) => void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
  upgradeWebSocket(request: Request, options?: { protocol?: string }): { socket: WebSocket; response: Response };
};

const port = Number(Deno.env.get('PORT') ?? 3000);

// #region deno
const guard = requires('authenticated');

/**
 * `GET /ws`: a websocket for signed-in users (Basic, or `?ticket=` from `POST /ws-ticket`;
 * 403 otherwise, 401 for bad credentials); it greets the user by name. Anything but a `GET`
 * with `Upgrade: websocket` gets 400 before Deno sees it: Deno upgrades other methods and
 * `Upgrade: h2c, websocket`, and dies on the latter.
 */
const chat = guard((request, principal: RequestAuth<SimpleUser>) => {
  if (!isWebSocketUpgrade(request)) return new Response('Bad Request', { status: 400 });
  const protocol = negotiatedProtocol(request, PROTOCOLS);
  const watch = watchWebSocket(request, principal, { app, requires: guard, recheck: RECHECK }); // reads the request: before the upgrade
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(request, protocol === undefined ? {} : { protocol }); // throws without a valid handshake
  } catch {
    return new Response('Bad Request', { status: 400 });
  }
  const { socket, response } = upgraded;
  socket.onopen = () => {
    watch.open(socket); // closed with 4401 once the credentials fail, 4403 once the guard denies
    socket.send(`Hello, ${principal.user.displayName}`);
  };
  socket.onclose = () => watch.close();
  return response;
});

// Upgrades from another site's page are refused before authentication (no ticket spent);
// clients without Origin (curl, servers) may connect: browsers always send it.
const app = webSocketOrigins([Deno.env.get('ORIGIN') ?? `http://127.0.0.1:${port}`], { allowMissingOrigin: true })(
  withAuth(
    (request, auth) => {
      const { pathname } = new URL(request.url);
      if (pathname === '/ws') return chat(request, auth);
      if (pathname === '/ws-ticket') return issueTicket(request, auth);
      return routes(request, auth);
    },
    { backend: socketBackendFor(DEMO_USERS) },
  ),
);

Deno.serve({ port, hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`) }, app);
// #endregion deno
