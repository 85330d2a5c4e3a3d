import type { Context } from 'koa';
import type { Connection, ResponseDescription } from '@portcullis/core';
import { addressingOf, fixedResponse, requestStates, type TrustedProxies } from '@portcullis/core/adapter';
import { connectionFromNode } from '@portcullis/node';
import { requestSessions } from './request-sessions.js';

/** The table's not-found status; Koa writes the body itself. */
const NOT_FOUND_STATUS = fixedResponse({ kind: 'not_found' }).status;

/**
 * Builds the `Connection` of a Koa request (with its session port when
 * `sessions()` runs in front; its client address resolved through
 * `trustedProxies`, the authenticator's, when given). Koa's `app.proxy` does not
 * decide this. Called in a route (a login form, a token endpoint) without `trustedProxies`, it resolves
 * the client address as the authentication middleware did for the same request (its
 * `trustedProxies`), so a login throttle keys on the client, not on the proxy.
 *
 * @example
 * ```ts
 * const connection = toConnection(ctx, Date.now);
 * ```
 */
export function toConnection(ctx: Context, now: () => number, trustedProxies?: TrustedProxies): Connection {
  const proxies = trustedProxies ?? addressingOf(states.connection(ctx))?.trustedProxies;
  return connectionFromNode(ctx.req, ctx.originalUrl, now, undefined, requestSessions.get(ctx)?.port, proxies);
}

/** What `authentication()` remembered per request for the guards and `toConnection`. */
export const states = requestStates<Context>();

/**
 * Copies a response description onto `ctx`. A `notFound` answer leaves the
 * response untouched, so Koa answers its own 404 as for an unknown path.
 *
 * @example
 * ```ts
 * sendDescription(ctx, describeSessionError(error, toConnection(ctx, Date.now)));
 * ```
 */
export function sendDescription(ctx: Context, response: ResponseDescription): void {
  if (response.notFound) {
    // The status only: Koa writes its own 404 body, as for an unknown path.
    ctx.status = NOT_FOUND_STATUS;
    return;
  }
  ctx.status = response.status;
  for (const [name, value] of Object.entries(response.headers)) ctx.set(name, value as string | string[]);
  ctx.body = response.body;
}
