import { AuthenticationError, PortcullisError, isAuthenticationError, isPortcullisError, type PortcullisErrorCode } from '@portcullis/core';
import { messageOf } from '@portcullis/core/adapter';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { JwtError, isJwtError, type JwtErrorCode } from '../src/index.js';
import { jwtAuth } from '../src/index.js';
import { AUDIENCE, ISSUER, SECRET, T0, T0S, connection, refusal, retrieveUser, sign } from './helpers.js';

const CODES: readonly JwtErrorCode[] = [
  'token_too_large',
  'token_malformed',
  'algorithm_not_allowed',
  'key_not_found',
  'signature_invalid',
  'token_expired',
  'token_not_yet_valid',
  'claim_invalid',
  'token_revoked',
  'unknown_user',
  'multiple_transports',
  'cross_site_request',
  'jwks_unavailable',
  'revocation_unavailable',
  'user_lookup_failed',
  'no_signing_key',
  'revocation_not_configured',
  'invalid_issue_options',
];

describe('JwtError is one of the PortcullisError family', () => {
  it('every JwtError is a PortcullisError (the core class, imported across packages) with its code and cause', () => {
    for (const code of CODES) {
      const error = new JwtError(code, { cause: 'inner' });
      expect(error).toBeInstanceOf(PortcullisError);
      expect(error.name).toBe('JwtError');
      expect(error.code).toBe(code);
      expect(error.message).toBe(messageOf(code));
      expect(error.cause).toBe('inner');
      expect(isPortcullisError(error, code)).toBe(true);
      expect(isJwtError(error)).toBe(true);
      expect(isAuthenticationError(error)).toBe(false);
    }
  });

  it('isJwtError is the one guard narrowed to JwtError: copies by name and code, nothing else', () => {
    expect(isJwtError(Object.assign(new Error('x'), { name: 'JwtError', code: 'token_expired' }))).toBe(true);
    expect(isJwtError(Object.assign(new Error('x'), { name: 'JwtError', code: 'hash_failed' }))).toBe(false);
    expect(isJwtError(new AuthenticationError('cross_site_request'))).toBe(false);
    expect(isJwtError({ name: 'JwtError', code: 'token_expired' })).toBe(false);
  });

  it('a refused token: an AuthenticationError whose cause is a PortcullisError with the JWT code', async () => {
    const jwt = jwtAuth({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0, cache: false });
    const token = await sign({ exp: T0S - 3600 });
    let cause: unknown;
    try {
      await jwt.authenticate(connection({ token }));
    } catch (error) {
      cause = (error as Error).cause;
    }
    expect(cause).toBeInstanceOf(PortcullisError);
    expect(isPortcullisError(cause, 'token_expired')).toBe(true);
    expect(await refusal(jwt.authenticate(connection({ token })))).toMatchObject({ status: 'invalid_credentials', code: 'token_expired' });
  });

  it('types: JwtErrorCode is part of the one union', () => {
    expectTypeOf<JwtErrorCode>().toExtend<PortcullisErrorCode>();
    expectTypeOf<JwtError>().toExtend<PortcullisError>();
  });
});

describe('isJwtError and an app subclass with a name of its own', () => {
  it('recognises the subclass whatever its name', () => {
    class Expired extends JwtError {
      constructor(...args: ConstructorParameters<typeof JwtError>) {
        super(...args);
        // A plain-JS subclass can rename itself; the type pins the name, so set it as JS would.
        Object.defineProperty(this, 'name', { value: 'Expired' });
      }
    }
    expect(isJwtError(new Expired('token_expired'))).toBe(true);
    expect(isPortcullisError(new Expired('token_expired'), 'token_expired')).toBe(true);
  });
});
