import { ConfigurationError } from '@portcullis/core';
import { compileExclude } from '@portcullis/core/adapter';

/** An OpenAPI 3.x Security Scheme Object, as the JWT backends describe themselves. */
export type SecurityScheme =
  /** `Authorization: Bearer <JWT>`. */
  | {
      /** An HTTP authentication scheme. */
      readonly type: 'http';
      /** Always `bearer`. */
      readonly scheme: 'bearer';
      /** Always `JWT`. */
      readonly bearerFormat: 'JWT';
      /** Shown by OpenAPI tools. */
      readonly description?: string;
    }
  /** A JWT in a cookie. */
  | {
      /** A credential outside `Authorization`. */
      readonly type: 'apiKey';
      /** Always `cookie`. */
      readonly in: 'cookie';
      /** The cookie name. */
      readonly name: string;
      /** Shown by OpenAPI tools. */
      readonly description?: string;
    }
  /** The OAuth2 password flow. */
  | {
      /** An OAuth2 scheme. */
      readonly type: 'oauth2';
      /** The flows the scheme offers: only `password`. */
      readonly flows: {
        /** The resource-owner password flow. */
        readonly password: {
          /** The token endpoint's URL. */
          readonly tokenUrl: string;
          /** The scopes the token endpoint can grant, with their descriptions. */
          readonly scopes: Readonly<Record<string, string>>;
        };
      };
      /** Shown by OpenAPI tools. */
      readonly description?: string;
    };

/** A named security scheme: `components.securitySchemes[name] = scheme`. */
export interface SecuritySchemeEntry {
  /** The scheme's name in `components.securitySchemes` (1–64 of `A-Z a-z 0-9 . _ -`). */
  readonly name: string;
  /** The scheme. */
  readonly scheme: SecurityScheme;
}

/** The parts of an OpenAPI document {@link withSecurity} reads and writes; the rest is kept as is. */
export interface OpenApiDocument {
  /** The OpenAPI version (`3.x`). */
  readonly openapi: string;
  /** Reusable objects; the schemes go in `securitySchemes`. */
  readonly components?: {
    /** Security schemes by name. */
    readonly securitySchemes?: Readonly<Record<string, unknown>>;
    readonly [key: string]: unknown;
  };
  /** The security requirements that apply to every operation. */
  readonly security?: readonly Readonly<Record<string, readonly string[]>>[];
  /** The operations, by path and method. */
  readonly paths?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly [key: string]: unknown;
}

/** Options of {@link withSecurity}. */
export interface WithSecurityOptions {
  /**
   * Paths that need no credentials — the same patterns you `exclude` from
   * `authentication({ mode: 'required' })`, with the same meaning: their operations
   * get `security: []`.
   */
  exclude?: readonly (string | RegExp)[];
}

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace']);

/**
 * Adds security schemes to an OpenAPI document (what Litestar's `on_app_init`
 * does): each goes into `components.securitySchemes`, and the document's
 * `security` requirement accepts any of them. Operations of `exclude`d paths get
 * `security: []`. Returns a new document; the input is not changed.
 *
 * @example
 * ```ts
 * const jwt = jwtAuth({ ... });
 * const schema = withSecurity({ openapi: '3.1.0', info: { title: 'API', version: '1' }, paths }, jwt.securityScheme, {
 *   exclude: ['/login', '/schema'],
 * });
 * app.get('/schema', (c) => c.json(schema));
 * ```
 */
export function withSecurity<D extends OpenApiDocument>(
  document: D,
  schemes: SecuritySchemeEntry | readonly SecuritySchemeEntry[],
  options: WithSecurityOptions = {},
): D {
  if (document === null || typeof document !== 'object' || typeof document.openapi !== 'string') {
    throw new ConfigurationError('withSecurity: document must be an OpenAPI 3 document ({ openapi: "3.x", ... })');
  }
  const list = Array.isArray(schemes) ? (schemes as readonly SecuritySchemeEntry[]) : [schemes as SecuritySchemeEntry];
  const existing = { ...(document.components?.securitySchemes ?? {}) } as Record<string, unknown>;
  for (const { name, scheme } of list) {
    if (typeof name !== 'string' || !NAME.test(name)) throw new ConfigurationError('withSecurity: scheme names must be 1-64 of A-Z a-z 0-9 . _ -');
    if (Object.hasOwn(existing, name) && JSON.stringify(existing[name]) !== JSON.stringify(scheme)) {
      throw new ConfigurationError(`withSecurity: the document already has a different security scheme named ${name}`);
    }
    existing[name] = structuredClone(scheme);
  }
  const requirement = list.map(({ name }) => ({ [name]: [] as string[] }));
  const security = [...(document.security ?? [])];
  for (const r of requirement) if (!security.some((s) => JSON.stringify(s) === JSON.stringify(r))) security.push(r);

  let paths = document.paths;
  const exclude = options.exclude ?? [];
  const isExcluded = compileExclude(exclude);
  if (paths !== undefined && exclude.length > 0) {
    const out: Record<string, Readonly<Record<string, unknown>>> = {};
    for (const [path, item] of Object.entries(paths)) {
      if (!isExcluded(path) || item === null || typeof item !== 'object') {
        out[path] = item;
        continue;
      }
      const copy: Record<string, unknown> = { ...item };
      for (const [method, operation] of Object.entries(item)) {
        if (METHODS.has(method) && operation !== null && typeof operation === 'object') copy[method] = { ...operation, security: [] };
      }
      out[path] = copy;
    }
    paths = out;
  }

  return {
    ...document,
    components: { ...(document.components ?? {}), securitySchemes: existing },
    security,
    ...(paths === undefined ? {} : { paths }),
  };
}
