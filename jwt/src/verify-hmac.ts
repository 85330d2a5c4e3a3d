import type { JWTVerifyOptions } from 'jose';
import { JwtError, type JwtErrorCode } from './errors.js';
import type { KeyRing } from './keys.js';
import { hasValidDates } from './token.js';

/**
 * Synchronous verification of HS256 tokens whose secret was given as bytes: the same
 * checks as jose's `jwtVerify`, in the same order and with the same outcome (the
 * `JwtError` code `fromJose` would map jose's refusal to), but with the core's
 * plain-JavaScript HMAC-SHA256 instead of Web Crypto's asynchronous
 * `crypto.subtle.verify` — a promise and, on Node, a thread-pool hop per token
 * (~15–40 µs, against ~2 µs here; bench/findings.md). Every other algorithm, and an
 * HS256 secret given as a `CryptoKey`, goes through jose as before.
 *
 * `jwt/test/verify-hmac.test.ts` runs this and jose on the same generated tokens and
 * requires identical answers. The one deliberate difference: a signature segment
 * whose last character carries non-zero unused bits (the same MAC spelled another
 * way; jose decodes it leniently) is refused as `signature_invalid`, since the
 * comparison is of the canonical encoding (RFC 4648 §3.5).
 *
 * @returns The protected header and the verified, claim-checked payload; `undefined` when this token's key is
 *   not one this path handles (the caller then asks jose). Throws a `JwtError`.
 */
export function verifyHmac(ring: KeyRing, options: Readonly<JWTVerifyOptions>, token: string, now: number): VerifiedHmac | undefined {
  // The caller checked the shape: three base64url segments (COMPACT_JWS).
  const first = token.indexOf('.');
  const last = token.lastIndexOf('.');
  const header = parseHeader(token.slice(0, first));
  const b64 = checkCrit(header);
  const { alg } = header;
  if (typeof alg !== 'string' || alg === '') throw new JwtError('token_malformed');
  if (!(options.algorithms as readonly string[]).includes(alg)) throw new JwtError('algorithm_not_allowed');
  const mac = ring.macFor(header);
  if (mac === undefined) return undefined;
  const signature = token.slice(last + 1);
  if (signature.length % 4 === 1) throw new JwtError('token_malformed');
  if (!equalsConstantTime(encodeBase64url(mac(token.slice(0, last))), signature)) throw new JwtError('signature_invalid');
  const encodedPayload = token.slice(first + 1, last);
  if (encodedPayload.length % 4 === 1) throw new JwtError('token_malformed');
  if (!b64) throw new JwtError('token_malformed'); // JWTs never use an unencoded payload (RFC 7797 §7)
  const payload = parseJson(encodedPayload);
  checkClaims(header, payload, options, Math.floor(now / 1000));
  return { header, payload };
}

/** What {@link verifyHmac} verified: the protected header and the payload. */
export interface VerifiedHmac {
  /** The protected header (read only). */
  readonly header: Readonly<Record<string, unknown>>;
  /** The payload, its claims checked. */
  readonly payload: Record<string, unknown>;
}

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true }); // as jose: a leading BOM is dropped

/** A base64url segment → the JSON object it encodes, or `token_malformed` (jose: JWSInvalid / JWTInvalid). */
function parseJson(segment: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(textOf(segment));
  } catch {
    throw new JwtError('token_malformed');
  }
  if (!isObject(parsed)) throw new JwtError('token_malformed');
  return parsed;
}

/**
 * The header of the last token verified, parsed: every token of one issuer and key has
 * the same header segment, and its parse is a pure function of the string (only
 * successful parses are kept; the object is only read).
 */
let lastHeader: { readonly segment: string; readonly header: Record<string, unknown> } | undefined;

function parseHeader(segment: string): Record<string, unknown> {
  if (lastHeader !== undefined && lastHeader.segment === segment) return lastHeader.header;
  const header = parseJson(segment);
  lastHeader = { segment, header };
  return header;
}

const NON_ASCII = /[^\x00-\x7f]/;

/**
 * A base64url segment → its UTF-8 text, as jose reads it on runtimes without
 * `Uint8Array.fromBase64`: `atob` (a length of 4n+1 throws, unused low bits are
 * ignored), then a `fatal: true` decoder. An ASCII text, by far the common case, is
 * `atob`'s binary string itself (the decoder costs more than the rest of the parse).
 * The caller has checked the alphabet (COMPACT_JWS).
 */
function textOf(segment: string): string {
  const binary = atob(segment.replace(/-/g, '+').replace(/_/g, '/'));
  if (!NON_ASCII.test(binary)) return binary;
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return STRICT_UTF8.decode(bytes);
}

