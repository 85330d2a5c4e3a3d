import type { Connection } from './connection.js';
import { AuthenticationError } from './errors.js';

/** The cap on an `Authorization` value, in characters. Longer values answer 431. */
export const MAX_AUTHORIZATION_LENGTH = 8192;

/** An `Authorization` value split into scheme and the rest. */
export interface AuthorizationValue {
  /** The scheme in lower case (`basic`, `token`, `bearer`). */
  readonly scheme: string;
  /**
   * What follows the scheme after `1*SP`, or `''` when nothing follows.
   * `undefined` when the scheme is followed by something other than a space (a TAB).
   */
  readonly credentials: string | undefined;
}

/** `TCHAR[c]` is 1 when the ASCII code `c` is an RFC 9110 `tchar` (what a scheme is made of). */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") TCHAR[c.charCodeAt(0)] = 1;

/** Index of the first character at or after `from` that is not SP or HTAB. Linear: one pass, no backtracking. */
function skipWhitespace(value: string, from: number): number {
  let i = from;
  while (i < value.length && (value.charCodeAt(i) === 0x20 || value.charCodeAt(i) === 0x09)) i++;
  return i;
}

/**
 * The scheme token starting at `from`, in lower case, or `''` when none starts there.
 * Scanned by index (no match array); when it is `expected` (lower case) in any case,
 * `expected` itself is returned, so the usual request builds no string here.
 */
function schemeAt(value: string, from: number, expected?: string): string {
  if (expected !== undefined) {
    // `expected` compared first, in place: the scheme is `expected` when its characters fold
    // to `expected`'s, each is a tchar, and the next is none (or the end). Each character is
    // read once, where scanning the token and comparing it after read the scheme twice.
    const n = expected.length;
    let i = 0;
    while (i < n && from + i < value.length) {
      // ASCII letters fold with 0x20; every other tchar must be equal as it is.
      const c = value.charCodeAt(from + i);
      if (c >= 128 || TCHAR[c] === 0) break;
      const lower = c >= 0x41 && c <= 0x5a ? c | 0x20 : c;
      if (lower !== expected.charCodeAt(i)) break;
      i++;
    }
    if (i === n && n > 0) {
      const next = from + n;
      if (next === value.length) return expected;
      const c = value.charCodeAt(next);
      if (c >= 128 || TCHAR[c] === 0) return expected;
    }
  }
  let end = from;
  while (end < value.length) {
    const c = value.charCodeAt(end);
    if (c >= 128 || TCHAR[c] === 0) break;
    end++;
  }
  if (end === from) return '';
  return value.slice(from, end).toLowerCase();
}

/**
 * True when some comma-separated part of some value starts with `scheme`: the
 * repeated credentials concern that scheme. One pass over every value.
 */
function claimsScheme(values: readonly string[], scheme: string): boolean {
  for (const value of values) {
    let start = 0;
    while (start <= value.length) {
      const comma = value.indexOf(',', start);
      const end = comma === -1 ? value.length : comma;
      const at = skipWhitespace(value, start);
      if (at < end && schemeAt(value, at, scheme) === scheme) return true;
      if (comma === -1) break;
      start = comma + 1;
    }
  }
  return false;
}

/**
 * Reads the one `Authorization` value of a request, strictly and identically on
 * every runtime, in time linear in its length. Returns `null` when the header is
 * absent. Throws `duplicate_authorization` for repeated values (including the
 * `, `-joined form Web runtimes produce: token68 credentials never contain a comma)
 * and `oversized_authorization` beyond {@link MAX_AUTHORIZATION_LENGTH} (repeated lines are
 * measured joined with `, `, as Web runtimes hand them over; the size is checked first).
 *
 * With `scheme` (lower case), repeated values none of which uses that scheme are
 * another backend's business: `null`, so a chain reaches the backend whose scheme
 * they claim and it answers with its own challenge (Bearer's `invalid_request`).
 *
 * @example
 * ```ts
 * readAuthorization(connection);            // { scheme: 'bearer', credentials: 'mF_9.B5f-4.1JqM' }
 * readAuthorization(connection, 'token');   // null for "Bearer a, Bearer b"; throws for "Token a, Bearer b"
 * ```
 */
export function readAuthorization(connection: Connection, scheme?: string): AuthorizationValue | null {
  const values = connection.authorization;
  if (values.length === 0) return null;
  // The size first, measured as Web runtimes see repeated lines (one `, `-joined value), so
  // every runtime gives the same answer whether it keeps the lines apart or joins them.
  let size = 2 * (values.length - 1);
  for (const v of values) size += v.length;
  if (size > MAX_AUTHORIZATION_LENGTH) throw new AuthenticationError('oversized_authorization');
  if (values.length > 1) return duplicate(values, scheme);
  const raw = values[0] as string;
  if (raw.includes(',')) return duplicate(values, scheme);
  // Optional whitespace around a field value is not part of it (RFC 9110 §5.5). Trimmed
  // by index: a regex such as /^[ \t]+|[ \t]+$/g is quadratic on a run of spaces.
  const start = skipWhitespace(raw, 0);
  let end = raw.length;
  while (end > start && (raw.charCodeAt(end - 1) === 0x20 || raw.charCodeAt(end - 1) === 0x09)) end--;
  const name = schemeAt(raw, start, scheme);
  if (name === '') return { scheme: '', credentials: undefined };
  const after = start + name.length;
  if (after === end) return { scheme: name, credentials: '' };
  if (raw.charCodeAt(after) !== 0x20) return { scheme: name, credentials: undefined };
  let from = after;
  while (from < end && raw.charCodeAt(from) === 0x20) from++;
  return { scheme: name, credentials: raw.slice(from, end) };
}

/**
 * True when the request's `Authorization` header names `scheme` (lower case), or
 * cannot be read at all (oversized, repeated): the backend's `authenticate` answers
 * for it then. The `present` of the `Authorization`-header backends.
 */
export function hasScheme(connection: Connection, scheme: string): boolean {
  try {
    const value = readAuthorization(connection, scheme);
    return value !== null && value.scheme === scheme;
  } catch {
    return true;
  }
}

function duplicate(values: readonly string[], scheme: string | undefined): null {
  if (scheme !== undefined && !claimsScheme(values, scheme)) return null;
  throw new AuthenticationError('duplicate_authorization');
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The one base64 decoder: standard alphabet, canonical padding, no whitespace, no
 * stray bits. Returns `null` for anything else.
 */
export function decodeBase64Strict(input: string): Uint8Array | null {
  if (input.length === 0 || !BASE64.test(input)) return null;
  const binary = atob(input);
  // Non-canonical encodings (unused low bits set) decode to the same bytes as
  // another string: refuse them so one credential has one spelling.
  if (btoa(binary) !== input) return null;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Decodes UTF-8 strictly (`fatal: true`); `null` when the bytes are not UTF-8. */
export function decodeUtf8Strict(bytes: Uint8Array): string | null {
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** True when the string holds a C0 control character or DEL. */
export function hasControlCharacters(value: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(value);
}

/**
 * Validates a realm and returns it as a quoted-string. CR, LF and other control
 * characters are refused, and so is anything beyond Latin-1 (Node's `setHeader`
 * and `Headers` throw on it); `"` and `\` are escaped (RFC 9110 §5.6.4).
 */
export function quoteRealm(realm: string): string | null {
  if (typeof realm !== 'string' || realm.length === 0 || hasControlCharacters(realm) || /[^\u0000-\u00ff]/.test(realm)) {
    return null;
  }
  return '"' + realm.replace(/["\\]/g, '\\$&') + '"';
}
