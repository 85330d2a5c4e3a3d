import { describe, expect, it } from 'vitest';
import { parseAuthenticationOptions } from './authentication-options.js';
import type { AuthenticationBackend } from './backend.js';
import { ConfigurationError } from './errors.js';
import type { SimpleUser } from './user.js';

const backend: AuthenticationBackend<SimpleUser> = { challenges: ['Test realm="api"'], authenticate: () => null };

describe('parseAuthenticationOptions', () => {
  it('returns a frozen config with every default filled in', () => {
    const config = parseAuthenticationOptions({ backend });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.challenges)).toBe(true);
    expect(config).toMatchObject({ backend, onError: undefined, mode: 'optional', allowOptions: true, clock: Date.now, log: undefined });
    expect(config.challenges).toEqual(['Test realm="api"']);
    expect(config.isExcluded('/anything')).toBe(false);
  });

  it('copies the options: changing them afterwards changes nothing', () => {
    const challenges = ['Test realm="api"'];
    const exclude = ['/health'];
    const options = { backend: { ...backend, challenges }, mode: 'required' as const, exclude };
    const config = parseAuthenticationOptions(options);
    challenges.push('Other');
    exclude.push('/admin');
    options.mode = 'optional' as 'required';
    expect(config.challenges).toEqual(['Test realm="api"']);
    expect(config.mode).toBe('required');
    expect(config.isExcluded('/health')).toBe(true);
    expect(config.isExcluded('/admin')).toBe(false);
  });

  it('keeps what was given', () => {
    const clock = (): number => 0;
    const log = (): void => {};
    const onError = () => ({ status: 401, headers: {}, body: '' });
    const config = parseAuthenticationOptions({ backend, clock, log, onError, mode: 'required', allowOptions: false });
    expect(config).toMatchObject({ clock, log, onError, mode: 'required', allowOptions: false });
  });

  it('every bad option is a ConfigurationError at construction', () => {
    expect(() => parseAuthenticationOptions(null as never)).toThrow(ConfigurationError);
    expect(() => parseAuthenticationOptions({} as never)).toThrow(ConfigurationError);
    expect(() => parseAuthenticationOptions({ backend, onError: 5 as never })).toThrow(ConfigurationError);
    expect(() => parseAuthenticationOptions({ backend, mode: 'strict' as never })).toThrow(ConfigurationError);
    expect(() => parseAuthenticationOptions({ backend, exclude: ['relative'] })).toThrow(ConfigurationError);
    expect(() => parseAuthenticationOptions({ backend, log: 'console' as never })).toThrow(ConfigurationError);
    expect(() => parseAuthenticationOptions({ backend, clock: 5 as never })).toThrow(ConfigurationError);
    expect(() => parseAuthenticationOptions({ backend: { ...backend, challenges: ['a\r\nSet-Cookie: x'] } })).toThrow(ConfigurationError);
  });
});
