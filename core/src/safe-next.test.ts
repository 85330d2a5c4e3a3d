import { describe, it, expect } from 'vitest';
import { safeNext } from './safe-next.js';

/** What `URLSearchParams` yields for `?next=<encoded>` (the catalogue's "decoded" column). */
function decoded(encoded: string): string | null {
  return new URLSearchParams(`next=${encoded}`).get('next');
}

describe('safeNext: same-origin relative paths', () => {
  it('RED-02 ?next=%2Fdashboard%3Fa%3D1 gives /dashboard?a=1', () => {
    expect(decoded('%2Fdashboard%3Fa%3D1')).toBe('/dashboard?a=1');
    expect(safeNext(decoded('%2Fdashboard%3Fa%3D1'))).toBe('/dashboard?a=1');
  });

  it('RED-02 keeps path, query and fragment', () => {
    expect(safeNext('/a/b?x=1&y=2#top')).toBe('/a/b?x=1&y=2#top');
    expect(safeNext('/')).toBe('/');
  });

  it('re-serialises the target instead of echoing the raw input', () => {
    expect(safeNext('/café')).toBe('/caf%C3%A9');
    expect(safeNext('/a?b=é#é')).toBe('/a?b=%C3%A9#%C3%A9');
    expect(safeNext('/a/./b/../c')).toBe('/a/c');
  });

  it('returns the fallback for non-strings and empty values', () => {
    expect(safeNext(undefined)).toBe('/');
    expect(safeNext(null)).toBe('/');
    expect(safeNext(42)).toBe('/');
    expect(safeNext(['/a'])).toBe('/');
    expect(safeNext('')).toBe('/');
    expect(safeNext(undefined, '/home')).toBe('/home');
  });

  it('uses the given fallback for a rejected value', () => {
    expect(safeNext('//evil.example', '/home')).toBe('/home');
    expect(safeNext('https://evil.example', '')).toBe('');
  });

  it('a relative path without a leading slash is refused', () => {
    expect(safeNext('dashboard')).toBe('/');
    expect(safeNext('./dashboard')).toBe('/');
    expect(safeNext('?x=1')).toBe('/');
  });
});

describe('safeNext: off-site and dangerous targets fall back to /', () => {
  it('RED-03 https://evil.example falls back to /', () => {
    expect(safeNext(decoded('https%3A%2F%2Fevil.example'))).toBe('/');
  });

  it('RED-04 //evil.example falls back to /', () => {
    expect(safeNext(decoded('%2F%2Fevil.example'))).toBe('/');
  });

  for (const q of ['%5C%2Fevil.example', '%5C%5Cevil.example', '%2F%5Cevil.example', '%2Fa%5Cb']) {
    it(`RED-06 backslash in next=${q} falls back to /`, () => {
      expect(safeNext(decoded(q))).toBe('/');
    });
  }

  for (const q of ['%09%2F%2Fevil.example', '%20%2F%2Fevil.example', '%0A%2F%2Fevil.example']) {
    it(`RED-08 leading whitespace in next=${q} falls back to /`, () => {
      expect(safeNext(decoded(q))).toBe('/');
    });
  }

  for (const q of ['%2F%2F%2Fevil.example', '%2F%2F%2F%2Fevil.example']) {
    it(`RED-09 next=${q} falls back to /`, () => {
      expect(safeNext(decoded(q))).toBe('/');
    });
  }

  it('RED-11 https:evil.example never yields the raw string', () => {
    const value = decoded('https%3Aevil.example');
    expect(safeNext(value)).not.toBe(value);
    expect(safeNext(value)).toBe('/');
    expect(safeNext(value, '/', { allowedOrigins: ['https://app.example'] })).toBe('/');
  });

  for (const q of [
    'javascript%3Aalert(1)',
    'JaVaScRiPt%3Aalert(1)',
    'java%09script%3Aalert(1)',
    '%20javascript%3Aalert(1)',
    'data%3Atext%2Fhtml%2C%3Cscript%3E',
    'vbscript%3Amsgbox',
    'VBScript%3Amsgbox',
  ]) {
    it(`RED-12 opaque scheme next=${q} falls back to /`, () => {
      const value = decoded(q);
      expect(safeNext(value)).toBe('/');
      // An allow-list of absolute origins never admits an opaque scheme.
      expect(safeNext(value, '/', { allowedOrigins: ['https://app.example'] })).toBe('/');
    });
  }

  for (const q of [
    '%2F%2Fapp.example%40evil.example',
    'https%3A%2F%2Fapp.example%40evil.example%2F',
    'https%3A%2F%2Fapp.example.evil.example%2F',
  ]) {
    it(`RED-13 userinfo/suffix trick next=${q} falls back to /`, () => {
      const value = decoded(q);
      expect(safeNext(value)).toBe('/');
      expect(safeNext(value, '/', { allowedOrigins: ['https://app.example'] })).toBe('/');
    });
  }

  it('RED-14 //evil.example@app.example falls back to / (leading // and userinfo)', () => {
    expect(safeNext(decoded('%2F%2Fevil.example%40app.example'))).toBe('/');
  });

  it('RED-14 userinfo in an allowed absolute origin is refused', () => {
    const options = { allowedOrigins: ['https://app.example'] };
    expect(safeNext('https://user@app.example/x', '/', options)).toBe('/');
    expect(safeNext('https://user:pw@app.example/x', '/', options)).toBe('/');
  });

  it('RED-17 CRLF in next falls back to / and never reaches the result', () => {
    const value = decoded('%2F%0D%0ASet-Cookie%3A%20x%3Dy');
    expect(value).toContain('\r\n');
    expect(safeNext(value)).toBe('/');
    for (const v of ['/a\rb', '/a\nb', '/a\u0000b', '/a\u007fb', '/a?x=\r\n']) expect(safeNext(v)).toBe('/');
  });

  it('RED-17 percent-encoded CRLF stays encoded in the result (header-safe)', () => {
    const out = safeNext('/%0D%0ASet-Cookie:x=y');
    expect(out).not.toMatch(/[\r\n]/);
    expect(out.startsWith('/')).toBe(true);
  });

  it('RED-18 an over-long next (/a x 2000) falls back to /', () => {
    expect(safeNext('/a'.repeat(2000))).toBe('/');
  });

  it('RED-18 the 2048-character cap applies to the input and to the re-serialised result', () => {
    const max = '/' + 'a'.repeat(2047);
    expect(safeNext(max)).toBe(max);
    expect(safeNext(max + 'a')).toBe('/');
    // 1001 characters in, 6001 after percent-encoding: refused.
    expect(safeNext('/' + 'é'.repeat(1000))).toBe('/');
  });
});

