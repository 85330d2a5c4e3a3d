import type { Principal } from './backend.js';

/** Options of {@link AuthCredentials}: how the scheme answers missing scopes, and where the credentials came from. */
export interface AuthCredentialsOptions<V extends string | undefined = string | undefined> {
  /** Builds the scheme's 403 challenge for missing scopes (see {@link AuthCredentials.insufficientScope}). */
  insufficientScope?: ((required: readonly string[]) => string) | undefined;
  /** The name of the backend that authenticated the request (see {@link AuthCredentials.via}). */
  via?: V;
  /** The principals an `all([...])` combined (see {@link AuthCredentials.parts}). */
  parts?: readonly Principal[];
  /**
   * The names each of `parts` is found by with {@link AuthCredentials.part}, in the
   * same order: the part's configured name, and for a named `multi` part also the
   * name of the backend that decided in it. Default: each part's own `via`.
   */
  partNames?: readonly (readonly string[])[];
}

const NO_PARTS: readonly Principal[] = Object.freeze([]);

/**
 * What a request is allowed to do, separate from who the user is: a set of scopes,
 * and the name of the backend that vouched for them (`via`). `V` is the literal
 * union of backend names when it is known (`ViaOf<typeof backend>`).
 *
 * @example
 * ```ts
 * const auth = new AuthCredentials(['authenticated', 'admin'], { via: 'token' });
 * auth.has('admin'); // true
 * auth.via; // 'token'
 * ```
 */
export class AuthCredentials<V extends string | undefined = string | undefined> {
  /** The scopes granted, in the order given, without duplicates. */
  readonly scopes: readonly string[];
  /**
   * Builds the scheme's 403 challenge for scopes these credentials lack (RFC 6750's
   * `Bearer error="insufficient_scope", scope="…"`); absent for schemes without one.
   */
  readonly insufficientScope: ((required: readonly string[]) => string) | undefined;
  /**
   * The name of the backend that authenticated the request: `'basic'`, `'token'`,
   * `'bearer'`, `'apiKey'`, `'session'`, `'jwt'`, `'jwtCookie'`, or the `name` option
   * it was given. In a `multi([...])` it tells which backend decided; for an
   * `all([...])` it lists every part, joined with `+` (`'apiKey+session'`), and
   * {@link parts} holds each part's principal. `undefined` for anonymous requests and
   * for backends of your own that do not set it.
   */
  readonly via: V;
  /**
   * The principals an `all([...])` combined, in the configured order, each with its
   * own user, scopes and `via`; empty for every other backend.
   */
  readonly parts: readonly Principal[];
  readonly #set: ReadonlySet<string>;
  readonly #partNames: readonly (readonly string[])[];

  constructor(scopes: Iterable<string> = [], options?: AuthCredentialsOptions<V>) {
    this.insufficientScope = options?.insufficientScope;
    const via = options?.via;
    if (via !== undefined && typeof via !== 'string') throw new TypeError('AuthCredentials: via must be a string');
    this.via = via as V;
    this.parts = options?.parts === undefined ? NO_PARTS : Object.freeze([...options.parts]);
    const names = options?.partNames;
    if (names !== undefined && names.length !== this.parts.length) throw new TypeError('AuthCredentials: partNames must name every part');
    this.#partNames = names ?? this.parts.map((p) => (p.auth.via === undefined ? [] : [p.auth.via]));
    const set = new Set<string>();
    for (const scope of scopes) {
      if (typeof scope !== 'string') throw new TypeError('AuthCredentials: scopes must be strings');
      set.add(scope);
    }
    this.#set = set;
    this.scopes = Object.freeze([...set]);
  }

  /** True when the scope is held. */
  has(scope: string): boolean {
    return this.#set.has(scope);
  }

  /** True when every scope is held. */
  hasAll(scopes: readonly string[]): boolean {
    for (const scope of scopes) if (!this.#set.has(scope)) return false;
    return true;
  }

  /**
   * The principal of the part named `name` of an `all([...])` (its user and its own
   * credentials), or `undefined`. `name` is the part's configured name (a named
   * `multi` part is also found by the name of the backend that decided in it), not
   * whatever `via` a backend of your own wrote: names are unique inside an `all`.
   *
   * @example
   * ```ts
   * const client = req.auth.part('apiKey')?.user; // the client app; req.user is the person
   * ```
   */
  part(name: string): Principal | undefined {
    const index = this.#partNames.findIndex((names) => names.includes(name));
    return index === -1 ? undefined : this.parts[index];
  }
}

/** The credentials of an anonymous request: no scopes. */
export const NO_CREDENTIALS: AuthCredentials = Object.freeze(new AuthCredentials()) as AuthCredentials;
