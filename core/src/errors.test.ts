import { readFileSync } from 'node:fs';
import { createAuthenticator } from './authenticator.js';
import { createConnection } from './connection.js';
import { describe, it, expect, expectTypeOf } from 'vitest';
import {
  AuthenticationError,
  ConfigurationError,
  PortcullisError,
  isAuthenticationError,
  isPortcullisError,
  messageOf,
  type PortcullisErrorCode,
} from './errors.js';
import { HashingError, isHashingError } from './hashing/errors.js';
import * as hashing from './hashing/index.js';
import { SessionError, isSessionError } from './session/errors.js';

describe('errors', () => {
  it('AuthenticationError carries its code (default invalid_credentials)', () => {
    expect(new AuthenticationError().code).toBe('invalid_credentials');
    const e = new AuthenticationError('backend_unavailable', { cause: 'db' });
    expect(e.code).toBe('backend_unavailable');
    expect(e.cause).toBe('db');
    expect(e).toBeInstanceOf(PortcullisError);
    expect(e.name).toBe('AuthenticationError');
  });

  it('messages are fixed per code and never hold request data', () => {
    expect(new AuthenticationError('malformed_credentials').message).toBe(messageOf('malformed_credentials'));
    expect(new AuthenticationError('malformed_credentials', { cause: new Error('Basic dXNlcjpwYXNz') }).message).not.toContain('dXNl');
  });

  it('ConfigurationError has code invalid_configuration and a detail', () => {
    const e = new ConfigurationError('realm');
    expect(e.code).toBe('invalid_configuration');
    expect(e.detail).toBe('realm');
    expect(e.name).toBe('ConfigurationError');
    expect(e).toBeInstanceOf(PortcullisError);
  });

  it('isAuthenticationError recognises duplicated module copies by name and code', () => {
    expect(isAuthenticationError(new AuthenticationError())).toBe(true);
    const copy = Object.assign(new Error('x'), { name: 'AuthenticationError', code: 'invalid_credentials' });
    expect(isAuthenticationError(copy)).toBe(true);
  });

  it('isAuthenticationError refuses look-alikes (a plain Error is a backend failure)', () => {
    expect(isAuthenticationError(new Error('x'))).toBe(false);
    expect(isAuthenticationError(new ConfigurationError('x'))).toBe(false);
    expect(isAuthenticationError({ name: 'AuthenticationError', code: 'invalid_credentials' })).toBe(false);
    expect(isAuthenticationError(Object.assign(new Error('x'), { name: 'AuthenticationError', code: 'bogus' }))).toBe(false);
    expect(isAuthenticationError(Object.assign(new Error('x'), { name: 'AuthenticationError', code: 'invalid_configuration' }))).toBe(false);
    expect(isAuthenticationError(Object.assign(new Error('x'), { name: 'AuthenticationError', code: 'toString' }))).toBe(false);
    expect(isAuthenticationError(null)).toBe(false);
  });

  // Every class of the core's part of the family, with each of its codes (the JWT
  // package's `JwtError` is checked in jwt/test/errors.test.ts).
  const members: readonly [string, PortcullisError][] = [
    ...(['malformed_credentials', 'duplicate_authorization', 'oversized_authorization', 'invalid_credentials', 'incomplete_credentials', 'backend_unavailable', 'cross_site_request'] as const).map(
      (code) => ['AuthenticationError', new AuthenticationError(code, { cause: 'inner' })] as [string, PortcullisError],
    ),
    ['ConfigurationError', new ConfigurationError('realm')],
    ...(['session_store_unavailable', 'session_not_configured', 'session_insecure_transport', 'csrf_rejected', 'method_not_allowed'] as const).map(
      (code) => ['SessionError', new SessionError(code, { cause: 'inner' })] as [string, PortcullisError],
    ),
    ...(['invalid_password', 'password_too_long', 'password_too_long_for_algorithm', 'password_contains_nul', 'hash_failed'] as const).map(
      (code) => ['HashingError', new HashingError(code, { cause: 'inner' })] as [string, PortcullisError],
    ),
  ];

  it('every error class is a PortcullisError with its code, its fixed message and its cause', () => {
    for (const [name, error] of members) {
      expect(error).toBeInstanceOf(PortcullisError);
      expect(error).toBeInstanceOf(Error);
      expect(error.name).toBe(name);
      expect(isPortcullisError(error)).toBe(true);
      expect(isPortcullisError(error, error.code)).toBe(true);
      if (name !== 'ConfigurationError') {
        expect(error.message).toBe(messageOf(error.code));
        expect(error.cause).toBe('inner');
      }
    }
  });

  it('the hashing entry point shares the one class: instanceof holds across entry points', () => {
    expect(hashing.PortcullisError).toBe(PortcullisError);
    expect(hashing.isPortcullisError).toBe(isPortcullisError);
    expect(hashing.ConfigurationError).toBe(ConfigurationError);
    expect(new hashing.HashingError('hash_failed')).toBeInstanceOf(PortcullisError);
  });

  it('isPortcullisError with a code holds only for that code', () => {
    const error = new HashingError('password_too_long');
    expect(isPortcullisError(error, 'password_too_long')).toBe(true);
    expect(isPortcullisError(error, 'hash_failed')).toBe(false);
    expect(isPortcullisError(error, 'invalid_credentials')).toBe(false);
    expect(isPortcullisError(new ConfigurationError('x'), 'invalid_configuration')).toBe(true);
  });

  it('isPortcullisError recognises every class from a duplicated module copy by name and one of its codes', () => {
    for (const [name, error] of members) {
      const copy = Object.assign(new Error('x'), { name, code: error.code });
      expect(isPortcullisError(copy)).toBe(true);
      expect(isPortcullisError(copy, error.code)).toBe(true);
    }
    const jwtCopy = Object.assign(new Error('x'), { name: 'JwtError', code: 'token_expired' });
    expect(isPortcullisError(jwtCopy, 'token_expired')).toBe(true);
  });

  it('isPortcullisError refuses look-alikes: plain errors, objects, unknown names, codes of another class', () => {
    expect(isPortcullisError(new Error('x'))).toBe(false);
    expect(isPortcullisError(Object.assign(new Error('x'), { code: 'invalid_credentials' }))).toBe(false);
    expect(isPortcullisError({ name: 'AuthenticationError', code: 'invalid_credentials' })).toBe(false);
    expect(isPortcullisError(Object.assign(new Error('x'), { name: 'OtherError', code: 'invalid_credentials' }))).toBe(false);
    expect(isPortcullisError(Object.assign(new Error('x'), { name: 'HashingError', code: 'token_expired' }))).toBe(false);
    expect(isPortcullisError(Object.assign(new Error('x'), { name: 'JwtError', code: 'hasOwnProperty' }))).toBe(false);
    expect(isPortcullisError(Object.assign(new Error('x'), { name: 'toString', code: 'invalid_credentials' }))).toBe(false);
    expect(isPortcullisError(null)).toBe(false);
    expect(isPortcullisError('invalid_credentials')).toBe(false);
  });

  it('the class guards are the one guard narrowed to a class: they refuse the other classes', () => {
    const guards = { AuthenticationError: isAuthenticationError, SessionError: isSessionError, HashingError: isHashingError };
    for (const [name, error] of members) {
      for (const [guardName, guard] of Object.entries(guards)) expect(guard(error)).toBe(guardName === name);
    }
  });

  it('types: one union covers every code, and the guard narrows to the code asked for', () => {
    expectTypeOf<'invalid_credentials' | 'invalid_configuration' | 'csrf_rejected' | 'hash_failed' | 'token_expired'>().toExtend<PortcullisErrorCode>();
    expectTypeOf<HashingError['code']>().toExtend<PortcullisErrorCode>();
    expectTypeOf<SessionError['code']>().toExtend<PortcullisErrorCode>();
    const value: unknown = new HashingError('hash_failed');
    if (isPortcullisError(value, 'hash_failed')) {
      expectTypeOf(value.code).toEqualTypeOf<'hash_failed'>();
      expectTypeOf(value).toExtend<PortcullisError>();
    }
    if (isPortcullisError(value)) expectTypeOf(value.code).toEqualTypeOf<PortcullisErrorCode>();
    // @ts-expect-error: not a code of the family
    isPortcullisError(value, 'no_such_code');
  });

  it('docs/errors.md lists every code of the family exactly once, in its code tables', () => {
    // An exhaustive record: a code added to the union without being added here fails the type-check.
    const every: Record<PortcullisErrorCode, true> = {
      malformed_credentials: true, duplicate_authorization: true, oversized_authorization: true, invalid_credentials: true, incomplete_credentials: true,
      backend_unavailable: true, backend_busy: true, cross_site_request: true, too_many_requests: true, invalid_configuration: true, session_store_unavailable: true,
      session_not_configured: true, session_insecure_transport: true, csrf_rejected: true, method_not_allowed: true,
      invalid_password: true, password_too_long: true, password_too_long_for_algorithm: true, password_contains_nul: true,
      hash_failed: true, hasher_busy: true, token_too_large: true, token_malformed: true, algorithm_not_allowed: true, key_not_found: true,
      signature_invalid: true, token_expired: true, token_not_yet_valid: true, claim_invalid: true, token_revoked: true,
      unknown_user: true, multiple_transports: true, jwks_unavailable: true, revocation_unavailable: true,
      user_lookup_failed: true, no_signing_key: true, revocation_not_configured: true, invalid_issue_options: true,
    };
    const page = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
    const codeTables = page.slice(0, page.indexOf('## Security events'));
    const rows = [...codeTables.matchAll(/^\| `([a-z_]+)` \|/gm)].map((m) => m[1]);
    expect([...rows].sort()).toEqual(Object.keys(every).sort());
    for (const code of Object.keys(every) as PortcullisErrorCode[]) expect(messageOf(code)).toEqual(expect.any(String));
  });
});

