// Bun: `bun dist/bun.js` (PORT, default 3000).
// The app of app.ts, plus a websocket at /ws for signed-in users.
import type { SimpleUser, UnauthenticatedUser } from '@portcullis/core';
import { isWebSocketUpgrade, requires, withAuth, type RequestAuth } from '@portcullis/fetch';
import { backendFor, DEMO_USERS, routes } from './app.js';

/** What this file uses of Bun's global (no @types/bun needed). */
interface BunSocket<D> {
  readonly data: D;
  send(text: string): void;
}
interface BunServer<D> {
  upgrade(request: Request, options: { data: D }): boolean;
}
declare const Bun: {
  readonly env: Record<string, string | undefined>;
  serve<D>(options: {
    port: number;
    hostname: string;
    fetch: (request: Request, server: BunServer<D>) => Promise<Response>;
    websocket: { open(ws: BunSocket<D>): void };
  }): { readonly port: number };
};

// #region bun
/** What a socket carries from its upgrade to its handlers (`ws.data`): the user, typed. */
interface SocketData {
  readonly user: SimpleUser | UnauthenticatedUser;
}

/**
 * `GET /ws`: a websocket for signed-in users (403 otherwise, 401 for bad credentials). Anything but
 * a `GET` with `Upgrade: websocket` gets 400 (Bun upgrades other methods and `h2c, websocket`).
 * Bun ignores the answer once upgraded.
 */
const chat = requires('authenticated')((request, { user }: RequestAuth<SimpleUser>, server: BunServer<SocketData>) =>
  isWebSocketUpgrade(request) && server.upgrade(request, { data: { user } }) ? new Response(null) : new Response('Bad Request', { status: 400 }),
);

const app = withAuth(
  (request, auth, server: BunServer<SocketData>) => (new URL(request.url).pathname === '/ws' ? chat(request, auth, server) : routes(request, auth)),
  { backend: backendFor(DEMO_USERS) },
);

const server = Bun.serve<SocketData>({
  port: Number(Bun.env.PORT ?? 3000),
  hostname: '127.0.0.1',
  fetch: app,
  websocket: { open: (ws) => ws.send(`Hello, ${ws.data.user.displayName}`) },
});
console.log(`listening on http://127.0.0.1:${server.port}`);
// #endregion bun
