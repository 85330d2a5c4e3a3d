import { describe, expect, expectTypeOf, it } from 'vitest';
import { all } from './all.js';
import { apiKeyAuth } from './api-key.js';
import { createAuthenticator } from './authenticator.js';
import type { AuthenticationBackend, Principal, ViaOf } from './backend.js';
import { basicAuth } from './basic.js';
import { bearerAuth } from './bearer.js';
import type { Connection } from './connection.js';
import { multi } from './multi.js';
import { sessionAuth } from './session/session-auth.js';
import { tokenAuth } from './token.js';
import { SimpleUser, UnauthenticatedUser } from './user.js';
import { codeOf, invalid, none, principal, probe, sync } from '../../test-support/backends.js';
import { AuthCredentials } from './credentials.js';
import { passwordBackend } from './password.js';
import { pbkdf2Hasher } from './hashing/pbkdf2.js';
import { conn as connection, configError, proceedOf, responseOf } from '../../test-support/connection.js';

const conn = (headers: Record<string, string> = {}): Connection => connection({ headers });

class Client extends SimpleUser {
  readonly kind = 'client' as const;
}
class Person extends SimpleUser {
  readonly kind = 'person' as const;
}

const clientKey = apiKeyAuth({
  header: 'x-client-key',
  verify: (key) => (key === 'ck_live_0123456789ab' ? new Client('ci') : null),
  scopes: ['authenticated', 'orders:read', 'orders:write'],
});
const user = basicAuth({
  realm: 'api',
  verify: (u, p) => (u === 'alice' && p === 'pw' ? new Person('alice') : null),
  scopes: ['authenticated', 'orders:read', 'admin'],
});
const ALICE = 'Basic ' + btoa('alice:pw');

