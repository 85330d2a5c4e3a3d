import { ConfigurationError } from '@portcullis/core';
import { createLocalJWKSet, createRemoteJWKSet, jwksCache, type ExportedJWKSCache, type JWKSCacheInput, type JWTHeaderParameters } from 'jose';
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

/**
 * Which fetch of the key set a key came from: recorded with a cached verification,
 * so the cache never outlives the key set it verified against.
 */
export interface KeySetStamp {
  /** The fetched set itself: each fetch parses a new object, so identity tells fetches apart. */
  readonly generation: object | null;
  /** Wall-clock ms when jose applied that set (its own freshness starts there). */
  readonly fetchedAt: number;
}

/** The configured remote set. */
export interface RemoteJwks {
  readonly cacheMaxAge: number;
  /** The key for a token header, and the fetch of the set it came from. */
  resolve(header: JWTHeaderParameters): Promise<{ key: CryptoKey; keySet: KeySetStamp }>;
  /**
   * Synchronous: the stamp is of the set in use (no fetch replaced it since) and that
   * set is younger than `cacheMaxAge`. Otherwise a cached verification must be redone.
   */
  isCurrent(keySet: KeySetStamp): boolean;
}

/** A stamp that is never current: the key's set could not be told (a fetch landed mid-lookup). */
const UNKNOWN_SET: KeySetStamp = Object.freeze({ generation: null, fetchedAt: -Infinity });

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
  // jose writes every set it applies (and when) into this object: the key set's generation.
  const applied: Partial<ExportedJWKSCache> = {};
  const set = createRemoteJWKSet(url, {
    cacheMaxAge,
    cooldownDuration,
    timeoutDuration,
    ...(headers === undefined ? {} : { headers }),
    [jwksCache]: applied as JWKSCacheInput,
  });
  let stamp: KeySetStamp = UNKNOWN_SET;
  const currentStamp = (): KeySetStamp => {
    const { jwks, uat } = applied;
    if (jwks === undefined || typeof uat !== 'number') return UNKNOWN_SET;
    if (stamp.generation !== jwks) stamp = Object.freeze({ generation: jwks, fetchedAt: uat });
    return stamp;
  };
  /**
   * The key, stamped with the set it came from. A lookup during which no fetch landed
   * used the set in use before it; if one landed (the first request, a refresh), the
   * lookup is repeated once on the new set while it is fresh (then it fetches nothing).
   * Otherwise the key is stamped UNKNOWN_SET: its token is verified again next time.
   */
  const stamped = async (lookup: (header: JWTHeaderParameters) => Promise<CryptoKey>, header: JWTHeaderParameters) => {
    let key: CryptoKey | undefined;
    for (let attempt = 0; attempt < 2; attempt++) {
      const before = currentStamp();
      key = await lookup(header);
      if (before !== UNKNOWN_SET && currentStamp() === before) return { key, keySet: before };
      if (!set.fresh) break;
    }
    return { key: key as CryptoKey, keySet: UNKNOWN_SET };
  };
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
    isCurrent(keySet: KeySetStamp): boolean {
      // jose's own rule for a fresh set: Date.now() < fetched + cacheMaxAge.
      return keySet === currentStamp() && Date.now() < keySet.fetchedAt + cacheMaxAge;
    },
    async resolve(header: JWTHeaderParameters): Promise<{ key: CryptoKey; keySet: KeySetStamp }> {
      if (failedAt !== undefined && Date.now() - failedAt < backoff) {
        if (cached === undefined || !set.fresh) throw new JwtError('jwks_unavailable');
        try {
          return await stamped(cached, header);
        } catch (cause) {
          throw new JwtError(tokenFailure(cause) ? 'key_not_found' : 'jwks_unavailable', { cause });
        }
      }
      try {
        const key = await stamped(set, header);
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
