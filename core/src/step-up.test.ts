import { describe, expect, it } from 'vitest';
import { conn, FIXED_NOW } from '../../test-support/connection.js';
import { all } from './all.js';
import { apiKeyAuth } from './api-key.js';
import { createAuthenticator, type AuthenticationFailure, type Authenticator } from './authenticator.js';
import { basicAuth } from './basic.js';
import { bearerAuth, bearerScheme } from './bearer.js';
import { createConnection, type Connection } from './connection.js';
import { AuthCredentials } from './credentials.js';
import { ConfigurationError } from './errors.js';
import { createGuard, type GuardState } from './guard.js';
import { protectedResourceMetadata } from './resource-metadata.js';
import type { ResponseDescription } from './response.js';
import { sessionAuth } from './session/session-auth.js';
import { login } from './session/state.js';
import { webSessions } from './session/web-session.js';
import { tokenAuth } from './token.js';
import { SimpleUser, type BaseUser } from './user.js';

const SECOND = 1000;
const HTML = 'text/html,application/xhtml+xml';
const METADATA = 'https://api.example.com/.well-known/oauth-protected-resource';
const scheme = bearerScheme('api', { resourceMetadata: METADATA });

const bearerState = (options: ConstructorParameters<typeof AuthCredentials>[1] = {}): GuardState => ({
  user: new SimpleUser('alice'),
  auth: new AuthCredentials(['authenticated'], { ...scheme.credentials, ...options }),
  challenges: [scheme.challenge],
});
const sessionState = (options: ConstructorParameters<typeof AuthCredentials>[1] = {}): GuardState => ({
  user: new SimpleUser('alice'),
  auth: new AuthCredentials(['authenticated'], options),
  challenges: ['Cookie realm="app"'],
});

function refused(value: ResponseDescription | null): ResponseDescription {
  if (value === null) throw new Error('expected a refusal');
  return value;
}

