// One Request → Response app for every runtime: Basic authentication, an open
// page, and an admin page behind `requires`. bun.ts, deno.ts and worker.ts serve it.
import { basicAuth, MemoryTicketStore, multi, SimpleUser, timingSafeEqual, webSocketTickets } from '@portcullis/core';
import { requires, ticketEndpoint, withAuth, type AuthHandler, type FetchHandler } from '@portcullis/fetch';

/** The app's users: name → password and whether the user is an admin. */
export type Users = ReadonlyMap<string, { readonly password: string; readonly admin: boolean }>;

// #region app
/** The Basic backend over `users`: scopes `authenticated`, plus `admin` for admins. */
export function backendFor(users: Users) {
  return basicAuth({
    realm: 'fetch example',
    verify: async (username, password) => {
      const entry = users.get(username);
      // Compared in constant time; an unknown user costs a comparison too.
      const ok = await timingSafeEqual(password, entry?.password ?? '\u0000unknown');
      return entry !== undefined && ok ? new SimpleUser(username) : null;
    },
    scopes: (user) => (users.get(user.username)?.admin ? ['authenticated', 'admin'] : ['authenticated']),
  });
}

/** `GET /` for everyone; `GET /admin` for admins (403 otherwise, 401 with the challenge for bad credentials). */
export const routes: AuthHandler<SimpleUser> = (request, auth) => {
  const { pathname } = new URL(request.url);
  if (pathname === '/') return new Response(`Hello, ${auth.user.isAuthenticated ? auth.user.displayName : 'you'}`);
  if (pathname === '/admin') return admin(request, auth);
  return new Response('Not Found', { status: 404 });
};

const admin = requires(['authenticated', 'admin'])((_request, { user }) => Response.json({ admin: user.displayName }));

/** The whole app: a plain `(request) => Promise<Response>`. */
export function createApp(users: Users): FetchHandler {
  return withAuth(routes, { backend: backendFor(users) });
}
// #endregion app

/** The demo users (never ship passwords in code: read them from your secret store). */
export const DEMO_USERS: Users = new Map([
  ['alice', { password: 'wonderland', admin: true }],
  ['bob', { password: 'builder', admin: false }],
]);

// #region sockets
/**
 * One-time websocket tickets for browsers (`new WebSocket(url)` sends no `Authorization`):
 * `POST /ws-ticket` with the user's credentials answers `{ ticket, expires_in }`, and
 * `/ws?ticket=…` redeems it once, within 30 s. In memory: one process (Bun, Deno); a
 * Worker needs a shared store (`RedisTicketStore`, or one over a Durable Object).
 */
export const tickets = webSocketTickets({ store: new MemoryTicketStore() });

/** The backend of bun.ts and deno.ts: a ticket on a websocket upgrade, else Basic. */
export function socketBackendFor(users: Users) {
  return multi([tickets.backend({ retrieveUser: (identity) => (users.has(identity) ? new SimpleUser(identity) : null) }), backendFor(users)]);
}

/** `POST /ws-ticket`: a ticket for the signed-in user (401 anonymous, 403 cross-site, 405 other methods). */
export const issueTicket = ticketEndpoint(tickets);

/** How often a connected socket is authenticated again (closed with 4401 once its credentials fail). */
export const RECHECK = { interval: 30_000 };

/** The app protocols the socket speaks (`new WebSocket(url, ['chat.v1'])`). */
export const PROTOCOLS: readonly string[] = ['chat.v1'];
// #endregion sockets
