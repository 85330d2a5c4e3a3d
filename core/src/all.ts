import type { AuthenticateResult, AuthenticationBackend, Principal, UserOf, ViaOf } from './backend.js';
import { checkParts } from './backend-name.js';
import type { Connection } from './connection.js';
import { AuthCredentials } from './credentials.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import type { UnionUser } from './multi.js';
import type { BaseUser } from './user.js';
import type { MaybePromise } from './maybe-promise.js';

/** Options of {@link all}. `N` is the name of the part whose user handlers get. */
export interface AllOptions<N extends string = string> {
  /**
   * The name of the part whose user becomes the request's user (`req.user`,
   * `c.var.user`…). Default: the last part (list the client before the person it
   * acts for: `all([apiKey, session])`). The other parts' users are in
   * `auth.parts` / `auth.part(name)`.
   */
  user?: N;
  /**
   * The combination's scopes, from every part's principal (in the configured
   * order). Default: the **intersection** of the parts' scopes, so a scope is held
   * only when every credential grants it (the client may do it *and* the user may).
   */
  scopes?: (parts: readonly Principal[]) => Iterable<string>;
}

/** The names of a tuple of backends joined with `+`: the `via` of their `all`. */
export type JoinedVia<T extends readonly unknown[]> = T extends readonly [infer F]
  ? ViaOf<F> & string
  : T extends readonly [infer F, ...infer R]
    ? `${ViaOf<F> & string}+${JoinedVia<R>}`
    : string;

/** The name of a part of an `all`: its `name` (a named `multi` chain's), else its `via`. */
export type PartName<B> = B extends { readonly name: infer X extends string } ? X : ViaOf<B> & string;

/** The user type of the part named `N` (the last part when `N` is not given). */
export type AllUser<T extends readonly AuthenticationBackend<BaseUser>[], N extends string> = [N] extends [never]
  ? T extends readonly [...unknown[], infer L]
    ? UserOf<L>
    : UnionUser<T>
  : { [K in keyof T]: N extends PartName<T[K]> ? UserOf<T[K]> : never }[number];

/**
 * Every backend must accept: a client key **and** a user session, a device
 * certificate header **and** a Bearer token. The backends run one after the other,
 * in the configured order, and the first error stops them (an invalid credential
 * is answered with that backend's error; a failure fails closed, 503).
 *
 * - No backend finds its credentials: the request is anonymous (`optional` mode),
 *   or 401 with every backend's challenge (`required` mode).
 * - Some find theirs and others do not: a partial credential never yields a partial
 *   user, nor anonymous: 401 `incomplete_credentials` with the challenges of the
 *   backends that did not authenticate. Once the answer is known, the remaining
 *   backends do not run (no password hash, store lookup or session touch is spent
 *   on a request that cannot succeed).
 * - Every backend accepts: the user is the designated part's (`user`, default the
 *   last), the scopes are the intersection of the parts' scopes (or `scopes(parts)`),
 *   `auth.via` joins every part's `via` with `+` (`'apiKey+session'`) and
 *   `auth.parts` holds each part's principal.
 *
 * Every part needs a name (the built-in backends have one; a `multi` chain gets one
 * with `multi([...], { name })`, and its principal's `via` is then the backend that
 * decided in it), names are unique, and
 * two parts that read the same credential (two `Authorization` schemes, one header
 * twice, two session backends) are refused at startup: a request carries one such
 * credential, so they could never both accept.
 *
 * @example
 * ```ts
 * const backend = all([
 *   apiKeyAuth({ header: 'x-client-key', verify: hashedTokens(clients) }),
 *   sessionAuth({ retrieveUser: (s: { userId: string }) => users.get(s.userId) }),
 * ]);
 * // req.user: the session's user; req.auth.via: 'apiKey+session';
 * // req.auth.part('apiKey')?.user: the client; req.auth.scopes: what both grant
 * ```
 */
