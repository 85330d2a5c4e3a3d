import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { SimpleUser, passwordBackend, type Hasher } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { authentication, requires, toConnection, toResponse, type AuthEnv } from '@portcullis/hono';
import {
  MemoryRevocationStore,
  memoryThrottle,
  oauth2PasswordBearer,
  tokenOf,
  withSecurity,
  type OAuth2PasswordBearer,
} from '@portcullis/jwt';

export { pbkdf2Hasher };

/** A user of the demo: a name, the scopes it may be granted, and its password hash. */
export class Member extends SimpleUser {
  constructor(
    username: string,
    readonly scopes: readonly string[],
    readonly passwordHash: string,
  ) {
    super(username);
  }
}

/** An account to create at startup. */
export interface Account {
  readonly username: string;
  readonly password: string;
  readonly scopes: readonly string[];
}

/** Options of {@link createApp}. */
export interface ExampleOptions {
  /** The HS256 signing secret: at least 32 random bytes. */
  readonly secret: Uint8Array;
  readonly accounts: readonly Account[];
  /** The `iss` and `aud` of the tokens. Default `urn:portcullis:example`. */
  readonly issuer?: string;
  /** Default: PBKDF2-SHA256 with OWASP's 600,000 iterations. */
  readonly hasher?: Hasher;
  /** The clock (tests freeze it). Default `Date.now`. */
  readonly clock?: () => number;
}

/** The paths anyone may call: the token endpoint, the OpenAPI document, the health check. */
export const PUBLIC_PATHS = ['/token', '/schema', '/health'] as const;

/**
 * An API protected by JWT access tokens that `POST /token` issues for a username
 * and password (the OAuth2 password grant — legacy, for first-party clients only).
 * Every other route needs `Authorization: Bearer <token>`; `/orders` needs the
 * `orders:read` scope and `/admin` the `admin` scope; `POST /logout` revokes the
 * token; `/schema` is the OpenAPI document with the OAuth2 security scheme.
 */
export async function createApp(options: ExampleOptions): Promise<{ app: Hono<AuthEnv<Member>>; oauth2: OAuth2PasswordBearer<Member> }> {
  const hasher = options.hasher ?? pbkdf2Hasher();
  const clock = options.clock ?? Date.now;
  const issuer = options.issuer ?? 'urn:portcullis:example';

  const members = new Map<string, Member>();
  for (const { username, password, scopes } of options.accounts) {
    members.set(username, new Member(username, scopes, await hasher.hash(password)));
  }

  // Unknown users cost a dummy hash, passwords over 1 KiB are refused before hashing.
  const passwords = passwordBackend<Member>({
    findUser: (username) => members.get(username) ?? null,
    passwordHashOf: (member) => member.passwordHash,
    hasher,
  });

  const oauth2 = oauth2PasswordBearer<Member>({
    algorithms: ['HS256'],
    secret: options.secret,
    issuer,
    audience: issuer,
    clock,
    expiresIn: 900,
    tokenUrl: '/token',
    verifyCredentials: passwords.verifyCredentials,
    grantableScopes: (member) => member.scopes,
    scopeDescriptions: { 'orders:read': 'Read orders', admin: 'Administer the shop' },
    retrieveUser: (token) => members.get(token.sub) ?? null,
    revocation: new MemoryRevocationStore({ clock }),
    throttle: memoryThrottle({ maxFailures: 20, windowMs: 60_000, clock }),
  });
  await oauth2.ready;

  const schema = withSecurity(
    {
      openapi: '3.1.0',
      info: { title: 'Portcullis example: Hono + JWT + OAuth2 password grant', version: '1.0.0' },
      paths: {
        '/token': { post: { summary: 'Exchange a username and password for an access token', responses: { '200': { description: 'token' } } } },
        '/me': { get: { summary: 'Who the token belongs to', responses: { '200': { description: 'the user' } } } },
        '/orders': {
          get: {
            summary: 'List orders',
            security: [{ [oauth2.securityScheme.name]: ['orders:read'] }],
            responses: { '200': { description: 'orders' } },
          },
        },
        '/admin': {
          get: { summary: 'Admins only', security: [{ [oauth2.securityScheme.name]: ['admin'] }], responses: { '200': { description: 'ok' } } },
        },
        '/logout': { post: { summary: 'Revoke the token', responses: { '204': { description: 'revoked' } } } },
        '/schema': { get: { summary: 'This document', responses: { '200': { description: 'OpenAPI' } } } },
        '/health': { get: { summary: 'Liveness', responses: { '200': { description: 'ok' } } } },
      },
    },
    oauth2.securityScheme,
    { exclude: [...PUBLIC_PATHS] },
  );

  const app = new Hono<AuthEnv<Member>>();
  app.use(authentication({ backend: oauth2, mode: 'required', exclude: [...PUBLIC_PATHS] }));

  const token = async (c: Context<AuthEnv<Member>>) =>
    toResponse(
      c,
      await oauth2.tokenEndpoint.handle(toConnection(c, clock), { contentType: c.req.header('content-type'), text: await c.req.text() }),
    );
  app.post('/token', bodyLimit({ maxSize: 16 * 1024, onError: (c) => c.json({ error: 'invalid_request' }, 413) }), token);
  app.get('/token', token); // 405: credentials in a URL are never read

  app.get('/me', (c) => {
    const t = tokenOf(c.var.auth);
    return c.json({ user: c.var.user.displayName, scopes: c.var.auth.scopes, expiresAt: t === undefined ? null : new Date(t.exp * 1000).toISOString() });
  });
  app.get('/orders', requires('orders:read'), (c) => c.json({ orders: [{ id: 1, item: 'portcullis', owner: c.var.user.displayName }] }));
  app.get('/admin', requires('admin'), (c) => c.json({ admin: true }));
  app.post('/logout', async (c) => toResponse(c, await oauth2.logout(c.var.auth)));
  app.get('/schema', (c) => c.json(schema));
  app.get('/health', (c) => c.text('ok'));
  return { app, oauth2 };
}
