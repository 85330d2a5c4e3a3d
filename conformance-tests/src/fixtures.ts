import {
  SimpleUser,
  apiKeyAuth,
  basicAuth,
  staticTokens,
  timingSafeEqual,
  tokenAuth,
  type AuthenticationBackend,
} from '@portcullis/core';
import { base64 } from './base64.js';
import type { HandlerResult, HandlerView } from './spec.js';

/** A user with roles: scopes are `authenticated` plus the roles. */
export class DemoUser extends SimpleUser {
  /** The user's roles; each is also a scope. */
  readonly roles: readonly string[];
  constructor(username: string, roles: readonly string[] = []) {
    super(username);
    this.roles = Object.freeze([...roles]);
  }
}

/** username → password, roles. `alice`/`root` come from the seeds; the others from the catalogue. */
export const USERS: ReadonlyMap<
  string,
  {
    /** The user's password. */
    password: string;
    /** The user's roles. */
    roles: readonly string[];
  }
> = new Map([
  ['alice', { password: 'alicepwd', roles: [] }],
  ['root', { password: 'rootpwd', roles: ['admin'] }],
  ['user', { password: 'pass', roles: [] }],
  ['üser', { password: 'pässword', roles: [] }],
]);

/** The password of the fixture used for BAS-06 (a password with colons). */
export const COLON_USERS: ReadonlyMap<string, { password: string; roles: readonly string[] }> = new Map([
  ['user', { password: 'pa:ss', roles: [] }],
]);

const DUMMY = 'x'.repeat(16);

/** A Basic backend over a user map, comparing in constant time, unknown users included. */
export function basicBackend(
  realm = 'api',
  users = USERS,
  onVerify?: () => void,
): AuthenticationBackend<DemoUser> {
  return basicAuth({
    realm,
    async verify(username, password) {
      onVerify?.();
      const entry = users.get(username);
      const ok = await timingSafeEqual(password, entry?.password ?? DUMMY);
      return ok && entry !== undefined ? new DemoUser(username, entry.roles) : null;
    },
    scopes: (user) => ['authenticated', ...user.roles],
  });
}

/** `Authorization: Token abcd` is bob (starlette-auth-toolkit's example). */
export function tokenBackend(): AuthenticationBackend<DemoUser> {
  return tokenAuth({
    async verify(token) {
      return (await timingSafeEqual(token, 'abcd')) ? new DemoUser('bob') : null;
    },
  });
}

/** A backend whose user store is down: every credential check throws. */
export function brokenBackend(): AuthenticationBackend<DemoUser> {
  return basicAuth({
    realm: 'api',
    verify() {
      throw new Error('connect ECONNREFUSED 127.0.0.1:5432');
    },
  });
}

/** `Authorization: Basic` value for a username and password (UTF-8). */
export function basic(username: string, password: string): string {
  return 'Basic ' + base64(`${username}:${password}`);
}

/** Starlette's homepage: `Hello, <name>` or `Hello, you`. */
export function hello(view: HandlerView): HandlerResult {
  return { text: view.user.isAuthenticated ? `Hello, ${view.user.displayName}` : 'Hello, you' };
}

/** The admin page of the Basic write-up. */
export function adminPage(view: HandlerView): HandlerResult {
  return { json: { authenticated: view.user.isAuthenticated, user: view.user.displayName } };
}

/** starlette-auth-toolkit's protected page. */
export function greeting(view: HandlerView): HandlerResult {
  return { json: { message: `Hello, ${view.user.displayName}!` } };
}

/** Who the request is, and its scopes. */
export function whoami(view: HandlerView): HandlerResult {
  return { json: { user: view.user.displayName, authenticated: view.user.isAuthenticated, scopes: view.auth.scopes } };
}

/** Who the request is, which backend vouched (`auth.via`), and each part of an `all([...])`. */
export function whoVia(view: HandlerView): HandlerResult {
  return {
    json: {
      user: view.user.displayName,
      via: view.auth.via ?? null,
      parts: view.auth.parts.map((part) => [part.auth.via ?? null, part.user.displayName]),
      scopes: view.auth.scopes,
    },
  };
}

/** A client key (`X-Client-Key`) per client app: `ck_read…` is `reader`, `ck_admin…` is `console` with the `admin` role. */
export const CLIENT_KEYS = { reader: 'ck_read_0123456789abcdef', console: 'ck_admin_0123456789abcdef' } as const;

/** Client apps authenticated by `X-Client-Key` (named `apiKey`); scopes `authenticated` plus the client's roles. */
export function clientKeyBackend(): AuthenticationBackend<DemoUser> {
  return apiKeyAuth({
    header: 'X-Client-Key',
    verify: staticTokens([
      [CLIENT_KEYS.reader, new DemoUser('reader')],
      [CLIENT_KEYS.console, new DemoUser('console', ['admin'])],
    ]),
    scopes: (client) => ['authenticated', ...client.roles],
  });
}
