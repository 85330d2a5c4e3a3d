import type { FastifyInstance } from 'fastify';

const SESSIONS_BEFORE = Symbol.for('@portcullis/fastify.sessions');
type Flagged = { [SESSIONS_BEFORE]?: true };

/** Called by the `sessions` plugin: `authentication`, registered after it, then runs after its gate. */
export function markSessions(fastify: FastifyInstance): void {
  (fastify as unknown as Flagged)[SESSIONS_BEFORE] = true;
}

/** Whether the `sessions` plugin was registered on `fastify` (or a parent) before. */
export function hasSessions(fastify: FastifyInstance): boolean {
  return (fastify as unknown as Flagged)[SESSIONS_BEFORE] === true;
}
