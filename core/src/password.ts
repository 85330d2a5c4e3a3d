import { basicAuth } from './basic.js';
import type { AuthenticationBackend } from './backend.js';
import type { VerificationCache } from './cache.js';
import type { Connection } from './connection.js';
import { logFailure } from './authentication-failure.js';
import type { AuthenticationFailure } from './authentication-options.js';
import { AuthenticationError, ConfigurationError, isAuthenticationError, isPortcullisError } from './errors.js';
import type { Hasher } from './hashing/hasher.js';
import type { BaseUser } from './user.js';
import type { ScopesOption } from './verify.js';
import type { MaybePromise } from './maybe-promise.js';
import type { LoginThrottle } from './throttle/login-throttle.js';
import { loginFlights } from './login-flights.js';

/** Options of {@link passwordBackend}. */
export interface PasswordBackendOptions<U extends BaseUser, N extends string = 'basic'> {
  /** Finds a user by username in any store; `null`/`undefined` when unknown. A throw fails closed (503). */
  findUser(username: string, connection: Connection | undefined): MaybePromise<U | null | undefined>;
  /** The stored password hash of a user (`null` for an account without a password). */
  passwordHashOf(user: U): string | null | undefined;
  /** Verifies and hashes passwords (see `@portcullis/core/hashing` and `@portcullis/hashers`). */
  hasher: Hasher;
  /**
   * Called after a successful login when the hasher reports the stored hash
   * should be upgraded, with the new hash and the one it replaces (for an atomic
   * compare-and-set: `UPDATE … SET hash = $new WHERE id = $id AND hash = $old`).
   * If it throws, the login still succeeds and the old hash stays.
   */
  onRehash?(user: U, newHash: string, oldHash: string): MaybePromise<void>;
  /** The realm of the Basic challenge. Default `Restricted`. */
  realm?: string;
  /** Scopes granted on success. Default `['authenticated']`. */
  scopes?: ScopesOption<U>;
  /** Passwords longer than this many UTF-8 bytes are refused before any hashing. Default 1024. */
  maxPasswordBytes?: number;
  /** Usernames longer than this many UTF-8 bytes are refused before any lookup. Default 256. */
  maxUsernameBytes?: number;
  /** Skips the hash for repeated credentials; invalidated for a user whenever `onRehash` fires. */
  cache?: VerificationCache<U>;
  /**
   * Receives the security events of {@link PasswordBackend.verifyCredentials} (login
   * forms, the OAuth2 token endpoint), which do not pass through `authentication(...)`:
   * an `authentication_failed` event with `reason: 'hash_parameters_refused'` when a
   * stored hash's parameters exceed the hasher's limits (DOS-13), with the claimed
   * username, and the method and path when a connection is given; a `backend_busy`
   * event when the hasher's queue was full (THR-16). Give it the same
   * function as `authentication({ log })`; the Basic path reports there, not here.
   */
  log?: (event: AuthenticationFailure) => void;
  /**
   * Throttles failed logins per account and per client address (`loginThrottle`), on
   * the Basic path and in `verifyCredentials` alike. A throttled attempt is refused
   * before any lookup or hashing with an `AuthenticationError` `too_many_requests`
   * (429 with `Retry-After`; reason `login_throttled` in the failure log); a store
   * outage with `backend_unavailable` (503) unless the throttle fails open. Each
   * checked login is counted up front by `throttle.attempt` (atomic, so parallel
   * guesses get no more than the allowance) and given back on success, or when the
   * check throws before answering (hashing queue full, user lookup down); a Basic
   * credential the `cache` answers never reaches the throttle. Concurrent logins with
   * the same username, password and client address each count, unless `coalesce` is
   * on (see {@link passwordBackend}).
   */
  throttle?: LoginThrottle;
  /**
   * Runs concurrent checks of the same username (as typed), password and client address
   * (as the throttle buckets it) once: the first runs the throttle attempt, the lookup and
   * the hash with ITS connection, and the others share its user, `null` or error (one
   * throttle count, one hash: six parallel Basic connections or a cold `cache` with the
   * right password make one login). Turn it on only when `findUser` does not depend on
   * the connection: a lookup that reads the Host (a tenant), the path or a header would
   * hand one request the user found for another. Default `false`: each request runs its
   * own check, so parallel copies of the right password may exceed the throttle's
   * allowance and be refused with 429 (see docs/throttling.md).
   */
  coalesce?: boolean;
  /**
   * The backend's name: `auth.via` of the requests it authenticates, and its name in
   * `multi([...])` and `all([...])`, where names are unique. Default `'basic'` (it
   * answers the Basic scheme).
   */
  name?: N;
}

