import { describe, expect, expectTypeOf, it } from 'vitest';
import type { Connection } from '../connection.js';
import { createAuthenticator } from '../authenticator.js';
import { createConnection } from '../connection.js';
import { SimpleUser, type UnauthenticatedUser } from '../user.js';
import { sessionAuth, type SessionAuth, type SessionAuthOptions } from './session-auth.js';
import { login } from './state.js';
import type { SessionData } from './store.js';
import { webSessions } from './web-session.js';

// Session data types: `sessionAuth<U, D>` and `login<D>`. The type assertions are
// checked by `npm run typecheck` (this file is in the root tsconfig); the `it`s run
// the same code against real Web sessions.

class AppUser extends SimpleUser {
  readonly role = 'member' as const;
}

/** What this app's login writes. An interface: no index signature. */
interface AppSession {
  user_id: string;
}

const users = {
  async byId(id: string): Promise<AppUser | null> {
    return id === 'alice' ? new AppUser('alice') : null;
  },
};

describe('sessionAuth<U, D>: the session data type', () => {
  it('D is inferred from an annotated retrieveUser parameter', () => {
    const auth = sessionAuth({ retrieveUser: (s: { user_id: string }) => users.byId(s.user_id) });
    expectTypeOf(auth).toEqualTypeOf<SessionAuth<AppUser>>();
    const fromInterface = sessionAuth({ retrieveUser: (s: AppSession) => users.byId(s.user_id) });
    expectTypeOf(fromInterface).toEqualTypeOf<SessionAuth<AppUser>>();
  });

  it('D can be given explicitly, and then types the parameter', () => {
    sessionAuth<AppUser, { user_id: string }>({
      retrieveUser: (s, connection) => {
        expectTypeOf(s).toEqualTypeOf<Readonly<{ user_id: string }>>();
        expectTypeOf(connection).toEqualTypeOf<Connection>();
        return users.byId(s.user_id);
      },
    });
    expectTypeOf<Parameters<SessionAuthOptions<AppUser, AppSession>['retrieveUser']>[0]>().toEqualTypeOf<Readonly<AppSession>>();
  });

  it('without D the data is SessionData, whose values are unknown (the TS2345 of issue #13)', () => {
    sessionAuth({
      retrieveUser: (s) => {
        expectTypeOf(s).toEqualTypeOf<Readonly<SessionData>>();
        // @ts-expect-error -- unknown is not a string: annotate the parameter or give D
        return users.byId(s.user_id);
      },
    });
    expectTypeOf<SessionAuthOptions<AppUser>>().toEqualTypeOf<SessionAuthOptions<AppUser, SessionData>>();
  });

  it('the data is read-only in retrieveUser', () => {
    sessionAuth({
      retrieveUser: (s: Readonly<AppSession>) => {
        // @ts-expect-error -- retrieveUser reads the session; login writes it
        s.user_id = 'mallory';
        return null;
      },
    });
  });
});

describe('login<D>: typed session data', () => {
  const connection = {} as Connection;
  const alice = new AppUser('alice');

  it('accepts interfaces (no index signature) and checks a given D', () => {
    const data: AppSession = { user_id: 'alice' };
    // Type-checked, not called (there is no session here).
    const calls = () => [
      login(connection, alice, data),
      login<AppSession>(connection, alice, { user_id: 'alice' }),
      login<AppSession>(connection, alice),
      // @ts-expect-error -- user_id is a string in AppSession
      login<AppSession>(connection, alice, { user_id: 1 }),
      // @ts-expect-error -- session data is an object
      login(connection, alice, 'alice'),
    ];
    expectTypeOf(calls).returns.toEqualTypeOf<Promise<void>[]>();
  });
});

describe('typed session data round-trips through login and sessionAuth (Web sessions)', () => {
  it('retrieveUser receives exactly what login wrote, typed as D', async () => {
    const engine = webSessions({ secret: 'unit-test-secret-0123456789abcdef-0123', cookie: { secure: false } });
    const open = (cookie: string | undefined, method: string) => {
      const handle = engine.open({ cookies: new Map(cookie === undefined ? [] : [['id', cookie]]), secure: false });
      return { handle, connection: createConnection({ method, target: '/me', header: () => undefined, session: handle.port }) };
    };
    const seen: AppSession[] = [];
    const authenticator = createAuthenticator(
      sessionAuth<AppUser, AppSession>({
        retrieveUser: (s) => {
          seen.push({ ...s });
          return users.byId(s.user_id);
        },
      }),
    );

    const { handle, connection } = open(undefined, 'POST');
    await login<AppSession>(connection, new AppUser('alice'), { user_id: 'alice' });
    const cookie = (handle.setCookies()[0] as string).split(';')[0]?.slice('id='.length);

    const decision = await authenticator.run(open(cookie, 'GET').connection);
    expect(decision.type).toBe('continue');
    if (decision.type !== 'continue') return;
    expectTypeOf(decision.user).toEqualTypeOf<AppUser | UnauthenticatedUser>();
    expect(decision.user).toBeInstanceOf(AppUser);
    expect(decision.user.displayName).toBe('alice');
    expect(seen).toEqual([{ user_id: 'alice' }]);
  });

  it('an array is refused at runtime, as the docs say (plain objects only)', async () => {
    const engine = webSessions({ secret: 'unit-test-secret-0123456789abcdef-0123', cookie: { secure: false } });
    const handle = engine.open({ cookies: new Map(), secure: false });
    const connection = createConnection({ method: 'POST', target: '/login', header: () => undefined, session: handle.port });
    await expect(login(connection, new AppUser('alice'), ['alice'])).rejects.toThrow(TypeError);
  });

  it('SES-05 a class instance, a Map or a Date is refused at runtime: only plain objects are stored', async () => {
    const engine = webSessions({ secret: 'unit-test-secret-0123456789abcdef-0123', cookie: { secure: false } });
    const handle = engine.open({ cookies: new Map(), secure: false });
    const connection = createConnection({ method: 'POST', target: '/login', header: () => undefined, session: handle.port });
    class Entity {
      user_id = 'alice';
      passwordHash = '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2g';
    }
    await expect(login(connection, new AppUser('alice'), new Entity())).rejects.toThrow('plain object');
    await expect(login(connection, new AppUser('alice'), new Map([['user_id', 'alice']]))).rejects.toThrow('plain object');
    await expect(login(connection, new AppUser('alice'), new Date())).rejects.toThrow('plain object');
    expect(handle.setCookies()).toEqual([]);
    // A null-prototype object is plain.
    const bare = Object.assign(Object.create(null) as { user_id?: string }, { user_id: 'alice' });
    await expect(login(connection, new AppUser('alice'), bare)).resolves.toBeUndefined();
  });
});
