import { hasScheme, quoteRealm, readAuthorization } from './authorization.js';
import type { AuthenticationBackend, Principal } from './backend.js';
import type { Connection } from './connection.js';
import { AUTHORIZATION } from './basic.js';
import { hasProtocolCarrier, protocolBearerToken } from './ws-protocol.js';
import { backendName } from './backend-name.js';
import { AuthenticationError, ConfigurationError, isAuthenticationError } from './errors.js';
import type { BaseUser } from './user.js';
import { grant, verifierResult, type ScopesOption, type VerifyResult } from './verify.js';
import type { MaybePromise } from './maybe-promise.js';
import type { AuthCredentialsOptions, StepUpRequirement } from './credentials.js';
import { checkResourceUrl } from './resource-metadata.js';

/** Fixed `error_description` texts; nothing the client sent is ever reflected. */
export type BearerErrorDescription = 'expired' | 'revoked' | 'not yet valid';

/** The challenges and the strict reader of one Bearer realm (RFC 6750), shared by every Bearer backend. */
export interface BearerScheme {
  /** `Bearer realm="…"`: the 401 for a request that sent nothing (no `error=`). */
  readonly challenge: string;
  /** `Bearer realm="…", error="invalid_request"`: the 400 for a malformed header. */
  readonly invalidRequest: string;
  /** `Bearer realm="…", error="invalid_token"` with an optional fixed description. */
  invalidToken(description?: BearerErrorDescription): string;
  /** `Bearer realm="…", error="insufficient_scope", scope="…"`: the 403 for missing scopes. */
  insufficientScope(required: readonly string[]): string;
  /**
   * `Bearer realm="…", error="insufficient_user_authentication", error_description="…",
   * max_age="…", acr_values="…"`: the 401 of a step-up (RFC 9470 §3).
   */
  insufficientUserAuthentication(requirement: StepUpRequirement): string;
  /** The absolute URL of the protected-resource metadata every challenge carries (RFC 9728 §5.1), or `undefined`. */
  readonly resourceMetadata: string | undefined;
  /** The scheme's builders of 403 and step-up challenges, for the credentials its backends grant. */
  readonly credentials: Readonly<Pick<AuthCredentialsOptions, 'insufficientScope' | 'insufficientUserAuthentication'>>;
  /**
   * The token of `Authorization: Bearer <token>`, or `null` when the request uses
   * no Bearer credentials. `Bearer`, `Bearer ` and `Bearer a b` throw
   * `malformed_credentials`, and repeated values of which one is Bearer throw
   * `duplicate_authorization`: both answered with 400 `invalid_request`.
   */
  read(connection: Connection): string | null;
  /**
   * {@link BearerScheme.read} for a backend that checks a stricter syntax than token68
   * itself (a compact JWS, whose every string is a token68): the header's token comes
   * back without `read`'s token68 test, so it is scanned once, by the backend, or not
   * at all when the backend knows it already (a verified-token cache hit). Every other
   * check of `read` runs, in the same order. When the backend's own check refuses the
   * token, it calls {@link BearerScheme.requireToken68} before answering anything else:
   * `readUnchecked` then `requireToken68` throws exactly what `read` throws.
   *
   * @example
   * ```ts
   * const token = scheme.readUnchecked(connection);
   * if (token !== null && !COMPACT_JWS.test(token)) {
   *   scheme.requireToken68(token); // 400 invalid_request when `read` would have refused it
   *   throw scheme.rejection();     // 401 invalid_token: a token68 that is no JWS
   * }
   * ```
   */
  readUnchecked(connection: Connection): string | null;
  /**
   * Throws the `malformed_credentials` (400 `invalid_request`) that
   * {@link BearerScheme.read} throws for a token that is not a token68 (RFC 6750 §2.1);
   * returns for any other. Every token `read` returns passes. For a token of
   * {@link BearerScheme.readUnchecked} that the backend's own syntax check refused.
   */
  requireToken68(token: string): void;
  /** An `invalid_credentials` error answered with 401 `invalid_token`. */
  rejection(description?: BearerErrorDescription): AuthenticationError;
  /** Cheap and synchronous: true when the request carries a Bearer credential (the header, or the websocket protocol carrier when read). */
  present(connection: Connection): boolean;
  /** What the scheme reads, for `reads`: `authorization`, and `header:sec-websocket-protocol` with the carrier. */
  readonly reads: readonly string[];
}

/** Options of {@link bearerScheme} besides the realm. */
export interface BearerSchemeOptions {
  /**
   * Also read the token from the `Sec-WebSocket-Protocol` carrier
   * (`portcullis.bearer.<token>`, see `BEARER_PROTOCOL_PREFIX`) on websocket
   * connections: browsers cannot set `Authorization` on a websocket. Default `false`.
   */
  webSocketProtocol?: boolean | undefined;
  /**
   * The absolute URL of the resource's protected-resource metadata (RFC 9728), put
   * in every Bearer challenge as `resource_metadata="…"` (§5.1). From
   * configuration only, never from the request's `Host`: `https://`, or `http://`
   * for `localhost` only; checked at startup. `protectedResourceMetadata(...).url`
   * is the usual value.
   */
  resourceMetadata?: string | undefined;
}

