import type { Connection } from './connection.js';
import { NO_CREDENTIALS, type AuthCredentials } from './credentials.js';
import type { Guard } from './guard.js';
import type { ResponseDescription } from './response.js';
import { ANONYMOUS, type BaseUser } from './user.js';

const NO_CHALLENGES: readonly string[] = Object.freeze([]);

interface State {
  readonly connection: Connection;
  readonly challenges: readonly string[];
}

/**
 * What guards need from the authentication step, remembered per native request
 * object (Express `req`, Koa `ctx`, Hono `c`) so an adapter's guard reuses the
 * request's `Connection` and the backend's challenges.
 */
export interface RequestStates<K extends object> {
  /** Called by the authentication middleware once a request may continue. */
  remember(key: K, connection: Connection, challenges: readonly string[]): void;
  /**
   * Runs a guard for the request. Without a remembered state (no authentication
   * middleware in front), the request is anonymous: the guard fails closed.
   */
  check(
    guard: Guard,
    key: K,
    principal: () => { readonly user: BaseUser; readonly auth: AuthCredentials },
    connection: () => Connection,
  ): ResponseDescription | null;
  /**
   * The `Connection` the authentication middleware built for the request (its
   * `clientAddress` resolved through `trustedProxies`); `undefined` without one.
   */
  connection(key: K): Connection | undefined;
  /** The backend's challenges the authentication middleware remembered for the request; none without one. */
  challenges(key: K): readonly string[];
}

/**
 * Per-request state for an adapter's guards, kept under a private symbol on the
 * native request object, not enumerable: invisible to `Object.keys`, `for…in`,
 * `JSON.stringify`, a spread (`{ ...req }`) and `util.inspect` / `console.log`,
 * unreachable without the symbol, and freed with the request. (A `WeakMap` did the
 * same, but every entry is an ephemeron the garbage collector must trace; under
 * load the Koa profile spent 9 % of its samples in GC against 2 % bare.)
 *
 * @example
 * ```ts
 * const states = requestStates<Request>();
 * // in authentication(): states.remember(req, connection, authenticator.challenges);
 * // in requires():       const denied = states.check(guard, req, () => req, () => toConnection(req));
 * ```
 */
export function requestStates<K extends object>(): RequestStates<K> {
  // One symbol per adapter: states of two adapters on one object never mix.
  const slot = Symbol('portcullis.state');
  type Holder = { [slot]?: State };
  return {
    remember(key, connection, challenges) {
      // Not enumerable: `console.log(req)`, `util.inspect(ctx)` and `{ ...c }` would print or
      // copy the connection (the `Authorization` and `Cookie` values) and the session config
      // (its secrets). Writable and configurable: a second middleware may remember again.
      Object.defineProperty(key, slot, { value: { connection, challenges }, enumerable: false, writable: true, configurable: true });
    },
    check(guard, key, principal, connection) {
      const state = (key as Holder)[slot];
      if (state === undefined) {
        return guard.check(connection(), { user: ANONYMOUS, auth: NO_CREDENTIALS, challenges: NO_CHALLENGES });
      }
      const { user, auth } = principal();
      return guard.check(state.connection, { user, auth, challenges: state.challenges });
    },
    connection(key) {
      return (key as Holder)[slot]?.connection;
    },
    challenges(key) {
      return (key as Holder)[slot]?.challenges ?? NO_CHALLENGES;
    },
  };
}
