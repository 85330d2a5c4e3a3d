import { describe, it, expect } from 'vitest';
import { ConfigurationError } from './errors.js';
import { compileExclude, isCanonical } from './exclude.js';
import { configError } from '../../test-support/connection.js';

describe('compileExclude', () => {
  it('no patterns exclude nothing', () => {
    expect(compileExclude(undefined)('/')).toBe(false);
    expect(compileExclude([])('/login')).toBe(false);
  });

  it('an exact path matches only itself', () => {
    const excluded = compileExclude(['/login']);
    expect(excluded('/login')).toBe(true);
    for (const path of ['/login/', '/login/x', '/Login', '/loginx', '/', '/x/login']) expect(excluded(path)).toBe(false);
  });

  it('"/*" matches every path below the segment, not the segment or a longer name', () => {
    const excluded = compileExclude(['/public/*']);
    for (const path of ['/public/', '/public/a', '/public/a/b.css']) expect(excluded(path)).toBe(true);
    for (const path of ['/public', '/publicity', '/publicity/a', '/x/public/a']) expect(excluded(path)).toBe(false);
  });

  it('an anchored RegExp is used as given', () => {
    const excluded = compileExclude([/^\/health$/i]);
    expect(excluded('/health')).toBe(true);
    expect(excluded('/HEALTH')).toBe(true);
    expect(excluded('/health/x')).toBe(false);
  });

  it('GRD-08 a top-level alternation cannot escape the anchors', () => {
    const excluded = compileExclude([/^\/health|\/metrics$/]);
    expect(excluded('/health')).toBe(true);
    expect(excluded('/metrics')).toBe(true);
    expect(excluded('/healthz/admin')).toBe(false);
    expect(excluded('/admin/metrics')).toBe(false);
  });

  it('unanchored, half-anchored, global or sticky RegExps throw ConfigurationError', () => {
    for (const re of [/\/health/, /^\/health/, /\/health$/, /^\/health$/g, /^\/health$/y]) configError(() => compileExclude([re]));
  });

  it('invalid string patterns throw ConfigurationError', () => {
    for (const pattern of ['login', '', '*', '/a*', '/a/*/b', '/a*b', '//a', '/a/../b', '/a/./*', '/a%2fb', '/a\\b']) {
      configError(() => compileExclude([pattern]));
    }
    configError(() => compileExclude([42 as never]));
    configError(() => compileExclude([null as never]));
  });

  it('a non-array throws ConfigurationError', () => {
    configError(() => compileExclude('/login' as never));
    configError(() => compileExclude(null as never));
    configError(() => compileExclude({ length: 1 } as never));
  });

  for (const path of [
    '//public/x',
    '/public//x',
    '/public/..%2Fadmin',
    '/public/..%2fadmin',
    '/public/%2e%2e/admin',
    '/public/%2E%2E/admin',
    '/public/.%2e/admin',
    '/public/./x',
    '/public/../admin',
    '/public/..',
    '/public/.',
    '/public/a\\..\\admin',
    '/public/%5c..%5cadmin',
  ]) {
    it(`GRD-08 non-canonical ${JSON.stringify(path)} is never excluded`, () => {
      const excluded = compileExclude(['/public/*', /^\/public\/.*$/, /^.*$/]);
      expect(excluded(path)).toBe(false);
    });
  }
});

describe('isCanonical', () => {
  it('accepts ordinary paths', () => {
    for (const path of ['/', '/a', '/a/b', '/a/b/', '/a.b/c..d', '/.well-known/x', '/a/...', '/%41', '/a%20b']) {
      expect(isCanonical(path)).toBe(true);
    }
  });

  it('GRD-08 refuses //, dot segments, backslashes and encoded / . \\', () => {
    for (const path of ['', 'a', '//a', '/a//b', '/./a', '/a/.', '/a/..', '/a/../b', '/a\\b', '/a%2Fb', '/a%2eb', '/a%5Cb']) {
      expect(isCanonical(path)).toBe(false);
    }
  });
});
