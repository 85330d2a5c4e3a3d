// Type tests: checked by `tsc -p tsconfig.json --noEmit` (part of `npm test`);
// the `it`s run too, so vitest collects the file.
import { describe, expectTypeOf, it } from 'vitest';
import { AuthCredentials, SimpleUser, UnauthenticatedUser, basicAuth, type AuthenticationBackend } from '@portcullis/core';
import { clientAddress, requires, withAuth, type AuthHandler, type FetchHandler, type GuardedHandler, type RequestAuth } from '@portcullis/fetch';
import { upgradeHandler } from '@portcullis/node';

class AppUser extends SimpleUser {
  readonly role = 'x' as const;
}

const backend: AuthenticationBackend<AppUser> = basicAuth({ verify: (u, p) => (u === 'alice' && p === 'pw' ? new AppUser(u) : null) });

describe('@portcullis/fetch types', () => {
  it("the app's user type flows from the backend to the handler, without any", async () => {
    const app = withAuth((request, { user, auth }) => {
      expectTypeOf(request).toEqualTypeOf<Request>();
      expectTypeOf(user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
      expectTypeOf(auth).toEqualTypeOf<AuthCredentials>();
      if (user.isAuthenticated) expectTypeOf(user.role).toEqualTypeOf<'x'>();
      return new Response(user.displayName);
    }, { backend });
    expectTypeOf(app).toExtend<FetchHandler>();
    expectTypeOf(app).parameters.toEqualTypeOf<[Request]>();
    expectTypeOf(app).returns.toEqualTypeOf<Promise<Response>>();
    expectTypeOf(await app(new Request('http://app.example/'))).toEqualTypeOf<Response>();
  });

  it('arguments after the request (Workers env and ctx) are typed by the handler and required by the result', () => {
    interface Env { readonly DB: string }
    const app = withAuth((_request, _auth: RequestAuth<AppUser>, env: Env, ctx: { waitUntil(p: Promise<unknown>): void }) => new Response(env.DB), { backend });
    expectTypeOf(app).parameters.toEqualTypeOf<[Request, Env, { waitUntil(p: Promise<unknown>): void }]>();
    // @ts-expect-error env is required
    void (() => app(new Request('http://app.example/')));
  });

  it("peerAddress gets the handler's arguments after the request, typed; clientAddress is string | undefined", () => {
    interface Env { readonly TRUST_HEADER: string }
    withAuth((request, _auth, _env: Env) => new Response(clientAddress(request) ?? 'none'), {
      backend,
      trustedProxies: ['10.0.0.0/8'],
      peerAddress: (request, env) => {
        expectTypeOf(env).toEqualTypeOf<Env>();
        return request.headers.get(env.TRUST_HEADER) ?? undefined;
      },
    });
    expectTypeOf(clientAddress).returns.toEqualTypeOf<string | undefined>();
    // Never called: the second would throw ConfigurationError at startup.
    void (() => {
      // @ts-expect-error a peerAddress must answer a string or undefined
      withAuth(() => new Response(''), { backend, peerAddress: () => 42 });
      // @ts-expect-error trustedProxies: a list of strings or a hop count
      withAuth(() => new Response(''), { backend, trustedProxies: '10.0.0.0/8' });
    });
  });

  it('requires(...)(handler) keeps the handler type; a handler for another user type is refused', () => {
    const handler: AuthHandler<AppUser> = (_request, { user }) => new Response(user.displayName);
    const guarded = requires('admin')(handler);
    expectTypeOf(guarded).toEqualTypeOf<GuardedHandler<AppUser, []>>();
    expectTypeOf(guarded).toExtend<AuthHandler<AppUser, []>>();
    // A missing principal is accepted (and answered as anonymous); the wrapped handler never sees one.
    expectTypeOf(guarded).parameter(1).toEqualTypeOf<RequestAuth<AppUser> | undefined>();
    withAuth(guarded, { backend });
    class Other extends SimpleUser {
      readonly other = true;
    }
    const forOther: AuthHandler<Other> = (_request, { user }) => new Response(String(user.isAuthenticated && user.other));
    // @ts-expect-error the backend makes AppUser, not Other
    withAuth(forOther, { backend });
  });

  it("on Node, upgradeHandler takes withAuth's app and a requires(...) wrapper, and hands the socket the app's user type", () => {
    const app = withAuth((_request, { user }) => new Response(user.displayName), { backend });
    expectTypeOf(app).toExtend<FetchHandler<[], AppUser>>();
    upgradeHandler({
      authentication: app,
      requires: requires('admin'),
      accept(_req, _socket, _head, { user, auth }) {
        expectTypeOf(user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
        expectTypeOf(auth).toEqualTypeOf<AuthCredentials>();
      },
    });
  });
});