/** A password backend: Basic authentication, plus the same check for login forms. */
export interface PasswordBackend<U extends BaseUser, N extends string = 'basic'> extends AuthenticationBackend<U, N> {
  /** The backend's name (`auth.via`). */
  readonly name: N;
  /**
   * Checks a username and password as the Basic path does (caps, dummy hash for
   * unknown users, rehash, throttle): for login forms. Returns the user or `null`.
   * Rejects with an `AuthenticationError`: with a `throttle`, `too_many_requests` (429,
   * `retryAfter`) or `backend_unavailable` (503); `backend_busy` (503 with `Retry-After`)
   * when the hasher's wait queue is full (`boundedHasher`; nothing was hashed). Answer it
   * with `errorResponse`. Pass the request's connection, or only the account bucket counts.
   * With `coalesce: true`, concurrent calls with the same username, password and client
   * address share one check (one throttle count, one hash) and its outcome.
   */
  verifyCredentials(username: string, password: string, connection?: Connection): Promise<U | null>;
}

const encoder = new TextEncoder();

/**
 * Basic authentication against any user store, through a `Hasher` (like
 * starlette-auth-toolkit's `ModelBasicAuth`). Unknown users run a dummy
 * verification so they cost what a wrong password costs; over-long passwords and
 * usernames are refused before any lookup or hashing; a successful login whose
 * hash is outdated calls `onRehash` with a fresh hash. A failed login changes
 * nothing. Usernames and passwords that are not well-formed UTF-16 (a lone surrogate)
 * are refused before any lookup or hashing, like over-long ones.
 *
 * With `coalesce: true` (only when `findUser` ignores the connection), concurrent
 * checks of the same username (as typed), password and client address (as the
 * throttle buckets it) run once, on the Basic path and in `verifyCredentials` alike:
 * the first runs the throttle attempt, the lookup and the hash; the others wait for it
 * and get the same user, `null` or `AuthenticationError`, without being counted or
 * hashed again. They are keyed by an HMAC under a random per-backend key, never the
 * password, and forgotten when the check ends or is 10 s old. By default each request
 * runs its own check.
 *
 * @example
 * ```ts
 * const backend = passwordBackend({
 *   findUser: (username) => db.users.findByName(username),
 *   passwordHashOf: (user) => user.passwordHash,
 *   hasher: pbkdf2Hasher(),
 *   onRehash: (user, hash, old) => db.users.updateHash(user.id, hash, old),
 * });
 * ```
 */