describe('safeNext: dot segments', () => {
  for (const value of ['/..//evil.example', '/a/..//evil', '/.//evil', '/%2e%2e//evil', '/a/%2E%2E//evil']) {
    it(`dot segments in ${value} cannot collapse into //`, () => {
      const out = safeNext(value);
      expect(out.startsWith('//')).toBe(false);
      expect(out).toBe('/');
    });
  }

  it('dot segments above the root stay on the origin', () => {
    expect(safeNext('/../../etc')).toBe('/etc');
  });
});

describe('safeNext: allowedOrigins', () => {
  const allowedOrigins = ['https://accounts.partner.example'];

  it('RED-20 an allow-listed origin is accepted and re-serialised', () => {
    expect(safeNext('https://accounts.partner.example/cb', '/', { allowedOrigins })).toBe('https://accounts.partner.example/cb');
    expect(safeNext('https://ACCOUNTS.partner.example/cb?x=1', '/', { allowedOrigins })).toBe(
      'https://accounts.partner.example/cb?x=1',
    );
  });

  it('RED-20 a host suffix is rejected', () => {
    expect(safeNext('https://accounts.partner.example.evil.example/', '/', { allowedOrigins })).toBe('/');
  });

  it('RED-20 another scheme is rejected', () => {
    expect(safeNext('http://accounts.partner.example/', '/', { allowedOrigins })).toBe('/');
  });

  it('RED-20 another port is rejected', () => {
    expect(safeNext('https://accounts.partner.example:8443/', '/', { allowedOrigins })).toBe('/');
  });

  it('RED-20 the default port is the same origin', () => {
    expect(safeNext('https://accounts.partner.example:443/cb', '/', { allowedOrigins })).toBe('https://accounts.partner.example/cb');
  });

  it('RED-20 without an allow-list every absolute URL is rejected', () => {
    expect(safeNext('https://accounts.partner.example/cb')).toBe('/');
    expect(safeNext('https://accounts.partner.example/cb', '/', { allowedOrigins: [] })).toBe('/');
  });

  it('RED-20 relative paths still work with an allow-list', () => {
    expect(safeNext('/dashboard', '/', { allowedOrigins })).toBe('/dashboard');
    expect(safeNext('//accounts.partner.example/cb', '/', { allowedOrigins })).toBe('/');
  });
});

describe('safeNext: avoid', () => {
  const avoid = ['/login', '/logout'];

  it('RED-22 next=/login or /logout falls back to /', () => {
    expect(safeNext('/login', '/', { avoid })).toBe('/');
    expect(safeNext('/logout', '/', { avoid })).toBe('/');
  });

  it('RED-22 avoid matches the re-serialised path, whatever the query, fragment or dot segments', () => {
    expect(safeNext('/login?next=%2Fadmin', '/', { avoid })).toBe('/');
    expect(safeNext('/login#top', '/', { avoid })).toBe('/');
    expect(safeNext('/./login', '/', { avoid })).toBe('/');
    expect(safeNext('/x/../logout', '/', { avoid })).toBe('/');
  });

  it('RED-22 other paths are kept', () => {
    expect(safeNext('/login-help', '/', { avoid })).toBe('/login-help');
    expect(safeNext('/dashboard', '/', { avoid })).toBe('/dashboard');
    expect(safeNext('/login', '/', { avoid: [] })).toBe('/login');
  });
});
