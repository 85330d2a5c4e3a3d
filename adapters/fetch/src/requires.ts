import { ANONYMOUS, NO_CREDENTIALS, type BaseUser, type RequiresOptions } from '@portcullis/core';
import { createGuard, type Guard, type MaybePromise } from '@portcullis/core/adapter';
import { toConnection, toResponse } from './native.js';
import { grantOf, type AuthHandler, type RequestAuth } from './with-auth.js';

/**
 * A handler wrapped by {@link requires}: an {@link AuthHandler} that also accepts a
 * missing principal (a router that forwards the request alone, an h3 route before the
 * middleware ran). The guard judges what `withAuth` decided for the request, not the
 * principal argument, and the handler gets that decision's principal; a request
 * `withAuth` did not see, without its principal, is anonymous: the guard fails closed.
 */
export type GuardedHandler<U extends BaseUser = BaseUser, A extends readonly unknown[] = []> = (
  request: Request,
  principal: RequestAuth<U> | undefined,
  ...rest: A
) => MaybePromise<Response>;

/** What {@link requires} returns: wraps a handler in the guard. */
export type GuardWrapper = (<U extends BaseUser, A extends readonly unknown[]>(handler: AuthHandler<U, A>) => GuardedHandler<U, A>) & {
  /** The guard (its scopes and check), for code that inspects routes. */
  readonly guard: Guard;
};

const NO_CHALLENGES: readonly string[] = Object.freeze([]);

/**
 * The check of one guard on one request: the core's answer, or `null` and the principal
 * the handler gets. The guard judges what `withAuth` decided for the request, never the
 * fields of the principal argument, which only locates that decision when the router
 * rebuilt the `Request` (see `grantOf`). Without a decision (no `withAuth` in front, a
 * rebuilt request without its principal) the request is anonymous: the guard fails
 * closed with the core's answer (403, or its `status`/`redirect`), never a crash.
 */
function check(guard: Guard, request: Request, given: RequestAuth | undefined): { denied: Response } | { principal: RequestAuth | undefined } {
  const grant = grantOf(request, given);
  const answer =
    grant === undefined
      ? guard.check(toConnection(request, Date.now), { user: ANONYMOUS, auth: NO_CREDENTIALS, challenges: NO_CHALLENGES })
      : guard.check(grant.connection, { user: grant.principal.user, auth: grant.principal.auth, challenges: grant.challenges });
  return answer === null ? { principal: grant?.principal ?? given } : { denied: toResponse(answer) };
}

/**
 * A route guard: every scope must be held, else the core's answer (default 403;
 * `status` and `redirect` as in `RequiresOptions`; a websocket upgrade is refused
 * with 403). Wraps a handler that sits behind {@link withAuth}, directly or
 * through a router that passes the principal on.
 *
 * @example
 * ```ts
 * import { basicAuth, SimpleUser } from '@portcullis/core';
 * import { requires, withAuth } from '@portcullis/fetch';
 *
 * declare function checkPassword(username: string, password: string): Promise<SimpleUser | null>;
 *
 * const admin = requires(['authenticated', 'admin'], { status: 404 })((request, { user }) => new Response(`Hello, ${user.displayName}`));
 * export default { fetch: withAuth(admin, { backend: basicAuth({ verify: checkPassword }) }) };
 * ```
 */
export function requires(scopes: string | readonly string[], options?: RequiresOptions): GuardWrapper {
  const guard = createGuard(scopes, options);
  const wrap = <U extends BaseUser, A extends readonly unknown[]>(handler: AuthHandler<U, A>): GuardedHandler<U, A> =>
    (request, principal, ...rest) => {
      const result = check(guard, request, principal);
      return 'denied' in result ? result.denied : handler(request, result.principal as RequestAuth<U>, ...rest);
    };
  return Object.assign(wrap, { guard });
}

/** A controller method: the request and the principal first, then whatever the router or a decorator above adds. */
type FetchMethod = (this: unknown, request: Request, principal: RequestAuth<never>, ...rest: never[]) => MaybePromise<Response>;

/**
 * The same guard as a standard method decorator, for class-style controllers;
 * every argument is forwarded.
 *
 * @example
 * ```ts
 * class Dashboard {
 *   @Requires('authenticated')
 *   show(request: Request, { user }: RequestAuth<SimpleUser>) { return new Response(`Hello, ${user.displayName}`); }
 * }
 * ```
 */
export function Requires(scopes: string | readonly string[], options?: RequiresOptions) {
  const guard = createGuard(scopes, options);
  return function <M extends FetchMethod>(method: M, _context: ClassMethodDecoratorContext): M {
    return function (this: unknown, ...args: Parameters<M>) {
      const [request, principal, ...rest] = args;
      const result = check(guard, request, principal as RequestAuth | undefined);
      return 'denied' in result ? result.denied : method.apply(this, [request, result.principal, ...rest] as Parameters<M>);
    } as M;
  };
}
