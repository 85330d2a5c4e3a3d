import { decodeB64, encodeB64 } from './base64.js';
import { MAX_STORED_LENGTH } from './password-bytes.js';

/** A parsed PHC string: `$<id>[$v=<version>][$<name>=<value>,…]$<salt>$<hash>`. */
export interface PhcString {
  /** The function identifier (`argon2id`, `scrypt`, `pbkdf2-sha256`…). */
  readonly id: string;
  /** The `v=` field, when present. */
  readonly version: number | undefined;
  /** Parameters in their written order (names are unique). */
  readonly params: ReadonlyMap<string, string>;
  /** The decoded salt. */
  readonly salt: Uint8Array<ArrayBuffer>;
  /** The decoded hash output. */
  readonly hash: Uint8Array<ArrayBuffer>;
}

const ID = /^[a-z0-9-]{1,32}$/;
const PARAM = /^([a-z0-9-]{1,32})=([A-Za-z0-9/+.-]{1,64})$/;
const DECIMAL = /^(?:0|[1-9][0-9]{0,9})$/;

/**
 * A decimal parameter value as a number: no sign, no leading zero, at most
 * 2^32 − 1. `undefined` otherwise.
 * @internal
 */
export function parseDecimal(text: string | undefined): number | undefined {
  if (text === undefined || !DECIMAL.test(text)) return undefined;
  const n = Number(text);
  return n <= 0xffff_ffff ? n : undefined;
}

/**
 * Parses a complete PHC string (with salt and hash, both in unpadded standard
 * base64). Returns `null` for anything malformed, including strings over 1024
 * characters, duplicate parameter names and non-canonical base64. Never throws.
 *
 * @example
 * ```ts
 * const phc = parsePhc('$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHQ$aGFzaA');
 * phc?.id;                 // 'argon2id'
 * phc?.params.get('m');    // '19456'
 * ```
 */
export function parsePhc(stored: string): PhcString | null {
  if (typeof stored !== 'string' || stored.length > MAX_STORED_LENGTH || !stored.startsWith('$')) return null;
  const fields = stored.slice(1).split('$');
  const id = fields[0];
  if (id === undefined || !ID.test(id)) return null;
  let i = 1;
  let version: number | undefined;
  const v = fields[i];
  if (v !== undefined && v.startsWith('v=') && !v.includes(',')) {
    version = parseDecimal(v.slice(2));
    if (version === undefined) return null;
    i++;
  }
  const params = new Map<string, string>();
  const p = fields[i];
  if (p !== undefined && p.includes('=')) {
    for (const pair of p.split(',')) {
      const match = PARAM.exec(pair);
      if (match === null || params.has(match[1] as string)) return null;
      params.set(match[1] as string, match[2] as string);
    }
    i++;
  }
  if (fields.length !== i + 2) return null;
  const salt = decodeB64(fields[i] as string);
  const hash = decodeB64(fields[i + 1] as string);
  if (salt === null || hash === null || salt.length === 0 || hash.length === 0) return null;
  return Object.freeze({ id, version, params, salt, hash });
}

/**
 * Writes a PHC string. Parameter values are written as given (decimal numbers for
 * every function Portcullis knows); salt and hash are encoded as unpadded standard base64.
 *
 * @example
 * ```ts
 * formatPhc({ id: 'pbkdf2-sha256', params: [['i', 600000]], salt, hash });
 * // '$pbkdf2-sha256$i=600000$…$…'
 * ```
 */
export function formatPhc(parts: {
  id: string;
  version?: number;
  params: ReadonlyArray<readonly [string, string | number]>;
  salt: Uint8Array;
  hash: Uint8Array;
}): string {
  let out = `$${parts.id}`;
  if (parts.version !== undefined) out += `$v=${parts.version}`;
  if (parts.params.length > 0) out += `$${parts.params.map(([name, value]) => `${name}=${value}`).join(',')}`;
  return `${out}$${encodeB64(parts.salt)}$${encodeB64(parts.hash)}`;
}
