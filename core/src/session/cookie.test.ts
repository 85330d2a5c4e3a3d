import { describe, expect, it } from 'vitest';
import { ConfigurationError } from '../errors.js';
import { deletionCookie, serializeSessionCookie, sessionCookie, type SessionCookieOptions } from './cookie.js';

describe('sessionCookie', () => {
  it('CK-01 defaults: __Host-id, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain, not persistent', () => {
    const c = sessionCookie({ secure: true });
    expect(c).toEqual({ name: '__Host-id', secure: true, sameSite: 'lax', path: '/', domain: undefined, maxAge: undefined, httpOnly: true });
    expect(Object.isFrozen(c)).toBe(true);
    expect(serializeSessionCookie(c, 'abc.def')).toBe('__Host-id=abc.def; Path=/; HttpOnly; Secure; SameSite=Lax');
  });

  it('LEAK-14 development mode: a generic name without the __Host- prefix (never connect.sid or koa.sess)', () => {
    const c = sessionCookie({ secure: false });
    expect(c.name).toBe('id');
    expect(serializeSessionCookie(c, 'v')).toBe('id=v; Path=/; HttpOnly; SameSite=Lax');
  });

  it('Secure is the default outside NODE_ENV=development', () => {
    const env = process.env.NODE_ENV;
    try {
      process.env.NODE_ENV = 'production';
      expect(sessionCookie().secure).toBe(true);
      process.env.NODE_ENV = 'development';
      expect(sessionCookie().secure).toBe(false);
      expect(sessionCookie().name).toBe('id');
    } finally {
      process.env.NODE_ENV = env;
    }
  });

  const unsafe: [string, SessionCookieOptions][] = [
    ['sameSite none without secure', { sameSite: 'none', secure: false }],
    ['a domain with ;', { domain: 'a.example; SameSite=None' }],
    ['a sameSite with ;', { sameSite: 'Lax; Domain=evil' as never }],
    ['a sameSite in another case', { sameSite: 'Lax' as never }],
    ['a name with ;', { name: 'id;x' }],
    ['a name with CR/LF', { name: 'id\r\nSet-Cookie: x=y' }],
    ['a name with =', { name: 'id=x' }],
    ['an empty name', { name: '' }],
    ['__Host- with a domain', { name: '__Host-id', secure: true, domain: 'app.example' }],
    ['__Host- with another path', { name: '__Host-id', secure: true, path: '/app' }],
    ['__Host- without secure', { name: '__Host-id', secure: false }],
    ['__Secure- without secure', { name: '__Secure-id', secure: false }],
    ['a path with ;', { path: '/; Domain=evil' }],
    ['a path with CR/LF', { path: '/\r\nx' }],
    ['a relative path', { path: 'app' }],
    ['a domain with CR/LF', { domain: 'a.example\r\nx' }],
    ['a non-integer maxAge', { maxAge: 1.5 }],
    ['a negative maxAge', { maxAge: -1 }],
    ['httpOnly off', { httpOnly: false } as never],
  ];
  for (const [label, options] of unsafe) {
    it(`CK-03 ${label} throws at configuration`, () => {
      expect(() => sessionCookie(options)).toThrow(ConfigurationError);
    });
  }

  it('accepts safe non-default combinations', () => {
    expect(sessionCookie({ secure: true, sameSite: 'none', name: 'sid' }).sameSite).toBe('none');
    expect(sessionCookie({ secure: false, domain: 'app.example', path: '/app', maxAge: 3600 })).toMatchObject({ domain: 'app.example', path: '/app', maxAge: 3600 });
    expect(serializeSessionCookie(sessionCookie({ secure: true, name: 'sid', domain: 'app.example', maxAge: 60, sameSite: 'strict' }), 'v')).toBe(
      'sid=v; Max-Age=60; Domain=app.example; Path=/; HttpOnly; Secure; SameSite=Strict',
    );
  });

  it('serializeSessionCookie refuses values that are not base64url', () => {
    expect(() => serializeSessionCookie(sessionCookie({ secure: true }), 'a;b')).toThrow(TypeError);
    expect(() => serializeSessionCookie(sessionCookie({ secure: true }), 'a\r\nb')).toThrow(TypeError);
  });

  it('CK-08 the deletion cookie repeats name, Path, Domain, HttpOnly, Secure and SameSite with Max-Age=0', () => {
    expect(deletionCookie(sessionCookie({ secure: true }))).toBe('__Host-id=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax');
    expect(deletionCookie(sessionCookie({ secure: false, domain: 'app.example', path: '/app' }))).toBe(
      'id=; Max-Age=0; Domain=app.example; Path=/app; HttpOnly; SameSite=Lax',
    );
  });
});
