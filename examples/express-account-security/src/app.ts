import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { MemoryThrottleStore, SimpleUser, loginThrottle, passwordBackend, type AuthenticationFailure, type Hasher } from '@portcullis/core';
import { pbkdf2Hasher } from '@portcullis/core/hashing';
import { authentication, requires, sendDescription, toConnection } from '@portcullis/express';
import { MemoryRefreshTokenStore, oauth2PasswordBearer } from '@portcullis/jwt';

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
export interface AppOptions {
  /** The HS256 signing secret: at least 32 random bytes. */
  readonly secret: Uint8Array;
  readonly accounts: readonly Account[];
  /** Default: PBKDF2-SHA256 with OWASP's 600,000 iterations. */
  readonly hasher?: Hasher;
  /** The clock (tests freeze it). Default `Date.now`. */
  readonly clock?: () => number;
  /** The failure log: throttled logins, refresh-token reuse, refused tokens. Default `console.warn`. */
  readonly log?: (event: AuthenticationFailure) => void;
}

const ISSUER = 'urn:portcullis:account-security';

/**
 * An API that signs users in at `POST /token` (OAuth2 password grant, with rotating
 * refresh tokens), slows password guessing down (429 + `Retry-After`), and asks for
 * a recent password on `POST /admin/transfer` (RFC 9470 step-up).
 */
export async function createApp(options: AppOptions): Promise<Express> {
  const clock = options.clock ?? Date.now;
  const log = options.log ?? ((event: AuthenticationFailure) => console.warn(event));
  const hasher = options.hasher ?? pbkdf2Hasher();
  const members = new Map<string, Member>();
  for (const { username, password, scopes } of options.accounts) {
    members.set(username, new Member(username, scopes, await hasher.hash(password)));
  }

  // #region throttle
  // 5 wrong passwords per account (20 per client address) are free; then 1 s, 2 s, 4 s…
  // up to 15 minutes after the last failure. Refused before any lookup or hashing, and
  // counted before the hash (parallel guesses get no more). After a login, the user's
  // address is known for 30 days: a flood against the account from elsewhere does not
  // lock them out there.
  const throttle = loginThrottle({ store: new MemoryThrottleStore(), accountAllowance: 5, clock });
  const passwords = passwordBackend<Member>({
    findUser: (username) => members.get(username) ?? null,
    passwordHashOf: (member) => member.passwordHash,
    hasher,
    throttle,
    log,
  });
  // #endregion throttle

  // #region refresh
  // The password grant returns an access token (15 minutes) and a refresh token; each
  // refresh rotates it, and a rotated one that comes back revokes its whole family.
  const oauth2 = oauth2PasswordBearer<Member>({
    algorithms: ['HS256'],
    secret: options.secret,
    issuer: ISSUER,
    audience: ISSUER,
    clock,
    tokenUrl: '/token',
    verifyCredentials: passwords.verifyCredentials,
    grantableScopes: (member) => member.scopes,
    retrieveUser: (token) => members.get(token.sub) ?? null,
    refreshTokens: {
      store: new MemoryRefreshTokenStore(),
      idleTtl: 24 * 3600, // unused for a day: expired
      absoluteTtl: 7 * 24 * 3600, // a login lasts a week at most
      log, // refresh_token_reused
    },
  });
  await oauth2.ready;
  // #endregion refresh

  const app = express();
  app.disable('x-powered-by');
  app.use(authentication({ backend: oauth2, mode: 'required', exclude: ['/token'], clock, log }));

  // #region token
  // The token endpoint reads the raw form; any method but POST gets 405 (a URL is never read).
  const form = express.text({ type: 'application/x-www-form-urlencoded', limit: '16kb' });
  app.all('/token', form, async (req: Request, res: Response, next: NextFunction) => {
    const body = { contentType: req.get('content-type'), text: typeof req.body === 'string' ? req.body : '' };
    sendDescription(req, res, next, await oauth2.tokenEndpoint.handle(toConnection(req, clock), body));
  });
  // #endregion token

  app.get('/me', (req, res) => {
    res.json({ user: req.user.displayName, scopes: req.auth.scopes });
  });

  // #region step-up
  // A password typed in the last five minutes: an older login (a refreshed token keeps
  // its login time) gets 401 `Bearer error="insufficient_user_authentication", max_age="300"`.
  app.post('/admin/transfer', requires('admin', { maxAge: 300 }), (req, res) => {
    res.json({ transferred: true, by: req.user.displayName });
  });
  // #endregion step-up

  return app;
}
