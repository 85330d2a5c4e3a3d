import type { Server } from 'node:http';
import type { AuthenticationBackend, BaseUser } from '@portcullis/core';
import type { Credentials, Framework } from './config.js';
import { USER, checkPassword } from './credentials.js';
import { SESSION_NOTE, sessionCredentials, sessionServer } from './sessions.js';

/**
 * Where Portcullis parts that are still being built plug into the bench. Each hook
 * left `undefined` shows up in the results as "not built yet" instead of being
 * faked; setting it turns the matching configurations on for every framework (the
 * HTTP runs, the soak, and the smoke test), with no other change.
 */
export interface Hooks {
  /**
   * The Basic backend with the verification cache ("Portcullis Basic (cache hit)").
   * Unset, that configuration is "not built" and only the stand-in is measured:
   * "Portcullis Basic (map verify)", `basicAuth` whose verify does a constant-time
   * compare against an in-memory map (`checkPassword`), which is also what an app
   * without the cache runs.
   */
  basicCache?: () => Promise<AuthenticationBackend<BaseUser>>;
  /**
   * The JWT backend, HS256 pinned, reading `Authorization: Bearer <jwt>`. The tokens
   * are `typ: at+jwt` with `iss`/`aud` (see `jwtFor`); the user's `displayName` must be
   * the token's `sub` (the probes check `Hello, <sub>`). Measured hot (one token reused)
   * and cold (10,000 distinct tokens), and soaked with the cold pool. Cold means every
   * request verifies a signature: a verified-token cache holding 10,000 entries would turn
   * the round-robin pool into hits after its first pass, so for `path: 'cold'` the
   * backend must not serve the pool from a cache (turn it off, or keep it smaller).
   * With the `@portcullis/jwt` being written now, this is (checked against its work in
   * progress, where the cache holds 10,000 tokens by default):
   *
   * ```ts
   * jwt: async ({ secret, issuer, audience, path }) => {
   *   const { jwtAuth } = await import('@portcullis/jwt');
   *   const { SimpleUser } = await import('@portcullis/core');
   *   return jwtAuth({
   *     algorithms: ['HS256'], secret: new TextEncoder().encode(secret), issuer, audience,
   *     retrieveUser: (token) => new SimpleUser(token.sub),
   *     ...(path === 'cold' ? { cache: false } : {}),
   *   });
   * },
   * ```
   */
  jwt?: (options: {
    readonly secret: string;
    readonly issuer: string;
    readonly audience: string;
    readonly path: 'hot' | 'cold';
  }) => Promise<AuthenticationBackend<BaseUser>>;
  /**
   * Sessions: a whole server per framework (sessions need their own middleware and a
   * login route) and the credentials obtained from it (log in once, send the cookie).
   */
  session?: {
    create(framework: Framework): Promise<Server>;
    credentials(framework: Framework, baseUrl: string): Promise<Credentials>;
    /** What the configuration measures (store, per-request reads/writes), for the config's `note`. */
    readonly note?: string;
  };
}

export const hooks: Hooks = {
  // The verification cache landed in @portcullis/core (0a5d309): every request after the first is a hit.
  basicCache: async () => {
    const { basicAuth, SimpleUser, VerificationCache } = await import('@portcullis/core');
    const users = new Map([[USER, new SimpleUser(USER)]]);
    return basicAuth({
      realm: 'bench',
      cache: new VerificationCache<InstanceType<typeof SimpleUser>>(),
      verify: (username, password) => (checkPassword(username, password) ? users.get(username) : null),
    });
  },
  // @portcullis/jwt landed: HS256 pinned; the cold path verifies every signature.
  jwt: async ({ secret, issuer, audience, path }) => {
    const { jwtAuth } = await import('@portcullis/jwt');
    const { SimpleUser } = await import('@portcullis/core');
    return jwtAuth({
      algorithms: ['HS256'],
      secret: new TextEncoder().encode(secret),
      issuer,
      audience,
      retrieveUser: (token) => new SimpleUser(token.sub),
      ...(path === 'cold' ? { cache: false as const } : {}),
    });
  },
  // Sessions landed (docs/sessions.md): each framework's session middleware over the core's
  // MemorySessionStore, sessionAuth in required mode, POST /login; see src/sessions.ts.
  session: {
    create: (framework) => sessionServer(framework),
    credentials: sessionCredentials,
    note: SESSION_NOTE,
  },
};
