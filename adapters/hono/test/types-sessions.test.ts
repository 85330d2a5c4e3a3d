import type { Server } from 'node:http';
import { createAdaptorServer } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { ConfigurationError, MemorySessionStore, SimpleUser, UnauthenticatedUser, sessionAuth, type SessionAuth } from '@portcullis/core';
import { authentication, login, requires, sessions, type AuthEnv, type AuthenticationMiddleware } from '@portcullis/hono';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SAME_ORIGIN, cookieOf, serve } from '../../../test-support/session-bridges.js';

// Session data types on Hono: `sessionAuth<U, D>` infers D from an annotated
// `retrieveUser`, `login(c, user, data)` takes the same type, and `requires`' status is
// a DenialStatus. Type-checked by `npm run typecheck` (root tsconfig); the `it`s run the
// same code over HTTP (@hono/node-server).

class AppUser extends SimpleUser {
  readonly role = 'member' as const;
}

/** What this app's login writes to the server-side session. */
interface AppSession {
  user_id: string;
}

const users = {
  async byId(id: string): Promise<AppUser | null> {
    return id === 'alice' ? new AppUser('alice') : null;
  },
};

function app() {
  const a = new Hono<AuthEnv<AppUser>>();
  a.use(sessions({ secret: 'types-sessions-test-secret-0123456789', store: new MemorySessionStore(), cookie: { secure: false } }));
  const auth = sessionAuth({ retrieveUser: (s: AppSession) => users.byId(s.user_id), mode: 'optional' });
  expectTypeOf(auth).toEqualTypeOf<SessionAuth<AppUser>>();
  const middleware = authentication(auth);
  expectTypeOf(middleware).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
  a.use(middleware);
  a.post('/login/:name', async (c) => {
    const data: AppSession = { user_id: c.req.param('name') };
    await login(c, new AppUser(data.user_id), data);
    return c.text('in');
  });
  a.get('/me', (c) => {
    expectTypeOf(c.var.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
    return c.text(c.var.user.isAuthenticated ? c.var.user.displayName : 'anonymous');
  });
  a.get('/hidden', requires('authenticated', { status: 404 }), (c) => c.text('found'));
  return a;
}

describe('@portcullis/hono: typed session data and guard statuses', () => {
  it('login(c, user, data) checks data against a given D', () => {
    const typeOnly = (c: Context) => [
      login<AppSession>(c, new AppUser('a'), { user_id: 'a' }),
      // @ts-expect-error -- user_id is a string in AppSession
      login<AppSession>(c, new AppUser('a'), { user_id: 1 }),
    ];
    expectTypeOf(typeOnly).returns.toEqualTypeOf<Promise<void>[]>();
    sessionAuth<AppUser, AppSession>({
      retrieveUser: (s) => {
        expectTypeOf(s).toEqualTypeOf<Readonly<AppSession>>();
        return users.byId(s.user_id);
      },
    });
  });

  it('requires(…, { status: 302 }) does not compile and throws a ConfigurationError at startup', () => {
    // @ts-expect-error -- 302 is not a DenialStatus
    expect(() => requires('admin', { status: 302 })).toThrow(ConfigurationError);
    expectTypeOf(requires).toBeCallableWith('admin', { status: 401 });
  });

  it('what login wrote reaches retrieveUser as D', async () => {
    const { agent, me } = await serve((createAdaptorServer({ fetch: app().fetch }) as Server).listen(0, '127.0.0.1'));
    expect(await me()).toBe('anonymous');
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    expect(await me(alice)).toBe('alice');
    const bob = cookieOf(await agent.post('/login/bob').set(SAME_ORIGIN));
    expect(await me(bob)).toBe('anonymous');
    expect((await agent.get('/hidden')).status).toBe(404);
    expect((await agent.get('/hidden').set('Cookie', alice)).text).toBe('found');
  });
});