describe('requires(…, { maxAge, acr, amr }): step-up (RFC 9470)', () => {
  it('STP-10 an authentication younger than maxAge passes; exactly maxAge still passes', () => {
    const guard = createGuard('authenticated', { maxAge: 300 });
    expect(guard.check(conn(), bearerState({ authTime: FIXED_NOW - 10 * SECOND }))).toBeNull();
    expect(guard.check(conn(), bearerState({ authTime: FIXED_NOW - 300 * SECOND }))).toBeNull();
    expect(guard.check(conn(), sessionState({ authTime: FIXED_NOW }))).toBeNull();
  });

  it('STP-11 older than maxAge, bearer client: 401 insufficient_user_authentication with max_age (and resource_metadata)', () => {
    const guard = createGuard('authenticated', { maxAge: 300 });
    const answer = refused(guard.check(conn({ headers: { accept: 'application/json' } }), bearerState({ authTime: FIXED_NOW - 301 * SECOND })));
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe(
      `Bearer realm="api", error="insufficient_user_authentication", error_description="More recent authentication is required", max_age="300", resource_metadata="${METADATA}"`,
    );
    expect(JSON.parse(answer.body)).toEqual({ error: 'insufficient_user_authentication' });
  });

  it('STP-11 an authentication time more than a minute ahead of the clock counts as unknown (it would pass maxAge for ever)', () => {
    const guard = createGuard('authenticated', { maxAge: 300 });
    expect(guard.check(conn(), bearerState({ authTime: FIXED_NOW + 30 * SECOND }))).toBeNull();
    expect(refused(guard.check(conn(), bearerState({ authTime: FIXED_NOW + 10_000 * SECOND }))).status).toBe(401);
  });

  it('STP-11 an unknown authentication time (no auth_time, a session from before the record) needs a new authentication', () => {
    const guard = createGuard('authenticated', { maxAge: 3600 });
    expect(refused(guard.check(conn(), bearerState())).status).toBe(401);
    expect(refused(guard.check(conn(), sessionState())).status).toBe(401);
  });

  it('STP-12 acr not among the acceptable values: 401 with acr_values (and max_age when the guard has one)', () => {
    const guard = createGuard('authenticated', { acr: ['urn:example:mfa', 'urn:example:hwk'], maxAge: 600 });
    const answer = refused(guard.check(conn(), bearerState({ acr: 'urn:example:pwd', authTime: FIXED_NOW })));
    expect(answer.status).toBe(401);
    expect(answer.headers['www-authenticate']).toBe(
      `Bearer realm="api", error="insufficient_user_authentication", error_description="A different authentication level is required", max_age="600", acr_values="urn:example:mfa urn:example:hwk", resource_metadata="${METADATA}"`,
    );
    expect(guard.check(conn(), bearerState({ acr: 'urn:example:hwk', authTime: FIXED_NOW }))).toBeNull();
    expect(refused(guard.check(conn(), bearerState({ authTime: FIXED_NOW }))).status).toBe(401);
  });

  it('STP-12 amr: every required method must have been used', () => {
    const guard = createGuard('authenticated', { amr: ['pwd', 'otp'] });
    expect(guard.check(conn(), sessionState({ amr: ['otp', 'pwd'] }))).toBeNull();
    const answer = refused(guard.check(conn(), bearerState({ amr: ['pwd'] })));
    expect(answer.headers['www-authenticate']).toMatch(/error="insufficient_user_authentication", error_description="A different authentication level is required", resource_metadata=/);
  });

  it('scopes are checked first: missing scopes answer as before', () => {
    const guard = createGuard('admin', { maxAge: 60 });
    expect(refused(guard.check(conn(), bearerState({ authTime: FIXED_NOW }))).status).toBe(403);
  });

  it('a session in a browser is sent to login with next; without redirect, or not a navigation, 401 with the backend challenge', () => {
    const guarded = createGuard('authenticated', { maxAge: 60, redirect: '/login' });
    const answer = refused(guarded.check(conn({ target: '/transfer?amount=5', headers: { accept: HTML } }), sessionState({ authTime: FIXED_NOW - 61 * SECOND })));
    expect(answer.status).toBe(303);
    expect(answer.headers.location).toBe('/login?next=%2Ftransfer%3Famount%3D5');
    const api = refused(guarded.check(conn({ method: 'POST', target: '/transfer' }), sessionState({ authTime: FIXED_NOW - 61 * SECOND })));
    expect(api.status).toBe(401);
    expect(api.headers['www-authenticate']).toBe('Cookie realm="app"');
    const plain = refused(createGuard('authenticated', { maxAge: 60 }).check(conn({ headers: { accept: HTML } }), sessionState()));
    expect(plain.status).toBe(401);
  });

  it('a cookie JWT in a browser (Bearer-style credentials, no Authorization header) is sent to login too; a header client gets the challenge', () => {
    const guarded = createGuard('authenticated', { maxAge: 60, redirect: '/login' });
    const old = bearerState({ authTime: FIXED_NOW - 61 * SECOND });
    const browser = refused(guarded.check(conn({ target: '/transfer', headers: { accept: HTML, cookie: 'token=x' } }), old));
    expect(browser.status).toBe(303);
    expect(browser.headers.location).toBe('/login?next=%2Ftransfer');
    const client = refused(guarded.check(conn({ target: '/transfer', headers: { accept: HTML, authorization: 'Bearer x' } }), old));
    expect(client.status).toBe(401);
    expect(client.headers['www-authenticate']).toContain('insufficient_user_authentication');
  });

  it('a websocket upgrade is refused like other guard failures', () => {
    const answer = refused(createGuard('authenticated', { maxAge: 60 }).check(conn({ kind: 'websocket' }), bearerState()));
    expect(answer.refuseUpgrade).toBe(true);
    expect(answer.status).toBe(403);
  });

  it('uses the connection clock', () => {
    const guard = createGuard('authenticated', { maxAge: 60 });
    const state = bearerState({ authTime: FIXED_NOW });
    expect(guard.check(conn({ now: FIXED_NOW + 60 * SECOND }), state)).toBeNull();
    expect(refused(guard.check(conn({ now: FIXED_NOW + 61 * SECOND }), state)).status).toBe(401);
  });

  it('Basic, Token and API keys authenticate at every request: maxAge holds; Basic says pwd', async () => {
    const user = new SimpleUser('alice');
    const backends = [
      basicAuth({ verify: () => user }),
      tokenAuth({ verify: () => user }),
      apiKeyAuth({ header: 'x-api-key', verify: () => user }),
    ];
    const headers: Record<string, string>[] = [{ authorization: 'Basic ' + btoa('alice:pw') }, { authorization: 'Token abc' }, { 'x-api-key': 'k' }];
    const guard = createGuard('authenticated', { maxAge: 0 });
    for (const [i, backend] of backends.entries()) {
      const principal = await backend.authenticate(conn({ headers: headers[i] }));
      const auth = principal?.auth as AuthCredentials;
      expect(auth.everyRequest).toBe(true);
      expect(auth.authTime).toBeUndefined();
      expect(guard.check(conn(), { user, auth, challenges: [] })).toBeNull();
    }
    const basic = await backends[0]?.authenticate(conn({ headers: headers[0] }));
    expect(basic?.auth.amr).toEqual(['pwd']);
    expect(createGuard('authenticated', { amr: 'otp' }).check(conn(), { user, auth: basic?.auth as AuthCredentials, challenges: [] })?.status).toBe(401);
  });

  it('all([...]): the designated part (the person) decides', async () => {
    const user = new SimpleUser('alice');
    const backend = all([apiKeyAuth({ header: 'x-api-key', verify: () => new SimpleUser('app') }), basicAuth({ verify: () => user })]);
    const principal = await backend.authenticate(conn({ headers: { 'x-api-key': 'k', authorization: 'Basic ' + btoa('alice:pw') } }));
    expect(principal?.auth.amr).toEqual(['pwd']);
    expect(principal?.auth.everyRequest).toBe(true);
  });

  it('checks maxAge, acr and amr at startup', () => {
    for (const options of [{ maxAge: -1 }, { maxAge: 1.5 }, { maxAge: '60' }, { acr: [] }, { acr: 'a b' }, { acr: 'x"y' }, { amr: [''] }, { amr: 7 }]) {
      expect(() => createGuard('authenticated', options as never)).toThrow(ConfigurationError);
    }
    expect(() => createGuard('authenticated', { maxAge: 0, acr: 'urn:a', amr: 'otp' })).not.toThrow();
  });
});

