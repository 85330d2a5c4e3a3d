import { hasScheme, readAuthorization } from './authorization.js';
import type { AuthenticationBackend, Principal } from './backend.js';
import type { Connection } from './connection.js';
import { AUTHORIZATION } from './basic.js';
import { backendName } from './backend-name.js';
import { ConfigurationError } from './errors.js';
import { AuthenticationError } from './errors.js';
import type { BaseUser } from './user.js';
import { grant, verifierResult, type ScopesOption, type VerifyResult } from './verify.js';
import type { MaybePromise } from './maybe-promise.js';

/** Options of {@link tokenAuth}. */
export interface TokenAuthOptions<U extends BaseUser, N extends string = 'token'> {
  /** Looks a token up; returns its user, or `null` for an unknown token. */
  verify(token: string, connection: Connection): VerifyResult<U>;
  /** Scopes granted on success: a list, or a function of the user. Default `['authenticated']`. */
  scopes?: ScopesOption<U>;
  /**
   * The backend's name: `auth.via` of the requests it authenticates, and its name in
   * `multi([...])` and `all([...])`, where names are unique. Default `'token'`.
   */
  name?: N;
}

const TOKEN68 = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN = 4096;

/**
 * `Authorization: Token <key>` (the DRF and starlette-auth-toolkit convention).
 * A request with another scheme is anonymous for this backend; `Token` with a
 * missing or malformed key is `invalid_credentials` (401 with `WWW-Authenticate: Token`).
 *
 * @example
 * ```ts
 * const backend = tokenAuth({ verify: (token) => (token === 'abcd' ? new SimpleUser('bob') : null) });
 * ```
 */
export function tokenAuth<U extends BaseUser, const N extends string = 'token'>(
  options: TokenAuthOptions<U, N>,
): AuthenticationBackend<U, NoInfer<N>> & {
  /** The backend's name, the `via` of its credentials: the `name` option or the default. */
  readonly name: NoInfer<N>;
} {
  if (typeof options?.verify !== 'function') throw new ConfigurationError('tokenAuth: verify must be a function');
  const verify = options.verify;
  const name = backendName(options.name, 'token' as N, 'tokenAuth');
  const auth = grant(options.scopes, 'tokenAuth', name, { everyRequest: true });
  return Object.freeze({
    name,
    challenges: Object.freeze(['Token']),
    reads: AUTHORIZATION,
    present: (connection: Connection): boolean => hasScheme(connection, 'token'),
    authenticate(connection: Connection): MaybePromise<Principal<U, N>> | null {
      const value = readAuthorization(connection, 'token');
      if (value === null || value.scheme !== 'token') return null;
      const token = value.credentials;
      if (token === undefined || token.length > MAX_TOKEN || !TOKEN68.test(token)) {
        throw new AuthenticationError('invalid_credentials');
      }
      return verifierResult(verify(token, connection), auth);
    },
  });
}
