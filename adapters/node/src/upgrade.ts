import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { BEARER_PROTOCOL_PREFIX } from '@portcullis/core';
import type {
  AuthCredentials,
  BaseUser,
  RecheckOptions,
  ResponseDescription,
  UnauthenticatedUser,
} from '@portcullis/core';
import {
  exactOrigins,
  fixedResponse,
  recheckInterval,
  recheckSocket,
  responseFor,
  ticketOrigin,
  upgradeOriginAllowed,
  upgradeRefusal,
  watchSocket,
  type SessionPort,
  type Authenticator,
  type Guard,
  type Proceed,
  type SocketPrincipal,
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
  /**
   * Starts the re-check of the `recheck` option on the accepted socket (a `ws`
   * WebSocket): every interval, what authenticated the upgrade is authenticated
   * again and the guard re-run; the socket is closed with 4401 / 4403 (the core
   * table's `webSocketClose`), and the timer is cleared when the socket closes.
   * Without `recheck`, it does nothing. Call it in `handleUpgrade`'s callback.
   */
  watch(socket: WatchedSocket): void;
}

/** What the re-check needs of an accepted socket: `ws`'s `WebSocket` has it. */
export interface WatchedSocket {
  /** Sends a close frame with this code and reason. */
  close(code: number, reason: string): void;
  /** Registers a listener for the socket's close. */
  once(event: 'close', listener: () => void): unknown;
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
  session?: ((req: IncomingMessage) => SessionPort | undefined | Promise<SessionPort | undefined>) | undefined;
  /**
   * Re-check accepted sockets every `interval` ms (`principal.watch(ws)` starts it):
   * a logout, an expired or revoked token, or a ticket's issuing session ended closes
   * the socket with 4401; a guard that now denies, with 4403. Off unless set.
   */
  recheck?: RecheckOptions | undefined;
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
  const interval = recheckInterval(options.recheck, 'upgradeHandler');
  const connectionOf = (req: IncomingMessage, session: SessionPort | undefined) => upgradeConnection(authenticator, req, session);
  const watcher = (req: IncomingMessage, before: SocketPrincipal) => (ws: WatchedSocket): void => {
    if (interval !== undefined) watchNodeSocket(ws, req, before, { authenticator, guard, session: opener, interval });
  };
  const decide = (req: IncomingMessage, socket: Duplex, head: Buffer, session: SessionPort | undefined): void => {
    const connection = connectionOf(req, session);
    const proceed = (decision: Proceed<U>): void => {
      const denied = guard?.check(connection, {
        user: decision.user,
        auth: decision.auth,
        challenges: authenticator.challenges,
      });
      if (denied) return refuse(socket, denied);
      if (socket.destroyed) return;
      socket.removeListener('error', destroy); // accept's own handling (ws adds its listener)
      const { user, auth } = decision;
      // `accept` (ws) sees no token carrier: with ws's defaults it answers the first
      // offered protocol, which would echo the bearer token in the 101. The re-check keeps the original.
      accept(withoutCarriers(req), socket, head, { user, auth, clientAddress: connection.clientAddress, watch: watcher(req, { user, auth }) });
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
      if (!upgradeOriginAllowed(req.headers.origin, origins, allowMissingOrigin)) {
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

/** The connection of an upgrade request (or of a re-check's copy of it). */
function upgradeConnection(authenticator: Authenticator<BaseUser>, req: IncomingMessage, session: SessionPort | undefined) {
  return connectionFromNode(req, req.url ?? '/', authenticator.clock, 'websocket', session, authenticator.trustedProxies);
}

/** Options of {@link watchNodeSocket}. */
export interface NodeRecheckOptions<U extends BaseUser> {
  /** The app's authenticator (`authentication(...).authenticator`). */
  readonly authenticator: Authenticator<U>;
  /** The route's guard, re-run at every check. */
  readonly guard?: Guard | undefined;
  /** Opens the session of a Node request (a `sessionOpener`), for session-authenticated sockets. */
  readonly session?: ((req: IncomingMessage) => SessionPort | undefined | Promise<SessionPort | undefined>) | undefined;
  /** Milliseconds between checks (checked with `recheckInterval`). */
  readonly interval: number;
}

/**
 * Re-checks an accepted `ws` socket every `interval` ms on a Node server: the
 * upgrade request (or, for a ticket's socket, the credentials of the request that
 * asked for the ticket) is authenticated again, its session opened afresh, and the
 * guard re-run; closes with 4401 / 4403 (the core table), and clears its timer when
 * the socket closes. `upgradeHandler`'s `principal.watch(ws)` calls it; the Fastify
 * and Nest adapters too.
 *
 * @example
 * ```ts
 * watchNodeSocket(ws, req, { user, auth }, { authenticator, guard, session: sessionOpener(app), interval: 30_000 });
 * ```
 */
export function watchNodeSocket<U extends BaseUser>(ws: WatchedSocket, req: IncomingMessage, before: SocketPrincipal, options: NodeRecheckOptions<U>): void {
  const { authenticator, guard, session: opener, interval } = options;
  const check = async () => {
    const replay = recheckRequest(req, before.auth);
    const session = opener === undefined ? undefined : await opener(replay);
    return recheckSocket(authenticator, guard, before, upgradeConnection(authenticator as Authenticator<BaseUser>, replay, session));
  };
  const watch = watchSocket({ interval, check, close: ({ code, reason }) => ws.close(code, reason) });
  ws.once('close', () => watch.stop());
}

/**
 * The request a re-check decides on: a copy of the upgrade's (its own headers, no
 * session object of an earlier opening), and for a socket opened with a ticket,
 * the credentials of the request that asked for the ticket instead of the
 * handshake's, and no query (the ticket is spent).
 */
function recheckRequest(req: IncomingMessage, auth: AuthCredentials): IncomingMessage {
  const origin = ticketOrigin(auth);
  const headers = { ...req.headers };
  let raw = req.rawHeaders;
  let url = req.url ?? '/';
  if (origin !== undefined) {
    delete headers.cookie;
    delete headers.authorization;
    if (origin.cookie !== undefined) headers.cookie = origin.cookie;
    if (origin.authorization[0] !== undefined) headers.authorization = origin.authorization[0];
    for (const [name, value] of Object.entries(origin.headers)) headers[name] = value;
    raw = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = (req.rawHeaders[i] as string).toLowerCase();
      if (name !== 'cookie' && name !== 'authorization' && !Object.hasOwn(origin.headers, name)) raw.push(req.rawHeaders[i] as string, req.rawHeaders[i + 1] as string);
    }
    for (const [name, value] of Object.entries(origin.headers)) raw.push(name, value);
    if (origin.cookie !== undefined) raw.push('Cookie', origin.cookie);
    for (const value of origin.authorization) raw.push('Authorization', value);
    const q = url.indexOf('?');
    if (q !== -1) url = url.slice(0, q);
  }
  return Object.create(req, {
    headers: { value: headers, writable: true, enumerable: true },
    rawHeaders: { value: raw, enumerable: true },
    url: { value: url, writable: true, enumerable: true },
    originalUrl: { value: url, writable: true, enumerable: true },
    session: { value: undefined, writable: true, enumerable: true },
  }) as IncomingMessage;
}

/** True for a `portcullis.bearer.…` element of a protocol list (any case). */
function isCarrier(element: string): boolean {
  return element.trim().toLowerCase().startsWith(BEARER_PROTOCOL_PREFIX);
}

/** The protocol list without its carrier elements, or `undefined` when none is left. */
function dropCarriers(value: string): string | undefined {
  const kept = value.split(',').filter((e) => e.trim() !== '' && !isCarrier(e)).map((e) => e.trim());
  return kept.length === 0 ? undefined : kept.join(', ');
}

/**
 * The upgrade request handed to `accept`: the same, except that its
 * `Sec-WebSocket-Protocol` has lost every `portcullis.bearer.…` element (the field
 * is gone when nothing else was offered), so no server answers with the token.
 */
function withoutCarriers(req: IncomingMessage): IncomingMessage {
  const offered = req.headers['sec-websocket-protocol'];
  if (offered === undefined || !offered.toLowerCase().includes(BEARER_PROTOCOL_PREFIX)) return req;
  const headers = { ...req.headers };
  const kept = dropCarriers(offered);
  if (kept === undefined) delete headers['sec-websocket-protocol'];
  else headers['sec-websocket-protocol'] = kept;
  const raw: string[] = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i] as string;
    if (name.toLowerCase() !== 'sec-websocket-protocol') raw.push(name, req.rawHeaders[i + 1] as string);
    else {
      const value = dropCarriers(req.rawHeaders[i + 1] as string);
      if (value !== undefined) raw.push(name, value);
    }
  }
  return Object.create(req, {
    headers: { value: headers, writable: true, enumerable: true },
    rawHeaders: { value: raw, enumerable: true },
  }) as IncomingMessage;
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
