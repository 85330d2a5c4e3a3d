import Fastify, { type FastifyRequest, type preHandlerHookHandler } from 'fastify';
import { describe, expectTypeOf, it } from 'vitest';
import { AuthCredentials, SimpleUser, UnauthenticatedUser, basicAuth, type AuthenticationBackend } from '@portcullis/core';
import { authentication, requires, type FastifyAuthenticationOptions, type GuardHook, type RegisteredUser } from '@portcullis/fastify';
import { login } from '@portcullis/fastify/sessions';

// Type tests: checked by `tsc -p adapters/fastify/test/tsconfig.types.json --noEmit` (part of
// `npm run typecheck`); the `it`s also run, so the handlers are real.

class AppUser extends SimpleUser {
  role = 'x' as const;
}

// The documented registration: global to a type-check program, as in a user's app.
// #region register
declare module '@portcullis/fastify' {
  interface Register {
    user: AppUser;
  }
}
// #endregion register

const backend: AuthenticationBackend<AppUser> = basicAuth({
  verify: (username, password) => (username === 'alice' && password === 'pw' ? new AppUser(username) : null),
});
const basic = { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` };

describe('@portcullis/fastify types', () => {
  it('the registered user type reaches request.user in handlers and hooks, without any', async () => {
    // #region user-type
    expectTypeOf<RegisteredUser>().toEqualTypeOf<AppUser>();
    expectTypeOf<FastifyRequest['user']>().toEqualTypeOf<AppUser | UnauthenticatedUser>();
    expectTypeOf<FastifyRequest['user']>().not.toBeAny();
    expectTypeOf<FastifyRequest['auth']>().toEqualTypeOf<AuthCredentials>();
    expectTypeOf(requires('a')).toEqualTypeOf<GuardHook>();
    expectTypeOf(requires('a')).toExtend<preHandlerHookHandler>();

    const app = Fastify();
    await app.register(authentication, { backend });
    const plain: AuthenticationBackend<SimpleUser> = basicAuth({ verify: (username) => new SimpleUser(username) });
    // @ts-expect-error -- a SimpleUser backend cannot produce the registered AppUser
    const wrong: FastifyAuthenticationOptions = { backend: plain };
    void wrong;
    // The same at app.register (type-checked only, never called).
    const registerWrong = () => {
      // @ts-expect-error -- a SimpleUser backend cannot produce the registered AppUser
      void Fastify().register(authentication, { backend: plain });
    };
    void registerWrong;
    // #endregion user-type

    app.addHook('preHandler', async (request) => {
      expectTypeOf(request.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
    });
    app.get('/x', { preHandler: requires('authenticated') }, async (request, reply) => {
      expectTypeOf(request.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(request.auth).toEqualTypeOf<AuthCredentials>();
      // @ts-expect-error -- 'role' does not exist on UnauthenticatedUser
      void request.user.role;
      const user = request.user;
      if (user.isAuthenticated) {
        expectTypeOf(user).toEqualTypeOf<AppUser>();
        return { role: user.role, user: user.displayName, scopes: request.auth.scopes };
      }
      expectTypeOf(user).toEqualTypeOf<UnauthenticatedUser>();
      return reply.code(500).send('unreachable');
    });
    // login's data is typed as the app says.
    expectTypeOf(login<{ userId: string }>).parameter(2).toEqualTypeOf<{ userId: string } | undefined>();

    const ok = await app.inject({ url: '/x', headers: basic });
    if (ok.statusCode !== 200 || ok.json<{ role: string }>().role !== 'x') throw new Error(ok.body);
    const denied = await app.inject({ url: '/x' });
    if (denied.statusCode !== 403) throw new Error(`expected 403, got ${denied.statusCode}`);
    await app.close();
  });
});
