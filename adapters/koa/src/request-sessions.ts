import type { SessionPort } from '@portcullis/core/adapter';

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

/** A constructor that returns its argument: a subclass's private field lands on that object. */
const Stamp = class {
  constructor(target: object) {
    return target;
  }
} as new (target: object) => object;

/**
 * The `RequestSession` of each request under `sessions()`, in a private field stamped on
 * `ctx` (the core's `requestStates` does the same). Not a `WeakMap`: each of its entries is
 * an ephemeron that every scavenge must trace, and per request that cost more than the
 * session read itself (issue #17 item 4). Nothing but this module can read or forge it.
 */
class RequestSessionSlot extends Stamp {
  #session: RequestSession | undefined;

  /** The request's `RequestSession`, or `undefined` outside `sessions()`. */
  static get(ctx: object): RequestSession | undefined {
    return #session in ctx ? (ctx as RequestSessionSlot).#session : undefined;
  }

  /** Records the request's `RequestSession` on `ctx`. */
  static set(ctx: object, session: RequestSession): void {
    if (!(#session in ctx)) new RequestSessionSlot(ctx);
    (ctx as RequestSessionSlot).#session = session;
  }
}

/** Reads and records the `RequestSession` of a request (see `RequestSessionSlot`). */
export const requestSessions: {
  get(ctx: object): RequestSession | undefined;
  set(ctx: object, session: RequestSession): void;
} = RequestSessionSlot;