export function all<const T extends readonly AuthenticationBackend<BaseUser>[], const N extends PartName<T[number]> = never>(
  backends: T,
  options?: AllOptions<N>,
): AuthenticationBackend<AllUser<T, N>, JoinedVia<T>> & {
  /** The parts' names joined with `+` (`'apiKey+session'`): the combination's name in an outer `multi`. */
  readonly name: string;
} {
  if (!Array.isArray(backends) || backends.length === 0) throw new ConfigurationError('all: give at least one backend');
  checkParts(backends, 'all', true);
  const list = Object.freeze([...backends]) as readonly AuthenticationBackend<BaseUser>[];
  const names = list.map((b) => b.name as string);
  refuseSharedReads(list, names);
  const userOption: unknown = options?.user;
  const userIndex = userOption === undefined ? list.length - 1 : names.indexOf(userOption as string);
  if (userIndex === -1) throw new ConfigurationError(`all: user must name one of the backends (${names.map((n) => `'${n}'`).join(', ')})`);
  const scopesOf = options?.scopes ?? intersection;
  if (typeof scopesOf !== 'function') throw new ConfigurationError('all: scopes must be a function of the parts');
  const challenges = Object.freeze(list.flatMap((b) => b.challenges ?? []));
  const reads = Object.freeze([...new Set(list.flatMap((b) => b.reads ?? []))]);

  const name = names.join('+');

  /** The combined principal of every part's; `via` joins the parts' own (a named `multi` part gives the backend that decided in it). */
  function combine(parts: readonly Principal[]): Principal<AllUser<T, N>, JoinedVia<T>> {
    const designated = parts[userIndex] as Principal;
    let via = name;
    let insufficientScope = designated.auth.insufficientScope;
    for (let i = 0; i < parts.length; i++) {
      const auth = (parts[i] as Principal).auth;
      if (auth.via !== undefined && auth.via !== names[i]) via = parts.map((p, j) => p.auth.via ?? names[j]).join('+');
      insufficientScope ??= auth.insufficientScope;
    }
    const auth = new AuthCredentials(scopesOf(parts), { via: via as JoinedVia<T>, parts, insufficientScope });
    return { user: designated.user as AllUser<T, N>, auth };
  }

  /** 401 `incomplete_credentials` with the challenges of the backends that did not authenticate. */
  function incomplete(got: readonly (Principal | null)[]): AuthenticationError {
    const missing = list.filter((_, i) => !got[i]).flatMap((b) => b.challenges ?? []);
    return new AuthenticationError('incomplete_credentials', missing.length === 0 ? undefined : { challenge: missing.join(', ') });
  }

  /**
   * Runs the parts from `index` on; `got` holds the answers so far, `found` how many
   * were principals. The answer is known once one was found and another was not.
   */
  function from(index: number, got: (Principal | null)[], found: number, connection: Connection): MaybePromise<AuthenticateResult<AllUser<T, N>, JoinedVia<T>>> {
    for (let i = index; i < list.length; i++) {
      const result = (list[i] as AuthenticationBackend<BaseUser>).authenticate(connection);
      if (result instanceof Promise) {
        return result.then((r) => {
          got.push(r ?? null);
          const now = r ? found + 1 : found;
          return now > 0 && now < got.length ? settle(got, now) : from(i + 1, got, now, connection);
        });
      }
      got.push(result ?? null);
      if (result) found++;
      if (found > 0 && found < got.length) return settle(got, found);
    }
    return settle(got, found);
  }

  function settle(got: readonly (Principal | null)[], found: number): AuthenticateResult<AllUser<T, N>, JoinedVia<T>> {
    if (found === 0) return null;
    if (found < list.length) throw incomplete(got);
    return combine(got as readonly Principal[]);
  }

  return Object.freeze({
    name,
    challenges,
    reads,
    authenticate: (connection: Connection) => from(0, [], 0, connection),
  });
}

/** The default scopes of an `all`: those every part holds, in the first part's order. */
function intersection(parts: readonly Principal[]): readonly string[] {
  const first = parts[0]?.auth.scopes ?? [];
  if (parts.length === 1) return first;
  const held: string[] = [];
  for (const scope of first) {
    let everywhere = true;
    for (let i = 1; i < parts.length && everywhere; i++) everywhere = (parts[i] as Principal).auth.has(scope);
    if (everywhere) held.push(scope);
  }
  return held;
}

function refuseSharedReads(list: readonly AuthenticationBackend<BaseUser>[], names: readonly string[]): void {
  const readers = new Map<string, string>();
  list.forEach((b, i) => {
    for (const source of new Set(b.reads ?? [])) {
      const other = readers.get(source);
      if (other !== undefined) {
        throw new ConfigurationError(
          `all: '${other}' and '${names[i]}' both read ${source}; a request carries one such credential, so they can never both accept: combine backends that read different parts of the request (an API-key header and the session)`,
        );
      }
      readers.set(source, names[i] as string);
    }
  });
}
