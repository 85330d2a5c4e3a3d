import type { AuthenticateResult, AuthenticationBackend, Principal, UserOf, ViaOf } from './backend.js';
import { checkParts, innerNames, registerCombination } from './backend-name.js';
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
 * certificate header **and** a Bearer token. First every backend is asked whether
 * its credential is `present` (a cheap look at its header, scheme or cookie); only
 * when all are do they run, one after the other in the configured order, up to the
 * first that does not accept (an invalid credential is answered with that backend's
 * error; a failure fails closed, 503).
 *
 * - No backend finds its credentials: the request is anonymous (`optional` mode),
 *   or 401 with every backend's challenge (`required` mode).
 * - Some are present and others are not: 401 `incomplete_credentials` with the
 *   challenges of the missing ones, and no backend runs: no password is verified
 *   (a right and a wrong one get the same answer), no store is read, no session's
 *   idle timeout is extended. A partial credential never yields a partial user, nor
 *   anonymous.
 * - Every one is present but one then finds nothing (a session cookie whose session
 *   expired): 401 `invalid_credentials`, what a wrong password gets.
 * - Every backend accepts (with an authenticated user): the user is the designated
 *   part's (`user`, default the last), the scopes are the intersection of the parts'
 *   scopes (or `scopes(parts)`, given the frozen `auth.parts`), `auth.via` joins
 *   the parts' names with `+` (`'apiKey+session'`; a named `multi` part gives the
 *   backend that decided in it), `auth.parts` holds each part's principal, found by
 *   its configured name with `auth.part(name)`, and a guard's 403 challenge is the
 *   designated part's.
 *
 * A backend of your own without `present` runs only after every part that has it
 * said present; if it finds nothing, the answer is `incomplete_credentials`
 * whatever the other parts said. When no part that can tell is present, the
 * request is anonymous and it does not run.
 *
 * Every part needs a name (the built-in backends have one; a `multi` chain gets one
 * with `multi([...], { name })`), every name inside is unique (a nested chain's
 * parts too), and two parts that read the same credential (two `Authorization`
 * schemes, one header twice, two session backends, a JWT cookie named like the
 * session cookie) are refused at startup: a request carries one such credential,
 * so they could never both accept.
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
  // The parts that can tell whether their credential is there, and those (of your own) that cannot.
  const known = list.flatMap((b, i) => (typeof b.present === 'function' ? [i] : []));
  const unknown = list.flatMap((b, i) => (typeof b.present === 'function' ? [] : [i]));
  const inner = list.map((b) => innerNames(b));

  const name = names.join('+');

  /**
   * The `via` of part `i` in the combination: its configured name, or for a `multi`
   * (or `all`) part the `via` of the backend that decided in it, when that is one of
   * the backends inside it. Never a `via` a backend of your own made up.
   */
  function viaOf(i: number, part: Principal): string {
    const inside = inner[i];
    const via = part.auth.via;
    if (inside === undefined || typeof via !== 'string') return names[i] as string;
    return via.split('+').every((n) => inside.includes(n)) ? via : (names[i] as string);
  }

  /** The combined principal of every part's; the 403 challenge is the designated part's (its scheme, if it has one). */
  function combine(got: readonly (Principal | null)[]): Principal<AllUser<T, N>, JoinedVia<T>> {
    // One frozen copy for `scopes(parts)` and `auth.parts`: the option cannot reorder what handlers see.
    const parts = Object.freeze([...got]) as readonly Principal[];
    const designated = parts[userIndex] as Principal;
    const vias = parts.map((p, i) => viaOf(i, p));
    const partNames = vias.map((v, i) => (v === names[i] ? [v] : [names[i] as string, v]));
    const auth = new AuthCredentials(scopesOf(parts), {
      via: vias.join('+') as JoinedVia<T>,
      parts,
      partNames,
      insufficientScope: designated.auth.insufficientScope,
      // Step-up concerns the person: the part that gave the user.
      authTime: designated.auth.authTime,
      everyRequest: designated.auth.everyRequest,
      acr: designated.auth.acr,
      amr: designated.auth.amr,
      insufficientUserAuthentication: designated.auth.insufficientUserAuthentication,
    });
    return { user: designated.user as AllUser<T, N>, auth };
  }

  /** 401 `incomplete_credentials` with the challenges of the parts whose credential is missing. */
  function incomplete(missing: readonly number[]): AuthenticationError {
    const wanted = missing.flatMap((i) => (list[i] as AuthenticationBackend<BaseUser>).challenges ?? []);
    return new AuthenticationError('incomplete_credentials', wanted.length === 0 ? undefined : { challenge: wanted.join(', ') });
  }

  /**
   * The parts of your own (no `present`), all of them, in order: a missing one makes
   * the answer `incomplete` whatever the others said (an error included), so the
   * answer never tells whether another part's credential was right.
   */
  function runUnknown(k: number, got: (Principal | null)[], missing: number[], errors: unknown[], connection: Connection): MaybePromise<AuthenticateResult<AllUser<T, N>, JoinedVia<T>>> {
    for (; k < unknown.length; k++) {
      const i = unknown[k] as number;
      const outcome = attempt(list[i] as AuthenticationBackend<BaseUser>, connection);
      if (outcome instanceof Promise) {
        return outcome.then((o) => {
          record(i, o, got, missing, errors);
          return runUnknown(k + 1, got, missing, errors, connection);
        });
      }
      record(i, outcome, got, missing, errors);
    }
    if (missing.length > 0) {
      // Nothing at all was sent (no part has `present`, and none found its credential): anonymous.
      if (missing.length === list.length) return null;
      throw incomplete(missing);
    }
    if (errors.length > 0) throw errors[0];
    return runKnown(0, got, connection);
  }

  /**
   * The parts that said present, in order, up to the first that does not accept: its
   * error, or `invalid_credentials` when it answers no principal after all (an
   * unknown session id): the same answer a wrong password gets.
   */
  function runKnown(k: number, got: (Principal | null)[], connection: Connection): MaybePromise<Principal<AllUser<T, N>, JoinedVia<T>>> {
    for (; k < known.length; k++) {
      const i = known[k] as number;
      const result = (list[i] as AuthenticationBackend<BaseUser>).authenticate(connection);
      if (result instanceof Promise) {
        return result.then((r) => {
          got[i] = acceptedOrRefused(r);
          return runKnown(k + 1, got, connection);
        });
      }
      got[i] = acceptedOrRefused(result);
    }
    return combine(got);
  }

  function authenticate(connection: Connection): MaybePromise<AuthenticateResult<AllUser<T, N>, JoinedVia<T>>> {
    // Every part that can tell is asked first: nothing is verified, looked up or
    // touched (a session's idle timeout) on a request that lacks a credential.
    const missing: number[] = [];
    for (const i of known) if (!(list[i] as Required<AuthenticationBackend<BaseUser>>).present(connection)) missing.push(i);
    if (missing.length > 0) {
      // No credential that a part can see: anonymous (the parts of your own do not run).
      if (missing.length === known.length) return null;
      throw incomplete(missing);
    }
    return runUnknown(0, new Array<Principal | null>(list.length).fill(null), [], [], connection);
  }

  const backend = Object.freeze({
    name,
    challenges,
    reads,
    ...(unknown.length === 0 ? { present: (connection: Connection): boolean => list.every((b) => (b.present as (c: Connection) => boolean)(connection)) } : {}),
    authenticate,
  });
  registerCombination(backend, list);
  return backend;
}