describe('login(…, { methods, acr }) records when and how (sessions)', () => {
  const users = new Map([['alice', new SimpleUser('alice')]]);
  function app() {
    let now = FIXED_NOW;
    const engine = webSessions({ secret: 'unit-test-secret-0123456789abcdef-0123', cookie: { secure: false }, clock: () => now });
    const authenticator = createAuthenticator(sessionAuth({ retrieveUser: (s) => users.get(String(s.user_id)) ?? null, mode: 'optional' }));
    const open = (cookie?: string, method = 'GET') => {
      const handle = engine.open({ cookies: new Map(cookie === undefined ? [] : [['id', cookie]]), secure: false });
      const connection: Connection = createConnection({ method, target: '/', header: () => undefined, session: handle.port, now: () => now });
      return { handle, connection };
    };
    const logIn = async (options?: Parameters<typeof login>[3]) => {
      const { handle, connection } = open(undefined, 'POST');
      await login(connection, users.get('alice') as SimpleUser, { user_id: 'alice' }, options);
      return (handle.setCookies()[0] as string).split(';')[0]?.slice(3) as string;
    };
    const credentials = async (cookie: string) => {
      const decision = await authenticator.run(open(cookie).connection);
      if (decision.type !== 'continue') throw new Error('expected to continue');
      return decision.auth;
    };
    return { logIn, credentials, open, advance: (ms: number) => void (now += ms), now: () => now };
  }

  it('STP-10 a session logged in just now passes maxAge; its time, methods and acr are the credentials', async () => {
    const a = app();
    const sid = await a.logIn({ methods: ['pwd', 'otp'], acr: 'urn:example:mfa' });
    a.advance(5 * SECOND);
    const auth = await a.credentials(sid);
    expect(auth.authTime).toBe(FIXED_NOW);
    expect(auth.amr).toEqual(['pwd', 'otp']);
    expect(auth.acr).toBe('urn:example:mfa');
    const guard = createGuard('authenticated', { maxAge: 60, acr: 'urn:example:mfa', amr: 'otp' });
    expect(guard.check(a.open(sid).connection, { user: new SimpleUser('alice'), auth, challenges: [] })).toBeNull();
    // Later requests refresh `seen`, never the authentication time.
    a.advance(10 * 60 * SECOND);
    const later = await a.credentials(sid);
    expect(later.authTime).toBe(FIXED_NOW);
    expect(guard.check(a.open(sid).connection, { user: new SimpleUser('alice'), auth: later, challenges: [] })?.status).toBe(401);
  });

  it('without options login still records the time; methods and acr are unknown', async () => {
    const a = app();
    const auth = await a.credentials(await a.logIn());
    expect(auth.authTime).toBe(FIXED_NOW);
    expect(auth.amr).toEqual([]);
    expect(auth.acr).toBeUndefined();
  });

  it('refuses malformed options (a programming mistake)', async () => {
    const a = app();
    for (const options of [{ methods: [] }, { methods: ['a b'] }, { methods: 'pwd' }, { acr: '' }, { acr: 3 }]) {
      await expect(a.logIn(options as never)).rejects.toThrow(TypeError);
    }
  });
});

