import type { BaseUser } from '@portcullis/core';
import type { Authenticator } from '@portcullis/core/adapter';

/**
 * The injection token of the configured {@link Portcullis} (its authenticators):
 * `app.get(PORTCULLIS)`, or `@Inject(PORTCULLIS)` in a provider.
 */
export const PORTCULLIS = Symbol('portcullis');

/** What `PortcullisModule.forRoot` provides under {@link PORTCULLIS}. */
export interface Portcullis<U extends BaseUser = BaseUser> {
  /** The configured authenticator (its clock and challenges); pass `{ authenticator }` to `upgradeHandler`. */
  readonly authenticator: Authenticator<U>;
  /** The same backend in `optional` mode, for `@Public()` routes of a `required`-mode app. */
  readonly publicAuthenticator: Authenticator<U>;
}

/** Metadata key of `@Requires(...)`: the route's guard. */
export const REQUIRES_KEY = 'portcullis:requires';
/** Metadata key of `@Public()`. */
export const PUBLIC_KEY = 'portcullis:public';
