// The fixture of the websocket-from-a-browser suite (browser-websocket.ts): users,
// sessions, tickets and bearer tokens, Web-standard only, so that the same app runs
// inside Bun, Deno and workerd (adapters/fetch/test/runtimes/browser-app.ts).
import {
  MemorySessionStore,
  MemoryTicketStore,
  MemoryTokenStore,
  SimpleUser,
  bearerAuth,
  hashedTokens,
  multi,
  sessionAuth,
  webSocketTickets,
  type AuthCredentials,
  type BaseUser,
  type UnauthenticatedUser,
} from '@portcullis/core';

/** The users of the fixture. */
export const WS_USERS: ReadonlySet<string> = new Set(['alice', 'bob']);

/** The backends, stores and options every adapter's browser app shares. */
export function browserWsFixture() {
  const sessionStore = new MemorySessionStore();
  const tokens = new MemoryTokenStore<SimpleUser>();
  const tickets = webSocketTickets({ store: new MemoryTicketStore() });
  const userOf = (name: unknown): SimpleUser | null => (typeof name === 'string' && WS_USERS.has(name) ? new SimpleUser(name) : null);
  const backend = multi([
    tickets.backend({ retrieveUser: (identity) => userOf(identity) }),
    bearerAuth({ webSocketProtocol: true, verify: hashedTokens(tokens) }),
    sessionAuth({ mode: 'optional', retrieveUser: (data: { identity?: unknown }) => userOf(data.identity) }),
  ]);
  return {
    backend,
    tickets,
    tokens,
    userOf,
    /** The session options (plain HTTP in tests). */
    sessions: { secret: 'browser-websocket-test-secret-0123456789', cookie: { secure: false }, store: sessionStore },
    /** The re-check every adapter configures. */
    recheck: { interval: 200 },
    /** The app protocols the server answers with. */
    protocols: ['app.v1'] as readonly string[],
    /** The first message of an accepted socket. */
    hello: (user: BaseUser | UnauthenticatedUser, auth: AuthCredentials) => `hello ${user.displayName} via ${auth.via ?? 'none'}`,
    /** Issues a bearer token for the user (the `POST /token` route). */
    issueToken: async (user: BaseUser | UnauthenticatedUser) => (user.isAuthenticated ? { token: await tokens.issue(new SimpleUser(user.identity)) } : null),
  };
}