/** jose's `isObject`: a plain object (what `JSON.parse` makes of `{…}`). */
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** jose's `validateCrit` and `validateB64` for a compact JWS: only `b64` is a recognised extension. */
function checkCrit(header: Record<string, unknown>): boolean {
  const { crit } = header;
  if (crit === undefined) return true;
  if (!Array.isArray(crit) || crit.length === 0 || crit.some((p) => typeof p !== 'string' || p.length === 0)) throw new JwtError('token_malformed');
  for (const parameter of crit as string[]) {
    if (parameter !== 'b64') throw new JwtError('claim_invalid'); // jose: JOSENotSupported
    if (!Object.hasOwn(header, parameter) || header[parameter] === undefined) throw new JwtError('token_malformed');
  }
  if (typeof header.b64 !== 'boolean') throw new JwtError('token_malformed');
  return header.b64;
}

/**
 * jose's `validateClaimsSet` for the options the backends set (`typ`, `issuer`,
 * `audience`, `requiredClaims`, `clockTolerance`, `maxTokenAge`, all numbers), with
 * its refusals mapped as `fromJose` maps them: a date claim that is not a NumericDate
 * is `claim_invalid` whichever check failed.
 */
function checkClaims(header: Record<string, unknown>, claims: Record<string, unknown>, options: Readonly<JWTVerifyOptions>, now: number): void {
  const { typ, issuer, audience, maxTokenAge } = options;
  if (typ !== undefined && (typeof header.typ !== 'string' || normalizeTyp(header.typ) !== normalizeTyp(typ))) throw new JwtError('claim_invalid');
  const required = [...(options.requiredClaims ?? []), ...(maxTokenAge === undefined ? [] : ['iat']), ...(audience === undefined ? [] : ['aud']), ...(issuer === undefined ? [] : ['iss'])];
  for (const claim of required) if (!Object.hasOwn(claims, claim)) throw new JwtError('claim_invalid');
  if (issuer !== undefined && !(Array.isArray(issuer) ? issuer : [issuer]).includes(claims.iss as string)) throw new JwtError('claim_invalid');
  if (audience !== undefined && !audienceMatches(claims.aud, typeof audience === 'string' ? [audience] : audience)) throw new JwtError('claim_invalid');
  const tolerance = options.clockTolerance as number;
  const iat = numericDate(claims, 'iat');
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > now + tolerance) throw dateRefusal(claims, 'token_not_yet_valid');
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= now - tolerance) throw dateRefusal(claims, 'token_expired');
  if (maxTokenAge !== undefined) {
    const age = now - (iat as number);
    if (age - tolerance > (maxTokenAge as number)) throw dateRefusal(claims, 'token_expired');
    if (age < -tolerance) throw new JwtError('claim_invalid');
  }
}

function numericDate(claims: Record<string, unknown>, name: string): number | undefined {
  const value = claims[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new JwtError('claim_invalid');
  return value;
}

function dateRefusal(claims: Record<string, unknown>, code: JwtErrorCode): JwtError {
  return new JwtError(hasValidDates(claims) ? code : 'claim_invalid');
}

function normalizeTyp(value: string): string {
  const lower = value.toLowerCase();
  return value.includes('/') ? lower : `application/${lower}`;
}

function audienceMatches(aud: unknown, accepted: readonly string[]): boolean {
  if (typeof aud === 'string') return accepted.includes(aud);
  return Array.isArray(aud) && accepted.some((a) => aud.includes(a));
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Unpadded base64url (RFC 7515 §2). */
function encodeBase64url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) + ALPHABET.charAt((n >>> 6) & 63) + ALPHABET.charAt(n & 63);
  }
  const rest = bytes.length - i;
  if (rest > 0) {
    const n = ((bytes[i] as number) << 16) | (rest === 2 ? (bytes[i + 1] as number) << 8 : 0);
    out += ALPHABET.charAt(n >>> 18) + ALPHABET.charAt((n >>> 12) & 63) + (rest === 2 ? ALPHABET.charAt((n >>> 6) & 63) : '');
  }
  return out;
}

/**
 * Compares the expected signature with the token's in time that depends only on the
 * expected length (public: 43 characters for HS256), never on where they differ.
 */
function equalsConstantTime(expected: string, actual: string): boolean {
  let diff = expected.length ^ actual.length;
  for (let i = 0; i < expected.length; i++) diff |= expected.charCodeAt(i) ^ (i < actual.length ? actual.charCodeAt(i) : 0);
  return diff === 0;
}