describe('all', () => {
  it('both credentials: the last part is the user, the scopes are the intersection, via lists both', () => {
    const backend = all([clientKey, user]);
    const p = sync(backend.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: ALICE }))) as Principal;
    expect(p.user.identity).toBe('alice');
    expect(p.auth.scopes).toEqual(['authenticated', 'orders:read']);
    expect(p.auth.has('admin')).toBe(false); // one credential never grants another's scopes
    expect(p.auth.has('orders:write')).toBe(false);
    expect(p.auth.via).toBe('apiKey+basic');
    expect(p.auth.parts.map((part) => [part.auth.via, part.user.identity])).toEqual([['apiKey', 'ci'], ['basic', 'alice']]);
    expect(p.auth.part('apiKey')?.user.identity).toBe('ci');
    expect(p.auth.part('nope')).toBeUndefined();
    expect(backend.name).toBe('apiKey+basic');
  });

  it('user: designates the part whose user handlers get', () => {
    const p = sync(all([clientKey, user], { user: 'apiKey' }).authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: ALICE }))) as Principal;
    expect(p.user.identity).toBe('ci');
    expect(p.auth.part('basic')?.user.identity).toBe('alice');
  });

  it('scopes: a function of the parts replaces the intersection', () => {
    const backend = all([clientKey, user], { scopes: (parts) => [...(parts[1]?.auth.scopes ?? []), 'client-verified'] });
    const p = sync(backend.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: ALICE }))) as Principal;
    expect(p.auth.scopes).toEqual(['authenticated', 'orders:read', 'admin', 'client-verified']);
  });

  it('CHN-07 one credential missing → 401 incomplete_credentials with the missing backend\'s challenge only, never a partial user', () => {
    const authenticator = createAuthenticator({ backend: all([clientKey, user]) }); // optional mode
    const onlyKey = responseOf(sync(authenticator.run(conn({ 'x-client-key': 'ck_live_0123456789ab', accept: 'application/json' }))));
    expect(onlyKey.status).toBe(401);
    expect(onlyKey.body).toBe('{"error":"incomplete_credentials"}');
    expect(onlyKey.headers['www-authenticate']).toBe('Basic realm="api", charset="UTF-8"');
    const onlyUser = responseOf(sync(authenticator.run(conn({ authorization: ALICE }))));
    expect(onlyUser.status).toBe(401);
    expect(onlyUser.headers['www-authenticate']).toBe('ApiKey header="x-client-key"');
  });

  it('no credential at all: anonymous in optional mode, 401 with every challenge in required mode', () => {
    const backend = all([clientKey, user]);
    expect(sync(backend.authenticate(conn()))).toBeNull();
    expect(proceedOf(sync(createAuthenticator({ backend }).run(conn()))).user.isAuthenticated).toBe(false);
    const r = responseOf(sync(createAuthenticator({ backend, mode: 'required' }).run(conn())));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('ApiKey header="x-client-key", Basic realm="api", charset="UTF-8"');
  });

  it('CHN-06 an invalid credential in any part → that backend\'s error, wherever it is', async () => {
    const backend = all([clientKey, user]);
    expect(await codeOf(() => backend.authenticate(conn({ 'x-client-key': 'wrong', authorization: ALICE })))).toBe('invalid_credentials');
    expect(await codeOf(() => backend.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: 'Basic !!!' })))).toBe('malformed_credentials');
    // A missing credential beats an invalid one: nothing is parsed or verified until every part's credential is there.
    expect(await codeOf(() => backend.authenticate(conn({ authorization: 'Basic !!!' })))).toBe('incomplete_credentials');
    const r = responseOf(sync(createAuthenticator({ backend }).run(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: 'Basic !!!' }))));
    expect(r.status).toBe(400);
  });

  it('parts that can tell (present) are asked first: one missing → nothing runs; then they run in order up to the first error', async () => {
    const here = () => true;
    const away = () => false;
    const a = probe('A', invalid, { name: 'a', present: here });
    const b = probe('B', () => principal('b'), { name: 'b', present: here });
    expect(await codeOf(() => all([a, b]).authenticate(conn()))).toBe('invalid_credentials');
    expect(b.calls).toBe(0);
    // p and r present, q absent: incomplete with q's challenge, and no part runs (no hash, lookup or session touch).
    const p = probe('P', () => principal('p'), { name: 'p', present: here });
    const q = probe('Q', () => principal('q'), { name: 'q', present: away });
    const r = probe('R', () => principal('r'), { name: 'r', present: here });
    let error: unknown;
    try {
      sync(all([p, q, r]).authenticate(conn()));
    } catch (e) {
      error = e;
    }
    expect((error as { code: string; challenge: string }).code).toBe('incomplete_credentials');
    expect((error as { challenge: string }).challenge).toBe('Q realm="api"');
    expect([p.calls, q.calls, r.calls]).toEqual([0, 0, 0]);
    expect([p.asked, q.asked, r.asked]).toEqual([1, 1, 1]);
    // None present: anonymous, nothing runs.
    expect(sync(all([probe('X', invalid, { name: 'x', present: away }), q]).authenticate(conn()))).toBeNull();
    // A part that said present and then answers no principal (an unknown session id): the same 401 a wrong password gets.
    const gone = probe('G', none, { name: 'g', present: here });
    expect(await codeOf(() => all([p, gone]).authenticate(conn()))).toBe('invalid_credentials');
  });

  it('parts of your own without present: they run, all of them; a missing one makes the answer incomplete whatever the others said', async () => {
    const x = probe('X', none, { name: 'x' });
    const y = probe('Y', invalid, { name: 'y' });
    const z = probe('Z', () => principal('z'), { name: 'z' });
    const answer = (backend: AuthenticationBackend<SimpleUser>) => {
      try {
        sync(backend.authenticate(conn()));
      } catch (e) {
        return e as { code: string; challenge: string };
      }
      return undefined;
    };
    // y wrong or z right: the same incomplete answer with x's challenge only (no oracle on y's or z's credential).
    expect(answer(all([x, y]))).toMatchObject({ code: 'incomplete_credentials', challenge: 'X realm="api"' });
    expect(answer(all([x, z]))).toMatchObject({ code: 'incomplete_credentials', challenge: 'X realm="api"' });
    expect(answer(all([y, x]))).toMatchObject({ code: 'incomplete_credentials', challenge: 'X realm="api"' });
    // Every part missing: anonymous.
    expect(sync(all([x, probe('W', none, { name: 'w' })]).authenticate(conn()))).toBeNull();
    // None missing: the first error.
    expect(await codeOf(() => all([z, y]).authenticate(conn()))).toBe('invalid_credentials');
    // They run only once every part that can tell said present.
    const key = probe('K', () => principal('k'), { name: 'k', present: () => false });
    const custom = probe('C', invalid, { name: 'c' });
    expect(sync(all([custom, key]).authenticate(conn()))).toBeNull();
    expect(custom.calls).toBe(0);
  });

  it('async parts: the same answers, as promises', async () => {
    const a = probe('A', () => principal('a', ['s', 't'], 'a'), { name: 'a', async: true });
    const b = probe('B', () => principal('b', ['t'], 'b'), { name: 'b' });
    const p = await all([a, b]).authenticate(conn());
    expect(p?.user.identity).toBe('b');
    expect(p?.auth.scopes).toEqual(['t']);
    expect(p?.auth.via).toBe('a+b');
    const missing = probe('M', none, { name: 'm', async: true });
    expect(await codeOf(() => all([a, missing]).authenticate(conn()))).toBe('incomplete_credentials');
    const failing = probe('F', invalid, { name: 'f', async: true });
    expect(await codeOf(() => all([failing, b]).authenticate(conn()))).toBe('invalid_credentials');
    expect(await all([probe('N', none, { name: 'n', async: true }), probe('O', none, { name: 'o' })]).authenticate(conn())).toBeNull();
  });

  it('a part that fails (its store is down) fails the request closed: 503', async () => {
    const down = probe('D', () => {
      throw new Error('ECONNREFUSED');
    }, { name: 'down' });
    const r = responseOf(sync(createAuthenticator({ backend: all([clientKey, down]) }).run(conn({ 'x-client-key': 'ck_live_0123456789ab' }))));
    expect(r.status).toBe(503);
  });

  it('a Bearer part gives the 403 its insufficient_scope challenge', () => {
    const bearer = bearerAuth({ verify: (t) => (t === 'tok' ? new Person('alice') : null) });
    const p = sync(all([clientKey, bearer]).authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: 'Bearer tok' }))) as Principal;
    expect(p.auth.insufficientScope?.(['admin'])).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
  });

  it('nests: an all inside a multi is one alternative, named by its parts', () => {
    const token = tokenAuth({ verify: (t) => (t === 'abcd' ? new Person('bob') : null) });
    const chain = multi([all([clientKey, user]), token]);
    const p = sync(chain.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: ALICE }))) as Principal;
    expect(p.auth.via).toBe('apiKey+basic');
    expect((sync(chain.authenticate(conn({ authorization: 'Token abcd' }))) as Principal).auth.via).toBe('token');
  });

  it('a named multi is a part: a client key and a user through either Basic or Token; via says which vouched', () => {
    const token = tokenAuth({ verify: (t) => (t === 'abcd' ? new Person('bob') : null) });
    const backend = all([clientKey, multi([user, token], { name: 'person' })], { user: 'person' });
    expect(backend.name).toBe('apiKey+person');
    const viaBasic = sync(backend.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: ALICE }))) as Principal;
    expect([viaBasic.user.identity, viaBasic.auth.via]).toEqual(['alice', 'apiKey+basic']);
    const viaToken = sync(backend.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: 'Token abcd' }))) as Principal;
    expect([viaToken.user.identity, viaToken.auth.via]).toEqual(['bob', 'apiKey+token']);
    expect(viaToken.auth.part('token')?.user.identity).toBe('bob');
    expectTypeOf<ViaOf<typeof backend>>().toEqualTypeOf<'apiKey+basic' | 'apiKey+token'>();
    // An unnamed chain is not a part: its name is what makes the parts' names unique.
    expect(configError(() => all([clientKey, multi([user, token])])).detail).toMatch(/backend 1 has no name.*multi\(\[\.\.\.\], \{ name \}\)/);
    configError(() => multi([user], { name: 'a+b' }));
  });

  it('configuration errors at startup: no parts, unnamed or duplicate parts, a shared credential, an unknown user part', () => {
    configError(() => all([] as never));
    expect(configError(() => all([probe('A', none), user])).detail).toMatch(/backend 0 has no name/);
    expect(configError(() => all([user, basicAuth({ verify: () => null })])).detail).toMatch(/two backends are named "basic"/);
    // Basic and Token both read Authorization, which carries one credential: they could never both accept.
    const token = tokenAuth({ verify: () => null });
    expect(configError(() => all([token, user])).detail).toMatch(/'token' and 'basic' both read authorization/);
    const otherKey = apiKeyAuth({ name: 'otherKey', header: 'X-Client-Key', verify: () => null });
    expect(configError(() => all([clientKey, otherKey])).detail).toMatch(/both read header:x-client-key/);
    const session = sessionAuth({ retrieveUser: () => null });
    expect(configError(() => all([session, sessionAuth({ name: 'again', retrieveUser: () => null })])).detail).toMatch(/both read session/);
    expect(configError(() => all([clientKey, user], { user: 'session' as never })).detail).toMatch(/user must name one of the backends \('apiKey', 'basic'\)/);
    configError(() => all([clientKey, user], { scopes: 'intersection' as never }));
    configError(() => basicAuth({ name: 'a+b', verify: () => null }));
    configError(() => basicAuth({ name: '', verify: () => null }));
  });

  it('types: via is a literal union, the user is the designated part\'s', () => {
    const backend = all([clientKey, user]);
    expectTypeOf<ViaOf<typeof backend>>().toEqualTypeOf<'apiKey+basic'>();
    type UserOfAll<B extends { authenticate(c: Connection): unknown }> = NonNullable<Awaited<ReturnType<B['authenticate']>>> extends { user: infer U } ? U : never;
    expectTypeOf<UserOfAll<typeof backend>>().toEqualTypeOf<Person>();
    const byClient = all([clientKey, user], { user: 'apiKey' });
    expectTypeOf<UserOfAll<typeof byClient>>().toEqualTypeOf<Client>();
    const chain = multi([tokenAuth({ verify: () => null }), basicAuth({ name: 'admin', verify: () => null })]);
    expectTypeOf<ViaOf<typeof chain>>().toEqualTypeOf<'token' | 'admin'>();
    // @ts-expect-error: 'session' is not a part of this all
    expect(() => all([clientKey, user], { user: 'session' })).toThrow(/user must name/);
  });

  describe('review fixes', () => {
    /** A Basic backend whose verify is counted, and a client key. */
    function counted() {
      let verified = 0;
      const basic = basicAuth({
        realm: 'api',
        verify: (u, p) => {
          verified++;
          return u === 'alice' && p === 'pw' ? new Person('alice') : null;
        },
      });
      return { basic, verified: () => verified };
    }
    const WRONG = 'Basic ' + btoa('alice:wrong');

    it('LEAK-12 CHN-07 Basic without the client key: a right and a wrong password get byte-identical answers, and verify never runs (either order, either mode)', () => {
      for (const order of ['key first', 'basic first'] as const) {
        for (const mode of ['optional', 'required'] as const) {
          const { basic, verified } = counted();
          const backend = order === 'key first' ? all([clientKey, basic]) : all([basic, clientKey], { user: 'basic' });
          const authenticator = createAuthenticator({ backend, mode });
          for (const accept of ['application/json', 'text/html']) {
            const right = responseOf(sync(authenticator.run(conn({ authorization: ALICE, accept }))));
            const wrong = responseOf(sync(authenticator.run(conn({ authorization: WRONG, accept }))));
            expect(wrong).toEqual(right);
            expect(right.status).toBe(401);
            expect(right.headers['www-authenticate']).toBe('ApiKey header="x-client-key"');
          }
          expect(verified()).toBe(0);
        }
      }
    });

    it('LEAK-02 a passwordBackend part: no hash is computed without the client key', async () => {
      const hasher = pbkdf2Hasher({ iterations: 1000 });
      let verifies = 0;
      const counting = { ...hasher, verify: (password: string, stored: string) => (verifies++, hasher.verify(password, stored)) };
      const stored = await hasher.hash('pw');
      const users = passwordBackend({ findUser: (u) => (u === 'alice' ? new Person('alice') : null), passwordHashOf: () => stored, hasher: counting });
      const authenticator = createAuthenticator({ backend: all([clientKey, users]) });
      const right = responseOf(await authenticator.run(conn({ authorization: ALICE })));
      const wrong = responseOf(await authenticator.run(conn({ authorization: WRONG })));
      expect(wrong).toEqual(right);
      expect(right.body).toBe('Unauthorized');
      expect(verifies).toBe(0);
      // With the key, the password is verified.
      expect(responseOf(await authenticator.run(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: WRONG }))).status).toBe(401);
      expect(verifies).toBe(1);
    });

    it('every built-in backend, multi and all say whether their credential is present, without verifying', () => {
      const { basic, verified } = counted();
      expect(basic.present?.(conn({ authorization: ALICE }))).toBe(true);
      expect(basic.present?.(conn({ authorization: 'Bearer x' }))).toBe(false);
      expect(basic.present?.(conn())).toBe(false);
      // An Authorization header that cannot be read (repeated, oversized) is present: authenticate answers for it.
      expect(basic.present?.(conn({ authorization: 'Basic a, Basic b' }))).toBe(true);
      expect(tokenAuth({ verify: () => null }).present?.(conn({ authorization: 'x'.repeat(10_000) }))).toBe(true);
      expect(verified()).toBe(0);
      expect(clientKey.present?.(conn({ 'x-client-key': 'anything' }))).toBe(true);
      expect(clientKey.present?.(conn({ 'x-other': 'anything' }))).toBe(false);
      const token = tokenAuth({ verify: () => null });
      expect([token.present?.(conn({ authorization: 'Token a' })), token.present?.(conn({ authorization: ALICE }))]).toEqual([true, false]);
      const bearer = bearerAuth({ verify: () => null });
      expect([bearer.present?.(conn({ authorization: 'Bearer a' })), bearer.present?.(conn({ authorization: ALICE }))]).toEqual([true, false]);
      const chain = multi([token, bearer]);
      expect([chain.present?.(conn({ authorization: 'Bearer a' })), chain.present?.(conn({ authorization: ALICE }))]).toEqual([true, false]);
      expect(multi([token, probe('X', none)]).present).toBeUndefined(); // a part that cannot tell
      const both = all([clientKey, basic]);
      expect([both.present?.(conn({ 'x-client-key': 'k', authorization: ALICE })), both.present?.(conn({ authorization: ALICE }))]).toEqual([true, false]);
    });

    it('CHN-07 a part whose principal is not an authenticated user does not count as accepting', async () => {
      // A backend of your own that answers a principal whose user is not authenticated.
      const anonymous = (): Principal<SimpleUser> => ({ user: new UnauthenticatedUser(), auth: new AuthCredentials([], { via: 'odd' }) }) as never;
      const odd = probe('O', anonymous, { name: 'odd' });
      const r = responseOf(sync(createAuthenticator({ backend: all([clientKey, odd]) }).run(conn({ 'x-client-key': 'ck_live_0123456789ab' }))));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('O realm="api"');
      const present = probe('P', anonymous, { name: 'odd', present: () => true });
      expect(await codeOf(() => all([clientKey, present]).authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab' })))).toBe('invalid_credentials');
    });

    it('auth.part finds parts by their configured names; nested names are unique; a custom via cannot pose as another part', () => {
      const userKey = apiKeyAuth({ header: 'x-user-key', verify: () => new Person('admin'), scopes: ['admin'] });
      expect(configError(() => all([multi([userKey, user], { name: 'person' }), clientKey], { user: 'person' })).detail).toMatch(/two backends are named "apiKey"/);
      const token = tokenAuth({ verify: (t) => (t === 'abcd' ? new Person('bob') : null) });
      const named = all([clientKey, multi([user, token], { name: 'person' })], { user: 'person' });
      const p = sync(named.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: ALICE }))) as Principal;
      expect(p.auth.part('person')?.user.identity).toBe('alice');
      expect(p.auth.part('basic')?.user.identity).toBe('alice');
      expect(p.auth.part('apiKey')?.user.identity).toBe('ci');
      expect(p.auth.part('token')).toBeUndefined();
      // A backend of your own named 'device' whose credentials say via 'apiKey'.
      const liar = probe('D', () => principal('device-1', ['authenticated'], 'apiKey'), { name: 'device' });
      const q = sync(all([liar, user]).authenticate(conn({ authorization: ALICE }))) as Principal;
      expect(q.auth.via).toBe('device+basic');
      expect(q.auth.part('device')?.user.identity).toBe('device-1');
      expect(q.auth.part('apiKey')).toBeUndefined();
    });

    it('scopes(parts) gets a frozen copy: it cannot reorder auth.parts', () => {
      let seen: readonly Principal[] = [];
      const backend = all([clientKey, user], {
        scopes: (parts) => {
          seen = parts;
          return [...parts].reverse().flatMap((part) => part.auth.scopes);
        },
      });
      const p = sync(backend.authenticate(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: ALICE }))) as Principal;
      expect(Object.isFrozen(seen)).toBe(true);
      expect(() => (seen as Principal[]).reverse()).toThrow(TypeError);
      expect(p.auth.parts.map((part) => part.user.identity)).toEqual(['ci', 'alice']);
    });

    it('names: a backend of your own with a space or a "+" in its name is refused at startup', () => {
      const named = (name: string) => probe('X', none, { name });
      expect(configError(() => multi([named('Device auth')])).detail).toMatch(/invalid name "Device auth".*no spaces and no "\+"/);
      expect(configError(() => multi([named('apiKey+basic')])).detail).toMatch(/invalid name/);
      expect(configError(() => all([named('apiKey+basic'), user])).detail).toMatch(/invalid name/);
      // An all's own name joins its parts' with "+": it stays a valid part.
      expect(multi([all([clientKey, user])]).present).toBeTypeOf('function');
    });

    it('the 403 challenge is the designated part\'s only', () => {
      const bearer = bearerAuth({ verify: (t) => (t === 'tok' ? new Person('alice') : null) });
      const request = conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: 'Bearer tok' });
      const byKey = sync(all([bearer, clientKey]).authenticate(request)) as Principal;
      expect(byKey.auth.insufficientScope).toBeUndefined();
      const byBearer = sync(all([bearer, clientKey], { user: 'bearer' }).authenticate(request)) as Principal;
      expect(byBearer.auth.insufficientScope?.(['admin'])).toBe('Bearer realm="api", error="insufficient_scope", scope="admin"');
    });

    it('reads conflicts compare header names in any case', () => {
      const shout = { name: 'shout', reads: ['HEADER:X-Client-Key'], authenticate: () => null };
      expect(configError(() => all([clientKey, shout])).detail).toMatch(/'apiKey' and 'shout' both read header:x-client-key/);
      const upper = { name: 'upper', reads: ['Authorization'], authenticate: () => null };
      expect(configError(() => all([user, upper])).detail).toMatch(/both read authorization/);
    });
  });
});
