import type { Connection } from '@portcullis/core';
import { createConnection, type Guard } from '@portcullis/core/adapter';
import { ANONYMOUS_PRINCIPAL } from './anonymous.js';
import type { Principal } from './decorators.js';

/** What a message guard sees of a websocket message: no headers, only the socket's principal. */
const MESSAGE: Connection = createConnection({ kind: 'websocket', method: 'GET', target: '/', header: () => undefined });

/**
 * The principal a socket's upgrade was accepted with (`PortcullisWsAdapter` sets
 * `user` and `auth` on the socket); a socket nobody authenticated is anonymous, so
 * guarded handlers fail closed.
 */
export function socketPrincipal(client: Partial<Principal> | undefined): Principal {
  return client?.user !== undefined && client.auth !== undefined ? { user: client.user, auth: client.auth } : ANONYMOUS_PRINCIPAL;
}

/** Whether a socket may send a message to a handler behind `guards`: every guard is checked against its principal. */
export function socketMayPass(client: Partial<Principal> | undefined, guards: readonly Guard[], challenges: readonly string[]): boolean {
  const principal = socketPrincipal(client);
  return guards.every((guard) => guard.check(MESSAGE, { ...principal, challenges }) === null);
}
