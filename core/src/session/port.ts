import type { SessionConfig } from './config.js';
import type { SessionData } from './store.js';

/**
 * The session port of a `Connection`: how the core reads and changes the
 * request's server-side session, whatever session system the adapter runs on
 * (express-session, koa-session, or the Web-standard sessions of Hono and the
 * reference adapter). Adapters implement it; apps use `login`, `logout` and
 * `sessionAuth` instead.
 *
 * Every method that touches the store rejects with a `SessionError`
 * (`session_store_unavailable`) when the store fails, so the request fails closed.
 *
 * @example
 * ```ts
 * const port = connection.session;
 * const data = await port?.get();             // null: no live session
 * await port?.regenerate({ userId: 'u1' });   // new id, old one destroyed
 * ```
 */
export interface SessionPort {
  /**
   * The session's data, or `null` when the request has no session: no cookie, or
   * a cookie whose id is forged, unknown, destroyed or expired (such an id is
   * never adopted). Loads once per request.
   */
  get(): Promise<Readonly<SessionData> | null>;
  /**
   * Optional. What `get()` would resolve to, without a promise, when the session is
   * already loaded (Koa: koa-session loads it before the app's middleware runs);
   * `undefined` when only `get()` can tell (a load is pending). Throws what `get()`
   * would reject with. Lets `sessionAuth` authenticate a request with no promise at
   * all (issue #17); a port without it is read through `get()`. It must reflect every
   * `set`, `regenerate` and `destroy` made earlier in the same request (read the live
   * session, never a snapshot taken at load).
   *
   * @example
   * ```ts
   * const now = port.getNow?.();
   * const data = now === undefined ? await port.get() : now;
   * ```
   */
  getNow?(): Readonly<SessionData> | null | undefined;
  /**
   * Replaces the data of the current session, keeping its id, only if it is still
   * stored: resolves `false` when it was destroyed meanwhile (a concurrent logout;
   * nothing is written, SES-15). When the request has no session, starts one under
   * a fresh id, sets the cookie and resolves `true`.
   */
  set(data: SessionData): Promise<boolean>;
  /**
   * Moves to a fresh id: destroys the current session server-side (if any),
   * stores `data` under the new id and re-issues the cookie.
   */
  regenerate(data: SessionData): Promise<void>;
  /** Destroys the session server-side and expires the cookie (same attributes). */
  destroy(): Promise<void>;
  /**
   * The id of the current server-side session (after `get()`), for binding CSRF
   * tokens; `undefined` when there is none. Never log or send it.
   */
  id(): string | undefined;
  /** True when the request carried the session cookie: an ambient credential. */
  readonly hasCookie: boolean;
  /**
   * Optional. True when the session cookie matched a record in the store, even one
   * that holds no Portcullis data (keys the app wrote on the framework's own session
   * object, or a record from before the `portcullis:data` layout): the id is known,
   * so no `session_unknown_id` is logged for it. Leave it out where every stored
   * record holds Portcullis data (the Web sessions).
   */
  storedRecord?(): boolean;
  /** True when the request came over HTTPS (the socket, or `X-Forwarded-Proto` with `trustProxy`). */
  readonly secure: boolean;
  /** The validated session configuration. */
  readonly config: SessionConfig;
}
