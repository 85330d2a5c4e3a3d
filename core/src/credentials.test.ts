import { describe, it, expect } from 'vitest';
import { AuthCredentials, NO_CREDENTIALS } from './credentials.js';

describe('AuthCredentials', () => {
  it('keeps scopes in order without duplicates', () => {
    expect(new AuthCredentials(['a', 'b', 'a', 'c']).scopes).toEqual(['a', 'b', 'c']);
    expect(new AuthCredentials(new Set(['x'])).scopes).toEqual(['x']);
    expect(new AuthCredentials().scopes).toEqual([]);
  });

  it('has and hasAll', () => {
    const auth = new AuthCredentials(['authenticated', 'admin']);
    expect(auth.has('admin')).toBe(true);
    expect(auth.has('Admin')).toBe(false);
    expect(auth.hasAll(['authenticated', 'admin'])).toBe(true);
    expect(auth.hasAll([])).toBe(true);
  });

  it('GRD-06 hasAll is AND: one missing scope fails', () => {
    expect(new AuthCredentials(['a']).hasAll(['a', 'b'])).toBe(false);
    expect(new AuthCredentials(['b']).hasAll(['a', 'b'])).toBe(false);
  });

  it('scopes cannot be changed after construction', () => {
    const source = ['a'];
    const auth = new AuthCredentials(source);
    source.push('admin');
    expect(auth.has('admin')).toBe(false);
    expect(Object.isFrozen(auth.scopes)).toBe(true);
    expect(() => (auth.scopes as string[]).push('admin')).toThrow(TypeError);
    expect(auth.has('admin')).toBe(false);
  });

  it('refuses non-string scopes; a bare string is characters, never one scope', () => {
    expect(() => new AuthCredentials([1 as never])).toThrow(TypeError);
    // A string is iterable: a caller passing 'admin' gets characters, never the scope 'admin'.
    expect(new AuthCredentials('admin').has('admin')).toBe(false);
  });

  it('NO_CREDENTIALS holds no scope and is frozen', () => {
    expect(NO_CREDENTIALS.scopes).toEqual([]);
    expect(NO_CREDENTIALS.has('authenticated')).toBe(false);
    expect(Object.isFrozen(NO_CREDENTIALS)).toBe(true);
  });
});
