import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type {
  AuthCredentials,
  BaseUser,
  ResponseDescription,
  UnauthenticatedUser,
} from '@portcullis/core';
import {
  exactOrigins,
  fixedResponse,
  responseFor,
  upgradeRefusal,
  type SessionPort,
  type Authenticator,
  type Guard,
  type Proceed,
} from '@portcullis/core/adapter';
import { connectionFromNode } from './connection.js';

/** The principal handed to an accepted upgrade. */
export interface UpgradePrincipal<U extends BaseUser> {
  /** The connecting user: the app's user type, or anonymous. */
  readonly user: U | UnauthenticatedUser;
  /** The user's credentials (scopes). */
  readonly auth: AuthCredentials;
  /** The client's address: the socket's peer, or through `trustedProxies`, what trusted proxies reported. */
  readonly clientAddress: string | undefined;
}

/** Options of {@link upgradeHandler}. */
export interface UpgradeOptions<U extends BaseUser> {
  /** The `authentication(...)` middleware of the adapter (or anything carrying its authenticator). */
  authentication: {
    /** The configured authenticator. */
    readonly authenticator: Authenticator<U>;
  };
  /** A `requires(...)` guard of the adapter; without it any user may connect. */
  requires?: {
    /** The guard to check. */
    readonly guard: Guard;
  };
  /**
   * Exact origins (`https://app.example`) whose pages may open the socket. With the
   * option set, an upgrade whose `Origin` is another (`null` included) is refused
   * with 403 before authentication: a browser sends the page's cookies and cached
   * Basic credentials with a cross-site websocket handshake (cross-site websocket
   * hijacking), and only `Origin` tells them apart. Without it, `Origin` is not
   * checked (backends that read only headers a page cannot set need no check).
   */
  origins?: readonly string[];
  /**
   * With `origins`: let upgrades without an `Origin` header through (non-browser
   * clients: browsers always send it on a websocket). Default `false`: refused with 403.
   */
  allowMissingOrigin?: boolean;
  /**
   * Opens the request's session for the decision, for a `sessionAuth` backend:
   * session middleware does not run on upgrades. Read-only: nothing it returns is
   * saved, no cookie is set on the handshake.
   */
  session?: (req: IncomingMessage) => SessionPort | undefined | Promise<SessionPort | undefined>;
  /** Called when the upgrade may proceed: hand the socket to `ws` here. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, principal: UpgradePrincipal<U>): void;
}

/**
 * A listener for the Node server's `upgrade` event that runs the same decision
 * as HTTP requests, with the connection's kind set to `websocket`. A refused
 * upgrade is answered on the socket with a status and no body, byte for byte as
 * Hono on @hono/node-server answers it ({@link refuse}), and the socket is
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
  const origins = options.origins === undefined ? undefined : exactOrigins(options.origins, 'upgradeHandler: origins');
  const allowMissingOrigin = options.allowMissingOrigin === true;
  const opener = options.session;
  const decide = (req: IncomingMessage, socket: Duplex, head: Buffer, session: SessionPort | undefined): void => {
    const connection = connectionFromNode(req, req.url ?? '/', authenticator.clock, 'websocket', session, authenticator.trustedProxies);
    const proceed = (decision: Proceed<U>): void => {
      const denied = guard?.check(connection, {
        user: decision.user,
        auth: decision.auth,
        challenges: authenticator.challenges,
      });
      if (denied) return refuse(socket, denied);
      if (socket.destroyed) return;
      socket.removeListener('error', destroy); // accept's own handling (ws adds its listener)
      accept(req, socket, head, { user: decision.user, auth: decision.auth, clientAddress: connection.clientAddress });
    };
    const settle = (decision: Awaited<ReturnType<Authenticator<U>['run']>>): void => {
      if (decision.type === 'respond') refuse(socket, decision.response);
      else proceed(decision);
    };
    const decision = authenticator.run(connection);
    if (decision instanceof Promise) decision.then(settle, () => refuse(socket, FAILED));
    else settle(decision);
  };
  return (req, socket, head) => {
    // Node takes its own 'error' listener off an upgraded socket: until the decision,
    // a client resetting the connection would be an uncaught error (the process dies).
    socket.on('error', destroy);
    if (origins !== undefined) {
      const origin = req.headers.origin;
      if (origin === undefined ? !allowMissingOrigin : !origins.includes(origin.trim())) {
        return refuse(socket, responseFor({ kind: 'refuse_upgrade' }, connectionFromNode(req, req.url ?? '/', authenticator.clock, 'websocket'), []));
      }
    }
    if (opener === undefined) return decide(req, socket, head, undefined);
    let session: ReturnType<typeof opener>;
    try {
      session = opener(req);
    } catch {
      return refuse(socket, FAILED);
    }
    if (session instanceof Promise) session.then((port) => decide(req, socket, head, port), () => refuse(socket, FAILED));
    else decide(req, socket, head, session);
  };
}

function destroy(this: Duplex): void {
  this.destroy();
}

const FIELD_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const BAD_VALUE = /[\u0000-\u0008\u000a-\u001f\u007f]/;
const FAILED: ResponseDescription = fixedResponse({ kind: 'upgrade_failed' });


/**
 * Answers a refused upgrade on the socket and closes it. The bytes are those
 * @hono/node-server writes for a Hono app's refusal, so Express, Koa and Hono
 * answer alike: the status line with Node's reason phrase, `Connection: close`,
 * `Content-Length: 0`, then the {@link upgradeRefusal} headers in lower case,
 * sorted by name (repeated values joined with `, `, as `Headers` iterates them;
 * `set-cookie` lines kept apart), and no body.
 */
export function refuse(socket: Duplex, response: ResponseDescription): void {
  if (socket.destroyed) return;
  const { status, headers } = upgradeRefusal(response);
  const fields = new Map<string, string[]>();
  for (const [name, value] of Object.entries(headers)) {
    if (!FIELD_NAME.test(name)) continue;
    const key = name.toLowerCase();
    const values = fields.get(key) ?? [];
    for (const v of typeof value === 'string' ? [value] : value) if (!BAD_VALUE.test(v)) values.push(v.trim());
    if (values.length > 0) fields.set(key, values);
  }
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Connection: close', 'Content-Length: 0'];
  for (const name of [...fields.keys()].sort()) {
    const values = fields.get(name) as string[];
    if (name === 'set-cookie') for (const v of values) lines.push(`${name}: ${v}`);
    else lines.push(`${name}: ${values.join(', ')}`);
  }
  socket.end(lines.join('\r\n') + '\r\n\r\n');
  socket.once('finish', () => socket.destroy());
}
