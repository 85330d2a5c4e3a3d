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

const SCHEME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+/;

/**
 * Reads the one `Authorization` value of a request, strictly and identically on
 * every runtime. Returns `null` when the header is absent. Throws
 * `duplicate_authorization` for repeated values (including the `, `-joined form
 * Web runtimes produce: token68 credentials never contain a comma) and
 * `oversized_authorization` beyond {@link MAX_AUTHORIZATION_LENGTH} (repeated lines are
 * measured joined with `, `, as Web runtimes hand them over; the size is checked first).
 */
export function readAuthorization(connection: Connection): AuthorizationValue | null {
  const values = connection.authorization;
  if (values.length === 0) return null;
  // The size first, measured as Web runtimes see repeated lines (one `, `-joined value), so
  // every runtime gives the same answer whether it keeps the lines apart or joins them.
  let size = 2 * (values.length - 1);
  for (const v of values) size += v.length;
  if (size > MAX_AUTHORIZATION_LENGTH) throw new AuthenticationError('oversized_authorization');
  if (values.length > 1) throw new AuthenticationError('duplicate_authorization');
  const raw = values[0] as string;
  if (raw.includes(',')) throw new AuthenticationError('duplicate_authorization');
  // Optional whitespace around a field value is not part of it (RFC 9110 §5.5).
  const value = raw.replace(/^[ \t]+|[ \t]+$/g, '');
  const match = SCHEME.exec(value);
  if (match === null) return { scheme: '', credentials: undefined };
  const scheme = match[0].toLowerCase();
  const rest = value.slice(match[0].length);
  if (rest === '') return { scheme, credentials: '' };
  if (rest[0] !== ' ') return { scheme, credentials: undefined };
  return { scheme, credentials: rest.replace(/^ +/, '') };
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
