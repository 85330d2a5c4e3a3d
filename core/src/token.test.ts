import { describe, it, expect } from 'vitest';
import { createAuthenticator } from './authenticator.js';
import type { Principal } from './backend.js';
import type { Connection } from './connection.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import { tokenAuth } from './token.js';
import { SimpleUser } from './user.js';
import { codeThrown, conn as connection, responseOf } from '../../test-support/connection.js';

const KEY = '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b';

const conn = (headers: Record<string, string> = {}, target = '/', authorization?: string[]): Connection => connection({ target, headers, authorization });
const codeOf = (fn: () => unknown): string => codeThrown(fn, AuthenticationError);

const seen: string[] = [];
const backend = tokenAuth({
  verify: (token) => {
    seen.push(token);
    return token === KEY ? new SimpleUser('bob') : null;
  },
});

describe('tokenAuth', () => {
  it('TOK-01 a valid token authenticates', () => {
    const p = backend.authenticate(conn({ authorization: `Token ${KEY}` })) as Principal;
    expect(p.user.identity).toBe('bob');
    expect(p.auth.scopes).toEqual(['authenticated']);
  });

  it('TOK-02 the scheme is case-insensitive', () => {
    for (const scheme of ['token', 'TOKEN', 'tOkEn']) {
      expect((backend.authenticate(conn({ authorization: `${scheme} ${KEY}` })) as Principal).user.identity).toBe('bob');
    }
  });

  it('TOK-03 "Token" and "Token " without a key are invalid_credentials, 401 with WWW-Authenticate: Token', () => {
    for (const value of ['Token', 'Token ', 'Token\tabc']) {
      expect(codeOf(() => backend.authenticate(conn({ authorization: value })))).toBe('invalid_credentials');
      const r = responseOf(createAuthenticator({ backend }).run(conn({ authorization: value })));
      expect(r.status).toBe(401);
      expect(r.headers['www-authenticate']).toBe('Token');
    }
  });

  it('TOK-04 a token with a space is invalid_credentials', () => {
    const before = seen.length;
    expect(codeOf(() => backend.authenticate(conn({ authorization: 'Token abc def' })))).toBe('invalid_credentials');
    expect(seen.length).toBe(before);
  });

  it('an unknown token is invalid_credentials, never anonymous', () => {
    expect(codeOf(() => backend.authenticate(conn({ authorization: 'Token nope' })))).toBe('invalid_credentials');
    expect(responseOf(createAuthenticator({ backend }).run(conn({ authorization: 'Token nope' }))).status).toBe(401);
  });

  it('characters outside token68 are invalid_credentials', () => {
    for (const token of ['ab"c', 'a;b', 'é', '=abc', 'abc=d']) {
      expect(codeOf(() => backend.authenticate(conn({ authorization: `Token ${token}` })))).toBe('invalid_credentials');
    }
  });

  it('a token longer than 4096 characters is invalid_credentials without calling verify', () => {
    const before = seen.length;
    expect(codeOf(() => backend.authenticate(conn({ authorization: 'Token ' + 'a'.repeat(4097) })))).toBe('invalid_credentials');
    expect(seen.length).toBe(before);
  });

  it('TOK-10 credentials in the query string are ignored', () => {
    expect(backend.authenticate(conn({}, `/x?token=${KEY}&api_key=${KEY}`))).toBeNull();
    const r = responseOf(createAuthenticator({ backend, mode: 'required' }).run(conn({}, `/x?token=${KEY}`)));
    expect(r.status).toBe(401);
  });

  it('another scheme is not a Token credential', () => {
    expect(backend.authenticate(conn({ authorization: `Bearer ${KEY}` }))).toBeNull();
    expect(backend.authenticate(conn({ authorization: `Tokens ${KEY}` }))).toBeNull();
    expect(backend.authenticate(conn())).toBeNull();
  });

  it('BAS-15 duplicate Authorization values are duplicate_authorization', () => {
    expect(codeOf(() => backend.authenticate(conn({}, '/', [`Token ${KEY}`, `Token ${KEY}`])))).toBe('duplicate_authorization');
  });

  it('an async verify gives a Promise', async () => {
    const b = tokenAuth({ verify: async (t) => (t === KEY ? new SimpleUser('bob') : null) });
    const result = b.authenticate(conn({ authorization: `Token ${KEY}` }));
    expect(result).toBeInstanceOf(Promise);
    expect((await result)?.user.identity).toBe('bob');
  });

  it('configuration errors throw ConfigurationError', () => {
    for (const options of [undefined, {}, { verify: 'x' }, { verify: () => null, scopes: [''] }]) {
      let error: unknown;
      try {
        tokenAuth(options as never);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigurationError);
      expect((error as ConfigurationError).code).toBe('invalid_configuration');
    }
  });
});
