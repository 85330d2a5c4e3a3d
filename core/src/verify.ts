import type { Principal } from './backend.js';
import { AuthCredentials } from './credentials.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import type { BaseUser } from './user.js';

/** What a `verify` function returns: the user, or `null`/`undefined` for a mismatch. */
export type VerifyResult<U> = U | null | undefined | Promise<U | null | undefined>;

/** Scopes a scheme backend grants: a fixed list, or a function of the verified user. */
export type ScopesOption<U> = readonly string[] | ((user: U) => Iterable<string>);

/** Checks the `scopes` option once and returns what grants them per user. */
export function grant<U>(scopes: ScopesOption<U> | undefined, who: string): (user: U) => AuthCredentials {
  if (typeof scopes === 'function') return (user) => new AuthCredentials(scopes(user));
  const list = scopes ?? ['authenticated'];
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError(`${who}: scopes must be an array of non-empty strings or a function`);
  }
  const fixed = Object.freeze(new AuthCredentials(list)) as AuthCredentials;
  return () => fixed;
}

/** Maps a verifier's answer to a principal; a mismatch is `invalid_credentials`. */
export function verifierResult<U extends BaseUser>(
  result: VerifyResult<U>,
  auth: (user: U) => AuthCredentials,
): Principal<U> | Promise<Principal<U>> {
  if (result instanceof Promise) return result.then((user) => principal(user, auth));
  return principal(result, auth);
}

function principal<U extends BaseUser>(user: U | null | undefined, auth: (user: U) => AuthCredentials): Principal<U> {
  if (user === null || user === undefined) throw new AuthenticationError('invalid_credentials');
  return { user, auth: auth(user) };
}
