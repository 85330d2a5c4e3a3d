/**
 * Recording backends for the unit tests of backend combinations (`multi`, `all`):
 * one `probe()` instead of a copy per test file.
 */
import { expect } from 'vitest';
import type { AuthenticateResult, AuthenticationBackend, Principal } from '../core/src/backend.js';
import type { Connection } from '../core/src/connection.js';
import { AuthCredentials } from '../core/src/credentials.js';
import { AuthenticationError } from '../core/src/errors.js';
import { SimpleUser } from '../core/src/user.js';

/** A backend that answers with `answer`, challenges `<scheme> realm="api"`, and counts its `calls`. */
export type Probe = AuthenticationBackend<SimpleUser> & {
  /** How often `authenticate` ran. */
  calls: number;
  /** How often `present` was asked. */
  asked: number;
};

/**
 * A recording backend: `answer` decides; `calls` counts how often it ran. With
 * `name`, the backend is named (as built-in backends are) and reads `header:x-<name>`;
 * with `present`, it tells `all([...])` whether its credential is there (as built-in
 * backends do) and counts those questions in `asked`.
 *
 * @example
 * ```ts
 * const a = probe('A', () => principal('alice'), { async: true, name: 'a' });
 * ```
 */
export function probe(
  scheme: string,
  answer: (c: Connection) => AuthenticateResult<SimpleUser>,
  options: { async?: boolean; name?: string; present?: (c: Connection) => boolean } = {},
): Probe {
  const { present } = options;
  const backend: Probe = {
    calls: 0,
    asked: 0,
    challenges: [`${scheme} realm="api"`],
    ...(options.name === undefined ? {} : { name: options.name, reads: [`header:x-${options.name}`] }),
    ...(present === undefined
      ? {}
      : {
          present(c: Connection) {
            backend.asked++;
            return present(c);
          },
        }),
    authenticate(c: Connection) {
      backend.calls++;
      return options.async ? Promise.resolve().then(() => answer(c)) : answer(c);
    },
  };
  return backend;
}

/**
 * A principal for `name` with `scopes` (default `['authenticated']`), its credentials
 * naming `via`.
 *
 * @example
 * ```ts
 * principal('alice', ['authenticated', 'admin'], 'session');
 * ```
 */
export function principal(name: string, scopes: readonly string[] = ['authenticated'], via?: string): Principal<SimpleUser> {
  return { user: new SimpleUser(name), auth: new AuthCredentials(scopes, { via }) };
}

/** An answer for {@link probe}: no credentials for this backend. */
export const none = (): null => null;

/** An answer for {@link probe}: present but invalid credentials (`invalid_credentials`). */
export const invalid = (): never => {
  throw new AuthenticationError('invalid_credentials');
};

/**
 * `value`, after checking it is not a promise (a synchronous answer was expected).
 *
 * @example
 * ```ts
 * expect(sync(chain.authenticate(conn()))).toBeNull();
 * ```
 */
export function sync<T>(value: T | Promise<T>): T {
  expect(value).not.toBeInstanceOf(Promise);
  return value as T;
}

/**
 * The code of the `AuthenticationError` that `value` (a promise, or a function) throws
 * or rejects with; `undefined` when it settles without one.
 *
 * @example
 * ```ts
 * expect(await codeOf(() => chain.authenticate(conn()))).toBe('invalid_credentials');
 * ```
 */
export async function codeOf(value: unknown): Promise<string | undefined> {
  try {
    await (typeof value === 'function' ? (value as () => unknown)() : value);
  } catch (error) {
    expect(error).toBeInstanceOf(AuthenticationError);
    return (error as AuthenticationError).code;
  }
  return undefined;
}