export function passwordBackend<U extends BaseUser, const N extends string = 'basic'>(
  options: PasswordBackendOptions<U, N>,
): PasswordBackend<U, NoInfer<N>> {
  const { findUser, passwordHashOf, hasher, onRehash, cache } = options ?? ({} as PasswordBackendOptions<U>);
  if (typeof findUser !== 'function') throw new ConfigurationError('passwordBackend: findUser must be a function');
  if (typeof passwordHashOf !== 'function') throw new ConfigurationError('passwordBackend: passwordHashOf must be a function');
  if (typeof hasher?.verify !== 'function' || typeof hasher.hash !== 'function' || typeof hasher.identifies !== 'function') {
    throw new ConfigurationError('passwordBackend: hasher must implement hash(), verify() and identifies()');
  }
  if (onRehash !== undefined && typeof onRehash !== 'function') throw new ConfigurationError('passwordBackend: onRehash must be a function');
  const log = options.log;
  if (log !== undefined && typeof log !== 'function') throw new ConfigurationError('passwordBackend: log must be a function');
  const throttle = options.throttle;
  if (throttle !== undefined && typeof throttle?.attempt !== 'function') {
    throw new ConfigurationError(
      'passwordBackend: throttle must implement attempt(username, connection) (loginThrottle does); a throttle with only retryAfter() and failed() lets parallel guesses through (see docs/throttling.md)',
    );
  }
  const maxPassword = options.maxPasswordBytes ?? 1024;
  const maxUsername = options.maxUsernameBytes ?? 256;
  for (const [name, v] of [['maxPasswordBytes', maxPassword], ['maxUsernameBytes', maxUsername]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ConfigurationError(`passwordBackend: ${name} must be a positive integer`);
  }

  // One hash of a random password, made once: unknown users are verified against it.
  let dummy: Promise<string> | undefined;
  // A failed attempt is not kept: otherwise every later unknown user would get 503
  // while known users get 401 (an enumeration oracle), until a restart.
  const dummyHash = (): Promise<string> =>
    (dummy ??= Promise.resolve(hasher.hash(randomPassword())).catch((error: unknown) => {
      dummy = undefined;
      throw error;
    }));

  /**
   * The user, `null`, or `REFUSED`, through the throttle: a throttled attempt rejects
   * before any lookup; an admitted one is counted up front, and a success gives it back.
   */
  async function check(username: string, password: string, connection?: Connection): Promise<U | null | typeof REFUSED> {
    if (throttle === undefined) return verify(username, password, connection);
    // One atomic step per bucket admits and counts the attempt before any hashing: parallel
    // guesses cannot all pass a check before the first failure lands.
    const attempt = await throttle.attempt(username, connection);
    if (attempt.retryAfter > 0) throw new AuthenticationError('too_many_requests', { subject: username, reason: 'login_throttled', retryAfter: attempt.retryAfter });
    let user: U | null | typeof REFUSED;
    try {
      user = await verify(username, password, connection);
    } catch (error) {
      // A check that throws (the hashing queue full, the user store down) answers 503 and
      // says nothing of the password: it was no guess, so its count is given back.
      await attempt.abandoned?.();
      throw error;
    }
    if (user === null || user === REFUSED) await attempt.failed();
    else await attempt.succeeded();
    return user;
  }

  /** The user, `null`, or `REFUSED` when the stored hash's parameters exceed the hasher's maxima. */
  async function verify(username: string, password: string, connection?: Connection): Promise<U | null | typeof REFUSED> {
    if (encoder.encode(password).length > maxPassword || encoder.encode(username).length > maxUsername) return null;
    // A lone surrogate never verifies (hashers refuse it; UTF-8 would read it as U+FFFD): no lookup.
    if (LONE_SURROGATE.test(password) || LONE_SURROGATE.test(username)) return null;
    const user = await findUser(username, connection);
    const stored = user === null || user === undefined ? undefined : passwordHashOf(user);
    // A stored hash no member of the hasher reads (a retired pepper's id, a format nobody
    // migrated) would fail at once: it gets the unknown user's dummy verification too, or
    // its fast refusal would tell which accounts exist (LEAK-02).
    if (user === null || user === undefined || typeof stored !== 'string' || stored === '' || !hasher.identifies(stored)) {
      await hasher.verify(password, await dummyHash());
      return null;
    }
    const outcome = await hasher.verify(password, stored);
    if (!outcome.ok) return outcome.refused === 'hash_parameters_refused' ? REFUSED : null;
    if (outcome.needsRehash && onRehash !== undefined) {
      try {
        const fresh = await hasher.hash(password);
        await onRehash(user, fresh, stored);
        cache?.invalidate(username);
      } catch {
        // The login stands; the old hash stays and is upgraded on a later login.
      }
    }
    return user;
  }

  const coalesce = options.coalesce ?? false;
  if (typeof coalesce !== 'boolean') throw new ConfigurationError('passwordBackend: coalesce must be true or false (true only when findUser ignores the connection)');
  const flights = coalesce ? loginFlights() : undefined;

  /**
   * `bounded`, once for concurrent identical logins (same username, password and client
   * address) when `coalesce` is on: they are one guess. Over-long credentials skip the
   * flight (they are refused before any lookup or hashing, and are not worth an HMAC), as
   * do non-strings from untyped callers (`check` treats them as it always did).
   */
  function coalesced(username: string, password: string, connection: Connection | undefined): ReturnType<typeof check> {
    if (flights === undefined || typeof username !== 'string' || typeof password !== 'string' || password.length > maxPassword || username.length > maxUsername) {
      return bounded(username, password, connection);
    }
    return flights.run(username, password, connection, () => bounded(username, password, connection));
  }

  /** `check`, with a full hashing queue (`hasher_busy`) as `backend_busy`: 503 + `Retry-After` (THR-16). */
  async function bounded(username: string, password: string, connection: Connection | undefined): ReturnType<typeof check> {
    try {
      return await check(username, password, connection);
    } catch (error) {
      if (!isPortcullisError(error, 'hasher_busy')) throw error;
      throw new AuthenticationError('backend_busy', { subject: username, cause: error });
    }
  }

  async function verifyCredentials(username: string, password: string, connection?: Connection): Promise<U | null> {
    let user: U | null | typeof REFUSED;
    try {
      user = await coalesced(username, password, connection);
    } catch (error) {
      // The throttle's and the hashing bound's refusals reach the failure log, as the Basic path's do.
      if (log !== undefined && isAuthenticationError(error)) logFailure(log, error, connection);
      throw error;
    }
    if (user !== REFUSED) return user;
    if (log !== undefined) logFailure(log, refusal(username), connection);
    return null;
  }

  const basic = basicAuth<U, N>({
    name: options.name,
    realm: options.realm,
    scopes: options.scopes,
    cache,
    async verify(username, password, connection) {
      const user = await coalesced(username, password, connection);
      // The same 401 as a wrong password; the failure log gets the security event (DOS-13).
      if (user === REFUSED) throw refusal(username);
      return user;
    },
  });
  return Object.freeze({ name: basic.name, challenges: basic.challenges, reads: basic.reads, present: basic.present, authenticate: basic.authenticate, verifyCredentials });
}

const REFUSED = Symbol('hash_parameters_refused');

/** A surrogate code unit outside a pair (with the `u` flag, a pair is one code point and does not match). */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** A stored hash refused for its parameters: the same 401 as a wrong password, with the security event. */
function refusal(username: string): AuthenticationError {
  return new AuthenticationError('invalid_credentials', { subject: username, reason: 'hash_parameters_refused' });
}

function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(24));
  let out = '';
  for (const b of bytes) out += b.toString(16).padStart(2, '0');
  return out;
}
