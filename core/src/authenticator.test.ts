import { describe, it, expect } from 'vitest';
import { createAuthenticator, type AuthDecision, type AuthenticationOptions } from './authenticator.js';
import type { AuthenticateResult, AuthenticationBackend } from './backend.js';
import { basicAuth } from './basic.js';
import type { Connection } from './connection.js';
import { AuthCredentials, NO_CREDENTIALS } from './credentials.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import type { ResponseDescription } from './response.js';
import { ANONYMOUS, SimpleUser, type BaseUser } from './user.js';
import { FIXED_NOW as FIXED, conn, configError, proceedOf, responseOf } from '../../test-support/connection.js';

const CHALLENGE = 'Test realm="api"';
const alice = new SimpleUser('alice');
const ALICE = { user: alice, auth: new AuthCredentials(['authenticated', 'admin']) };

/**
 * A backend keyed on `x-user`: absent → anonymous; `alice` → alice; `bad` → invalid_credentials;
 * `down` → a plain Error (the store is down).
 */
function decide(c: Connection): AuthenticateResult<SimpleUser> {
  const who = c.header('x-user');
  if (who === undefined) return null;
  if (who === 'alice') return ALICE;
  if (who === 'down') throw new Error('store unreachable');
  throw new AuthenticationError('invalid_credentials');
}

const syncBackend: AuthenticationBackend<SimpleUser> = { challenges: [CHALLENGE], authenticate: decide };
const asyncBackend: AuthenticationBackend<SimpleUser> = {
  challenges: [CHALLENGE],
  authenticate: async (c) => decide(c),
};

function make(options: Partial<AuthenticationOptions<SimpleUser>> = {}) {
  return createAuthenticator<SimpleUser>({ backend: syncBackend, ...options });
}

function sync<T>(value: T | Promise<T>): T {
  expect(value).not.toBeInstanceOf(Promise);
  return value as T;
}

describe('createAuthenticator: sync and async', () => {
  it('a sync backend gives a sync decision', () => {
    const d = make().run(conn({ headers: { 'x-user': 'alice' } }));
    expect(d).not.toBeInstanceOf(Promise);
    const p = proceedOf(d as AuthDecision<BaseUser>);
    expect(p.user).toBe(alice);
    expect(p.auth.scopes).toEqual(['authenticated', 'admin']);
  });

  it('a sync backend gives a sync error answer', () => {
    const d = make().run(conn({ headers: { 'x-user': 'bad' } }));
    expect(d).not.toBeInstanceOf(Promise);
    expect(responseOf(d as AuthDecision<BaseUser>).status).toBe(401);
  });

  it('an async backend gives a Promise of the decision', async () => {
    const a = make({ backend: asyncBackend });
    const d = a.run(conn({ headers: { 'x-user': 'alice' } }));
    expect(d).toBeInstanceOf(Promise);
    expect(proceedOf(await d).user).toBe(alice);
    const bad = a.run(conn({ headers: { 'x-user': 'bad' } }));
    expect(bad).toBeInstanceOf(Promise);
    expect(responseOf(await bad).status).toBe(401);
  });

  it('a backend promise whose species is a plain thenable still gives a native Promise of the decision (never read as a ready decision)', async () => {
    // A Promise subclass whose `then` builds a non-Promise thenable: an adapter that tells
    // pending from ready with `instanceof Promise` would have read it as a decision without
    // a type and let the request through (review of the Fetch adapter, issue #17).
    class Odd<T> extends Promise<T> {
      static override get [Symbol.species](): PromiseConstructor {
        return function (executor: (resolve: (v: unknown) => void, reject: (e: unknown) => void) => void) {
          const inner = new Promise(executor);
          return { then: (a: never, b: never) => inner.then(a, b) };
        } as unknown as PromiseConstructor;
      }
    }
    const odd: AuthenticationBackend<SimpleUser> = { name: 'odd', authenticate: () => Odd.resolve(null) as Promise<AuthenticateResult<SimpleUser>> };
    const d = make({ backend: odd }).run(conn());
    expect(d).toBeInstanceOf(Promise);
    expect(proceedOf(await d).user).toBe(ANONYMOUS);
    const failing: AuthenticationBackend<SimpleUser> = {
      name: 'odd',
      authenticate: () => Odd.reject(new AuthenticationError('invalid_credentials')) as Promise<AuthenticateResult<SimpleUser>>,
    };
    const e = make({ backend: failing, onError: () => Odd.resolve({ status: 418, headers: {}, body: 'teapot' }) as never }).run(conn());
    expect(e).toBeInstanceOf(Promise);
    expect(responseOf(await e).status).toBe(418);
  });

  it('anonymous: ANONYMOUS user and no scopes', () => {
    for (const a of [make(), make({ mode: 'optional' })]) {
      const p = proceedOf(sync(a.run(conn())));
      expect(p.user).toBe(ANONYMOUS);
      expect(p.user.isAuthenticated).toBe(false);
      expect(p.auth).toBe(NO_CREDENTIALS);
      expect(p.auth.scopes).toEqual([]);
    }
  });

  it('anonymous through an async backend', async () => {
    const p = proceedOf(await make({ backend: asyncBackend }).run(conn()));
    expect(p.user).toBe(ANONYMOUS);
    expect(p.auth.scopes).toEqual([]);
  });

  it('exposes the challenges and the configured clock', () => {
    const a = make({ clock: () => FIXED });
    expect(a.challenges).toEqual([CHALLENGE]);
    expect(a.clock()).toBe(FIXED);
    expect(make().clock).toBe(Date.now);
  });
});