const WITH_PROTOCOL: readonly string[] = Object.freeze(['authorization', 'header:sec-websocket-protocol']);

const DESCRIPTIONS: ReadonlySet<string> = new Set<BearerErrorDescription>(['expired', 'revoked', 'not yet valid']);
/** RFC 9470 §3's `error_description` texts, fixed: nothing about the user or the token. */
const STEP_UP_DESCRIPTIONS: Readonly<Record<StepUpRequirement['failed'], string>> = {
  max_age: 'More recent authentication is required',
  level: 'A different authentication level is required',
};
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const MAX_TOKEN = 8192;
const SCOPE_TOKEN = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;

/**
 * The Bearer scheme for one realm. `bearerAuth` and the JWT backends use it so
 * every Bearer answer follows RFC 6750 §3.1 the same way. With `resourceMetadata`
 * every challenge also names the resource's metadata (RFC 9728 §5.1).
 *
 * @example
 * ```ts
 * const bearer = bearerScheme('api');
 * bearer.invalidToken('expired'); // 'Bearer realm="api", error="invalid_token", error_description="expired"'
 * ```
 */
export function bearerScheme(realm = 'api', options: BearerSchemeOptions = {}): BearerScheme {
  const protocol = webSocketProtocolOption(options.webSocketProtocol, 'bearer');
  const quoted = quoteRealm(realm);
  if (quoted === null) throw new ConfigurationError('bearer: realm must be a non-empty Latin-1 string without control characters');
  const resourceMetadata = options.resourceMetadata === undefined ? undefined : checkResourceUrl(options.resourceMetadata, 'bearer: resourceMetadata');
  const base = `Bearer realm=${quoted}`;
  // resource_metadata comes last in every challenge; the URL is serialised by URL, so it has no `"` or `\`.
  const tail = resourceMetadata === undefined ? '' : `, resource_metadata="${resourceMetadata}"`;
  const withError = (params: string): string => `${base}, ${params}${tail}`;
  const challenge = `${base}${tail}`;
  const invalidRequest = withError('error="invalid_request"');
  const invalidToken = (description?: BearerErrorDescription): string =>
    // Checked at run time too: a JS caller passing arbitrary text must not reach the header.
    description === undefined || !DESCRIPTIONS.has(description)
      ? withError('error="invalid_token"')
      : withError(`error="invalid_token", error_description="${description}"`);
  const insufficientScope = (required: readonly string[]): string => {
    // Scope tokens are NQCHARs (RFC 6749 §3.3); anything else is left out rather than escaped.
    const scope = required.filter((s) => SCOPE_TOKEN.test(s)).join(' ');
    return withError(`error="insufficient_scope", scope="${scope}"`);
  };
  const insufficientUserAuthentication = (requirement: StepUpRequirement): string => {
    const description = STEP_UP_DESCRIPTIONS[requirement.failed === 'max_age' ? 'max_age' : 'level'];
    const maxAge = requirement.maxAge;
    // The guard checked both at startup; checked again so a caller of our own cannot inject.
    const age = typeof maxAge === 'number' && Number.isInteger(maxAge) && maxAge >= 0 ? `, max_age="${maxAge}"` : '';
    const values = (requirement.acrValues ?? []).filter((v) => SCOPE_TOKEN.test(v)).join(' ');
    const acr = values === '' ? '' : `, acr_values="${values}"`;
    return withError(`error="insufficient_user_authentication", error_description="${description}"${age}${acr}`);
  };
  return Object.freeze({
    challenge,
    invalidRequest,
    invalidToken,
    insufficientScope,
    insufficientUserAuthentication,
    resourceMetadata,
    credentials: Object.freeze({ insufficientScope, insufficientUserAuthentication }),
    reads: protocol ? WITH_PROTOCOL : AUTHORIZATION,
    present: protocol
      ? (connection: Connection): boolean => hasScheme(connection, 'bearer') || hasProtocolCarrier(connection)
      : (connection: Connection): boolean => hasScheme(connection, 'bearer'),
    read,
    // With the carrier, the header's token68 test runs first, before the carrier's own
    // checks and the duplicate check (as in `read`): the rare websocket case keeps `read`.
    readUnchecked: protocol ? read : (connection: Connection): string | null => readHeader(connection, false),
    requireToken68(token: string): void {
      if (!B64TOKEN.test(token)) throw new AuthenticationError('malformed_credentials', { challenge: invalidRequest });
    },
    rejection(description?: BearerErrorDescription): AuthenticationError {
      return new AuthenticationError('invalid_credentials', { challenge: invalidToken(description) });
    },
  });

  function read(connection: Connection): string | null {
    const header = readHeader(connection, true);
    if (!protocol) return header;
    const carried = protocolBearerToken(connection, invalidRequest);
    if (carried === null) return header;
    // A token in both places is two credentials: refused, whichever would be valid.
    if (header !== null) throw new AuthenticationError('duplicate_authorization', { challenge: invalidRequest });
    if (carried.length > MAX_TOKEN) throw new AuthenticationError('invalid_credentials', { challenge: invalidToken() });
    return carried;
  }

  /**
   * The header's Bearer token, or `null`. `token68`: test the token68 syntax (`read`);
   * without it (`readUnchecked`) the test is left to the caller, except for a token over
   * MAX_TOKEN, whose answer (400 or 401) depends on it: tested here, as `read` does.
   */
  function readHeader(connection: Connection, token68: boolean): string | null {
      let value: ReturnType<typeof readAuthorization>;
      try {
        value = readAuthorization(connection, 'bearer');
      } catch (error) {
        // An over-long bearer token is an invalid token (401 invalid_token, DOS-04), not a 431.
        if (isAuthenticationError(error) && error.code === 'oversized_authorization' && /^[ \t]*bearer /i.test(connection.authorization[0] ?? '')) {
          throw new AuthenticationError('invalid_credentials', { challenge: invalidToken() });
        }
        // Repeated Bearer credentials are a malformed request: 400 with `invalid_request` (RFC 6750 §3.1).
        if (isAuthenticationError(error) && error.code === 'duplicate_authorization') {
          throw new AuthenticationError('duplicate_authorization', { challenge: invalidRequest });
        }
        throw error;
      }
      if (value === null || value.scheme !== 'bearer') return null;
      const token = value.credentials;
      if (token === undefined || token === '' || ((token68 || token.length > MAX_TOKEN) && !B64TOKEN.test(token))) {
        throw new AuthenticationError('malformed_credentials', { challenge: invalidRequest });
      }
      if (token.length > MAX_TOKEN) throw new AuthenticationError('invalid_credentials', { challenge: invalidToken() });
      return token;
  }
}

