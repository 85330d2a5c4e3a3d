import type { Principal } from './backend.js';
import { AuthCredentials, type AuthCredentialsOptions } from './credentials.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/** What a `verify` function returns: the user, or `null`/`undefined` for a mismatch. */
export type VerifyResult<U> = MaybePromise<U | null | undefined>;

/** Scopes a scheme backend grants: a fixed list, or a function of the verified user. */
export type ScopesOption<U> = readonly string[] | ((user: U) => Iterable<string>);

/** What a scheme backend's credentials say besides scopes and `via` (its challenges; how the user authenticated). */
export type GrantOptions = Omit<AuthCredentialsOptions, 'via' | 'parts' | 'partNames'>;

/**
 * Checks the `scopes` option once and returns what grants them per user, as
 * credentials that name the backend (`via`) and carry `extra`.
 */
export function grant<U, V extends string>(
  scopes: ScopesOption<U> | undefined,
  who: string,
  via: V,
  extra: GrantOptions = {},
): (user: U) => AuthCredentials<V> {
  const options = { ...extra, via };
  if (typeof scopes === 'function') return (user) => new AuthCredentials(scopes(user), options);
  const list = scopes ?? ['authenticated'];
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError(`${who}: scopes must be an array of non-empty strings or a function`);
  }
  const fixed = Object.freeze(new AuthCredentials(list, options)) as AuthCredentials<V>;
  return () => fixed;
}

/** Maps a verifier's answer to a principal; a mismatch is `invalid_credentials`. */
export function verifierResult<U extends BaseUser, V extends string>(
  result: VerifyResult<U>,
  auth: (user: U) => AuthCredentials<V>,
  reject: () => AuthenticationError = invalid,
): MaybePromise<Principal<U, V>> {
  if (result instanceof Promise) return result.then((user) => principal(user, auth, reject));
  return principal(result, auth, reject);
}

function invalid(): AuthenticationError {
  return new AuthenticationError('invalid_credentials');
}

function principal<U extends BaseUser, V extends string>(
  user: U | null | undefined,
  auth: (user: U) => AuthCredentials<V>,
  reject: () => AuthenticationError,
): Principal<U, V> {
  if (user === null || user === undefined) throw reject();
  return { user, auth: auth(user) };
}
