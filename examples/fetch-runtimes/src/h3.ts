// h3 v2 with @portcullis/fetch: `withAuth` as an h3 middleware, the principal in
// `event.context.auth`, `requires(...)` around a route's handler. h3-node.ts serves it
// with h3's own `serve` (srvx) on Node; the same app runs on Bun, Deno and Workers.
import type { SimpleUser } from '@portcullis/core';
import { requires, withAuth, type RequestAuth } from '@portcullis/fetch';
import { H3, toResponse, type H3Event } from 'h3';
import { backendFor, type Users } from './app.js';

// #region h3
declare module 'h3' {
  interface H3EventContext {
    /** The request's user and credentials, set by the Portcullis middleware below. */
    auth?: RequestAuth<SimpleUser>;
  }
}

/** `GET /` for everyone, `GET /admin` for admins; `withAuth` runs first, as an h3 middleware. */
export function createH3App(users: Users): H3 {
  // withAuth passes the arguments after the request on: here h3's event and `next`.
  const authenticate = withAuth(
    async (_request, auth: RequestAuth<SimpleUser>, event: H3Event, next: () => unknown) => {
      event.context.auth = auth;
      return toResponse(await next(), event); // the route's answer, as h3 would send it
    },
    { backend: backendFor(users) },
  );
  const admin = requires(['authenticated', 'admin'])((_request, { user }) => Response.json({ admin: user.displayName }));

  const app = new H3();
  app.use((event, next) => authenticate(event.req, event, next)); // event.req: the Request withAuth saw
  app.get('/', (event) => `Hello, ${event.context.auth?.user.isAuthenticated ? event.context.auth.user.displayName : 'you'}`);
  app.get('/admin', (event) => admin(event.req, event.context.auth));
  return app;
}
// #endregion h3
