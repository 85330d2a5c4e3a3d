import type { Connection } from './connection.js';
import { AuthenticationError } from './errors.js';

/**
 * The prefix of the `Sec-WebSocket-Protocol` element that carries a bearer token
 * from a browser, which cannot set `Authorization` on a websocket:
 * `new WebSocket(url, ['app.v1', 'portcullis.bearer.' + token])`. Read by
 * `bearerAuth` and the JWT backends with `webSocketProtocol: true`, only on
 * websocket connections; the server echoes the app protocol ({@link selectProtocol}),
 * never this element.
 */
export const BEARER_PROTOCOL_PREFIX = 'portcullis.bearer.';

/** The characters of a carried token: base64url and `.` `~` `+` (RFC 6750 b64token without `/` and `=`, all RFC 9110 tchars). JWTs are. */
const CARRIED_TOKEN = /^[A-Za-z0-9\-._~+]+$/;
const MAX_HEADER = 16_384;

/** The elements of a `Sec-WebSocket-Protocol` value (repeated lines joined with `,`), trimmed, empty ones dropped. */
function elements(value: string): string[] {
  const out: string[] = [];
  for (const part of value.split(',')) {
    const element = part.trim();
    if (element !== '') out.push(element);
  }
  return out;
}

function isCarrier(element: string): boolean {
  // Case-insensitive, so no spelling of the prefix is echoed back as an app protocol.
  return element.length >= BEARER_PROTOCOL_PREFIX.length && element.slice(0, BEARER_PROTOCOL_PREFIX.length).toLowerCase() === BEARER_PROTOCOL_PREFIX;
}

/**
 * The bearer token a websocket handshake carries in `Sec-WebSocket-Protocol`
 * (`portcullis.bearer.<token>`), or `null`: none, or not a websocket connection (an
 * HTTP request never has its protocol list read). Throws `malformed_credentials`
 * for an empty token or one with other characters than base64url, `.`, `~` and
 * `+`, and `duplicate_authorization` for two carrier elements; both answered
 * with 400 by the table (an upgrade refused). For backends.
 *
 * @example
 * ```ts
 * protocolBearerToken(connection); // 'eyJ…' for `Sec-WebSocket-Protocol: app.v1, portcullis.bearer.eyJ…`
 * ```
 */
export function protocolBearerToken(connection: Connection, challenge?: string): string | null {
  if (connection.kind !== 'websocket') return null;
  const value = connection.header('sec-websocket-protocol');
  if (value === undefined || !value.toLowerCase().includes(BEARER_PROTOCOL_PREFIX)) return null;
  if (value.length > MAX_HEADER) throw new AuthenticationError('malformed_credentials', { challenge });
  let token: string | null = null;
  for (const element of elements(value)) {
    if (!isCarrier(element)) continue;
    if (token !== null) throw new AuthenticationError('duplicate_authorization', { challenge });
    token = element.slice(BEARER_PROTOCOL_PREFIX.length);
    if (token === '' || !CARRIED_TOKEN.test(token)) throw new AuthenticationError('malformed_credentials', { challenge });
  }
  return token;
}

/**
 * The subprotocol the server answers with: the first element the client offered
 * that is in `supported`, never a token carrier (`portcullis.bearer.…`), or
 * `false` for none. A browser that offered protocols fails the connection when the
 * server answers none, so an app using the carrier offers an app protocol too
 * (`['app.v1', 'portcullis.bearer.' + token]`) and lists it here. Wire it into
 * `ws`'s `handleProtocols`.
 *
 * @example
 * ```ts
 * const wss = new WebSocketServer({ noServer: true, handleProtocols: (offered) => selectProtocol(offered, ['app.v1']) });
 * ```
 */
export function selectProtocol(offered: Iterable<string> | string | null | undefined, supported: readonly string[]): string | false {
  if (offered === null || offered === undefined) return false;
  const list = typeof offered === 'string' ? elements(offered) : [...offered];
  for (const element of list) {
    if (!isCarrier(element) && supported.includes(element)) return element;
  }
  return false;
}

/**
 * True when the connection is a websocket handshake whose protocol list names a
 * bearer carrier (well-formed or not): cheap and synchronous, for a backend's `present`.
 *
 * @example
 * ```ts
 * hasProtocolCarrier(connection); // true for `Sec-WebSocket-Protocol: app.v1, portcullis.bearer.x` on an upgrade
 * ```
 */
export function hasProtocolCarrier(connection: Connection): boolean {
  if (connection.kind !== 'websocket') return false;
  const value = connection.header('sec-websocket-protocol');
  return value !== undefined && value.toLowerCase().includes(BEARER_PROTOCOL_PREFIX);
}
