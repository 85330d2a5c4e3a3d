import { base64urlEquals } from '@portcullis/core/adapter';
import type { JWTVerifyOptions } from 'jose';
import { JwtError, type JwtErrorCode } from './errors.js';
import type { KeyRing } from './keys.js';
import { flatCopy } from './strings.js';
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
  const { header, b64, mac, typAccepted } = checkHeader(ring, options, token.slice(0, first));
  if (mac === undefined) return undefined;
  if ((token.length - last - 1) % 4 === 1) throw new JwtError('token_malformed');
  if (!base64urlEquals(mac(token.slice(0, last)), token, last + 1)) throw new JwtError('signature_invalid');
  if ((last - first - 1) % 4 === 1) throw new JwtError('token_malformed');
  if (!b64) throw new JwtError('token_malformed'); // JWTs never use an unencoded payload (RFC 7797 §7)
  const encodedPayload = token.slice(first + 1, last);
  const payload = parseJson(encodedPayload);
  checkClaims(typAccepted, payload, options, Math.floor(now / 1000));
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

/** A header segment checked for one key ring and one set of options: what {@link checkHeader} found. */
interface CheckedHeader {
  readonly segment: string;
  readonly ring: KeyRing;
  readonly options: Readonly<JWTVerifyOptions>;
  readonly header: Record<string, unknown>;
  /** The `b64` header parameter (true when absent). */
  readonly b64: boolean;
  /** The key's HMAC, or `undefined` when this path does not handle the key (jose does). */
  readonly mac: ((signingInput: string) => Uint8Array) | undefined;
  /** The header's `typ` passes the `typ` option (checked with the claims, after the signature, as jose does). */
  readonly typAccepted: boolean;
}

/**
 * The last header that passed {@link checkHeader}: every token of one issuer and key has
 * the same header segment, and what is checked of it (the parse, `crit`/`b64`, the
 * algorithm against the allowlist, the key the ring picks) is a pure function of the
 * segment, the ring (immutable) and the options (fixed per backend). Only headers that
 * passed every check are kept; a refused one is checked again, and refused again, each
 * time. The object is only read.
 */
let lastHeader: CheckedHeader | undefined;

/** The header checks, in jose's order: parse, `crit`, `alg` (present, allowed), the key. */
function checkHeader(ring: KeyRing, options: Readonly<JWTVerifyOptions>, segment: string): CheckedHeader {
  const last = lastHeader;
  if (last !== undefined && last.segment === segment && last.ring === ring && last.options === options) return last;
  const header = parseJson(segment);
  const b64 = checkCrit(header);
  const { alg } = header;
  if (typeof alg !== 'string' || alg === '') throw new JwtError('token_malformed');
  if (!(options.algorithms as readonly string[]).includes(alg)) throw new JwtError('algorithm_not_allowed');
  const mac = ring.macFor(header);
  const { typ } = options;
  const typAccepted = typ === undefined || (typeof header.typ === 'string' && normalizeTyp(header.typ) === normalizeTyp(typ));
  // A copy, not the slice: a slice keeps its parent, the whole Authorization value with the
  // signature, alive as long as this header is remembered (security review).
  const checked: CheckedHeader = { segment: flatCopy(segment), ring, options, header, b64, mac, typAccepted };
  lastHeader = checked;
  return checked;
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
function checkClaims(typAccepted: boolean, claims: Record<string, unknown>, options: Readonly<JWTVerifyOptions>, now: number): void {
  const { issuer, audience, maxTokenAge } = options;
  if (!typAccepted) throw new JwtError('claim_invalid');
  // jose's required claims: requiredClaims, then iat (maxTokenAge), aud, iss; any missing one refuses alike.
  const { requiredClaims } = options;
  if (requiredClaims !== undefined) for (const claim of requiredClaims) if (!Object.hasOwn(claims, claim)) throw new JwtError('claim_invalid');
  if (maxTokenAge !== undefined && !Object.hasOwn(claims, 'iat')) throw new JwtError('claim_invalid');
  if (audience !== undefined && !Object.hasOwn(claims, 'aud')) throw new JwtError('claim_invalid');
  if (issuer !== undefined && !Object.hasOwn(claims, 'iss')) throw new JwtError('claim_invalid');
  if (issuer !== undefined && !(typeof issuer === 'string' ? claims.iss === issuer : issuer.includes(claims.iss as string))) throw new JwtError('claim_invalid');
  if (audience !== undefined && !audienceMatches(claims.aud, audience)) throw new JwtError('claim_invalid');
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

/** jose's `checkAudiencePresence`: the `aud` claim (a string or an array) names an accepted audience. */
function audienceMatches(aud: unknown, accepted: string | readonly string[]): boolean {
  if (typeof accepted === 'string') return aud === accepted || (Array.isArray(aud) && aud.includes(accepted));
  if (typeof aud === 'string') return accepted.includes(aud);
  return Array.isArray(aud) && accepted.some((a) => aud.includes(a));
}
