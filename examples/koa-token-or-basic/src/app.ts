import Koa from 'koa';
import Router from '@koa/router';
import {
  MemoryTokenStore,
  SimpleUser,
  basicAuth,
  hashedTokens,
  multi,
  timingSafeEqual,
  tokenAuth,
} from '@portcullis/core';
import { authentication, requires, type AuthState } from '@portcullis/koa';

/** The one password account of the demo (alice in the starlette-auth-toolkit README). */
export interface PasswordAccount {
  readonly username: string;
  readonly password: string;
}

/** Options of {@link createApp}. */
export interface TokenOrBasicOptions {
  /** The account that signs in with `Authorization: Basic …`. */
  readonly basic: PasswordAccount;
  /** Who the token issued at startup belongs to. Default `bob`. */
  readonly tokenOwner?: string;
  /** The realm of the Basic challenge. Default `Portcullis API`. */
  readonly realm?: string;
  /** Lifetime of tokens issued by `POST /tokens`, in ms. Default 30 days. */
  readonly tokenTtlMs?: number;
}

/** The app plus the handles a server or a test needs. */
export interface TokenOrBasicApp {
  readonly app: Koa<AuthState<SimpleUser>>;
  /** The token issued at startup for `tokenOwner`, in plaintext: shown once, never stored. */
  readonly ownerToken: string;
  /** Revokes a token; true when it existed. Takes effect on the next request. */
  revokeToken(token: string): Promise<boolean>;
  /** The token store: it holds SHA-256 digests only. */
  readonly tokens: MemoryTokenStore<SimpleUser>;
}

/** Granted to Basic logins only: a token cannot mint more tokens. */
export const ISSUE_TOKENS = 'tokens:issue';

/**
 * `Token` or `Basic`, tried in that order (starlette-auth-toolkit's
 * `MultiAuth([TokenAuth(), BasicAuth()])`):
 *
 * - `GET /protected` → `{"message":"Hello, <name>!"}` behind `requires('authenticated')`
 *   (anonymous: 403, as Starlette's `@requires` answers by default);
 * - `POST /tokens` → a new API token for a Basic-authenticated caller, returned once;
 * - `GET /` → public, greets whoever is signed in.
 *
 * A present-but-invalid token stops the chain (401 with both challenges); it is
 * never treated as anonymous and never handed to the Basic backend.
 */
export async function createApp(options: TokenOrBasicOptions): Promise<TokenOrBasicApp> {
  const { basic } = options;
  const tokenOwner = options.tokenOwner ?? 'bob';
  const tokenTtlMs = options.tokenTtlMs ?? 30 * 24 * 60 * 60 * 1000;

  // Digests only: a plaintext token is shown once (the startup banner, or the response that issues it).
  const tokens = new MemoryTokenStore<SimpleUser>();
  const ownerToken = await tokens.issue(new SimpleUser(tokenOwner));

  // #region backend
  const backend = multi([
    tokenAuth({ verify: hashedTokens(tokens) }), // Authorization: Token <key>
    basicAuth({ // Authorization: Basic …; tried when no Token was sent
      realm: options.realm ?? 'Portcullis API',
      scopes: ['authenticated', ISSUE_TOKENS],
      async verify(username, password) {
        // Both comparisons always run: no short-circuit on the username.
        const [u, p] = await Promise.all([
          timingSafeEqual(username, basic.username),
          timingSafeEqual(password, basic.password),
        ]);
        return u && p ? new SimpleUser(username) : null;
      },
    }),
  ]);
  // #endregion backend

  const app = new Koa<AuthState<SimpleUser>>();
  const router = new Router<AuthState<SimpleUser>>();
  app.use(authentication({ backend }));

  router.get('/', (ctx) => {
    const { user } = ctx.state;
    ctx.body = { message: user.isAuthenticated ? `Hello, ${user.displayName}!` : 'Hello, you!' };
  });

  router.get('/protected', requires('authenticated'), (ctx) => {
    ctx.body = { message: `Hello, ${ctx.state.user.displayName}!` };
  });

  // "Create an API token": only for a password login (anonymous: 401 + challenges; a token holder: 403).
  router.post('/tokens', requires(ISSUE_TOKENS, { status: 401 }), async (ctx) => {
    const username = ctx.state.user.identity;
    const token = await tokens.issue(new SimpleUser(username), { ttlMs: tokenTtlMs });
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      token,
      token_type: 'Token',
      user: username,
      expires_in: Math.floor(tokenTtlMs / 1000),
    };
  });

  app.use(router.routes()).use(router.allowedMethods());

  return { app, ownerToken, tokens, revokeToken: (token) => tokens.revoke(token) };
}
