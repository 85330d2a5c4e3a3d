import express from 'express';
import { ConfigurationError, MemorySessionStore, SimpleUser, sessionAuth, type SessionAuth } from '@portcullis/core';
import { authentication, requires, type AuthenticationMiddleware } from '@portcullis/express';
import { expressSessionStore, login, sessions } from '@portcullis/express/sessions';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { SAME_ORIGIN, cookieOf, serve } from '../../../test-support/session-bridges.js';

// Session data types on Express: `sessionAuth<U, D>` infers D from an annotated
// `retrieveUser`, `login(req, user, data)` takes the same type, and `requires`' status is
// a DenialStatus. Type-checked by `npm run typecheck` (root tsconfig); the `it`s run the
// same code over HTTP.

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
  const a = express();
  a.use(sessions({ secret: 'types-sessions-test-secret-0123456789', store: expressSessionStore(new MemorySessionStore()), cookie: { secure: false } }));
  const auth = sessionAuth({ retrieveUser: (s: AppSession) => users.byId(s.user_id), mode: 'optional' });
  expectTypeOf(auth).toEqualTypeOf<SessionAuth<AppUser>>();
  const middleware = authentication(auth);
  expectTypeOf(middleware).toEqualTypeOf<AuthenticationMiddleware<AppUser>>();
  a.use(middleware);
  a.post('/login/:name', async (req, res) => {
    const data: AppSession = { user_id: req.params.name };
    await login(req, new AppUser(req.params.name), data);
    res.send('in');
  });
  a.get('/me', (req, res) => {
    res.send(req.user.isAuthenticated ? req.user.displayName : 'anonymous');
  });
  a.get('/hidden', requires('authenticated', { status: 404 }), (_req, res) => {
    res.send('found');
  });
  return a;
}

describe('@portcullis/express: typed session data and guard statuses', () => {
  it('login(req, user, data) checks data against a given D', () => {
    const typeOnly = (req: express.Request) => [
      login<AppSession>(req, new AppUser('a'), { user_id: 'a' }),
      // @ts-expect-error -- user_id is a string in AppSession
      login<AppSession>(req, new AppUser('a'), { user_id: 1 }),
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
    const { agent, me } = await serve(app().listen(0, '127.0.0.1'));
    expect(await me()).toBe('anonymous');
    const alice = cookieOf(await agent.post('/login/alice').set(SAME_ORIGIN));
    expect(await me(alice)).toBe('alice');
    const bob = cookieOf(await agent.post('/login/bob').set(SAME_ORIGIN));
    expect(await me(bob)).toBe('anonymous');
    expect((await agent.get('/hidden')).status).toBe(404);
    expect((await agent.get('/hidden').set('Cookie', alice)).text).toBe('found');
  });
});
