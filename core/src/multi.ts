import type { AuthenticateResult, AuthenticationBackend } from './backend.js';
import { checkParts } from './backend-name.js';
import type { Connection } from './connection.js';
import { ConfigurationError } from './errors.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/** The users the backends of a list produce, as a union. */
export type UnionUser<T extends readonly AuthenticationBackend<BaseUser>[]> =
  T[number] extends AuthenticationBackend<infer U, string | undefined> ? U : never;

/** The `via` names the backends of a list produce, as a union. */
export type UnionVia<T extends readonly AuthenticationBackend<BaseUser>[]> =
  T[number] extends AuthenticationBackend<BaseUser, infer V> ? V : never;

/**
 * Tries backends in the configured order. A backend that does not recognise the
 * request's credentials passes to the next; the first principal wins, and its
 * `auth.via` names the backend that decided; an error (present-but-invalid
 * credentials, or a backend failure) stops the chain. A 401 carries every
 * backend's challenge. Two backends with the same `name` are refused at startup.
 *
 * @example
 * ```ts
 * const backend = multi([tokenAuth({ verify: findToken }), basicAuth({ verify: checkPassword })]);
 * // in a handler: req.auth.via is 'token' or 'basic'
 * ```
 */
export function multi<const T extends readonly AuthenticationBackend<BaseUser>[]>(
  backends: T,
): AuthenticationBackend<UnionUser<T>, UnionVia<T>> {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new ConfigurationError('multi: give at least one backend');
  }
  checkParts(backends, 'multi', false);
  const list = Object.freeze([...backends]) as readonly AuthenticationBackend<UnionUser<T>, UnionVia<T>>[];
  const challenges = Object.freeze(list.flatMap((b) => b.challenges ?? []));
  // What any part reads, so an `all` around this chain can see a conflict.
  const reads = Object.freeze([...new Set(list.flatMap((b) => b.reads ?? []))]);

  function from(index: number, connection: Connection): MaybePromise<AuthenticateResult<UnionUser<T>, UnionVia<T>>> {
    for (let i = index; i < list.length; i++) {
      const result = (list[i] as AuthenticationBackend<UnionUser<T>, UnionVia<T>>).authenticate(connection);
      if (result instanceof Promise) {
        return result.then((r) => (r ? r : from(i + 1, connection)));
      }
      if (result) return result;
    }
    return null;
  }

  return Object.freeze({
    challenges,
    reads,
    authenticate: (connection: Connection) => from(0, connection),
  });
}
