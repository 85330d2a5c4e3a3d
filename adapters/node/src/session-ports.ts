import type { IncomingMessage } from 'node:http';
import type { SessionPort } from '@portcullis/core/adapter';

/** The session port each Node request was given by the session bridge that opened it. */
const ports = new WeakMap<IncomingMessage, SessionPort>();

/**
 * Records the session port a session bridge opened for a Node request, so that an
 * adapter built on another layer over the same request finds it: the Express
 * bridge (`@portcullis/express/sessions`) and the Fastify plugin
 * (`@portcullis/fastify/sessions`) call it, and `@portcullis/nest` reads it back
 * with {@link sessionPortOf} when Nest runs on either platform. Keyed by the
 * request, so nothing outlives it.
 *
 * @example
 * ```ts
 * attachSessionPort(request.raw, handle.port);
 * ```
 */
export function attachSessionPort(req: IncomingMessage, port: SessionPort): void {
  ports.set(req, port);
}

/**
 * The session port a session bridge attached to this Node request
 * ({@link attachSessionPort}), or `undefined` when no session middleware ran for it.
 *
 * @example
 * ```ts
 * const connection = connectionFromNode(req, req.url ?? '/', Date.now, undefined, sessionPortOf(req));
 * ```
 */
export function sessionPortOf(req: IncomingMessage): SessionPort | undefined {
  return ports.get(req);
}
