import type { AuthenticateResult, AuthenticationBackend } from './backend.js';
import { backendName, checkParts, registerCombination } from './backend-name.js';
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

/** The `name` of a chain given one (`multi([...], { name })`). */
export type NamedChain<N extends string> = [N] extends [never]
  ? unknown
  : {
      /** The chain's name, as a part of `all([...])`. */
      readonly name: N;
    };

/** Options of {@link multi}. */
export interface MultiOptions<N extends string = string> {
  /**
   * A name for the chain itself, needed only to make it a part of `all([...])`
   * (`all([clientKey, multi([session, jwt], { name: 'user' })])`: a client key and a
   * user through either). The chain's principals keep the `via` of the backend that
   * decided.
   */
  name?: N;
}

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
export function multi<const T extends readonly AuthenticationBackend<BaseUser>[], const N extends string = never>(
  backends: T,
  options?: MultiOptions<N>,
): AuthenticationBackend<UnionUser<T>, UnionVia<T>> & NamedChain<N> {
  if (!Array.isArray(backends) || backends.length === 0) {
    throw new ConfigurationError('multi: give at least one backend');
  }
  checkParts(backends, 'multi', false);
  const name = options?.name === undefined ? undefined : backendName(options.name, options.name, 'multi');
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

  // Present when any part is; unknown (no `present`) when a part cannot tell.
  const present = list.every((b) => typeof b.present === 'function')
    ? { present: (connection: Connection): boolean => list.some((b) => (b.present as (c: Connection) => boolean)(connection)) }
    : {};

  const chain = Object.freeze({
    ...(name === undefined ? {} : { name }),
    challenges,
    reads,
    ...present,
    authenticate: (connection: Connection) => from(0, connection),
  });
  registerCombination(chain, list);
  // `name` is there exactly when the option gave `N`.
  return chain as typeof chain & NamedChain<N>;
}
