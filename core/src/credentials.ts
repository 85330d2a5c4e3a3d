/**
 * What a request is allowed to do, separate from who the user is: a set of scopes.
 *
 * @example
 * ```ts
 * const auth = new AuthCredentials(['authenticated', 'admin']);
 * auth.has('admin'); // true
 * ```
 */
export class AuthCredentials {
  /** The scopes granted, in the order given, without duplicates. */
  readonly scopes: readonly string[];
  /**
   * Builds the scheme's 403 challenge for scopes these credentials lack (RFC 6750's
   * `Bearer error="insufficient_scope", scope="…"`); absent for schemes without one.
   */
  readonly insufficientScope: ((required: readonly string[]) => string) | undefined;
  readonly #set: ReadonlySet<string>;

  constructor(scopes: Iterable<string> = [], options?: { insufficientScope?: (required: readonly string[]) => string }) {
    this.insufficientScope = options?.insufficientScope;
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
}

/** The credentials of an anonymous request: no scopes. */
export const NO_CREDENTIALS: AuthCredentials = Object.freeze(new AuthCredentials()) as AuthCredentials;
