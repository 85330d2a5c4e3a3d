import type { Connection } from './connection.js';
import { messageOf, type AuthenticationErrorCode } from './errors.js';

/** A framework-free response: adapters copy it onto their native response. */
export interface ResponseDescription {
  readonly status: number;
  /** Header names in lower case; an array value is sent as repeated field lines. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: string;
  /**
   * When true, the adapter answers with its framework's own not-found response, so a
   * guard with `status: 404` cannot be told apart from a route that does not exist.
   */
  readonly notFound?: boolean;
  /** When true, the answer refuses a websocket upgrade (always 403). */
  readonly refuseUpgrade?: boolean;
}

/**
 * Everything the core can answer. This is the one table that chooses statuses,
 * challenges and bodies; adapters never choose a status.
 */
export type Outcome =
  | { readonly kind: 'error'; readonly code: AuthenticationErrorCode; readonly challenge?: string | undefined }
  | { readonly kind: 'unauthenticated' }
  | { readonly kind: 'forbidden'; readonly challenge?: string | undefined }
  | { readonly kind: 'not_found' }
  /** A guard's answer; `challenge` is the scheme's 403 challenge (Bearer `insufficient_scope`). */
  | { readonly kind: 'status'; readonly status: number; readonly challenge?: string | undefined }
  | { readonly kind: 'redirect'; readonly location: string }
  | { readonly kind: 'refuse_upgrade' };

const ERROR_STATUS: Readonly<Record<AuthenticationErrorCode, number>> = {
  malformed_credentials: 400,
  duplicate_authorization: 400,
  oversized_authorization: 431,
  invalid_credentials: 401,
  backend_unavailable: 503,
  cross_site_request: 403,
};

const REASON: Readonly<Record<number, string>> = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 418: "I'm a Teapot", 423: 'Locked', 429: 'Too Many Requests',
  431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons', 503: 'Service Unavailable',
};

/** The standard reason phrase of a status, or `Error`. */
export function reasonPhrase(status: number): string {
  return REASON[status] ?? 'Error';
}

/** The status the table gives an authentication error code. */
export function statusOfError(code: AuthenticationErrorCode): number {
  return ERROR_STATUS[code];
}

/**
 * Turns an {@link Outcome} into a response. `challenges` are the backend's
 * `WWW-Authenticate` values, sent with every 401. For a websocket upgrade the
 * answer is an {@link upgradeRefusal}: no body.
 */
export function describe(outcome: Outcome, connection: Connection, challenges: readonly string[]): ResponseDescription {
  const response = answer(outcome, connection, challenges);
  return connection.kind === 'websocket' ? upgradeRefusal(response) : response;
}

function answer(outcome: Outcome, connection: Connection, challenges: readonly string[]): ResponseDescription {
  switch (outcome.kind) {
    case 'error': {
      const status = ERROR_STATUS[outcome.code];
      // 400 answers carry the error's fixed message as Starlette's default does.
      const text = status === 400 ? messageOf(outcome.code) : reasonPhrase(status);
      if (outcome.challenge !== undefined) return body(connection, status, outcome.code, text, [outcome.challenge]);
      return body(connection, status, outcome.code, text, status === 401 ? challenges : undefined);
    }
    case 'unauthenticated':
      return body(connection, 401, 'unauthorized', 'Unauthorized', challenges);
    case 'forbidden':
      return body(connection, 403, 'forbidden', 'Forbidden', outcome.challenge === undefined ? undefined : [outcome.challenge]);
    case 'not_found':
      return { status: 404, headers: {}, body: '', notFound: true };
    case 'status': {
      const s = outcome.status;
      if (s === 401) return body(connection, 401, 'unauthorized', 'Unauthorized', challenges);
      if (s === 403) return answer({ kind: 'forbidden', challenge: outcome.challenge }, connection, challenges);
      if (s === 404) return { status: 404, headers: {}, body: '', notFound: true };
      return body(connection, s, 'error', reasonPhrase(s));
    }
    case 'redirect':
      return {
        status: 303,
        headers: { location: outcome.location, 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' },
        body: 'See Other',
      };
    case 'refuse_upgrade':
      return { status: 403, headers: {}, body: '', refuseUpgrade: true };
  }
}

/**
 * Headers a refused upgrade does not carry: those that describe a body (it has
 * none), and those @hono/node-server leaves out of the refusal it writes on the
 * socket (hop-by-hop and handshake fields).
 */
const NOT_ON_REFUSAL =
  /^(?:content-.*|vary|connection|keep-alive|proxy-authenticate|proxy-authorization|te|trailer|transfer-encoding|upgrade|sec-websocket-.*)$/;

/**
 * The answer to a refused websocket upgrade, the same on every adapter: the
 * status, the headers that still mean something without a body (the 401's
 * `WWW-Authenticate` challenge, `Cache-Control`, `Retry-After`, …) and an empty
 * body. A websocket client shows no body, and Node servers that answer upgrades
 * on the raw socket (@hono/node-server, `upgradeHandler`) send none. A 404 is a
 * plain 404: there is no not-found page to imitate. The core's own answers to
 * upgrades are already in this form; adapters apply it to an `onError` answer too.
 *
 * @example
 * ```ts
 * upgradeRefusal({ status: 401, headers: { 'content-type': 'text/plain', 'www-authenticate': 'Basic realm="api"' }, body: 'Unauthorized' });
 * // { status: 401, headers: { 'www-authenticate': 'Basic realm="api"' }, body: '' }
 * ```
 */
export function upgradeRefusal(response: ResponseDescription): ResponseDescription {
  const headers: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(response.headers)) {
    if (!NOT_ON_REFUSAL.test(name.toLowerCase())) headers[name] = value;
  }
  const status = response.refuseUpgrade ? 403 : response.notFound ? 404 : response.status;
  return response.refuseUpgrade ? { status, headers, body: '', refuseUpgrade: true } : { status, headers, body: '' };
}

function body(
  connection: Connection,
  status: number,
  code: string,
  text: string,
  challenges?: readonly string[],
): ResponseDescription {
  const json = prefersJson(connection);
  const headers: Record<string, string | readonly string[]> = {
    'content-type': json ? 'application/json' : 'text/plain; charset=utf-8',
    'cache-control': 'no-store',
    vary: 'Accept',
  };
  // One comma-joined field (RFC 9110 §11.6.1): Web runtimes join repeated fields
  // anyway, so every adapter sends the same bytes.
  if (challenges !== undefined && challenges.length > 0) headers['www-authenticate'] = challenges.join(', ');
  return { status, headers, body: json ? JSON.stringify({ error: code }) : text };
}

/** True when the client asks for JSON and not for HTML (API clients, `fetch`). */
export function prefersJson(connection: Connection): boolean {
  const accept = connection.header('accept');
  if (accept === undefined) return false;
  const a = accept.toLowerCase();
  return a.includes('application/json') && !a.includes('text/html');
}

/** True for a browser navigation: a GET or HEAD that accepts HTML. */
export function isBrowserNavigation(connection: Connection): boolean {
  if (connection.method !== 'GET' && connection.method !== 'HEAD') return false;
  const accept = connection.header('accept');
  return accept !== undefined && accept.toLowerCase().includes('text/html');
}
