import { describe, expect, expectTypeOf, it } from 'vitest';
import { apiKeyAuth } from './api-key.js';
import type { AuthenticationBackend, Principal, ViaOf } from './backend.js';
import { basicAuth } from './basic.js';
import { bearerAuth } from './bearer.js';
import { pbkdf2Hasher } from './hashing/pbkdf2.js';
import { passwordBackend } from './password.js';
import { sessionAuth } from './session/session-auth.js';
import { tokenAuth } from './token.js';
import { SimpleUser } from './user.js';
import { conn, configError } from '../../test-support/connection.js';

const alice = new SimpleUser('alice');
const KEY = 'k_live_0123456789abcdef';
const backends = {
  basic: basicAuth({ verify: () => alice }),
  token: tokenAuth({ verify: () => alice }),
  bearer: bearerAuth({ verify: () => alice }),
  apiKey: apiKeyAuth({ verify: () => alice }),
};
const requests: Record<keyof typeof backends, Parameters<typeof conn>[0]> = {
  basic: { authorization: ['Basic ' + btoa('alice:pw')] },
  token: { authorization: ['Token abcd'] },
  bearer: { authorization: ['Bearer abcd'] },
  apiKey: { headers: { 'x-api-key': KEY } },
};

async function viaOf(backend: AuthenticationBackend, request: Parameters<typeof conn>[0]): Promise<string | undefined> {
  return ((await backend.authenticate(conn(request))) as Principal).auth.via;
}

describe('backend names and auth.via', () => {
  it('every built-in backend has a stable default name, and its principals carry it as via', async () => {
    for (const [name, backend] of Object.entries(backends) as [keyof typeof backends, AuthenticationBackend][]) {
      expect(backend.name).toBe(name);
      expect(await viaOf(backend, requests[name])).toBe(name);
    }
    expect(sessionAuth({ retrieveUser: () => alice }).name).toBe('session');
    const hasher = pbkdf2Hasher();
    expect(passwordBackend({ findUser: () => null, passwordHashOf: () => undefined, hasher }).name).toBe('basic');
  });

  it('the name option renames the backend and its via, with scopes from a function too', async () => {
    const admin = basicAuth({ name: 'adminBasic', verify: () => alice, scopes: () => ['admin'] });
    expect(admin.name).toBe('adminBasic');
    expect(await viaOf(admin, requests.basic)).toBe('adminBasic');
    const key = apiKeyAuth({ name: 'ci-key', verify: () => alice });
    expect(await viaOf(key, requests.apiKey)).toBe('ci-key');
    const hasher = pbkdf2Hasher();
    expect(passwordBackend({ name: 'users', findUser: () => null, passwordHashOf: () => undefined, hasher }).name).toBe('users');
    expect(sessionAuth({ name: 'web', retrieveUser: () => alice }).name).toBe('web');
  });

  it('names are checked at startup: a letter first, then letters, digits, "_", "." or "-", at most 64', () => {
    for (const name of ['', '1st', 'a b', 'a+b', 'é', 'x'.repeat(65), 'a\nb', 42]) {
      expect(configError(() => basicAuth({ name: name as string, verify: () => alice })).detail).toMatch(/name must start with a letter/);
    }
    for (const name of ['a', 'adminBasic', 'ci-key.v2', 'x'.repeat(64)]) expect(basicAuth({ name, verify: () => alice }).name).toBe(name);
  });

  it('types: the name is a literal, the default one or the option', () => {
    expectTypeOf(backends.basic.name).toEqualTypeOf<'basic'>();
    expectTypeOf<ViaOf<typeof backends.bearer>>().toEqualTypeOf<'bearer'>();
    const admin = basicAuth({ name: 'adminBasic', verify: () => alice });
    expectTypeOf<ViaOf<typeof admin>>().toEqualTypeOf<'adminBasic'>();
    expectTypeOf(sessionAuth({ retrieveUser: () => alice }).name).toEqualTypeOf<'session'>();
  });
});
