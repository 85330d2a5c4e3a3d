/** The JWS algorithms the JWT backends can be pinned to (RFC 7518, RFC 8037). */
export type JwtAlgorithm =
  | 'HS256' | 'HS384' | 'HS512'
  | 'RS256' | 'RS384' | 'RS512'
  | 'PS256' | 'PS384' | 'PS512'
  | 'ES256' | 'ES384' | 'ES512'
  | 'EdDSA' | 'Ed25519';

/** How an algorithm signs, and what a key for it must look like. */
export interface AlgorithmFamily {
  readonly kind: 'hmac' | 'rsa' | 'rsa-pss' | 'ecdsa' | 'eddsa';
  /** SHA-256 / SHA-384 / SHA-512 (HMAC, RSA, ECDSA). */
  readonly hash?: 'SHA-256' | 'SHA-384' | 'SHA-512';
  /** The minimum HMAC secret in bytes (RFC 7518 §3.2: at least the hash size). */
  readonly minSecretBytes?: number;
  /** The JWK `crv` / Web Crypto `namedCurve` (ECDSA, EdDSA). */
  readonly curve?: 'P-256' | 'P-384' | 'P-521' | 'Ed25519';
  /** The JWK `kty`. */
  readonly kty: 'oct' | 'RSA' | 'EC' | 'OKP';
}

const hmac = (bits: 256 | 384 | 512): AlgorithmFamily =>
  Object.freeze({ kind: 'hmac', hash: `SHA-${bits}`, minSecretBytes: bits / 8, kty: 'oct' });
const rsa = (bits: 256 | 384 | 512, pss: boolean): AlgorithmFamily =>
  Object.freeze({ kind: pss ? 'rsa-pss' : 'rsa', hash: `SHA-${bits}`, kty: 'RSA' });
const ec = (bits: 256 | 384 | 512, curve: 'P-256' | 'P-384' | 'P-521'): AlgorithmFamily =>
  Object.freeze({ kind: 'ecdsa', hash: `SHA-${bits}`, curve, kty: 'EC' });
const ed: AlgorithmFamily = Object.freeze({ kind: 'eddsa', curve: 'Ed25519', kty: 'OKP' });

const FAMILIES: ReadonlyMap<string, AlgorithmFamily> = new Map<JwtAlgorithm, AlgorithmFamily>([
  ['HS256', hmac(256)], ['HS384', hmac(384)], ['HS512', hmac(512)],
  ['RS256', rsa(256, false)], ['RS384', rsa(384, false)], ['RS512', rsa(512, false)],
  ['PS256', rsa(256, true)], ['PS384', rsa(384, true)], ['PS512', rsa(512, true)],
  ['ES256', ec(256, 'P-256')], ['ES384', ec(384, 'P-384')], ['ES512', ec(512, 'P-521')],
  ['EdDSA', ed], ['Ed25519', ed],
]);

/** The smallest RSA modulus accepted, in bits (RFC 8725 §3.5, NIST SP 800-131A). */
export const MIN_RSA_BITS = 2048;

/** The family of a supported algorithm, or `undefined` (`none`, `HS1`, anything else). */
export function familyOf(alg: unknown): AlgorithmFamily | undefined {
  return typeof alg === 'string' ? FAMILIES.get(alg) : undefined;
}

/** True for HS256/HS384/HS512. */
export function isHmac(alg: JwtAlgorithm): boolean {
  return familyOf(alg)?.kind === 'hmac';
}
