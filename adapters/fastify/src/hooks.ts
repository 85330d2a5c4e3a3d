import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** A callback-style hook: calls `next()` to go on, or answers with `reply` and does not. */
export type Hook = (request: FastifyRequest, reply: FastifyReply, next: (error?: Error) => void) => void;

/** What the plugins registered on an instance, in request order, for requests that reach no hook (bad URLs). */
const registered = new WeakMap<FastifyInstance, Hook[]>();
const withSessions = new WeakSet<FastifyInstance>();

/** Called by each plugin: its hooks, in the order a request meets them. */
export function remember(fastify: FastifyInstance, hooks: readonly Hook[], sessions = false): void {
  registered.set(fastify, [...(registered.get(fastify) ?? []), ...hooks]);
  if (sessions) withSessions.add(fastify);
}

// #region has-sessions
/** Whether the `sessions` plugin was registered on `fastify` before: `authentication` then runs after its gate. */
export function hasSessions(fastify: FastifyInstance): boolean {
  // An encapsulated child context is an object created from its parent's instance.
  for (let f: object | null = fastify; f !== null; f = Object.getPrototypeOf(f) as object | null) {
    if (withSessions.has(f as FastifyInstance)) return true;
  }
  return false;
}
// #endregion has-sessions

/** Runs the registered hooks in order; `done` when every one called `next()`. */
export function runRemembered(fastify: FastifyInstance, request: FastifyRequest, reply: FastifyReply, done: (error?: Error) => void): void {
  const hooks = registered.get(fastify) ?? [];
  const step = (i: number) => (error?: Error): void => {
    if (error !== undefined) return done(error);
    const hook = hooks[i];
    if (hook === undefined) return done();
    hook(request, reply, step(i + 1));
  };
  step(0)();
}
