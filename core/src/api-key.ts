import type { AuthenticationBackend, Principal } from './backend.js';
import type { Connection } from './connection.js';
import { backendName } from './backend-name.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import { formValues } from './form.js';
import type { BaseUser } from './user.js';
import { grant, verifierResult, type ScopesOption, type VerifyResult } from './verify.js';
import type { MaybePromise } from './maybe-promise.js';

/** Options of {@link apiKeyAuth}. */
export interface ApiKeyAuthOptions<U extends BaseUser, N extends string = 'apiKey'> {
  /** Looks a key up; returns its user, or `null` (401). Use `hashedTokens` or `staticTokens`. */
  verify(key: string, connection: Connection): VerifyResult<U>;
  /** The request header carrying the key. Default `x-api-key`. */
  header?: string;
  /**
   * A query parameter that may carry the key instead. Off by default: URLs end up
   * in logs, histories and `Referer` headers (RFC 6750 §5.3).
   */
  query?: string;
  /** The `WWW-Authenticate` value of a 401. Default `ApiKey header="<header>"`. */
  challenge?: string;
  /** Scopes granted on success. Default `['authenticated']`. */
  scopes?: ScopesOption<U>;
  /**
   * The backend's name: `auth.via` of the requests it authenticates, and its name in
   * `multi([...])` and `all([...])`, where names are unique. Default `'apiKey'`.
   */
  name?: N;
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const KEY = /^[\u0021-\u007e]+$/;
const MAX_KEY = 4096;

/**
 * API keys in a header of your choice (and, only when configured, a query
 * parameter). A repeated header, or a key in both places, is refused as
 * `duplicate_authorization`.
 *
 * @example
 * ```ts
 * const backend = apiKeyAuth({ header: 'x-api-key', verify: hashedTokens(keyStore) });
 * ```
 */
export function apiKeyAuth<U extends BaseUser, const N extends string = 'apiKey'>(
  options: ApiKeyAuthOptions<U, N>,
): AuthenticationBackend<U, NoInfer<N>> & {
  /** The backend's name, the `via` of its credentials: the `name` option or the default. */
  readonly name: NoInfer<N>;
} {
  if (typeof options?.verify !== 'function') throw new ConfigurationError('apiKeyAuth: verify must be a function');
  const configured: unknown = options.header ?? 'x-api-key';
  const header = typeof configured === 'string' ? configured.toLowerCase() : '';
  if (!FIELD_NAME.test(header) || header === 'authorization' || header === 'cookie' || header === 'proxy-authorization') {
    throw new ConfigurationError('apiKeyAuth: header must be a header name other than Authorization or Cookie');
  }
  const query = options.query;
  if (query !== undefined && (typeof query !== 'string' || query === '')) {
    throw new ConfigurationError('apiKeyAuth: query must be a non-empty parameter name');
  }
  const challenge = options.challenge ?? `ApiKey header="${header}"`;
  if (/[\u0000-\u001f\u007f]|[^\u0000-\u00ff]/.test(challenge)) throw new ConfigurationError('apiKeyAuth: invalid challenge');
  const verify = options.verify;
  const name = backendName(options.name, 'apiKey' as N, 'apiKeyAuth');
  const auth = grant(options.scopes, 'apiKeyAuth', name, { everyRequest: true });
  const reads = Object.freeze([`header:${header}`, ...(query === undefined ? [] : [`query:${query}`])]);

  function read(connection: Connection): string | null {
    const fromHeader = connection.header(header);
    let fromQuery: string | undefined;
    if (query !== undefined && connection.query !== '') {
      const values = formValues(connection.query, query);
      if (values.length > 1) throw new AuthenticationError('duplicate_authorization');
      fromQuery = values[0];
    }
    if (fromHeader !== undefined && fromQuery !== undefined) throw new AuthenticationError('duplicate_authorization');
    const raw = fromHeader ?? fromQuery;
    if (raw === undefined) return null;
    const key = raw.trim();
    // Node and Web runtimes join a repeated header with ", ".
    if (key.includes(',')) throw new AuthenticationError('duplicate_authorization');
    if (key.length > MAX_KEY) throw new AuthenticationError('oversized_authorization');
    if (!KEY.test(key)) throw new AuthenticationError('invalid_credentials');
    return key;
  }

  return Object.freeze({
    name,
    challenges: Object.freeze([challenge]),
    reads,
    present: (connection: Connection): boolean =>
      connection.header(header) !== undefined || (query !== undefined && connection.query !== '' && formValues(connection.query, query).length > 0),
    authenticate(connection: Connection): MaybePromise<Principal<U, N>> | null {
      const key = read(connection);
      if (key === null) return null;
      return verifierResult(verify(key, connection), auth);
    },
  });
}