describe('class guards and an app subclass with a name of its own', () => {
  it('isAuthenticationError, isSessionError, isHashingError recognise subclasses whatever their name', () => {
    class LockedOut extends AuthenticationError {
      constructor(...args: ConstructorParameters<typeof AuthenticationError>) {
        super(...args);
        // A plain-JS subclass can rename itself; the type pins the name, so set it as JS would.
        Object.defineProperty(this, 'name', { value: 'LockedOut' });
      }
    }
    class StoreDown extends SessionError {
      constructor(...args: ConstructorParameters<typeof SessionError>) {
        super(...args);
        // A plain-JS subclass can rename itself; the type pins the name, so set it as JS would.
        Object.defineProperty(this, 'name', { value: 'StoreDown' });
      }
    }
    class Refused extends HashingError {
      constructor(...args: ConstructorParameters<typeof HashingError>) {
        super(...args);
        // A plain-JS subclass can rename itself; the type pins the name, so set it as JS would.
        Object.defineProperty(this, 'name', { value: 'Refused' });
      }
    }
    const locked = new LockedOut('invalid_credentials');
    expect(isAuthenticationError(locked)).toBe(true);
    expect(isPortcullisError(locked, 'invalid_credentials')).toBe(true);
    expect(isSessionError(new StoreDown('session_store_unavailable'))).toBe(true);
    expect(isHashingError(new Refused('hash_failed'))).toBe(true);
    expect(isSessionError(locked)).toBe(false);
  });

  it('a backend throwing such a subclass still gets its own answer (401 with the challenge), not 503', async () => {
    class LockedOut extends AuthenticationError {
      constructor(...args: ConstructorParameters<typeof AuthenticationError>) {
        super(...args);
        // A plain-JS subclass can rename itself; the type pins the name, so set it as JS would.
        Object.defineProperty(this, 'name', { value: 'LockedOut' });
      }
    }
    const authenticator = createAuthenticator({
      backend: { challenges: ['Basic realm="api"'], authenticate: () => { throw new LockedOut('invalid_credentials'); } },
    });
    const decision = await authenticator.run(createConnection({ method: 'GET', target: '/', header: () => undefined }));
    expect(decision.type === 'respond' && decision.response.status).toBe(401);
    expect(decision.type === 'respond' && decision.response.headers['www-authenticate']).toBe('Basic realm="api"');
  });
});