/** A part's answer, as a value: its principal (only an authenticated user counts), absent, or its error. */
type Outcome = { readonly principal: Principal } | { readonly error: unknown } | null;

function attempt(backend: AuthenticationBackend<BaseUser>, connection: Connection): MaybePromise<Outcome> {
  let result: ReturnType<AuthenticationBackend<BaseUser>['authenticate']>;
  try {
    result = backend.authenticate(connection);
  } catch (error) {
    return { error };
  }
  if (result instanceof Promise) return result.then((r) => (accepted(r) ? { principal: r } : null), (error: unknown) => ({ error }));
  return accepted(result) ? { principal: result } : null;
}

function record(i: number, outcome: Outcome, got: (Principal | null)[], missing: number[], errors: unknown[]): void {
  if (outcome === null) missing.push(i);
  else if ('error' in outcome) errors.push(outcome.error);
  else got[i] = outcome.principal;
}

/** A principal counts only when its user is authenticated (an `AnonymousUser` answered by a part is no acceptance). */
function accepted(result: AuthenticateResult): result is Principal {
  return result !== null && result !== undefined && result.user?.isAuthenticated === true;
}

function acceptedOrRefused(result: AuthenticateResult): Principal {
  if (accepted(result)) return result;
  throw new AuthenticationError('invalid_credentials');
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
    for (const source of new Set((b.reads ?? []).map(normalizeSource))) {
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

/** A `reads` entry as compared: header names (and `Authorization`) in lower case; cookie and query names as given (they are case-sensitive). */
function normalizeSource(source: string): string {
  const lower = String(source).toLowerCase();
  return lower === 'authorization' || lower.startsWith('header:') ? lower : String(source);
}