describe('createAuthenticator: errors', () => {
  it('CHN-06 invalid credentials never fall back to anonymous (optional mode)', () => {
    const r = responseOf(sync(make().run(conn({ headers: { 'x-user': 'bad' } }))));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('CHN-07 optional mode with invalid credentials does not proceed, sync or async', async () => {
    expect(sync(make().run(conn({ headers: { 'x-user': 'bad' } }))).type).toBe('respond');
    expect((await make({ backend: asyncBackend }).run(conn({ headers: { 'x-user': 'bad' } }))).type).toBe('respond');
  });

  it('BAS-19 a backend that throws a plain Error answers 503 (fails closed)', () => {
    const r = responseOf(sync(make().run(conn({ headers: { 'x-user': 'down' } }))));
    expect(r.status).toBe(503);
    expect(r.body).not.toContain('unreachable');
    expect(r.headers['www-authenticate']).toBeUndefined();
  });

  it('BAS-19 a backend that rejects with a plain Error answers 503', async () => {
    const r = responseOf(await make({ backend: asyncBackend }).run(conn({ headers: { 'x-user': 'down' } })));
    expect(r.status).toBe(503);
  });

  it('a backend that returns a principal without user or auth answers 503', async () => {
    const broken = (value: unknown): AuthenticationBackend => ({ authenticate: () => value as AuthenticateResult });
    for (const value of [{ user: alice }, { auth: NO_CREDENTIALS }, { user: 'alice', auth: NO_CREDENTIALS }, { user: alice, auth: ['admin'] }]) {
      expect(responseOf(sync(createAuthenticator({ backend: broken(value) }).run(conn()))).status).toBe(503);
    }
  });

  it('onError receives the connection and the AuthenticationError, and its answer is used', () => {
    const seen: [Connection, string][] = [];
    const a = make({
      onError: (c, error) => {
        seen.push([c, error.code]);
        return { status: 401, headers: { 'content-type': 'application/json' }, body: '{"error":"custom"}' };
      },
    });
    const c = conn({ headers: { 'x-user': 'bad' } });
    const r = responseOf(sync(a.run(c)));
    expect(r).toEqual({ status: 401, headers: { 'content-type': 'application/json' }, body: '{"error":"custom"}' });
    expect(seen).toEqual([[c, 'invalid_credentials']]);
  });

  it('BAS-19 onError sees backend_unavailable with the cause for a plain Error', () => {
    const codes: string[] = [];
    const a = make({
      onError: (_c, error) => {
        codes.push(error.code);
        expect(error).toBeInstanceOf(AuthenticationError);
        expect(error.cause).toBeInstanceOf(Error);
        return { status: 500, headers: {}, body: 'x' };
      },
    });
    expect(responseOf(sync(a.run(conn({ headers: { 'x-user': 'down' } })))).status).toBe(500);
    expect(codes).toEqual(['backend_unavailable']);
  });

  it('an async onError is awaited', async () => {
    const a = make({ onError: async () => ({ status: 418, headers: {}, body: 'teapot' }) });
    const d = a.run(conn({ headers: { 'x-user': 'bad' } }));
    expect(d).toBeInstanceOf(Promise);
    expect(responseOf(await d).status).toBe(418);
  });

  it('onError that throws falls back to the default table answer', () => {
    const a = make({
      onError: () => {
        throw new Error('broken hook');
      },
    });
    const r = responseOf(sync(a.run(conn({ headers: { 'x-user': 'bad' } }))));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('onError that rejects falls back to the default table answer', async () => {
    const a = make({ onError: () => Promise.reject(new Error('broken hook')) });
    const r = responseOf(await a.run(conn({ headers: { 'x-user': 'down' } })));
    expect(r.status).toBe(503);
  });

  const garbage: unknown[] = [
    undefined,
    null,
    'nope',
    42,
    {},
    { status: '401', headers: {}, body: '' },
    { status: 401.5, headers: {}, body: '' },
    { status: 199, headers: {}, body: '' },
    { status: 600, headers: {}, body: '' },
    { status: 401, headers: null, body: '' },
    { status: 401, headers: {}, body: 1 },
    { status: 401, body: '' },
  ];
  for (const [i, value] of garbage.entries()) {
    it(`onError that returns garbage #${i} falls back to the default table answer`, async () => {
      const syncHook = make({ onError: () => value as ResponseDescription });
      const r = responseOf(sync(syncHook.run(conn({ headers: { 'x-user': 'bad' } }))));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe(CHALLENGE);
      const asyncHook = make({ onError: async () => value as ResponseDescription });
      expect(responseOf(await asyncHook.run(conn({ headers: { 'x-user': 'bad' } }))).status).toBe(401);
    });
  }

  it('onError is not called for anonymous requests or successes', () => {
    let calls = 0;
    const a = make({ mode: 'required', onError: () => (calls++, { status: 418, headers: {}, body: '' }) });
    expect(responseOf(sync(a.run(conn()))).status).toBe(401);
    proceedOf(sync(a.run(conn({ headers: { 'x-user': 'alice' } }))));
    expect(calls).toBe(0);
  });
});

describe('createAuthenticator: required mode', () => {
  it('GRD-01 an anonymous API request is 401 with the challenges, never 403', () => {
    const r = responseOf(sync(make({ mode: 'required' }).run(conn({ headers: { accept: 'application/json' } }))));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
    expect(JSON.parse(r.body)).toEqual({ error: 'unauthorized' });
  });

  it('GRD-01 required mode also answers 401 through an async backend', async () => {
    const r = responseOf(await make({ mode: 'required', backend: asyncBackend }).run(conn()));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('an authenticated request continues in required mode', () => {
    expect(proceedOf(sync(make({ mode: 'required' }).run(conn({ headers: { 'x-user': 'alice' } })))).user).toBe(alice);
  });

  it('GRD-12 client-sent identity headers are ignored', () => {
    const r = responseOf(
      sync(make({ mode: 'required' }).run(conn({ headers: { 'x-user-id': 'admin', 'x-scopes': 'admin', 'x-forwarded-user': 'admin' } }))),
    );
    expect(r.status).toBe(401);
  });

  it('exclude: an exact path is excluded, nothing else', () => {
    const a = make({ mode: 'required', exclude: ['/login'] });
    expect(proceedOf(sync(a.run(conn({ target: '/login' })))).user).toBe(ANONYMOUS);
    expect(proceedOf(sync(a.run(conn({ target: '/login?next=%2Fadmin' })))).user).toBe(ANONYMOUS);
    for (const target of ['/login/', '/login/x', '/LOGIN', '/loginx', '/']) {
      expect(responseOf(sync(a.run(conn({ target })))).status).toBe(401);
    }
  });

  it('exclude: /* excludes every path below the segment', () => {
    const a = make({ mode: 'required', exclude: ['/public/*'] });
    for (const target of ['/public/', '/public/a', '/public/a/b?c=d']) {
      expect(sync(a.run(conn({ target }))).type).toBe('continue');
    }
    for (const target of ['/public', '/publicity', '/admin/public/a']) {
      expect(responseOf(sync(a.run(conn({ target })))).status).toBe(401);
    }
  });

  it('exclude: an anchored RegExp is accepted', () => {
    const a = make({ mode: 'required', exclude: [/^\/health(?:z)?$/] });
    expect(sync(a.run(conn({ target: '/health' }))).type).toBe('continue');
    expect(sync(a.run(conn({ target: '/healthz' }))).type).toBe('continue');
    expect(responseOf(sync(a.run(conn({ target: '/health/x' })))).status).toBe(401);
  });

  it('exclude: an unanchored RegExp throws ConfigurationError', () => {
    configError(() => make({ mode: 'required', exclude: [/\/health/] }));
    configError(() => make({ mode: 'required', exclude: [/^\/health/] }));
    configError(() => make({ mode: 'required', exclude: [/\/health$/] }));
    configError(() => make({ mode: 'required', exclude: [/^\/health$/g] }));
  });

  it('exclude: excluded paths still authenticate present credentials', () => {
    const a = make({ mode: 'required', exclude: ['/login'] });
    expect(proceedOf(sync(a.run(conn({ target: '/login', headers: { 'x-user': 'alice' } })))).user).toBe(alice);
    expect(responseOf(sync(a.run(conn({ target: '/login', headers: { 'x-user': 'bad' } })))).status).toBe(401);
  });

  for (const target of ['//public/x', '/public//x', '/public/..%2Fadmin', '/public/%2e%2e/admin', '/public/%2E%2E/admin', '/public/./x', '/public/../admin', '/public/%2fx', '/public/a\\b', '/public/%5cx']) {
    it(`GRD-08 non-canonical path ${target} is never excluded`, () => {
      const a = make({ mode: 'required', exclude: ['/public/*', '/login', /^\/public\/.*$/] });
      expect(responseOf(sync(a.run(conn({ target })))).status).toBe(401);
    });
  }

  it('GRD-08 //login is not the excluded /login', () => {
    const a = make({ mode: 'required', exclude: ['/login'] });
    expect(responseOf(sync(a.run(conn({ target: '//login' })))).status).toBe(401);
    expect(responseOf(sync(a.run(conn({ target: '/./login' })))).status).toBe(401);
  });

  it('GRD-08 an absolute-form target is judged on the path as sent, not a resolved one', () => {
    const a = make({ mode: 'required', exclude: ['/public/*'] });
    // A Node router serves this target from /admin/...: the core must not see /public/x.
    expect(responseOf(sync(a.run(conn({ target: 'http://app.example/admin/../public/x' })))).status).toBe(401);
    expect(sync(a.run(conn({ target: 'http://app.example/public/x' }))).type).toBe('continue');
  });

  it('GRD-08 a RegExp exclude with top-level alternation matches only whole paths', () => {
    const a = make({ mode: 'required', exclude: [/^\/health|\/metrics$/] });
    expect(sync(a.run(conn({ target: '/health' }))).type).toBe('continue');
    expect(sync(a.run(conn({ target: '/metrics' }))).type).toBe('continue');
    expect(responseOf(sync(a.run(conn({ target: '/healthcheck/admin' })))).status).toBe(401);
    expect(responseOf(sync(a.run(conn({ target: '/admin/metrics' })))).status).toBe(401);
  });

  it('OPTIONS passes anonymously by default', () => {
    const p = proceedOf(sync(make({ mode: 'required' }).run(conn({ method: 'OPTIONS', target: '/admin' }))));
    expect(p.user).toBe(ANONYMOUS);
    expect(proceedOf(sync(make({ mode: 'required' }).run(conn({ method: 'options', target: '/admin' })))).user).toBe(ANONYMOUS);
  });

  it('OPTIONS with invalid credentials is still an error', () => {
    expect(responseOf(sync(make({ mode: 'required' }).run(conn({ method: 'OPTIONS', headers: { 'x-user': 'bad' } })))).status).toBe(401);
  });

  it('an OPTIONS upgrade is no preflight: refused like a GET upgrade, whatever the Upgrade value', () => {
    const a = make({ mode: 'required' });
    const ws = responseOf(sync(a.run(conn({ method: 'OPTIONS', target: '/ws', headers: { upgrade: 'websocket', connection: 'Upgrade' } }))));
    expect([ws.status, ws.refuseUpgrade]).toEqual([403, true]);
    // An explicit websocket kind (Node's upgrade event) without the field is no preflight either.
    expect(responseOf(sync(a.run(conn({ method: 'OPTIONS', kind: 'websocket', target: '/ws' })))).status).toBe(403);
    // Two Upgrade lines joined: no websocket for the core, but Bun and Deno upgrade it.
    const joined = responseOf(sync(a.run(conn({ method: 'OPTIONS', target: '/ws', headers: { upgrade: 'h2c, websocket' } }))));
    expect([joined.status, joined.headers['www-authenticate']]).toEqual([401, CHALLENGE]);
    expect(responseOf(sync(a.run(conn({ method: 'OPTIONS', target: '/ws', headers: { upgrade: 'h2c' } })))).status).toBe(401);
  });

  it('OPTIONS needs a user when allowOptions is false', () => {
    const r = responseOf(sync(make({ mode: 'required', allowOptions: false }).run(conn({ method: 'OPTIONS', target: '/admin' }))));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe(CHALLENGE);
  });

  it('a websocket upgrade in required mode is refused with 403', () => {
    const r = responseOf(sync(make({ mode: 'required' }).run(conn({ kind: 'websocket', target: '/ws' }))));
    expect(r.status).toBe(403);
    expect(r.refuseUpgrade).toBe(true);
    expect(r.headers['www-authenticate']).toBeUndefined();
    expect(r).toEqual({ status: 403, headers: {}, body: '', refuseUpgrade: true });
  });

  it('a websocket upgrade detected from the Upgrade header is refused with 403', () => {
    const r = responseOf(sync(make({ mode: 'required' }).run(conn({ target: '/ws', headers: { upgrade: 'websocket', connection: 'Upgrade' } }))));
    expect(r.status).toBe(403);
    expect(r.refuseUpgrade).toBe(true);
  });

  it('every answer to an upgrade is a refusal with no body: the challenge stays, representation headers go', () => {
    const r = responseOf(sync(make().run(conn({ kind: 'websocket', headers: { 'x-user': 'bad' } }))));
    expect(r).toEqual({ status: 401, headers: { 'cache-control': 'no-store', 'www-authenticate': CHALLENGE }, body: '' });
    const down = responseOf(sync(make().run(conn({ kind: 'websocket', headers: { 'x-user': 'down' } }))));
    expect(down).toEqual({ status: 503, headers: { 'cache-control': 'no-store' }, body: '' });
  });

  it("an onError answer to an upgrade is refused the same way (no body, no content headers)", async () => {
    const onError = () => ({ status: 401, headers: { 'Content-Type': 'application/json', 'x-reason': 'hook' }, body: '{"error":"nope"}' });
    const r = responseOf(await make({ onError }).run(conn({ kind: 'websocket', headers: { 'x-user': 'bad' } })));
    expect(r).toEqual({ status: 401, headers: { 'x-reason': 'hook' }, body: '' });
    const http = responseOf(await make({ onError }).run(conn({ headers: { 'x-user': 'bad' } })));
    expect(http.body).toBe('{"error":"nope"}');
  });

  it('an authenticated websocket upgrade continues', () => {
    expect(proceedOf(sync(make({ mode: 'required' }).run(conn({ kind: 'websocket', headers: { 'x-user': 'alice' } })))).user).toBe(alice);
  });

  it('optional mode lets anonymous websocket upgrades through (guards decide)', () => {
    expect(proceedOf(sync(make().run(conn({ kind: 'websocket' })))).user).toBe(ANONYMOUS);
  });

  it('BAS-02 required mode with basicAuth answers 401 with the Basic challenge', () => {
    const a = createAuthenticator({ backend: basicAuth({ realm: 'api', verify: () => null }), mode: 'required' });
    const r = responseOf(sync(a.run(conn())));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Basic realm="api", charset="UTF-8"');
  });
});

describe('createAuthenticator: configuration errors', () => {
  it('missing options or backend', () => {
    configError(() => createAuthenticator(undefined as never));
    configError(() => createAuthenticator({} as never));
    configError(() => createAuthenticator({ backend: null } as never));
    configError(() => createAuthenticator({ backend: {} } as never));
    configError(() => createAuthenticator({ backend: { authenticate: 'yes' } } as never));
  });

  it('bad mode', () => {
    configError(() => make({ mode: 'strict' as never }));
    configError(() => make({ mode: 'Required' as never }));
  });

  it('non-function onError', () => {
    configError(() => make({ onError: 'log' as never }));
    configError(() => make({ onError: {} as never }));
  });

  it('non-function clock', () => {
    configError(() => make({ clock: 5 as never }));
  });

  it('challenges with control characters', () => {
    configError(() => make({ backend: { challenges: ['Basic realm="a"\r\nSet-Cookie: x=y'], authenticate: () => null } }));
    configError(() => make({ backend: { challenges: [42 as never], authenticate: () => null } }));
  });

  it('challenges that cannot be sent in a header (beyond Latin-1)', () => {
    configError(() => make({ backend: { challenges: ['Basic realm="日本"'], authenticate: () => null } }));
  });

  it('bad exclude patterns', () => {
    configError(() => make({ exclude: ['login'] }));
    configError(() => make({ exclude: ['/a*b'] }));
    configError(() => make({ exclude: ['/a/../*'] }));
    configError(() => make({ exclude: ['//a'] }));
    configError(() => make({ exclude: [42 as never] }));
    configError(() => make({ exclude: '/login' as never }));
    configError(() => make({ exclude: null as never }));
  });

  it('configuration is checked at construction, not per request', () => {
    let calls = 0;
    const backend: AuthenticationBackend = { authenticate: () => (calls++, null) };
    configError(() => createAuthenticator({ backend, mode: 'bogus' as never }));
    expect(calls).toBe(0);
  });
});
