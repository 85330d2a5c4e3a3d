import { ConfigurationError } from '@portcullis/core';
import { createLocalJWKSet, createRemoteJWKSet, type JWTHeaderParameters } from 'jose';
import { JwtError } from './errors.js';

/**
 * A remote JWK Set (an identity provider's `jwks_uri`). Every duration is passed to
 * jose explicitly. Keys are fetched when the cache is empty or older than
 * `cacheMaxAge`; a token with an unknown `kid` triggers a refetch at most once per
 * `cooldownDuration`; a fetch is aborted after `timeoutDuration`. After a failed
 * fetch, nothing is fetched for `min(cooldownDuration, 5 s)`: tokens whose key is in
 * the (still fresh) cached set keep working, the others fail fast (503) instead of
 * hammering a provider that is down.
 */
export interface RemoteJwksOptions {
  /** `https:` URL of the JWK Set (`http:` only for loopback hosts, for tests). */
  url: string | URL;
  /** How long fetched keys are used, in ms. Default 600 000 (10 min). */
  cacheMaxAge?: number;
  /** The least time between two fetches triggered by unknown `kid`s, in ms. Default 30 000. */
  cooldownDuration?: number;
  /** The fetch is aborted after this many ms (1..5000). Default 5000. */
  timeoutDuration?: number;
  /** Extra request headers (for example an API key of the provider). */
  headers?: Readonly<Record<string, string>>;
}

/** The configured remote set. */
export interface RemoteJwks {
  readonly cacheMaxAge: number;
  resolve(header: JWTHeaderParameters): Promise<CryptoKey>;
}

const LOOPBACK = new Set(['127.0.0.1', '[::1]', 'localhost']);
const MAX_FAILURE_BACKOFF = 5_000;

function duration(value: unknown, fallback: number, name: string, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ConfigurationError(`jwt: jwks.${name} must be an integer number of ms from ${min} to ${max}`);
  }
  return value;
}

/** Token-level failures of key selection: the token is refused (401); anything else means the set is unavailable (503). */
const TOKEN_FAILURES = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS', 'ERR_JOSE_NOT_SUPPORTED', 'ERR_JWK_INVALID']);

/** Checks the options (at construction) and wraps jose's `createRemoteJWKSet`. */
export function remoteJwks(options: RemoteJwksOptions): RemoteJwks {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('jwt: jwks must be an object { url, ... }');
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new ConfigurationError('jwt: jwks.url must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && LOOPBACK.has(url.hostname))) {
    throw new ConfigurationError('jwt: jwks.url must be https: (http: only on loopback hosts)');
  }
  if (url.username !== '' || url.password !== '') throw new ConfigurationError('jwt: jwks.url must not carry credentials');
  const cacheMaxAge = duration(options.cacheMaxAge, 600_000, 'cacheMaxAge', 0, 86_400_000);
  const cooldownDuration = duration(options.cooldownDuration, 30_000, 'cooldownDuration', 0, cacheMaxAge);
  const timeoutDuration = duration(options.timeoutDuration, 5_000, 'timeoutDuration', 1, 5_000);
  const headers = options.headers === undefined ? undefined : { ...options.headers };
  if (headers !== undefined) {
    for (const [name, value] of Object.entries(headers)) {
      if (typeof value !== 'string' || /[\r\n\0]/.test(name + value)) throw new ConfigurationError('jwt: jwks.headers must be strings without CR/LF');
    }
  }
  const set = createRemoteJWKSet(url, { cacheMaxAge, cooldownDuration, timeoutDuration, ...(headers === undefined ? {} : { headers }) });
  const backoff = Math.min(cooldownDuration, MAX_FAILURE_BACKOFF);
  // jose times its cache with the wall clock, so the backoff does too.
  let failedAt: number | undefined;
  /** During a backoff: the last fetched set, served without any network. */
  let cached: ReturnType<typeof createLocalJWKSet> | undefined;

  const tokenFailure = (cause: unknown): boolean => {
    const code: unknown = (cause as { code?: unknown } | null)?.code;
    return typeof code === 'string' && TOKEN_FAILURES.has(code);
  };

  return Object.freeze({
    cacheMaxAge,
    async resolve(header: JWTHeaderParameters): Promise<CryptoKey> {
      if (failedAt !== undefined && Date.now() - failedAt < backoff) {
        if (cached === undefined || !set.fresh) throw new JwtError('jwks_unavailable');
        try {
          return await cached(header);
        } catch (cause) {
          throw new JwtError(tokenFailure(cause) ? 'key_not_found' : 'jwks_unavailable', { cause });
        }
      }
      try {
        const key = await set(header);
        failedAt = undefined;
        cached = undefined;
        return key;
      } catch (cause) {
        if (tokenFailure(cause)) throw new JwtError('key_not_found', { cause });
        failedAt = Date.now();
        const last = set.fresh ? set.jwks() : undefined;
        cached = last === undefined ? undefined : createLocalJWKSet(last);
        throw new JwtError('jwks_unavailable', { cause });
      }
    },
  });
}
