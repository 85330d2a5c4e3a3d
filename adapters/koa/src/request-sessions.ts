import type { SessionPort } from '@portcullis/core/adapter';

/**
 * What `sessions()` keeps about one request: its session port, and what the store
 * learned about that request's writes. The bridge's one side channel, keyed by `ctx`
 * so that nothing outlives the request; koa-session hands `ctx` to `genid(ctx)` and
 * to the store's methods (`{ ctx }`), both documented.
 */
export interface RequestSession {
  readonly port: SessionPort;
  /** Ids koa-session generated (`genid(ctx)`) during this request, in order: those are created, others only updated. */
  readonly generated: string[];
  /** Ids destroyed in the store during this request (koa-session's auto-commit removes again what `logout` removed). */
  readonly destroyed: Set<string>;
  /** A write found its session destroyed meanwhile (SES-15): it was not recreated. */
  lost: boolean;
  /** The last record written (id and data), so an identical save is not sent twice. */
  lastWrite: string | undefined;
}

/** The `RequestSession` of each request under `sessions()`. */
export const requestSessions = new WeakMap<object, RequestSession>();
