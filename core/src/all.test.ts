import { describe, expect, expectTypeOf, it } from 'vitest';
import { all } from './all.js';
import { apiKeyAuth } from './api-key.js';
import { createAuthenticator } from './authenticator.js';
import type { Principal, ViaOf } from './backend.js';
import { basicAuth } from './basic.js';
import { bearerAuth } from './bearer.js';
import type { Connection } from './connection.js';
import { multi } from './multi.js';
import { sessionAuth } from './session/session-auth.js';
import { tokenAuth } from './token.js';
import { SimpleUser } from './user.js';
import { codeOf, invalid, none, principal, probe, sync } from '../../test-support/backends.js';
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
    // An invalid credential beats a missing one: it is reported, not hidden behind "incomplete".
    expect(await codeOf(() => backend.authenticate(conn({ authorization: 'Basic !!!' })))).toBe('malformed_credentials');
    const r = responseOf(sync(createAuthenticator({ backend }).run(conn({ 'x-client-key': 'ck_live_0123456789ab', authorization: 'Basic !!!' }))));
    expect(r.status).toBe(400);
  });

  it('the parts run in order and stop at the first error, or once the answer is known', async () => {
    const a = probe('A', invalid, { name: 'a' });
    const b = probe('B', () => principal('b'), { name: 'b' });
    expect(await codeOf(() => all([a, b]).authenticate(conn()))).toBe('invalid_credentials');
    expect(b.calls).toBe(0);
    // a present, b absent: incomplete, c never runs (no hash or lookup spent on a request that cannot succeed).
    const p = probe('P', () => principal('p'), { name: 'p' });
    const q = probe('Q', none, { name: 'q' });
    const r = probe('R', () => principal('r'), { name: 'r' });
    expect(await codeOf(() => all([p, q, r]).authenticate(conn()))).toBe('incomplete_credentials');
    expect(r.calls).toBe(0);
    // Leading absences run on: the answer is "anonymous" only if nothing at all was sent.
    const x = probe('X', none, { name: 'x' });
    const y = probe('Y', none, { name: 'y' });
    const z = probe('Z', () => principal('z'), { name: 'z' });
    let error: unknown;
    try {
      sync(all([x, y, z]).authenticate(conn()));
    } catch (e) {
      error = e;
    }
    expect((error as { code: string; challenge: string }).code).toBe('incomplete_credentials');
    expect((error as { challenge: string }).challenge).toBe('X realm="api", Y realm="api"');
    expect([x.calls, y.calls, z.calls]).toEqual([1, 1, 1]);
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
});
