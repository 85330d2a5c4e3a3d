import type { Connection } from '../connection.js';
import { formValues } from '../form.js';
import { bytesEqual } from '../timing.js';
import type { CsrfConfig, SessionConfig } from './config.js';
import { base64url, fromBase64url, randomBytes } from './encoding.js';
import { loadSession, portOf } from './state.js';
import type { SessionPort } from './port.js';
import type { MaybePromise } from '../maybe-promise.js';

const MAX_TOKEN_LENGTH = 128;

function message(binding: string, nonce: string): string {
  return `portcullis-csrf\u0000${binding}\u0000${nonce}`;
}

/**
 * A signed double-submit CSRF token for the request's session: a random nonce
 * and an HMAC (under the sessions `secret`) of the nonce and the **session id**,
 * so a token from another session is refused (CSRF-10). Put it in a hidden form
 * field (`_csrf`) or send it in the `x-csrf-token` header. Needed only by clients
 * that send neither `Origin` nor `Sec-Fetch-Site` (curl, old browsers). Mint it
 * after `login` for the new session: a token bound to the pre-login session
 * does not survive the rotation. The adapters expose it as `csrfToken(req|ctx|c)`.
 *
 * @example
 * ```ts
 * const token = await csrfToken(connection);
 * html`<input type="hidden" name="_csrf" value="${token}">`;
 * ```
 */
export async function csrfToken(connection: Connection): Promise<string> {
  const port = portOf(connection);
  await loadSession(connection, port);
  const nonce = base64url(randomBytes(16));
  const mac = (port.config.macs[0] as (message: string) => Uint8Array)(message(port.id() ?? '', nonce));
  return `${nonce}.${base64url(mac)}`;
}

/**
 * Checks a CSRF token against a session id (`''` for no session): every
 * configured secret is tried and MACs are compared in constant time.
 *
 * @example
 * ```ts
 * await verifyCsrfToken(port.config, port.id() ?? '', token); // true or false
 * ```
 */
export async function verifyCsrfToken(config: SessionConfig, binding: string, token: string): Promise<boolean> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return false;
  const dot = token.indexOf('.');
  if (dot === -1) return false;
  const nonce = token.slice(0, dot);
  const mac = fromBase64url(token.slice(dot + 1));
  if (fromBase64url(nonce)?.length !== 16 || mac === null || mac.length !== 32) return false;
  let ok = false;
  for (const macOf of config.macs) {
    // Every key is tried (no early exit), each comparison in constant time.
    if (bytesEqual(macOf(message(binding, nonce)), mac)) ok = true;
  }
  return ok;
}

/** The host of an origin, or `undefined` for `null` and anything unparsable. */
function hostOf(origin: string): string | undefined {
  if (origin === 'null') return undefined;
  try {
    const url = new URL(origin);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}

/** True when `Origin` is the request's own host or a configured origin. */
function trustedOrigin(origin: string, connection: Connection, csrf: CsrfConfig): boolean {
  if (csrf.origins.includes(origin)) return true;
  const host = hostOf(origin);
  const own = connection.header('host')?.trim().toLowerCase();
  return host !== undefined && own !== undefined && host.toLowerCase() === own;
}

/**
 * The CSRF decision for an unsafe request (CSRF-01…12):
 * - `Authorization` without the session cookie: no ambient credential, allowed (CSRF-07);
 * - an `Origin` that is not the request's host (or a configured origin), `null`
 *   included: refused (CSRF-01, CSRF-08);
 * - `Sec-Fetch-Site`: `same-origin`/`none` allowed; `same-site` refused unless
 *   `allowSameSite` (CSRF-05); `cross-site` refused unless the origin is configured;
 * - neither header: allowed with a valid token; otherwise refused when the request
 *   carries the session cookie (CSRF-06), allowed when it carries no cookie at all.
 * The content type plays no part, so no spelling of it can bypass the check.
 */
export async function csrfAllows(
  connection: Connection,
  port: SessionPort,
  csrf: CsrfConfig,
  formToken: () => MaybePromise<string | undefined>,
): Promise<boolean> {
  if (!port.hasCookie && connection.authorization.length > 0) return true;
  const origin = connection.header('origin')?.trim();
  const site = connection.header('sec-fetch-site')?.trim().toLowerCase();
  if (origin !== undefined && !trustedOrigin(origin, connection, csrf)) return false;
  if (site !== undefined) {
    if (site === 'same-origin' || site === 'none') return true;
    const configured = origin !== undefined && csrf.origins.includes(origin);
    if (site === 'same-site') return csrf.allowSameSite || configured;
    if (site === 'cross-site') return configured;
    return false;
  }
  if (origin !== undefined) return true;
  const token = connection.header(csrf.header) ?? (await formToken());
  if (token !== undefined && token !== '') {
    await loadSession(connection, port);
    if (await verifyCsrfToken(port.config, port.id() ?? '', token)) return true;
  }
  return !port.hasCookie;
}

/**
 * Reads the CSRF field of an `application/x-www-form-urlencoded` body (the media
 * type compared case-insensitively, parameters ignored); `undefined` otherwise.
 * For adapters.
 *
 * @example
 * ```ts
 * formField('application/x-www-form-urlencoded; charset=UTF-8', 'a=1&_csrf=t', '_csrf'); // 't'
 * ```
 */
export function formField(contentType: string | undefined, body: unknown, field: string): string | undefined {
  if (body !== null && typeof body === 'object' && !ArrayBuffer.isView(body)) {
    const value = (body as Record<string, unknown>)[field];
    return typeof value === 'string' ? value : undefined;
  }
  if (typeof body !== 'string' || !isUrlencoded(contentType)) return undefined;
  return formValues(body, field)[0];
}

/** Form bodies larger than this are not read for a CSRF token (the header still works). */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * The CSRF `field` of a Web `Request`'s urlencoded body, for adapters on Web
 * standards (Hono, Fetch): read from a clone (the handler can still read the body),
 * from its first 16 KiB only (a body without `Content-Length` is read chunk by chunk
 * and left there, never buffered whole); `undefined` for other media types, larger
 * or unreadable bodies.
 *
 * @example
 * ```ts
 * const denied = await sessionGate(connection, () => requestFormField(request, '_csrf'));
 * ```
 */
export async function requestFormField(request: Request, field: string): Promise<string | undefined> {
  const type = request.headers.get('content-type') ?? undefined;
  if (!isUrlencoded(type) || request.body === null) return undefined;
  const length = Number(request.headers.get('content-length') ?? '0');
  if (!Number.isFinite(length) || length > MAX_FORM_BYTES) return undefined;
  const reader = request.clone().body?.getReader();
  if (reader === undefined) return undefined;
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_FORM_BYTES) {
        // Not awaited: a clone's branch settles its cancel only once the other branch
        // (the handler's body) is cancelled or read too.
        reader.cancel().catch(() => {});
        return undefined;
      }
      chunks.push(value);
    }
  } catch {
    return undefined; // the client went away mid-body
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return formValues(new TextDecoder().decode(bytes), field)[0];
}

/**
 * True for `application/x-www-form-urlencoded`, whatever its case and parameters.
 *
 * @example
 * ```ts
 * isUrlencoded('Application/X-WWW-Form-Urlencoded; charset=UTF-8'); // true
 * ```
 */
export function isUrlencoded(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase() === 'application/x-www-form-urlencoded';
}
