import { privateSlot, type PrivateSlot, type SessionPort } from '@portcullis/core/adapter';

/**
 * What `sessions()` keeps about one request: its session port, and what the store
 * learned about that request's writes. The bridge's one side channel, kept on `ctx`
 * itself so that nothing outlives the request; koa-session hands `ctx` to `genid(ctx)`
 * and to the store's methods (`{ ctx }`), both documented.
 */
export interface RequestSession {
  readonly port: SessionPort;
  /** The session cookie's value as the core's parser reads it (`undefined`: no such cookie), read once per request. */
  readonly cookie: string | undefined;
  /** Ids koa-session generated (`genid(ctx)`) during this request, in order: those are created, others only updated. */
  readonly generated: string[];
  /** Ids destroyed in the store during this request (koa-session's auto-commit removes again what `logout` removed). */
  readonly destroyed: Set<string>;
  /** A write found its session destroyed meanwhile (SES-15): it was not recreated. */
  lost: boolean;
  /** The last record written (id and data), so an identical save is not sent twice. */
  lastWrite: string | undefined;
}

/**
 * The `RequestSession` of each request under `sessions()`, in a private field stamped on
 * `ctx` (the core's `requestStates` does the same). Not a `WeakMap`: each of its entries is
 * an ephemeron that every scavenge must trace, and per request that cost more than the
 * session read itself (issue #17 item 4). Nothing but this module can read or forge it.
 */
export const requestSessions: PrivateSlot<RequestSession> = privateSlot<RequestSession>();
