import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import {
  reasonPhrase,
  type AuthCredentials,
  type Authenticator,
  type BaseUser,
  type Guard,
  type Proceed,
  type ResponseDescription,
  type UnauthenticatedUser,
} from '@portcullis/core';
import { connectionFromNode } from './connection.js';

/** The principal handed to an accepted upgrade. */
export interface UpgradePrincipal<U extends BaseUser> {
  readonly user: U | UnauthenticatedUser;
  readonly auth: AuthCredentials;
}

/** Options of {@link upgradeHandler}. */
export interface UpgradeOptions<U extends BaseUser> {
  /** The `authentication(...)` middleware of the adapter (or anything carrying its authenticator). */
  authentication: { readonly authenticator: Authenticator<U> };
  /** A `requires(...)` guard of the adapter; without it any user may connect. */
  requires?: { readonly guard: Guard };
  /** Called when the upgrade may proceed: hand the socket to `ws` here. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, principal: UpgradePrincipal<U>): void;
}

/**
 * A listener for the Node server's `upgrade` event that runs the same decision
 * as HTTP requests, with the connection's kind set to `websocket`. A refused
 * upgrade is answered with a plain HTTP status on the socket, which is then
 * closed; a guard refuses with 403 whatever its `status` says.
 *
 * @example
 * ```ts
 * const wss = new WebSocketServer({ noServer: true });
 * server.on('upgrade', upgradeHandler({
 *   authentication: auth,
 *   requires: requires('chat'),
 *   accept: (req, socket, head, { user }) =>
 *     wss.handleUpgrade(req, socket, head, (ws) => ws.send(`hello ${user.displayName}`)),
 * }));
 * ```
 */
export function upgradeHandler<U extends BaseUser>(
  options: UpgradeOptions<U>,
): (req: IncomingMessage, socket: Duplex, head: Buffer) => void {
  const authenticator = options.authentication.authenticator;
  const guard = options.requires?.guard;
  const accept = options.accept;
  return (req, socket, head) => {
    const connection = connectionFromNode(req, req.url ?? '/', authenticator.clock, 'websocket');
    const proceed = (decision: Proceed<U>): void => {
      const denied = guard?.check(connection, {
        user: decision.user,
        auth: decision.auth,
        challenges: authenticator.challenges,
      });
      if (denied) return refuse(socket, denied);
      accept(req, socket, head, { user: decision.user, auth: decision.auth });
    };
    const settle = (decision: Awaited<ReturnType<Authenticator<U>['run']>>): void => {
      if (decision.type === 'respond') refuse(socket, decision.response);
      else proceed(decision);
    };
    const decision = authenticator.run(connection);
    if (decision instanceof Promise) decision.then(settle, () => refuse(socket, FAILED));
    else settle(decision);
  };
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const FAILED: ResponseDescription = { status: 503, headers: {}, body: 'Service Unavailable' };

/** Answers a refused upgrade with an HTTP status line and closes the socket. */
export function refuse(socket: Duplex, response: ResponseDescription): void {
  if (socket.destroyed) return;
  const status = response.refuseUpgrade || response.notFound ? (response.notFound ? 404 : 403) : response.status;
  const body = response.notFound ? 'Not Found' : response.body;
  const lines = [`HTTP/1.1 ${status} ${reasonPhrase(status)}`, 'Connection: close'];
  for (const [name, value] of Object.entries(response.headers)) {
    if (name === 'content-length' || name === 'connection' || !FIELD_NAME.test(name)) continue;
    for (const v of typeof value === 'string' ? [value] : value) if (!BAD_VALUE.test(v)) lines.push(`${name}: ${v}`);
  }
  lines.push(`content-length: ${Buffer.byteLength(body)}`);
  socket.end(lines.join('\r\n') + '\r\n\r\n' + body);
  socket.once('finish', () => socket.destroy());
}
