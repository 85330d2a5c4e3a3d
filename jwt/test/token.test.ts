import { describe, expect, it } from 'vitest';
import { tokenFromClaims } from '../src/token.js';

const POLICY = { extras: ['role'], requireJti: false };
const BASE = { sub: 'alice', iss: 'https://issuer.example', aud: 'api', exp: 2_000_000_000, iat: 1_900_000_000 };

describe('tokenFromClaims builds the same Token as before (one literal, no intermediate objects)', () => {
  it('JWT-32 the keys, in order, frozen; optional claims only when present', () => {
    const plain = tokenFromClaims(BASE, POLICY);
    expect(Object.keys(plain)).toEqual(['sub', 'exp', 'iat', 'nbf', 'iss', 'aud', 'jti', 'scopes', 'extras']);
    expect(plain).toMatchObject({ sub: 'alice', exp: 2_000_000_000, iat: 1_900_000_000, nbf: undefined, jti: undefined, scopes: [] });
    expect(Object.isFrozen(plain) && Object.isFrozen(plain.scopes) && Object.isFrozen(plain.extras)).toBe(true);
    expect(Object.getPrototypeOf(plain.extras)).toBeNull();

    const full = tokenFromClaims({ ...BASE, scope: 'read write read', role: 'admin', auth_time: 1_899_999_000, acr: 'aal2', amr: ['pwd', 'otp'], client_id: 'c1' }, POLICY);
    expect(Object.keys(full)).toEqual(['sub', 'exp', 'iat', 'nbf', 'iss', 'aud', 'jti', 'scopes', 'extras', 'authTime', 'acr', 'amr', 'clientId']);
    expect(full).toMatchObject({ scopes: ['read', 'write'], extras: { role: 'admin' }, authTime: 1_899_999_000, acr: 'aal2', amr: ['pwd', 'otp'], clientId: 'c1' });
    expect(Object.isFrozen(full) && Object.isFrozen(full.scopes) && Object.isFrozen(full.amr)).toBe(true);

    const some = tokenFromClaims({ ...BASE, acr: 'aal1' }, POLICY);
    expect(Object.keys(some).slice(9)).toEqual(['acr']);
  });

  it('JWT-32 claims are read from own properties only; a wrong step-up claim type refuses', () => {
    const inherited = Object.assign(Object.create({ sub: 'mallory', acr: 'aal3' }) as Record<string, unknown>, { ...BASE, sub: undefined });
    delete inherited.sub;
    expect(() => tokenFromClaims(inherited, POLICY)).toThrow();
    const noAcr = Object.assign(Object.create({ acr: 'aal3' }) as Record<string, unknown>, BASE);
    expect(tokenFromClaims(noAcr, POLICY)).not.toHaveProperty('acr');
    for (const bad of [{ auth_time: -1 }, { acr: 1 }, { amr: 'pwd' }, { client_id: '' }]) {
      expect(() => tokenFromClaims({ ...BASE, ...bad }, POLICY), JSON.stringify(bad)).toThrow();
    }
  });
});