/** Checks a `webSocketProtocol` option (a boolean, default false). @internal */
export function webSocketProtocolOption(value: unknown, who: string): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new ConfigurationError(`${who}: webSocketProtocol must be true or false`);
  return value;
}

/** Options of {@link bearerAuth}. */
export interface BearerAuthOptions<U extends BaseUser, N extends string = 'bearer'> {
  /** Looks an opaque bearer token up; returns its user, or `null` (401 `invalid_token`). */
  verify(token: string, connection: Connection): VerifyResult<U>;
  /** The realm of the challenges. Default `api`. */
  realm?: string;
  /** The URL of the resource's protected-resource metadata, in every challenge (RFC 9728 §5.1; see {@link BearerSchemeOptions}). */
  resourceMetadata?: string;
  /** Scopes granted on success: a list, or a function of the user. Default `['authenticated']`. */
  scopes?: ScopesOption<U>;
  /**
   * The backend's name: `auth.via` of the requests it authenticates, and its name in
   * `multi([...])` and `all([...])`, where names are unique. Default `'bearer'`.
   */
  name?: N;
  /**
   * Also read the token from the websocket protocol carrier
   * (`Sec-WebSocket-Protocol: app.v1, portcullis.bearer.<token>`) on websocket
   * connections, for browsers. Default `false`. See `selectProtocol`.
   */
  webSocketProtocol?: boolean;
}

/**
 * `Authorization: Bearer <token>` with opaque tokens (RFC 6750): 401 with the realm
 * only when nothing was sent, 400 `invalid_request` for a malformed header, 401
 * `invalid_token` for an unknown token, 403 `insufficient_scope` with `scope="…"`
 * from guards. Tokens in the query string or the body are never read.
 *
 * @example
 * ```ts
 * const store = new MemoryTokenStore<SimpleUser>();
 * const backend = bearerAuth({ realm: 'api', verify: hashedTokens(store) });
 * ```
 */
export function bearerAuth<U extends BaseUser, const N extends string = 'bearer'>(
  options: BearerAuthOptions<U, N>,
): AuthenticationBackend<U, NoInfer<N>> & {
  /** The backend's name, the `via` of its credentials: the `name` option or the default. */
  readonly name: NoInfer<N>;
} {
  if (typeof options?.verify !== 'function') throw new ConfigurationError('bearerAuth: verify must be a function');
  const scheme = bearerScheme(options.realm ?? 'api', { webSocketProtocol: options.webSocketProtocol, resourceMetadata: options.resourceMetadata });
  const verify = options.verify;
  const name = backendName(options.name, 'bearer' as N, 'bearerAuth');
  const auth = grant(options.scopes, 'bearerAuth', name, scheme.credentials);
  const reject = (): AuthenticationError => scheme.rejection();
  return Object.freeze({
    name,
    challenges: Object.freeze([scheme.challenge]),
    reads: scheme.reads,
    present: scheme.present,
    authenticate(connection: Connection): MaybePromise<Principal<U, N>> | null {
      const token = scheme.read(connection);
      if (token === null) return null;
      return verifierResult(verify(token, connection), auth, reject);
    },
  });
}
