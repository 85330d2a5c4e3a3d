import {
  decodeBase64Strict,
  decodeUtf8Strict,
  hasControlCharacters,
  hasScheme,
  quoteRealm,
  readAuthorization,
} from './authorization.js';
import type { AuthenticationBackend, Principal } from './backend.js';
import { grant, verifierResult, type ScopesOption, type VerifyResult } from './verify.js';
import { headerEntries, type VerificationCache } from './cache.js';
import type { Connection } from './connection.js';
import { backendName } from './backend-name.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/** Options of {@link basicAuth}. */
export interface BasicAuthOptions<U extends BaseUser, N extends string = 'basic'> {
  /**
   * Checks a username and password; returns the user, or `null` when they do not
   * match. Compare secrets in constant time (`timingSafeEqual`).
   */
  verify(username: string, password: string, connection: Connection): VerifyResult<U>;
  /** The realm sent in the challenge. Default `Restricted`. No control characters. */
  realm?: string;
  /** Scopes granted on success: a list, or a function of the user. Default `['authenticated']`. */
  scopes?: ScopesOption<U>;
  /** Remembers successful verifications so repeated requests skip `verify` (see `VerificationCache`). */
  cache?: VerificationCache<U>;
  /**
   * The backend's name: `auth.via` of the requests it authenticates, and its name in
   * `multi([...])` and `all([...])`, where names are unique. Default `'basic'`.
   */
  name?: N;
}

/** The decoded `user-id` and `password` of a Basic credential. */
export interface BasicCredentials {
  /** The user-id part, before the first colon (UTF-8, control characters refused). */
  readonly username: string;
  /** The password part, after the first colon (it may contain colons). */
  readonly password: string;
}

/** What the `Authorization`-header backends read (`reads`). */
export const AUTHORIZATION: readonly string[] = Object.freeze(['authorization']);

/** Longest accepted Basic token68 (about 3 KiB decoded). */
const MAX_TOKEN = 4096;

/**
 * Parses `Authorization: Basic …` strictly (RFC 7617): one base64 decoder, UTF-8
 * with `fatal: true`, the password is everything after the first colon, empty or
 * control-character user-ids and passwords refused. Returns `null` when the
 * request carries no Basic credentials.
 */
export function parseBasic(connection: Connection): BasicCredentials | null {
  const value = readAuthorization(connection, 'basic');
  if (value === null || value.scheme !== 'basic') return null;
  const token = value.credentials;
  // "Basic", "Basic " and "Basic<TAB>…": the scheme is ours, the credential is unusable.
  if (token === undefined || token === '' || token.length > MAX_TOKEN) throw new AuthenticationError('invalid_credentials');
  const bytes = decodeBase64Strict(token);
  if (bytes === null) throw new AuthenticationError('malformed_credentials');
  const text = decodeUtf8Strict(bytes);
  if (text === null) throw new AuthenticationError('malformed_credentials');
  const colon = text.indexOf(':');
  if (colon === -1) throw new AuthenticationError('malformed_credentials');
  const username = text.slice(0, colon);
  const password = text.slice(colon + 1);
  if (username === '' || password === '' || hasControlCharacters(text)) {
    // The username goes to the failure log only, escaped there (LEAK-08).
    throw new AuthenticationError('invalid_credentials', { subject: username });
  }
  return { username, password };
}

/**
 * HTTP Basic authentication (RFC 7617) over an app-supplied `verify`.
 *
 * @example
 * ```ts
 * const backend = basicAuth({
 *   realm: 'admin',
 *   async verify(username, password) {
 *     const [u, p] = await Promise.all([timingSafeEqual(username, 'admin'), timingSafeEqual(password, secret)]);
 *     return u && p ? new SimpleUser(username) : null;
 *   },
 * });
 * ```
 */
export function basicAuth<U extends BaseUser, const N extends string = 'basic'>(
  options: BasicAuthOptions<U, N>,
): AuthenticationBackend<U, NoInfer<N>> & {
  /** The backend's name, the `via` of its credentials: the `name` option or the default. */
  readonly name: NoInfer<N>;
} {
  if (typeof options?.verify !== 'function') throw new ConfigurationError('basicAuth: verify must be a function');
  const realm = quoteRealm(options.realm ?? 'Restricted');
  if (realm === null) throw new ConfigurationError('basicAuth: realm must be a non-empty string without control characters');
  const cache = options.cache;
  // The app's verify never sees the field value: only the cache's wrapper takes it.
  const { verify: plain } = options;
  const verify: CachedVerify<U> = cache === undefined ? (username, password, connection) => plain(username, password, connection) : cached(plain, cache);
  const name = backendName(options.name, 'basic' as N, 'basicAuth');
  const auth = grant(options.scopes, 'basicAuth', name, { everyRequest: true, amr: ['pwd'] });
  const challenges = Object.freeze([`Basic realm=${realm}, charset="UTF-8"`]);
  return Object.freeze({
    name,
    challenges,
    reads: AUTHORIZATION,
    present: (connection: Connection): boolean => hasScheme(connection, 'basic'),
    authenticate(connection: Connection): MaybePromise<Principal<U, N>> | null {
      // A field value seen before, parsed strictly and verified then: the same bytes parse
      // the same way, so its keyed hash alone finds the user (no parse, no decode).
      const value = cache === undefined ? undefined : soleValue(connection);
      if (value !== undefined) {
        const hit = headerEntries.get(cache as VerificationCache<U>, value, connection.now());
        if (hit !== undefined) return { user: hit, auth: auth(hit) };
      }
      const credentials = parseBasic(connection);
      if (credentials === null) return null;
      const { username, password } = credentials;
      // The username is kept for the failure log (escaped there); never the password.
      const reject = (): AuthenticationError => new AuthenticationError('invalid_credentials', { subject: username });
      return verifierResult(verify(username, password, connection, value), auth, reject);
    },
  });
}

/**
 * The request's one `Authorization` value, when there is exactly one: the value the
 * header index of the cache is keyed on. Repeated fields never reach the index (they
 * are answered by {@link parseBasic}, every time).
 */
function soleValue(connection: Connection): string | undefined {
  const values = connection.authorization;
  return values.length === 1 ? values[0] : undefined;
}

type CachedVerify<U extends BaseUser> = (username: string, password: string, connection: Connection, value: string | undefined) => VerifyResult<U>;

function cached<U extends BaseUser>(verify: BasicAuthOptions<U>['verify'], cache: VerificationCache<U>): CachedVerify<U> {
  // A hit is answered synchronously: no promise on the hot path. `value` is the field value
  // that parsed strictly into these credentials: a success is remembered under it too.
  return (username, password, connection, value) => {
    const now = connection.now();
    const generation = cache.generation(username);
    const remember = (user: U | null | undefined): U | null | undefined => {
      if (user !== null && user !== undefined) {
        cache.set(username, password, user, now, generation);
        if (value !== undefined) headerEntries.set(cache, value, username, user, now, generation);
      }
      return user;
    };
    // A hit stays under its own expiry: it is not remembered again (that would extend it).
    const hit = cache.get(username, password, now);
    if (hit !== undefined) return hit;
    const result = verify(username, password, connection);
    return result instanceof Promise ? result.then(remember) : remember(result);
  };
}