describe('resource_metadata in Bearer challenges (RFC 9728 §5.1)', () => {
  it('MD-10 every Bearer challenge carries the configured absolute URL, whatever Host says', async () => {
    const backend = bearerAuth({ verify: () => null, resourceMetadata: METADATA });
    const authenticator = createAuthenticator({ backend, mode: 'required' });
    const anonymous = await authenticator.run(conn({ headers: { host: 'evil.example' } }));
    expect(anonymous.type === 'respond' && anonymous.response.headers['www-authenticate']).toBe(`Bearer realm="api", resource_metadata="${METADATA}"`);
    const invalid = await authenticator.run(conn({ headers: { host: 'evil.example', authorization: 'Bearer abc' } }));
    expect(invalid.type === 'respond' && invalid.response.headers['www-authenticate']).toBe(`Bearer realm="api", error="invalid_token", resource_metadata="${METADATA}"`);
    expect(scheme.invalidRequest).toBe(`Bearer realm="api", error="invalid_request", resource_metadata="${METADATA}"`);
    expect(scheme.insufficientScope(['admin'])).toBe(`Bearer realm="api", error="insufficient_scope", scope="admin", resource_metadata="${METADATA}"`);
  });

  it('MD-10 the URL must be absolute https (http only for localhost): a ConfigurationError at startup', () => {
    // A backslash survives URL serialisation in the query and would escape the challenge's closing quote.
    expect(() => bearerScheme('api', { resourceMetadata: 'https://api.example/.well-known/oauth-protected-resource?v=a\\' })).toThrow(ConfigurationError);
    for (const bad of ['/.well-known/oauth-protected-resource', 'http://api.example.com/x', 'ftp://api.example.com', 'https://u:p@api.example.com/', 'https://api.example.com/#x', '', 'https://']) {
      expect(() => bearerAuth({ verify: () => null, resourceMetadata: bad })).toThrow(ConfigurationError);
    }
    expect(bearerScheme('api', { resourceMetadata: 'http://localhost:8080/.well-known/oauth-protected-resource' }).challenge).toBe(
      'Bearer realm="api", resource_metadata="http://localhost:8080/.well-known/oauth-protected-resource"',
    );
  });
});

describe('protectedResourceMetadata (RFC 9728)', () => {
  it('builds the document, its well-known URL and path, and a 200 JSON answer', () => {
    const metadata = protectedResourceMetadata({
      resource: 'https://api.example.com',
      authorizationServers: ['https://login.example.com'],
      scopesSupported: ['read', 'write'],
      jwksUri: 'https://api.example.com/jwks.json',
      resourceName: 'Example API',
    });
    expect(metadata.url).toBe(METADATA);
    expect(metadata.path).toBe('/.well-known/oauth-protected-resource');
    expect(metadata.document).toEqual({
      resource: 'https://api.example.com',
      authorization_servers: ['https://login.example.com'],
      jwks_uri: 'https://api.example.com/jwks.json',
      scopes_supported: ['read', 'write'],
      bearer_methods_supported: ['header'],
      resource_name: 'Example API',
    });
    expect(metadata.response.status).toBe(200);
    expect(metadata.response.headers['content-type']).toBe('application/json');
    expect(JSON.parse(metadata.response.body)).toEqual(metadata.document);
    expect(Object.isFrozen(metadata.document)).toBe(true);
  });

  it('a resource with a path: the well-known segment goes between host and path (§3.1)', () => {
    const metadata = protectedResourceMetadata({ resource: 'https://example.com/api/v1' });
    expect(metadata.url).toBe('https://example.com/.well-known/oauth-protected-resource/api/v1');
    expect(metadata.path).toBe('/.well-known/oauth-protected-resource/api/v1');
  });

  it('refuses a resource that is not an absolute https URL without query and fragment', () => {
    for (const resource of ['api.example.com', 'http://api.example.com', 'https://api.example.com/?a=1', 'https://api.example.com/#f', undefined]) {
      expect(() => protectedResourceMetadata({ resource: resource as string })).toThrow(ConfigurationError);
    }
    expect(() => protectedResourceMetadata({ resource: 'https://a.example', scopesSupported: ['a b'] })).toThrow(ConfigurationError);
    expect(() => protectedResourceMetadata({ resource: 'https://a.example', authorizationServers: ['http://evil.example'] })).toThrow(ConfigurationError);
  });
});

