import { describe, it, expect } from 'vitest';
import { AuthenticationError, ConfigurationError, PortcullisError, isAuthenticationError, messageOf } from './errors.js';

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
});
