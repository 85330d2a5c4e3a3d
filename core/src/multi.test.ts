import { describe, it, expect } from 'vitest';
import { createAuthenticator } from './authenticator.js';
import type { Principal } from './backend.js';
import { basicAuth } from './basic.js';
import type { Connection } from './connection.js';
import { AuthCredentials } from './credentials.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import { multi } from './multi.js';
import { tokenAuth } from './token.js';
import { SimpleUser } from './user.js';
import { conn as connection, configError, responseOf } from '../../test-support/connection.js';
import { codeOf, invalid, none, principal, probe, sync } from '../../test-support/backends.js';

const conn = (headers: Record<string, string> = {}): Connection => connection({ headers });

const basic = basicAuth({ realm: 'api', verify: (u, p) => (u === 'user' && p === 'pass' ? new SimpleUser(u) : null) });
const token = tokenAuth({ verify: (t) => (t === 'abcd' ? new SimpleUser('bob') : null) });

describe('multi', () => {
  it('CHN-02 no credentials: every backend runs, and the 401 carries both challenges', () => {
    const a = probe('Bearer', none);
    const b = probe('Basic', none);
    const chain = multi([a, b]);
    expect(sync(chain.authenticate(conn()))).toBeNull();
    expect(a.calls).toBe(1);
    expect(b.calls).toBe(1);
    expect(chain.challenges).toEqual(['Bearer realm="api"', 'Basic realm="api"']);
    const r = responseOf(sync(createAuthenticator({ backend: chain, mode: 'required' }).run(conn())));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Bearer realm="api", Basic realm="api"');
  });

  it('CHN-02 Token + Basic: the 401 carries Token and the Basic challenge', () => {
    const r = responseOf(sync(createAuthenticator({ backend: multi([token, basic]), mode: 'required' }).run(conn())));
    expect(r.headers['www-authenticate']).toBe('Token, Basic realm="api", charset="UTF-8"');
  });

  it('CHN-05 the first success wins and later backends do not run', () => {
    const a = probe('A', () => principal('from-a'));
    const b = probe('B', () => principal('from-b'));
    expect((sync(multi([a, b]).authenticate(conn())) as Principal).user.identity).toBe('from-a');
    expect(b.calls).toBe(0);
    const a2 = probe('A', () => principal('from-a'));
    const b2 = probe('B', () => principal('from-b'));
    expect((sync(multi([b2, a2]).authenticate(conn())) as Principal).user.identity).toBe('from-b');
    expect(a2.calls).toBe(0);
  });

  it('CHN-05 order is the configured order: a backend that passes lets the next decide', () => {
    const a = probe('A', none);
    const b = probe('B', () => principal('from-b'));
    const c = probe('C', () => principal('from-c'));
    expect((sync(multi([a, b, c]).authenticate(conn())) as Principal).user.identity).toBe('from-b');
    expect([a.calls, b.calls, c.calls]).toEqual([1, 1, 0]);
  });

  it('CHN-06 invalid credentials stop the chain (no fall-through to a later backend)', async () => {
    const a = probe('A', invalid);
    const b = probe('B', () => principal('anyone'));
    expect(await codeOf(() => multi([a, b]).authenticate(conn()))).toBe('invalid_credentials');
    expect(b.calls).toBe(0);
    const r = responseOf(sync(createAuthenticator({ backend: multi([a, b]) }).run(conn())));
    expect(r.status).toBe(401);
  });

  it('CHN-06 an invalid Token never reaches Basic, even with valid Basic-looking data', () => {
    const r = responseOf(sync(createAuthenticator({ backend: multi([token, basic]) }).run(conn({ authorization: 'Token wrong' }))));
    expect(r.status).toBe(401);
    expect(r.headers['www-authenticate']).toBe('Token, Basic realm="api", charset="UTF-8"');
  });

  it('CHN-01 a backend failure halts the chain with 503', async () => {
    const a = probe('A', () => {
      throw new Error('JWKS timeout');
    });
    const b = probe('B', () => principal('weaker'));
    const r = responseOf(sync(createAuthenticator({ backend: multi([a, b]) }).run(conn())));
    expect(r.status).toBe(503);
    expect(b.calls).toBe(0);
    const aa = probe('A', () => {
      throw new Error('JWKS timeout');
    }, { async: true });
    const bb = probe('B', () => principal('weaker'));
    const r2 = responseOf(await createAuthenticator({ backend: multi([aa, bb]) }).run(conn()));
    expect(r2.status).toBe(503);
    expect(bb.calls).toBe(0);
  });

  it('CHN-05 sync and async backends mix: async first, sync second', async () => {
    const a = probe('A', none, { async: true });
    const b = probe('B', () => principal('sync-b'));
    const result = multi([a, b]).authenticate(conn());
    expect(result).toBeInstanceOf(Promise);
    expect((await result)?.user.identity).toBe('sync-b');
  });

  it('CHN-05 sync and async backends mix: sync first passes, async second decides', async () => {
    const a = probe('A', none);
    const b = probe('B', () => principal('async-b'), { async: true });
    const c = probe('C', () => principal('never'));
    expect((await multi([a, b, c]).authenticate(conn()))?.user.identity).toBe('async-b');
    expect(c.calls).toBe(0);
  });

  it('CHN-06 an async invalid stops the chain', async () => {
    const a = probe('A', none);
    const b = probe('B', invalid, { async: true });
    const c = probe('C', () => principal('never'));
    expect(await codeOf(multi([a, b, c]).authenticate(conn()))).toBe('invalid_credentials');
    expect(c.calls).toBe(0);
  });

  it('an all-sync chain answers synchronously; all-anonymous async answers null', async () => {
    expect(multi([probe('A', none), probe('B', none)]).authenticate(conn())).toBeNull();
    expect(await multi([probe('A', none, { async: true }), probe('B', none, { async: true })]).authenticate(conn())).toBeNull();
  });

  it('Token or Basic: the backend that recognises its scheme decides', async () => {
    const chain = multi([token, basic]);
    expect((sync(chain.authenticate(conn({ authorization: 'Token abcd' }))) as Principal).user.identity).toBe('bob');
    expect((sync(chain.authenticate(conn({ authorization: 'Basic dXNlcjpwYXNz' }))) as Principal).user.identity).toBe('user');
    expect(sync(chain.authenticate(conn()))).toBeNull();
  });

  it('LEAK-12 a 401 does not reveal which backend rejected the credential', () => {
    const a = createAuthenticator({ backend: multi([token, basic]), onError: undefined });
    const viaToken = responseOf(sync(a.run(conn({ authorization: 'Token wrong', accept: 'application/json' }))));
    const viaBasic = responseOf(sync(a.run(conn({ authorization: 'Basic dXNlcjp3cm9uZw==', accept: 'application/json' }))));
    const viaUnknownUser = responseOf(sync(a.run(conn({ authorization: 'Basic bm9ib2R5OnBhc3M=', accept: 'application/json' }))));
    expect(viaToken).toEqual(viaBasic);
    expect(viaBasic).toEqual(viaUnknownUser);
  });

  it('auth.via names the backend that decided: token or basic', () => {
    const chain = multi([token, basic]);
    expect((sync(chain.authenticate(conn({ authorization: 'Token abcd' }))) as Principal).auth.via).toBe('token');
    expect((sync(chain.authenticate(conn({ authorization: 'Basic dXNlcjpwYXNz' }))) as Principal).auth.via).toBe('basic');
  });

  it('two backends with the same name are refused at startup, naming the fix', () => {
    const other = tokenAuth({ verify: () => null });
    expect(configError(() => multi([token, other])).detail).toMatch(/two backends are named "token".*name/);
    const renamed = tokenAuth({ name: 'legacyToken', verify: (t) => (t === 'old' ? new SimpleUser('eve') : null) });
    const chain = multi([renamed, token]);
    expect((sync(chain.authenticate(conn({ authorization: 'Token old' }))) as Principal).auth.via).toBe('legacyToken');
    // Backends of your own without a name stay allowed, as before names existed.
    expect(() => multi([probe('A', none), probe('B', none)])).not.toThrow();
  });

  it('configuration errors throw ConfigurationError', () => {
    for (const backends of [[], undefined, 'x', [{}], [null], [{ authenticate: 1 }]]) {
      let error: unknown;
      try {
        multi(backends as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe('invalid_configuration');
    }
  });
});
