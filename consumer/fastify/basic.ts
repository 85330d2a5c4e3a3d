// Fastify 5: the plugin app-wide, the user type registered once, a preHandler guard
// that hides /admin as Fastify's own 404.
import type { Server } from 'node:http';
import Fastify from 'fastify';
import { SimpleUser, basicAuth, timingSafeEqual } from '@portcullis/core';
import { authentication, requires } from '@portcullis/fastify';
import { announce, port } from './listen.js';

class ConsumerUser extends SimpleUser {
  readonly admin = false;
}

declare module '@portcullis/fastify' {
  interface Register {
    user: ConsumerUser;
  }
}

const app = Fastify();
await app.register(authentication, {
  backend: basicAuth<ConsumerUser>({
    realm: 'consumer',
    async verify(username, password) {
      const [u, p] = await Promise.all([timingSafeEqual(username, 'gina'), timingSafeEqual(password, 'hunter22')]);
      return u && p ? new ConsumerUser(username) : null;
    },
  }),
});
app.get('/', async (request) => (request.user.isAuthenticated ? `Hello, ${request.user.displayName}` : 'Hello, you'));
app.get('/me', { preHandler: requires('authenticated', { status: 401 }) }, async (request) => {
  const user = request.user;
  return { user: user.displayName, admin: user.isAuthenticated ? user.admin : null };
});
app.get('/admin', { preHandler: requires('admin', { status: 404 }) }, async () => 'never');

announce(app.server as Server);
await app.listen({ port, host: '127.0.0.1' });
