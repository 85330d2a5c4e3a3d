import { ConfigurationError } from '@portcullis/core';
import { sha256 } from '@portcullis/core/adapter';
import { JwtError } from './errors.js';
import type { Token } from './token.js';

/** Options of the fingerprint binding. */
export interface FingerprintOptions {
  /** The cookie name. Default `__Host-fp` (`fp` when `secure` is false). */
  cookie?: string;
  /** Send the cookie over HTTPS only. Default `true`. */
  secure?: boolean;
}

/** The fingerprint binding, checked: the cookie's name and its attributes. */
export interface Fingerprint {
  readonly name: string;
  /** `Path=/; HttpOnly[; Secure]; SameSite=Strict` */
  readonly attributes: string;
}

/** The claim carrying the fingerprint's SHA-256. */
export const FP = 'fp';
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]{1,128}$/;

function fail(who: string, detail: string): never {
  throw new ConfigurationError(`${who}: ${detail}`);
}

/** Checks the `fingerprint` option at construction; `undefined` when the binding is off. */
export function parseFingerprint(option: FingerprintOptions | undefined, who: string): Fingerprint | undefined {
  if (option === undefined) return undefined;
  if (option === null || typeof option !== 'object') fail(who, '`fingerprint` must be an object { cookie?, secure? }');
  const secure = option.secure ?? true;
  if (typeof secure !== 'boolean') fail(who, '`fingerprint.secure` must be a boolean');
  const name = option.cookie ?? (secure ? '__Host-fp' : 'fp');
  if (typeof name !== 'string' || !COOKIE_NAME.test(name)) fail(who, '`fingerprint.cookie` must be a cookie-name token');
  if (/^__(Host|Secure)-/i.test(name) && !secure) fail(who, 'a `__Host-`/`__Secure-` fingerprint cookie needs `secure: true`');
  return Object.freeze({ name, attributes: `Path=/; HttpOnly${secure ? '; Secure' : ''}; SameSite=Strict` });
}

/** A fresh fingerprint for a token living `lifetime` seconds: the `fp` claim and the `Set-Cookie` value. */
export function newFingerprint(fingerprint: Fingerprint, lifetime: number): { readonly claim: string; readonly cookie: string } {
  const value = base64url(crypto.getRandomValues(new Uint8Array(32)));
  return { claim: sha256Base64url(value), cookie: `${fingerprint.name}=${value}; Max-Age=${lifetime}; ${fingerprint.attributes}` };
}

/** The `Set-Cookie` value that deletes the fingerprint cookie. */
export function clearFingerprint(fingerprint: Fingerprint): string {
  return `${fingerprint.name}=; Max-Age=0; ${fingerprint.attributes}`;
}

/** JWT-34: the token's `fp` claim must be the SHA-256 of the fingerprint cookie; throws `claim_invalid`. */
export function checkFingerprintCookie(token: Token, cookie: string | undefined): void {
  const expected = token.extras[FP];
  if (typeof expected !== 'string' || cookie === undefined || cookie === '' || cookie.length > 256) throw new JwtError('claim_invalid');
  const actual = sha256Base64url(cookie);
  // Both are digests of fixed length: compare without an early exit.
  let diff = actual.length ^ expected.length;
  for (let i = 0; i < actual.length; i++) diff |= actual.charCodeAt(i) ^ expected.charCodeAt(i);
  if (diff !== 0) throw new JwtError('claim_invalid');
}

/** Unpadded base64url (on `btoa`: no `Buffer` on the edge). @internal */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The base64url SHA-256 of a string (its UTF-8 bytes). @internal */
export function sha256Base64url(text: string): string {
  return base64url(sha256(text));
}
