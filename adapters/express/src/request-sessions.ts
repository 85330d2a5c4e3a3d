import type { SessionPort } from '@portcullis/core/adapter';

/**
 * What `sessions()` keeps about one request: its session port, and what the store
 * learned about that request's writes. The bridge's one side channel, keyed by the
 * request so that nothing outlives it; express-session hands the request to `genid`
 * (documented) and to the store through the `Session` it saves (see the README).
 */
export interface RequestSession {
  readonly port: SessionPort;
  /** Ids express-session generated (`genid(req)`) during this request: those are created, others only updated. */
  readonly generated: Set<string>;
  /** A write found its session destroyed meanwhile (SES-15): it was not recreated. */
  lost: boolean;
  /** The last record written (id and data), so an identical save is not sent twice. */
  lastWrite: string | undefined;
}

/** The `RequestSession` of each request under `sessions()`. */
export const requestSessions = new WeakMap<object, RequestSession>();
