import Fastify, { type FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { SimpleUser, basicAuth, timingSafeEqual } from '@portcullis/core';
import { authentication, frameworkErrors, requires } from '@portcullis/fastify';

/** A user of this app: a name and a role. */
export class StaffUser extends SimpleUser {
  constructor(
    username: string,
    readonly role: 'admin' | 'staff',
  ) {
    super(username);
  }
}

// #region register
// Once per program: `request.user` is a StaffUser (or anonymous) in every handler and hook.
declare module '@portcullis/fastify' {
  interface Register {
    user: StaffUser;
  }
}
// #endregion register

/** Accounts of the demo: name → password and role. */
export type Accounts = ReadonlyMap<string, { readonly password: string; readonly role: 'admin' | 'staff' }>;

// #region app
/**
 * The app: Basic for everything but `/`, the role as a scope, `/admin` hidden as a
 * 404 from non-admins, `/ws` a websocket for signed-in users only.
 */
export async function createApp(accounts: Accounts): Promise<FastifyInstance> {
  const app = Fastify({ frameworkErrors }); // a URL Fastify cannot decode is authenticated first too
  // The app's own error handler: it never sees Portcullis's 400/401/403/503.
  app.setErrorHandler((_error, _request, reply) => reply.code(500).send({ error: 'internal' }));
  await app.register(websocket);
  await app.register(authentication, {
    mode: 'required', // every path needs a user…
    exclude: ['/'], // …but the home page
    backend: basicAuth<StaffUser>({
      realm: 'Fastify demo',
      scopes: (user) => ['authenticated', user.role],
      async verify(username, password) {
        const account = accounts.get(username);
        // Both comparisons always run: an unknown user costs what a wrong password costs.
        const ok = await timingSafeEqual(password, account?.password ?? '\u0000');
        return ok && account !== undefined ? new StaffUser(username, account.role) : null;
      },
    }),
  });

  app.get('/', async (request) => `Hello, ${request.user.displayName || 'stranger'}`);
  app.get('/me', async (request) => ({ name: request.user.displayName, scopes: [...request.auth.scopes] }));
  app.get('/admin', { preHandler: requires('admin', { status: 404 }) }, async (request) => {
    const user = request.user;
    return { admin: user.displayName, role: user.isAuthenticated ? user.role : undefined };
  });
  app.get('/ws', { websocket: true, preHandler: requires('authenticated') }, (socket, request) => {
    socket.send(`Hello, ${request.user.displayName}`);
    socket.close();
  });
  return app;
}
// #endregion app
