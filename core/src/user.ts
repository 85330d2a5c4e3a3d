/**
 * What every user object offers, authenticated or not. Apps extend it with their
 * own fields; the adapters carry the app's type through to handlers.
 */
export interface BaseUser {
  /** True for a user a backend vouched for. */
  readonly isAuthenticated: boolean;
  /** A name to show ("Hello, alice"). */
  readonly displayName: string;
  /** A stable identifier (user id, username); empty for anonymous users. */
  readonly identity: string;
}

/**
 * An authenticated user known only by name.
 *
 * @example
 * ```ts
 * return { user: new SimpleUser('alice'), auth: new AuthCredentials(['authenticated']) };
 * ```
 */
export class SimpleUser implements BaseUser {
  readonly isAuthenticated = true as const;
  /** The name given to the constructor; also the user's `displayName` and `identity`. */
  readonly username: string;

  constructor(username: string) {
    this.username = username;
  }

  get displayName(): string {
    return this.username;
  }

  get identity(): string {
    return this.username;
  }
}

/** The user of a request that carried no credentials. */
export class UnauthenticatedUser implements BaseUser {
  readonly isAuthenticated = false as const;
  readonly displayName = '';
  readonly identity = '';
}

/** The one shared anonymous user (it holds no state). */
export const ANONYMOUS: UnauthenticatedUser = Object.freeze(new UnauthenticatedUser());
