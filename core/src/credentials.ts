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
  /** When the user last actively authenticated, in ms since the epoch (see {@link AuthCredentials.authTime}). */
  authTime?: number | undefined;
  /** The credential is the proof and comes with every request (see {@link AuthCredentials.everyRequest}). */
  everyRequest?: boolean | undefined;
  /** The authentication context class reference (see {@link AuthCredentials.acr}). */
  acr?: string | undefined;
  /** The authentication methods used (see {@link AuthCredentials.amr}). */
  amr?: readonly string[] | undefined;
  /** Builds the scheme's step-up challenge (see {@link AuthCredentials.insufficientUserAuthentication}). */
  insufficientUserAuthentication?: ((requirement: StepUpRequirement) => string) | undefined;
}

/**
 * What a step-up refusal asks of the client (RFC 9470 §3): the guard's `maxAge`
 * (seconds) and acceptable `acr` values, and which of them the credentials missed.
 */
export interface StepUpRequirement {
  /** `max_age`: the most seconds since the user's last active authentication, when the guard sets one. */
  readonly maxAge?: number | undefined;
  /** `acr_values`: the acceptable authentication context classes, when the guard sets them. */
  readonly acrValues?: readonly string[] | undefined;
  /** `'max_age'` when only the authentication's age failed; `'level'` when its acr or amr did. */
  readonly failed: 'max_age' | 'level';
}

const NO_PARTS: readonly Principal[] = Object.freeze([]);
const NO_METHODS: readonly string[] = Object.freeze([]);
const NO_PART_NAMES: readonly (readonly string[])[] = Object.freeze([]);

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
  /**
   * When the user last actively authenticated (typed a password, passed a second
   * factor), in **milliseconds** since the epoch, like every clock of the core:
   * the session's login time (recorded by `login(...)`), a JWT's `auth_time`
   * (seconds in the token, × 1000 here). `undefined` when unknown (a session
   * created before this was recorded, a token without `auth_time`, an opaque
   * Bearer token): a guard with `maxAge` then asks for a new authentication.
   * For credentials sent with every request see {@link everyRequest}.
   */
  readonly authTime: number | undefined;
  /**
   * True when the credential itself is the proof and comes with every request
   * (Basic's password, a static `Token`, an API key): the user authenticated at
   * this very request, so `maxAge` always holds (`authTime` stays `undefined`:
   * these credentials are built once per backend, not per request).
   */
  readonly everyRequest: boolean;
  /**
   * The authentication context class reference (OpenID Connect `acr`, RFC 9470):
   * the level of assurance of the authentication, from the token's `acr` claim or
   * from `login(…, { acr })`. `undefined` when none was given.
   */
  readonly acr: string | undefined;
  /**
   * The authentication methods (RFC 8176 `amr` values such as `pwd`, `otp`, `hwk`,
   * `mfa`): from the token's `amr` claim, from `login(…, { methods })`, `['pwd']`
   * for Basic. Empty when unknown.
   */
  readonly amr: readonly string[];
  /**
   * Builds the scheme's 401 challenge for a step-up (RFC 9470's
   * `Bearer error="insufficient_user_authentication"`); absent for schemes without
   * one (sessions are redirected to login, or get a plain 401).
   */
  readonly insufficientUserAuthentication: ((requirement: StepUpRequirement) => string) | undefined;
  readonly #set: ReadonlySet<string>;
  readonly #partNames: readonly (readonly string[])[];

  constructor(scopes: Iterable<string> = [], options?: AuthCredentialsOptions<V>) {
    this.insufficientScope = options?.insufficientScope;
    this.insufficientUserAuthentication = options?.insufficientUserAuthentication;
    const authTime = options?.authTime;
    if (authTime !== undefined && (typeof authTime !== 'number' || !Number.isFinite(authTime))) throw new TypeError('AuthCredentials: authTime must be a finite number of ms');
    this.authTime = authTime;
    this.everyRequest = options?.everyRequest === true;
    const acr = options?.acr;
    if (acr !== undefined && typeof acr !== 'string') throw new TypeError('AuthCredentials: acr must be a string');
    this.acr = acr;
    const amr = options?.amr;
    if (amr !== undefined && (!Array.isArray(amr) || amr.some((m) => typeof m !== 'string'))) throw new TypeError('AuthCredentials: amr must be an array of strings');
    this.amr = amr === undefined || amr.length === 0 ? NO_METHODS : Object.freeze([...amr]);
    const via = options?.via;
    if (via !== undefined && typeof via !== 'string') throw new TypeError('AuthCredentials: via must be a string');
    this.via = via as V;
    this.parts = options?.parts === undefined ? NO_PARTS : Object.freeze([...options.parts]);
    const names = options?.partNames;
    if (names !== undefined && names.length !== this.parts.length) throw new TypeError('AuthCredentials: partNames must name every part');
    this.#partNames = names ?? (this.parts.length === 0 ? NO_PART_NAMES : this.parts.map((p) => (p.auth.via === undefined ? [] : [p.auth.via])));
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
