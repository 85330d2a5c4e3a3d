import { ConfigurationError, type SimpleUser } from '@portcullis/core';
import { describe, expect, it } from 'vitest';
import type { JwtOptions } from '../src/index.js';
import { parseJwtOptions } from '../src/jwt-options.js';
import { MemoryRevocationStore } from '../src/revocation.js';
import { AUDIENCE, ISSUER, SECRET, retrieveUser } from './helpers.js';

const base = (): JwtOptions<SimpleUser> => ({ algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser });

describe('parseJwtOptions', () => {
  it('returns a frozen config with every default filled in', async () => {
    const config = parseJwtOptions(base(), 'jwtAuth');
    await config.ring.ready;
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.policy)).toBe(true);
    expect(Object.isFrozen(config.jwtVerifyOptions)).toBe(true);
    expect(config).toMatchObject({
      issuer: ISSUER,
      audience: AUDIENCE,
      retrieveUser,
      typ: 'at+jwt',
      clockTolerance: 0,
      maxTokenAge: undefined,
      expiresIn: 900,
      revocation: undefined,
      clock: undefined,
      maxTokenLength: 8192,
      fingerprint: undefined,
      policy: { extras: [], requireJti: false },
      subjectRetention: (86_400 + 0 + 1) * 1000,
    });
    expect(config.cache).toBeDefined();
    expect(config.scheme.challenge).toBe('Bearer realm="api"');
    expect(config.jwtVerifyOptions).toEqual({
      algorithms: ['HS256'],
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      clockTolerance: 0,
      requiredClaims: ['exp', 'sub'],
    });
  });

  it('copies the options: changing them afterwards changes nothing', () => {
    const audience = ['api://orders', 'api://billing'];
    const claims = ['tenant'];
    const requiredClaims = ['tenant'];
    const config = parseJwtOptions({ ...base(), audience, claims, requiredClaims }, 'jwtAuth');
    audience.push('api://other');
    claims.push('role');
    requiredClaims.push('role');
    expect(config.audience).toEqual(['api://orders', 'api://billing']);
    expect(Object.isFrozen(config.audience)).toBe(true);
    expect(config.policy.extras).toEqual(['tenant']);
    expect(config.jwtVerifyOptions.audience).toEqual(['api://orders', 'api://billing']);
    expect(config.jwtVerifyOptions.requiredClaims).toEqual(['exp', 'sub', 'tenant']);
  });

  it('derives what the options imply: jti with revocation, the fp claim with a fingerprint, no typ/aud checks for null', () => {
    const config = parseJwtOptions(
      { ...base(), audience: null, typ: null, maxTokenAge: 600, clockTolerance: 30, revocation: new MemoryRevocationStore(), fingerprint: {}, cache: false },
      'jwtAuth',
    );
    expect(config.policy).toEqual({ extras: ['fp'], requireJti: true });
    expect(config.fingerprint).toEqual({ name: '__Host-fp', attributes: 'Path=/; HttpOnly; Secure; SameSite=Strict' });
    expect(config.cache).toBeUndefined();
    expect(config.subjectRetention).toBe((600 + 30 + 1) * 1000);
    expect(config.jwtVerifyOptions).not.toHaveProperty('audience');
    expect(config.jwtVerifyOptions).not.toHaveProperty('typ');
    expect(config.jwtVerifyOptions.maxTokenAge).toBe(600);
  });

  it('a bad option is a ConfigurationError at construction', () => {
    expect(() => parseJwtOptions({ ...base(), clockTolerance: 301 }, 'jwtAuth')).toThrow(ConfigurationError);
    expect(() => parseJwtOptions({ ...base(), audience: undefined as never }, 'jwtAuth')).toThrow(ConfigurationError);
    expect(() => parseJwtOptions({ ...base(), fingerprint: {}, claims: ['fp'] }, 'jwtAuth')).toThrow(ConfigurationError);
  });
});
