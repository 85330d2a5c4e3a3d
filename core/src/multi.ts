import type { AuthenticateResult, AuthenticationBackend } from './backend.js';
import type { Connection } from './connection.js';
import { ConfigurationError } from './errors.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

type UnionUser<T extends readonly AuthenticationBackend<BaseUser>[]> =
  T[number] extends AuthenticationBackend<infer U> ? U : never;

/**
 * Tries backends in the configured order. A backend that does not recognise the
 * request's credentials passes to the next; the first principal wins; an error
 * (present-but-invalid credentials, or a backend failure) stops the chain. A 401
 * carries every backend's challenge.
 *
 * @example
 * ```ts
 * const backend = multi([tokenAuth({ verify: findToken }), basicAuth({ verify: checkPassword })]);
 * ```
 */
export function multi<const T extends readonly AuthenticationBackend<BaseUser>[]>(
  backends: T,
): AuthenticationBackend<UnionUser<T>> {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new ConfigurationError('multi: give at least one backend');
  }
  for (const b of backends) {
    if (typeof b?.authenticate !== 'function') throw new ConfigurationError('multi: every backend needs authenticate()');
  }
  const list = Object.freeze([...backends]) as readonly AuthenticationBackend<UnionUser<T>>[];
  const challenges = Object.freeze(list.flatMap((b) => b.challenges ?? []));

  function from(index: number, connection: Connection): MaybePromise<AuthenticateResult<UnionUser<T>>> {
    for (let i = index; i < list.length; i++) {
      const result = (list[i] as AuthenticationBackend<UnionUser<T>>).authenticate(connection);
      if (result instanceof Promise) {
        return result.then((r) => (r ? r : from(i + 1, connection)));
      }
      if (result) return result;
    }
    return null;
  }

  return Object.freeze({
    challenges,
    authenticate: (connection: Connection) => from(0, connection),
  });
}
