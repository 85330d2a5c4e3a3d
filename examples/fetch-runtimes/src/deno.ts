// Deno: `deno run --allow-net --allow-env --allow-read dist/deno.js` (PORT, default 3000).
// The app of app.ts, plus a websocket at /ws for signed-in users.
import type { SimpleUser } from '@portcullis/core';
import { isWebSocketUpgrade, requires, withAuth, type RequestAuth } from '@portcullis/fetch';
import { backendFor, DEMO_USERS, routes } from './app.js';

/** What this file uses of Deno's global (no Deno types needed). */
declare const Deno: {
  readonly env: { get(name: string): string | undefined };
  serve(
    options: { port: number; hostname: string; onListen?: (address: { port: number }) => void },
    handler: (request: Request) => Promise<Response>,
  ): unknown;
  upgradeWebSocket(request: Request): { socket: WebSocket; response: Response };
};

// #region deno
/**
 * `GET /ws`: a websocket for signed-in users (403 otherwise, 401 for bad credentials); it greets
 * the user by name. Anything but a `GET` with `Upgrade: websocket` gets 400 before Deno sees it:
 * Deno upgrades other methods and `Upgrade: h2c, websocket`, and dies on the latter.
 */
const chat = requires('authenticated')((request, { user }: RequestAuth<SimpleUser>) => {
  if (!isWebSocketUpgrade(request)) return new Response('Bad Request', { status: 400 });
  let upgraded: { socket: WebSocket; response: Response };
  try {
    upgraded = Deno.upgradeWebSocket(request); // throws without a valid handshake (Sec-WebSocket-Key…)
  } catch {
    return new Response('Bad Request', { status: 400 });
  }
  upgraded.socket.onopen = () => upgraded.socket.send(`Hello, ${user.displayName}`);
  return upgraded.response;
});

const app = withAuth((request, auth) => (new URL(request.url).pathname === '/ws' ? chat(request, auth) : routes(request, auth)), {
  backend: backendFor(DEMO_USERS),
});

Deno.serve(
  { port: Number(Deno.env.get('PORT') ?? 3000), hostname: '127.0.0.1', onListen: ({ port }) => console.log(`listening on http://127.0.0.1:${port}`) },
  app,
);
// #endregion deno