describe('step-up refusals reach the failure log (authentication({ log }))', () => {
  const TOKEN = 'tok_step_up_9f8e7d6c5b4a3928';
  const setup = (credentials: ConstructorParameters<typeof AuthCredentials>[1], log: (event: AuthenticationFailure) => void, identity = 'alice') =>
    createAuthenticator({
      // Not tokenAuth: its credentials come with every request, so maxAge never refuses them.
      backend: { authenticate: (c: Connection) => (c.header('authorization') === `Token ${TOKEN}` ? { user: new SimpleUser(identity), auth: new AuthCredentials(['authenticated'], credentials) } : null) },
      log,
    });
  async function decide(authenticator: Authenticator<BaseUser>, guard: ReturnType<typeof createGuard>, connection: Connection) {
    const decision = await authenticator.run(connection);
    if (decision.type === 'respond') throw new Error('expected a principal');
    return guard.check(connection, { ...decision, challenges: authenticator.challenges });
  }
  const api = (target = '/transfer') => conn({ method: 'POST', target, headers: { accept: 'application/json', authorization: `Token ${TOKEN}` } });

  it('LEAK-07 STP-11 a maxAge refusal: one insufficient_user_authentication event with the user and reason step_up_required, never the token', async () => {
    const events: AuthenticationFailure[] = [];
    const authenticator = setup({ authTime: FIXED_NOW - 301 * SECOND }, (e) => events.push(e));
    const answer = refused(await decide(authenticator, createGuard('authenticated', { maxAge: 300 }), api()));
    expect(answer.status).toBe(401);
    expect(events).toEqual([
      { event: 'authentication_failed', code: 'insufficient_user_authentication', method: 'POST', path: '/transfer', subject: 'alice', reason: 'step_up_required' },
    ]);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('STP-12 an acr or amr refusal is logged too, and so is a step-up refused by a redirect to login or on an upgrade', async () => {
    const events: AuthenticationFailure[] = [];
    const authenticator = setup({ acr: 'urn:low', amr: ['pwd'], authTime: FIXED_NOW }, (e) => events.push(e));
    await decide(authenticator, createGuard('authenticated', { acr: 'urn:high' }), api('/a'));
    await decide(authenticator, createGuard('authenticated', { amr: ['otp'] }), api('/b'));
    const browser = conn({ target: '/c', headers: { accept: HTML, cookie: `t=${TOKEN}` } });
    const cookieAuthenticator = createAuthenticator({
      backend: { authenticate: (c: Connection) => (c.cookies.get('t') === TOKEN ? { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated'], { acr: 'urn:low' }) } : null) },
      log: (e) => events.push(e),
    });
    expect(refused(await decide(cookieAuthenticator, createGuard('authenticated', { acr: 'urn:high', redirect: '/login' }), browser)).status).toBe(303);
    const upgrade = conn({ target: '/d', headers: { upgrade: 'websocket', connection: 'Upgrade', authorization: `Token ${TOKEN}` } });
    expect(refused(await decide(authenticator, createGuard('authenticated', { acr: 'urn:high' }), upgrade)).status).toBe(403);
    expect(events.map((e) => [e.path, e.code, e.reason])).toEqual([
      ['/a', 'insufficient_user_authentication', 'step_up_required'],
      ['/b', 'insufficient_user_authentication', 'step_up_required'],
      ['/c', 'insufficient_user_authentication', 'step_up_required'],
      ['/d', 'insufficient_user_authentication', 'step_up_required'],
    ]);
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it('a step-up that passes and a missing scope log nothing; a throwing or rejecting logger changes no answer; the subject is escaped', async () => {
    const events: AuthenticationFailure[] = [];
    const fresh = setup({ authTime: FIXED_NOW }, (e) => events.push(e));
    expect(await decide(fresh, createGuard('authenticated', { maxAge: 300 }), api())).toBeNull();
    expect(refused(await decide(fresh, createGuard('admin', { maxAge: 300 }), api())).status).toBe(403);
    expect(events).toEqual([]);
    const stale = { authTime: FIXED_NOW - 301 * SECOND };
    const guard = createGuard('authenticated', { maxAge: 300 });
    expect(refused(await decide(setup(stale, () => { throw new Error('logger down'); }), guard, api())).status).toBe(401);
    expect(refused(await decide(setup(stale, () => Promise.reject(new Error('logger down')) as never), guard, api())).status).toBe(401);
    await decide(setup(stale, (e) => events.push(e), 'alice\r\nINFO ok'), guard, api());
    expect(events[0]?.subject).toBe('alice\\r\\nINFO ok');
  });

  it('a guard run on a connection no authenticator with a log let through (none, or one without log) logs nowhere and answers the same', async () => {
    const guard = createGuard('authenticated', { maxAge: 300 });
    expect(refused(guard.check(api(), bearerState({ authTime: FIXED_NOW - 301 * SECOND }))).status).toBe(401);
    const quiet = createAuthenticator({ backend: { authenticate: () => ({ user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated'], { authTime: 0 }) }) } });
    expect(refused(await decide(quiet, guard, api())).status).toBe(401);
  });
});
