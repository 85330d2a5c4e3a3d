import type { Connection } from './connection.js';
import { messageOf, type AuthenticationError, type AuthenticationErrorCode } from './errors.js';
import type { PasswordPolicyCode } from './hashing/policy.js';

/** A framework-free response: adapters copy it onto their native response. */
export interface ResponseDescription {
  /** The HTTP status code. */
  readonly status: number;
  /** Header names in lower case; an array value is sent as repeated field lines. */
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  /** The body, already serialised (plain text or JSON); empty for 404s and refused upgrades. */
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
  /** An `AuthenticationError`: the status its `code` has in the table. */
  | {
      /** An authentication error. */
      readonly kind: 'error';
      /** The error's code: it decides the status (400, 401, 403, 429, 431 or 503) and, for `backend_busy`, `Retry-After`. */
      readonly code: AuthenticationErrorCode;
      /** The `WWW-Authenticate` value the backend chose for this error, instead of its usual challenges. */
      readonly challenge?: string | undefined;
      /** Seconds until the client may try again: a `Retry-After` header (`too_many_requests`). */
      readonly retryAfter?: number | undefined;
    }
  /** No credentials where they are needed: 401 with the backend's challenges. */
  | {
      /** No credentials. */
      readonly kind: 'unauthenticated';
    }
  /** Refused: 403. */
  | {
      /** A refusal. */
      readonly kind: 'forbidden';
      /** A `WWW-Authenticate` value sent with the 403 (Bearer `insufficient_scope`). */
      readonly challenge?: string | undefined;
    }
  /** A status as such; `challenge` is the scheme's 403 challenge (Bearer `insufficient_scope`). */
  | {
      /** A status chosen by configuration. */
      readonly kind: 'status';
      /** The status (401, 403 and 404 get their special forms). */
      readonly status: number;
      /** The `WWW-Authenticate` value sent with a 403. */
      readonly challenge?: string | undefined;
    }
  /**
   * A guard's refusal: its `status` option (default 403), 403 for an authenticated
   * user when the option is 401 (signing in again would not help), and then the
   * scheme's `insufficientScope` challenge.
   */
  | {
      /** A guard's refusal. */
      readonly kind: 'denied';
      /** The guard's `status` option; 403 when not set. */
      readonly status?: number | undefined;
      /** Whether the user is anonymous (a 401 is then kept). */
      readonly anonymous: boolean;
      /** The backend's `insufficient_scope` challenge, computed only when a 403 is sent. */
      readonly insufficientScope?: (() => string | undefined) | undefined;
    }
  /** A state change through the wrong method (logout through `GET`): 405 with `Allow`. */
  | {
      /** The wrong method. */
      readonly kind: 'method_not_allowed';
      /** The `Allow` header: the methods that would have worked. */
      readonly allow: string;
    }
  /** A redirect to a login page: 303 with `Cache-Control: no-store`. */
  | {
      /** A redirect. */
      readonly kind: 'redirect';
      /** The relative `Location` (with `next`). */
      readonly location: string;
    }
  /** A websocket upgrade refused: 403, no body. */
  | {
      /** A refused upgrade. */
      readonly kind: 'refuse_upgrade';
    }
  | StepUpOutcome;

const ERROR_STATUS: Readonly<Record<AuthenticationErrorCode, number>> = {
  malformed_credentials: 400,
  duplicate_authorization: 400,
  oversized_authorization: 431,
  invalid_credentials: 401,
  incomplete_credentials: 401,
  backend_unavailable: 503,
  backend_busy: 503,
  cross_site_request: 403,
  too_many_requests: 429,
};

/**
 * `Retry-After` (seconds) of the answers to a full hashing queue (`backend_busy`, the
 * token endpoint's `oauth2_busy`): a bounded queue drains in well under a second.
 */
const BUSY_RETRY_AFTER = '1';

/**
 * The statuses of a new password refused by `passwordPolicy` (signup, password
 * change): 400 for input that is not a password at all, 422 for a well-formed one the
 * policy refuses (the client can fix it), 503 when the breached-password check failed
 * closed (the user can retry later).
 */
/** The statuses a password policy's refusal can have. */
export type PasswordPolicyStatus = 400 | 422 | 503;

const PASSWORD_POLICY_STATUS: Readonly<Record<PasswordPolicyCode, PasswordPolicyStatus>> = {
  invalid_password: 400,
  password_too_short: 422,
  password_too_long: 422,
  password_context_specific: 422,
  password_breached: 422,
  breach_check_unavailable: 503,
};

/** The status the table gives a password policy's refusal. @internal */
export function passwordPolicyStatus(code: PasswordPolicyCode): PasswordPolicyStatus {
  return PASSWORD_POLICY_STATUS[code];
}

/**
 * The statuses a guard may deny with (`requires(scopes, { status })`), with their
 * reason phrases: the registered 4xx client errors (RFC 9110 and the IANA
 * registry; 418 kept from RFC 2324). This one list is both the type
 * {@link DenialStatus} and the check `requires(...)` runs at startup.
 */
const DENIAL_REASONS = {
  400: 'Bad Request', 401: 'Unauthorized', 402: 'Payment Required', 403: 'Forbidden', 404: 'Not Found',
  405: 'Method Not Allowed', 406: 'Not Acceptable', 407: 'Proxy Authentication Required', 408: 'Request Timeout',
  409: 'Conflict', 410: 'Gone', 411: 'Length Required', 412: 'Precondition Failed', 413: 'Content Too Large',
  414: 'URI Too Long', 415: 'Unsupported Media Type', 416: 'Range Not Satisfiable', 417: 'Expectation Failed',
  418: "I'm a Teapot", 421: 'Misdirected Request', 422: 'Unprocessable Content', 423: 'Locked',
  424: 'Failed Dependency', 425: 'Too Early', 426: 'Upgrade Required', 428: 'Precondition Required',
  429: 'Too Many Requests', 431: 'Request Header Fields Too Large', 451: 'Unavailable For Legal Reasons',
} as const;

/**
 * A status a guard may deny with: a registered 4xx client error (`401`, `403`,
 * `404`, `429`…). `requires('admin', { status: 302 })` does not compile, and the
 * same list is checked at startup for JavaScript callers (a `ConfigurationError`).
 *
 * @example
 * ```ts
 * import type { DenialStatus, RequiresOptions } from '@portcullis/core';
 *
 * const hidden: DenialStatus = 404;
 * const options: RequiresOptions = { status: hidden };
 * ```
 */
export type DenialStatus = Extract<keyof typeof DENIAL_REASONS, number>;

/**
 * True for a {@link DenialStatus}: what `requires(...)` accepts as `status`. For a
 * status that comes from configuration (a plain `number`).
 *
 * @example
 * ```ts
 * import { isDenialStatus } from '@portcullis/core';
 * import { requires } from '@portcullis/express';
 *
 * const status = Number(process.env.ADMIN_DENIAL_STATUS ?? 404);
 * if (!isDenialStatus(status)) throw new Error(`ADMIN_DENIAL_STATUS=${status} is not a 4xx denial status`);
 * const adminOnly = requires('admin', { status });
 * ```
 */
export function isDenialStatus(value: unknown): value is DenialStatus {
  return typeof value === 'number' && Object.hasOwn(DENIAL_REASONS, value);
}

const REASON: Readonly<Record<number, string>> = { ...DENIAL_REASONS, 503: 'Service Unavailable' };

/** The standard reason phrase of a status, or `Error`. */
export function reasonPhrase(status: number): string {
  return REASON[status] ?? 'Error';
}

/** The status the table gives an authentication error code. */
export function statusOfError(code: AuthenticationErrorCode): number {
  return ERROR_STATUS[code];
}

/**
 * The response the table gives an {@link Outcome} on a connection: the status, the
 * `WWW-Authenticate` challenge and a body in the form the client asks for (text, or
 * `{"error":"<code>"}` for JSON clients). `challenges` are the backend's
 * `WWW-Authenticate` values, sent with every 401. For a websocket upgrade the answer
 * is an {@link upgradeRefusal}: no body.
 *
 * @example
 * ```ts
 * const response = responseFor({ kind: 'unauthenticated' }, connection, authenticator.challenges);
 * response.status; // 401, with `WWW-Authenticate`
 * ```
 */
export function responseFor(outcome: Outcome, connection: Connection, challenges: readonly string[]): ResponseDescription {
  const response = answer(outcome, connection, challenges);
  return connection.kind === 'websocket' ? upgradeRefusal(response) : response;
}

/**
 * The core table's answer to an `AuthenticationError` a login form got from
 * `passwordBackend(...).verifyCredentials` (with a `throttle`): 429 with `Retry-After`
 * for `too_many_requests`, 503 for `backend_unavailable`, … in the form the client
 * asks for. The same bytes whichever bucket refused, and whether or not the account
 * exists. Send it with the adapter's sender (`sendDescription`, `toResponse`…).
 *
 * @example
 * ```ts
 * import { errorResponse, isAuthenticationError, type Connection, type ResponseDescription } from '@portcullis/core';
 *
 * async function login(connection: Connection, check: () => Promise<unknown>): Promise<ResponseDescription | undefined> {
 *   try {
 *     await check(); // passwords.verifyCredentials(username, password, connection)
 *     return undefined;
 *   } catch (error) {
 *     if (isAuthenticationError(error)) return errorResponse(error, connection); // 429 + Retry-After, or 503
 *     throw error;
 *   }
 * }
 * ```
 */
export function errorResponse(error: AuthenticationError, connection: Connection): ResponseDescription {
  return responseFor({ kind: 'error', code: error.code, challenge: error.challenge, retryAfter: error.retryAfter }, connection, []);
}

/**
 * The former name of {@link responseFor}.
 *
 * @deprecated Use `responseFor`; `describe` goes in the next release (it clashes with
 * the test runner's `describe`).
 * @example
 * ```ts
 * const response = responseFor({ kind: 'forbidden' }, connection, []); // not describe(...)
 * ```
 */
export const describe: typeof responseFor = responseFor;

function answer(outcome: Outcome, connection: Connection, challenges: readonly string[]): ResponseDescription {
  switch (outcome.kind) {
    case 'error': {
      const status = ERROR_STATUS[outcome.code];
      // 400 answers carry the error's fixed message as Starlette's default does.
      const text = status === 400 ? messageOf(outcome.code) : reasonPhrase(status);
      const retry =
        outcome.code === 'backend_busy'
          ? { 'retry-after': BUSY_RETRY_AFTER }
          : outcome.retryAfter === undefined
            ? undefined
            : { 'retry-after': String(Math.max(1, Math.ceil(outcome.retryAfter))) };
      if (outcome.challenge !== undefined) return body(connection, status, outcome.code, text, [outcome.challenge], retry);
      return body(connection, status, outcome.code, text, status === 401 ? challenges : undefined, retry);
    }
    case 'unauthenticated':
      return body(connection, 401, 'unauthorized', 'Unauthorized', challenges);
    case 'forbidden':
      return body(connection, 403, 'forbidden', 'Forbidden', outcome.challenge === undefined ? undefined : [outcome.challenge]);
    case 'status': {
      const s = outcome.status;
      if (s === 401) return body(connection, 401, 'unauthorized', 'Unauthorized', challenges);
      if (s === 403) return answer({ kind: 'forbidden', challenge: outcome.challenge }, connection, challenges);
      if (s === 404) return { status: 404, headers: {}, body: '', notFound: true };
      return body(connection, s, 'error', reasonPhrase(s));
    }
    case 'denied': {
      const requested = outcome.status ?? 403;
      const s = requested === 401 && !outcome.anonymous ? 403 : requested;
      const challenge = s === 403 ? outcome.insufficientScope?.() : undefined;
      return answer({ kind: 'status', status: s, challenge }, connection, challenges);
    }
    case 'method_not_allowed':
      return body(connection, 405, 'error', reasonPhrase(405), undefined, { allow: outcome.allow });
    case 'redirect':
      return {
        status: 303,
        headers: { location: outcome.location, 'cache-control': 'no-store', 'content-type': 'text/plain; charset=utf-8' },
        body: 'See Other',
      };
    case 'refuse_upgrade':
      return { status: 403, headers: {}, body: '', refuseUpgrade: true };
    case 'step_up':
      return stepUpResponse(outcome, connection, challenges);
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

/**
 * The `error` codes of the OAuth2 token endpoint's JSON answers (RFC 6749 §5.2, plus
 * `too_many_requests`), and of the revocation endpoint (`unsupported_token_type`, RFC 7009 §2.2.1).
 */
export type OAuth2ErrorCode =
  | 'invalid_request'
  | 'invalid_scope'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'unsupported_token_type'
  | 'too_many_requests'
  | 'temporarily_unavailable';

const OAUTH2_ERROR_STATUS: Readonly<Record<OAuth2ErrorCode, number>> = {
  invalid_request: 400,
  invalid_scope: 400,
  invalid_grant: 400,
  unsupported_grant_type: 400,
  unsupported_token_type: 400,
  too_many_requests: 429,
  temporarily_unavailable: 503,
};

type HeaderMap = Readonly<Record<string, string | readonly string[]>>;

/**
 * The answers that depend on nothing in the request (no content negotiation, no
 * websocket form): the OAuth2 token endpoint's and the JWT backends' JSON answers,
 * and the answers adapters write when they cannot hand a description on.
 */
export type FixedOutcome =
  /** An adapter answering "not found" where the framework's own 404 is out of reach (Express outside a route). */
  | {
      /** Not found: 404. */
      readonly kind: 'not_found';
    }
  /** An adapter could not send a description (a header value a hook produced was refused). */
  | {
      /** Not sendable: 500. */
      readonly kind: 'unsendable';
    }
  /** Session helpers used without session middleware: the app's bug, a generic 500. */
  | {
      /** No session middleware: 500. */
      readonly kind: 'session_not_configured';
    }
  /** The decision itself failed on an upgrade: refused with 503. */
  | {
      /** A failed upgrade decision: 503. */
      readonly kind: 'upgrade_failed';
    }
  /** A token endpoint error (RFC 6749 §5.2); `retryAfter` (seconds) for `too_many_requests`. */
  | {
      /** A token endpoint error. */
      readonly kind: 'oauth2_error';
      /** The RFC 6749 error code: it decides the status. */
      readonly error: OAuth2ErrorCode;
      /** Seconds until the client may try again (`Retry-After`), for `too_many_requests`. */
      readonly retryAfter?: number | undefined;
    }
  /**
   * The token endpoint's password hasher is at capacity (its queue is full, nothing was
   * hashed): 503 `temporarily_unavailable` with `Retry-After`.
   */
  | {
      /** A full hashing queue at the token endpoint. */
      readonly kind: 'oauth2_busy';
    }
  /** A token request through another method than `POST`: 405 `invalid_request` with `Allow: POST`. */
  | {
      /** The wrong method at the token endpoint. */
      readonly kind: 'oauth2_method_not_allowed';
    }
  /** The token endpoint's success (RFC 6749 §5.1): 200. */
  | {
      /** A token response. */
      readonly kind: 'token';
      /** The JSON body (`access_token`, `token_type`, …). */
      readonly body: unknown;
      /** Extra headers (`Set-Cookie` for cookie transport). */
      readonly headers?: HeaderMap | undefined;
    }
  /** A login that issued a token: `status` (a 2xx checked by the caller), default 201. */
  | {
      /** A login that issued a token. */
      readonly kind: 'login';
      /** The JSON body. */
      readonly body: unknown;
      /** A 2xx status; 201 when not set. */
      readonly status?: number | undefined;
      /** Extra headers (`Set-Cookie` for cookie transport). */
      readonly headers?: HeaderMap | undefined;
    }
  /** A logout: 204, no body. */
  | {
      /** A logout. */
      readonly kind: 'logged_out';
      /** Extra headers (the `Set-Cookie` that clears the cookie). */
      readonly headers?: HeaderMap | undefined;
    }
  /** A websocket ticket issued (`webSocketTickets`): 200 `{ ticket, expires_in }`, never cached. */
  | {
      /** A websocket ticket. */
      readonly kind: 'websocket_ticket';
      /** The ticket (shown once). */
      readonly ticket: string;
      /** Seconds until it expires. */
      readonly expiresIn: number;
    };

const TEXT = 'text/plain; charset=utf-8';
/** Headers of every answer that carries a token or a credential error (RFC 6749 §5.1, LEAK-09). */
const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const;

/**
 * The response the table gives a {@link FixedOutcome}. Token answers are JSON with
 * `Cache-Control: no-store` and `Pragma: no-cache`.
 *
 * @example
 * ```ts
 * fixedResponse({ kind: 'oauth2_error', error: 'invalid_grant' });
 * // { status: 400, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', pragma: 'no-cache' },
 * //   body: '{"error":"invalid_grant"}' }
 * ```
 */
export function fixedResponse(outcome: FixedOutcome): ResponseDescription {
  switch (outcome.kind) {
    case 'not_found':
      return frozen(404, { 'content-type': TEXT }, reasonPhrase(404));
    case 'unsendable':
      return frozen(500, { 'content-type': TEXT }, 'Internal Server Error');
    case 'session_not_configured':
      return frozen(500, { 'content-type': TEXT, 'cache-control': 'no-store' }, 'Internal Server Error');
    case 'upgrade_failed':
      return frozen(503, {}, reasonPhrase(503));
    case 'oauth2_error': {
      const retry: HeaderMap = outcome.retryAfter === undefined ? {} : { 'retry-after': String(Math.ceil(outcome.retryAfter)) };
      return json(OAUTH2_ERROR_STATUS[outcome.error], { error: outcome.error }, retry);
    }
    case 'oauth2_busy':
      return json(OAUTH2_ERROR_STATUS.temporarily_unavailable, { error: 'temporarily_unavailable' }, { 'retry-after': BUSY_RETRY_AFTER });
    case 'oauth2_method_not_allowed':
      return json(405, { error: 'invalid_request' }, { allow: 'POST' });
    case 'token':
      return json(200, outcome.body, outcome.headers);
    case 'login':
      return json(outcome.status ?? 201, outcome.body, outcome.headers);
    case 'logged_out':
      return frozen(204, { ...NO_STORE, ...outcome.headers }, '');
    case 'websocket_ticket':
      return json(200, { ticket: outcome.ticket, expires_in: outcome.expiresIn });
  }
}

/** Why an accepted websocket is closed by the server (the re-check of `recheck: { interval }`). */
export type WebSocketCloseReason = 'unauthenticated' | 'forbidden' | 'unavailable';

/** A close frame's code and reason, as `ws.close(code, reason)` takes them. */
export interface WebSocketClose {
  /** 4401 (authentication ended), 4403 (the guard now denies), 1013 (the re-check could not decide: try again later). */
  readonly code: 4401 | 4403 | 1013;
  /** A fixed, short reason (no user input, no credential): `unauthorized`, `forbidden`, `try again later`. */
  readonly reason: string;
}

/**
 * The close codes of the table: the websocket counterpart of 401 and 403 in the
 * application range (RFC 6455 §7.4.2: 4000-4999), and 1013 when the re-check itself
 * failed (a store outage): the connection fails closed, and the client may retry.
 */
const CLOSE: Readonly<Record<WebSocketCloseReason, WebSocketClose>> = Object.freeze({
  unauthenticated: Object.freeze({ code: 4401, reason: 'unauthorized' }),
  forbidden: Object.freeze({ code: 4403, reason: 'forbidden' }),
  unavailable: Object.freeze({ code: 1013, reason: 'try again later' }),
});

/**
 * The close code and reason the table gives a re-checked websocket: 4401 when what
 * authenticated the upgrade ended (logout, expiry, revocation), 4403 when the route's
 * guard now denies, 1013 when the re-check failed.
 *
 * @example
 * ```ts
 * const { code, reason } = webSocketClose('unauthenticated'); // 4401, 'unauthorized'
 * ws.close(code, reason);
 * ```
 */
export function webSocketClose(reason: WebSocketCloseReason): WebSocketClose {
  return CLOSE[reason];
}

function json(status: number, value: unknown, headers: HeaderMap = {}): ResponseDescription {
  return frozen(status, { 'content-type': 'application/json; charset=utf-8', ...NO_STORE, ...headers }, JSON.stringify(value));
}

function frozen(status: number, headers: HeaderMap, text: string): ResponseDescription {
  return Object.freeze({ status, headers: Object.freeze({ ...headers }), body: text });
}

function body(
  connection: Connection,
  status: number,
  code: string,
  text: string,
  challenges?: readonly string[],
  extra?: Readonly<Record<string, string>>,
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
  if (extra !== undefined) Object.assign(headers, extra);
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

// ─── Step-up (RFC 9470) and protected-resource metadata (RFC 9728) ───────────────
// Kept together in this block: the statuses of `requires(…, { maxAge, acr, amr })`
// and of the metadata document.

/**
 * The user holds the scopes but authenticated too long ago, or not strongly enough
 * (`requires(…, { maxAge, acr, amr })`): 401 `insufficient_user_authentication`,
 * with the scheme's step-up challenge (RFC 9470 §3) or else the backend's challenges.
 */
export interface StepUpOutcome {
  /** A step-up refusal. */
  readonly kind: 'step_up';
  /** The scheme's `Bearer error="insufficient_user_authentication", …` challenge, when it has one. */
  readonly challenge?: string | undefined;
}

function stepUpResponse(outcome: StepUpOutcome, connection: Connection, challenges: readonly string[]): ResponseDescription {
  const sent = outcome.challenge === undefined ? challenges : [outcome.challenge];
  return body(connection, 401, 'insufficient_user_authentication', 'Unauthorized', sent);
}

/**
 * The answer serving a protected-resource metadata document (RFC 9728 §3.2): 200
 * JSON, cacheable for an hour (it is public and comes from configuration).
 * `protectedResourceMetadata(...).response` is this answer.
 *
 * @example
 * ```ts
 * const response = metadataResponse({ resource: 'https://api.example.com', bearer_methods_supported: ['header'] });
 * response.status; // 200
 * ```
 */
export function metadataResponse(document: Readonly<Record<string, unknown>>): ResponseDescription {
  return frozen(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=3600' }, JSON.stringify(document));
}
