import { ConfigurationError } from './errors.js';
import { metadataResponse, type ResponseDescription } from './response.js';

/** The well-known path of protected-resource metadata (RFC 9728 §3). */
export const RESOURCE_METADATA_PATH = '/.well-known/oauth-protected-resource';

const LOOPBACK: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Checks a URL that goes to clients from configuration (the resource identifier,
 * the metadata URL): absolute, `https:` (or `http:` on `localhost` for
 * development), no user info, no fragment. Returns its serialised form (no `"`,
 * `\` or control characters: safe inside a quoted header parameter). Throws a
 * `ConfigurationError` naming `what` otherwise. @internal
 */
export function checkResourceUrl(value: unknown, what: string, allowQuery = true): string {
  const fix = `${what} must be an absolute https:// URL from your configuration (http:// only for localhost), without user info or fragment`;
  if (typeof value !== 'string' || value === '' || value.length > 2048) throw new ConfigurationError(fix);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigurationError(fix);
  }
  const secure = url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK.has(url.hostname));
  if (!secure || url.username !== '' || url.password !== '' || url.hash !== '' || value.includes('#')) throw new ConfigurationError(fix);
  if (!allowQuery && url.search !== '') throw new ConfigurationError(`${what} must not have a query (RFC 9728 §1.2)`);
  // The URL goes into quoted-strings (`resource_metadata="…"`): a `"` or `\` left by the
  // serialisation (the query keeps `\`) would end or escape the quote.
  if (/["\\]/.test(url.href)) throw new ConfigurationError(`${what} must not contain " or \\ (percent-encode them)`);
  return url.href;
}

/** Options of {@link protectedResourceMetadata}: the fields of RFC 9728 §2, in camelCase. */
export interface ProtectedResourceMetadataOptions {
  /**
   * The resource identifier: your API's absolute `https://` URL (`http://` only for
   * `localhost`), without query or fragment, from configuration (never from `Host`).
   * Tokens for this API carry it in `aud`.
   */
  resource: string;
  /** `authorization_servers`: the issuer identifiers of the authorization servers that issue tokens for it. */
  authorizationServers?: readonly string[];
  /** `jwks_uri`: where the resource's own signing keys are published (rarely needed). */
  jwksUri?: string;
  /** `scopes_supported`: the scopes the resource understands. */
  scopesSupported?: readonly string[];
  /** `bearer_methods_supported`: how tokens are sent. Default `['header']` (Portcullis reads no token from the body or the query). */
  bearerMethodsSupported?: readonly ('header' | 'body' | 'query')[];
  /** `resource_name`: a human-readable name. */
  resourceName?: string;
  /** `resource_documentation`: a page for developers. */
  resourceDocumentation?: string;
}

/** The metadata of a protected resource, and where to serve it. */
export interface ProtectedResourceMetadata {
  /** The JSON document (RFC 9728 §2), frozen. */
  readonly document: Readonly<Record<string, unknown>>;
  /**
   * Its absolute URL (`https://api.example.com/.well-known/oauth-protected-resource`,
   * plus the resource's path if it has one, §3.1): the `resourceMetadata` option of
   * the Bearer and JWT backends.
   */
  readonly url: string;
  /** The path to serve it on in this app: `/.well-known/oauth-protected-resource[/resource path]`. */
  readonly path: string;
  /** The answer to `GET path`: 200 JSON, cacheable; send it as any core answer (`toResponse`, `sendDescription`…). */
  readonly response: ResponseDescription;
}

const SCOPE_TOKEN = /^[\u0021\u0023-\u005b\u005d-\u007e]+$/;
const BEARER_METHODS: ReadonlySet<string> = new Set(['header', 'body', 'query']);

/**
 * Builds the OAuth 2.0 protected-resource metadata of your API (RFC 9728): the
 * document, its well-known URL (for the `resourceMetadata` option of the Bearer
 * backends, so every challenge names it, §5.1) and the answer to serve on its
 * path. Everything comes from configuration and is checked here, at startup
 * (`ConfigurationError`).
 *
 * @example
 * ```ts
 * const metadata = protectedResourceMetadata({
 *   resource: 'https://api.example.com',
 *   authorizationServers: ['https://login.example.com'],
 *   scopesSupported: ['read', 'write'],
 * });
 * metadata.url;  // 'https://api.example.com/.well-known/oauth-protected-resource'
 * metadata.path; // '/.well-known/oauth-protected-resource'
 * app.get(metadata.path, (req, res) => res.json(metadata.document));
 * ```
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): ProtectedResourceMetadata {
  const who = 'protectedResourceMetadata';
  if (options === null || typeof options !== 'object') throw new ConfigurationError(`${who}: options are required`);
  const resource = checkResourceUrl(options.resource, `${who}: resource`, false);
  const given = options.resource;
  const url = new URL(resource);
  const suffix = url.pathname === '/' ? '' : url.pathname;
  const path = `${RESOURCE_METADATA_PATH}${suffix}`;
  const document: Record<string, unknown> = {
    // The identifier as configured: clients compare it with the one they used (§3.3).
    resource: given,
  };
  if (options.authorizationServers !== undefined) {
    const servers = options.authorizationServers;
    if (!Array.isArray(servers) || servers.length === 0) throw new ConfigurationError(`${who}: authorizationServers must be a non-empty array of issuer URLs`);
    servers.forEach((s: unknown) => checkResourceUrl(s, `${who}: authorizationServers`));
    document.authorization_servers = Object.freeze([...servers]);
  }
  if (options.jwksUri !== undefined) document.jwks_uri = checkResourceUrl(options.jwksUri, `${who}: jwksUri`);
  if (options.scopesSupported !== undefined) {
    const scopes = options.scopesSupported;
    if (!Array.isArray(scopes) || scopes.some((s: unknown) => typeof s !== 'string' || !SCOPE_TOKEN.test(s))) {
      throw new ConfigurationError(`${who}: scopesSupported must be an array of scope tokens (RFC 6749 §3.3)`);
    }
    document.scopes_supported = Object.freeze([...scopes]);
  }
  const methods = options.bearerMethodsSupported ?? ['header'];
  if (!Array.isArray(methods) || methods.some((m: unknown) => typeof m !== 'string' || !BEARER_METHODS.has(m))) {
    throw new ConfigurationError(`${who}: bearerMethodsSupported must list "header", "body" or "query"`);
  }
  document.bearer_methods_supported = Object.freeze([...methods]);
  if (options.resourceName !== undefined) {
    if (typeof options.resourceName !== 'string' || options.resourceName === '') throw new ConfigurationError(`${who}: resourceName must be a non-empty string`);
    document.resource_name = options.resourceName;
  }
  if (options.resourceDocumentation !== undefined) {
    document.resource_documentation = checkResourceUrl(options.resourceDocumentation, `${who}: resourceDocumentation`);
  }
  const frozen = Object.freeze(document);
  return Object.freeze({
    document: frozen,
    url: `${url.origin}${path}`,
    path,
    response: metadataResponse(frozen),
  });
}
