import { ConfigurationError } from '@portcullis/core';
import { hmacSha256 } from '@portcullis/core/adapter';
import { base64url, importJWK, type JWK, type JWTHeaderParameters } from 'jose';
import { familyOf, MIN_RSA_BITS, type AlgorithmFamily, type JwtAlgorithm } from './algorithms.js';
import { JwtError } from './errors.js';
import { remoteJwks, type KeySetStamp, type RemoteJwks, type RemoteJwksOptions } from './jwks.js';

/** A verification or signing key: a Web Crypto `CryptoKey`, or a JWK object (imported once, at construction). */
export type KeyInput = CryptoKey | JWK;

/**
 * One key, bound to one algorithm. Needed to mix HMAC and public-key algorithms in
 * one allowlist (JWT-04): each key is only ever used for its own `alg`.
 */
export interface JwtKey {
  /** The one algorithm this key is used for. */
  alg: JwtAlgorithm;
  /** Matched against the token header's `kid` when both are set. */
  kid?: string;
  /** HS256/384/512: the secret — random bytes (≥ 32/48/64) or an HMAC `CryptoKey`. Never a string. */
  secret?: Uint8Array | CryptoKey;
  /** RS/PS/ES/EdDSA: the public key tokens are verified with. */
  publicKey?: KeyInput;
  /** RS/PS/ES/EdDSA: the private key `login()` signs with (optional). */
  privateKey?: KeyInput;
}

/** How the JWT backends find their keys. `algorithms` is required: there is no default (JWT-03). */
export interface JwtKeyOptions {
  /**
   * The allowlist of JWS algorithms, e.g. `['HS256']` or `['RS256', 'ES256']`. A
   * token whose header names any other algorithm (`none`, `HS512` when `HS256` is
   * pinned…) is refused; the algorithm is never inferred from the token.
   */
  algorithms: readonly JwtAlgorithm[];
  /** Shorthand for HMAC-only allowlists: the secret of every HS algorithm listed. */
  secret?: Uint8Array | CryptoKey;
  /** Shorthand for a one-algorithm, public-key allowlist: the verification key. */
  publicKey?: KeyInput;
  /** Shorthand for a one-algorithm, public-key allowlist: the signing key for `login()`. */
  privateKey?: KeyInput;
  /** Keys typed per algorithm (and `kid`), for rotation or to mix HS with RS/PS/ES/EdDSA. */
  keys?: readonly JwtKey[];
  /** A remote JWK Set for the public-key algorithms listed (cached, with cooldown and timeout). */
  jwks?: RemoteJwksOptions;
}

interface Entry {
  readonly alg: JwtAlgorithm;
  readonly kid: string | undefined;
  readonly verify: Promise<CryptoKey> | undefined;
  readonly sign: Promise<CryptoKey> | undefined;
  /** HS256 with a secret given as bytes: the synchronous HMAC ({@link verifyHmac}); else `undefined`. */
  readonly mac: ((signingInput: string) => Uint8Array) | undefined;
}

/** Where a verification key came from, for the verified-token cache. */
export interface KeySource {
  /** Set when the key came from the remote JWKS: the fetch of the set it belongs to. */
  keySet: KeySetStamp | undefined;
}

/** The configured keys: checked and imported once, at construction. */
export interface KeyRing {
  readonly algorithms: readonly JwtAlgorithm[];
  /** Resolves the verification key for a token header (jose's key function). */
  resolve(header: JWTHeaderParameters, source: KeySource): Promise<CryptoKey>;
  /**
   * The synchronous HMAC of the key `resolve` would pick for this header, when that
   * key is an HS256 secret given as bytes; `undefined` when the token must go through
   * jose (any other algorithm or key, or no local key). Throws the `JwtError`s
   * `resolve` rejects with, in the same order.
   */
  macFor(header: Readonly<Record<string, unknown>>): ((signingInput: string) => Uint8Array) | undefined;
  /** True when some key has a synchronous HMAC (`macFor` can answer). */
  readonly hasMac: boolean;
  /** The key `login()` signs with: the first algorithm of the allowlist that has a private key or secret. */
  readonly signing: { readonly alg: JwtAlgorithm; readonly kid: string | undefined; readonly key: Promise<CryptoKey> } | undefined;
  /** Settles when every local key is imported; rejects with a `ConfigurationError` if one cannot be. */
  readonly ready: Promise<void>;
  /**
   * Synchronous: a key set stamp is still the remote JWKS's set in use and younger
   * than its `cacheMaxAge` (see `RemoteJwks.isCurrent`). False without a remote JWKS.
   */
  keySetCurrent(keySet: KeySetStamp): boolean;
}

const fail = (detail: string): never => {
  throw new ConfigurationError(`jwt: ${detail}`);
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isCryptoKey(value: unknown): value is CryptoKey {
  return typeof CryptoKey === 'function' && value instanceof CryptoKey;
}

function isBytes(value: unknown): value is Uint8Array {
  return Object.prototype.toString.call(value) === '[object Uint8Array]';
}

/**
 * Checks the `algorithms` option and every key, imports them once, and builds the
 * resolver jose calls per token. Every mistake throws here, at startup: no
 * algorithm list (JWT-03), HS mixed with public-key algorithms without typed keys
 * (JWT-04), short HMAC secrets or RSA moduli (JWT-26), objects that are not keys
 * (JWT-27), an algorithm without a key.
 */
export function createKeyRing(options: JwtKeyOptions): KeyRing {
  const algorithms = checkAlgorithms(options.algorithms);
  const families = algorithms.map((alg) => familyOf(alg) as AlgorithmFamily);
  const hasHmac = families.some((f) => f.kind === 'hmac');
  const hasAsymmetric = families.some((f) => f.kind !== 'hmac');
  const shorthand = options.secret !== undefined || options.publicKey !== undefined || options.privateKey !== undefined;
  if (hasHmac && hasAsymmetric && shorthand) {
    fail('algorithms mix HMAC and public-key algorithms: give every key with its own alg in `keys` (JWT-04)');
  }

  const entries: Entry[] = [];
  const imports: Promise<unknown>[] = [];
  const track = <T>(p: Promise<T>): Promise<T> => {
    p.catch(() => undefined); // surfaced through `ready` and the first request; never unhandled
    imports.push(p);
    return p;
  };

  if (options.secret !== undefined) {
    if (hasAsymmetric) fail('`secret` is for HMAC (HS*) algorithms only');
    for (const alg of algorithms) entries.push(hmacEntry(alg, undefined, options.secret, track));
  }
  if (options.publicKey !== undefined || options.privateKey !== undefined) {
    if (hasHmac) fail('`publicKey`/`privateKey` are for public-key algorithms only; HMAC needs `secret`');
    if (algorithms.length !== 1) fail('`publicKey`/`privateKey` shorthands need exactly one algorithm; use `keys` for several');
    entries.push(asymmetricEntry(algorithms[0] as JwtAlgorithm, undefined, options.publicKey, options.privateKey, track));
  }
  if (options.keys !== undefined) {
    if (!Array.isArray(options.keys)) fail('`keys` must be an array');
    for (const key of options.keys as readonly JwtKey[]) {
      if (!isPlainObject(key)) fail('every entry of `keys` must be an object { alg, kid?, secret | publicKey, privateKey? }');
      const family = familyOf(key.alg);
      if (family === undefined) fail('every entry of `keys` needs a supported `alg`');
      if (!algorithms.includes(key.alg)) fail('a key in `keys` names an alg that is not in `algorithms`');
      if (key.kid !== undefined && (typeof key.kid !== 'string' || key.kid === '')) fail('`kid` must be a non-empty string');
      if ((family as AlgorithmFamily).kind === 'hmac') {
        if (key.publicKey !== undefined || key.privateKey !== undefined) fail('an HS* key takes `secret`, not `publicKey`/`privateKey`');
        if (key.secret === undefined) fail('an HS* key needs `secret`');
        entries.push(hmacEntry(key.alg, key.kid, key.secret as Uint8Array | CryptoKey, track));
      } else {
        if (key.secret !== undefined) fail('a public-key algorithm takes `publicKey`/`privateKey`, not `secret`');
        entries.push(asymmetricEntry(key.alg, key.kid, key.publicKey, key.privateKey, track));
      }
    }
  }

  let remote: RemoteJwks | undefined;
  if (options.jwks !== undefined) {
    if (!hasAsymmetric) fail('`jwks` needs at least one public-key algorithm in `algorithms`');
    remote = remoteJwks(options.jwks);
  }

  for (const alg of algorithms) {
    const family = familyOf(alg) as AlgorithmFamily;
    const covered = entries.some((e) => e.alg === alg && e.verify !== undefined) || (family.kind !== 'hmac' && remote !== undefined);
    if (!covered) fail(`no key for ${alg}: every algorithm in the allowlist needs a key`);
  }

  const frozen = Object.freeze([...entries]);
  const signingEntry = algorithms
    .map((alg) => frozen.find((e) => e.alg === alg && e.sign !== undefined))
    .find((e): e is Entry => e !== undefined);
  const ready = Promise.all(imports).then(
    () => undefined,
    (cause: unknown) => {
      throw cause instanceof ConfigurationError ? cause : new ConfigurationError('jwt: a key could not be imported');
    },
  );
  ready.catch(() => undefined);

  return Object.freeze({
    algorithms,
    signing: signingEntry === undefined ? undefined : Object.freeze({ alg: signingEntry.alg, kid: signingEntry.kid, key: signingEntry.sign as Promise<CryptoKey> }),
    ready,
    hasMac: frozen.some((e) => e.mac !== undefined),
    keySetCurrent: (keySet: KeySetStamp): boolean => remote !== undefined && remote.isCurrent(keySet),
    async resolve(header: JWTHeaderParameters, source: KeySource): Promise<CryptoKey> {
      const entry = pick(header);
      if (entry !== undefined) {
        try {
          return await entry.verify as CryptoKey;
        } catch {
          throw new JwtError('key_not_found');
        }
      }
      if (remote !== undefined && (familyOf(header.alg) as AlgorithmFamily).kind !== 'hmac') {
        const { key, keySet } = await remote.resolve(header);
        source.keySet = keySet;
        return key;
      }
      throw new JwtError('key_not_found');
    },
    macFor(header: Readonly<Record<string, unknown>>) {
      const entry = pick(header);
      // No local key for an HS algorithm: what `resolve` would answer (HMAC keys are never remote).
      if (entry === undefined && (familyOf(header.alg) as AlgorithmFamily).kind === 'hmac') throw new JwtError('key_not_found');
      return entry?.mac;
    },
  });

  /**
   * The one local key for a token header, or `undefined` (none: the remote JWKS or
   * `key_not_found`). Throws a `JwtError` for what no key may be looked up for.
   */
  function pick(header: Readonly<Record<string, unknown>>): Entry | undefined {
    const { alg, kid } = header;
    // Nested JWTs and other content types are not supported (JWT-33).
    if (header.cty !== undefined) throw new JwtError('claim_invalid');
    if (kid !== undefined && typeof kid !== 'string') throw new JwtError('token_malformed');
    if (familyOf(alg) === undefined || !algorithms.includes(alg as JwtAlgorithm)) throw new JwtError('algorithm_not_allowed');
    // Keys named by the token (jku, x5u, jwk, x5c) are never read (JWT-20, JWT-21).
    const candidates = frozen.filter((e) => e.alg === alg && e.verify !== undefined && (e.kid === undefined || e.kid === kid));
    const exact = candidates.length > 1 ? candidates.filter((e) => e.kid !== undefined) : candidates;
    if (exact.length > 1) throw new JwtError('key_not_found');
    return exact[0];
  }
}

function checkAlgorithms(value: unknown): readonly JwtAlgorithm[] {
  if (value === undefined) fail('`algorithms` is required: pin the algorithms you accept, e.g. [\'HS256\'] (JWT-03)');
  if (!Array.isArray(value) || value.length === 0) fail('`algorithms` must be a non-empty array');
  const list = value as unknown[];
  for (const alg of list) {
    if (familyOf(alg) === undefined) fail('`algorithms` may only hold HS256/384/512, RS256/384/512, PS256/384/512, ES256/384/512, EdDSA, Ed25519');
  }
  if (new Set(list).size !== list.length) fail('`algorithms` lists an algorithm twice');
  return Object.freeze([...(list as JwtAlgorithm[])]);
}

function hmacEntry(
  alg: JwtAlgorithm,
  kid: string | undefined,
  secret: Uint8Array | CryptoKey,
  track: <T>(p: Promise<T>) => Promise<T>,
): Entry {
  const family = familyOf(alg) as AlgorithmFamily;
  const min = family.minSecretBytes as number;
  if (isBytes(secret)) {
    if (secret.length < min) fail(`the ${alg} secret must be at least ${min} random bytes (JWT-26)`);
    const copy = new Uint8Array(secret); // later changes to the caller's buffer do not reach us
    const key = track(
      crypto.subtle.importKey('raw', copy, { name: 'HMAC', hash: family.hash as string }, false, ['sign', 'verify']) as Promise<CryptoKey>,
    );
    // HS256 also gets the core's synchronous HMAC-SHA256: no promise per token (verify-hmac.ts).
    const mac = family.hash === 'SHA-256' ? hmacSha256(copy) : undefined;
    return Object.freeze({ alg, kid, verify: key, sign: key, mac });
  }
  if (isCryptoKey(secret)) {
    const algorithm = secret.algorithm as HmacKeyAlgorithm;
    if (secret.type !== 'secret' || algorithm.name !== 'HMAC' || algorithm.hash?.name !== family.hash) {
      fail(`the ${alg} secret must be an HMAC ${family.hash as string} CryptoKey`);
    }
    if (typeof algorithm.length !== 'number' || algorithm.length < min * 8) fail(`the ${alg} secret must be at least ${min} bytes (JWT-26)`);
    if (!secret.usages.includes('verify')) fail(`the ${alg} CryptoKey must allow "verify"`);
    const key = Promise.resolve(secret);
    return Object.freeze({ alg, kid, verify: key, sign: secret.usages.includes('sign') ? key : undefined, mac: undefined });
  }
  if (typeof secret === 'string') fail(`the ${alg} secret must be bytes (Uint8Array) or a CryptoKey, not a string`);
  return fail(`the ${alg} secret must be a Uint8Array or an HMAC CryptoKey (JWT-27)`);
}

function asymmetricEntry(
  alg: JwtAlgorithm,
  kid: string | undefined,
  publicKey: KeyInput | undefined,
  privateKey: KeyInput | undefined,
  track: <T>(p: Promise<T>) => Promise<T>,
): Entry {
  if (publicKey === undefined && privateKey === undefined) fail(`a ${alg} key needs \`publicKey\` (and optionally \`privateKey\`)`);
  if (publicKey === undefined) fail(`a ${alg} key needs \`publicKey\` to verify tokens`);
  const verify = track(importAsymmetric(alg, publicKey as KeyInput, 'public'));
  const sign = privateKey === undefined ? undefined : track(importAsymmetric(alg, privateKey, 'private'));
  return Object.freeze({ alg, kid, verify, sign, mac: undefined });
}

/** Checks a key synchronously (throws at construction) and returns its import. */
function importAsymmetric(alg: JwtAlgorithm, key: KeyInput, type: 'public' | 'private'): Promise<CryptoKey> {
  const family = familyOf(alg) as AlgorithmFamily;
  const usage = type === 'public' ? 'verify' : 'sign';
  if (isCryptoKey(key)) {
    if (key.type !== type) fail(`the ${alg} ${type} key is a ${key.type} CryptoKey`);
    checkCryptoKeyAlgorithm(alg, family, key.algorithm);
    if (!key.usages.includes(usage)) fail(`the ${alg} ${type} CryptoKey must allow "${usage}"`);
    return Promise.resolve(key);
  }
  if (!isPlainObject(key) || typeof key.kty !== 'string') {
    return fail(`the ${alg} ${type} key must be a CryptoKey or a JWK object (JWT-27)`);
  }
  const jwk = key as JWK;
  if (jwk.kty !== family.kty) fail(`the ${alg} ${type} key must be a ${family.kty} JWK`);
  if (jwk.alg !== undefined && jwk.alg !== alg) fail(`the ${alg} ${type} JWK names another alg`);
  if (jwk.use !== undefined && jwk.use !== 'sig') fail(`the ${alg} ${type} JWK is not a signature key (use)`);
  if (type === 'public' && jwk.d !== undefined) fail(`the ${alg} public key is a private JWK: pass it as privateKey`);
  if (type === 'private' && typeof jwk.d !== 'string') fail(`the ${alg} private key JWK has no "d"`);
  if (family.kty === 'RSA') {
    if (typeof jwk.n !== 'string') fail(`the ${alg} JWK has no modulus`);
    if (rsaBits(jwk.n as string) < MIN_RSA_BITS) fail(`RSA keys must be at least ${MIN_RSA_BITS} bits (JWT-26)`);
  } else if (jwk.crv !== family.curve) {
    fail(`the ${alg} JWK must be on curve ${family.curve as string}`);
  }
  const { key_ops: _ops, ext: _ext, ...material } = jwk;
  return importJWK({ ...material, alg }, alg, { extractable: false }).then(
    (imported) => {
      if (!isCryptoKey(imported)) throw new ConfigurationError(`jwt: the ${alg} JWK is not a ${type} key`);
      return imported;
    },
    () => {
      throw new ConfigurationError(`jwt: the ${alg} ${type} JWK could not be imported`);
    },
  );
}

function checkCryptoKeyAlgorithm(alg: JwtAlgorithm, family: AlgorithmFamily, algorithm: KeyAlgorithm): void {
  const name = algorithm.name;
  switch (family.kind) {
    case 'rsa':
    case 'rsa-pss': {
      const rsa = algorithm as RsaHashedKeyAlgorithm;
      const expected = family.kind === 'rsa' ? 'RSASSA-PKCS1-v1_5' : 'RSA-PSS';
      if (name !== expected || rsa.hash?.name !== family.hash) fail(`the ${alg} CryptoKey must be ${expected} with ${family.hash as string}`);
      if (typeof rsa.modulusLength !== 'number' || rsa.modulusLength < MIN_RSA_BITS) fail(`RSA keys must be at least ${MIN_RSA_BITS} bits (JWT-26)`);
      return;
    }
    case 'ecdsa':
      if (name !== 'ECDSA' || (algorithm as EcKeyAlgorithm).namedCurve !== family.curve) fail(`the ${alg} CryptoKey must be ECDSA on ${family.curve as string}`);
      return;
    case 'eddsa':
      if (name !== 'Ed25519') fail(`the ${alg} CryptoKey must be Ed25519`);
      return;
    case 'hmac':
      fail(`the ${alg} key must be a public-key CryptoKey`);
  }
}

function rsaBits(n: string): number {
  let bytes: Uint8Array;
  try {
    bytes = base64url.decode(n);
  } catch {
    return fail('the RSA JWK modulus is not base64url');
  }
  let i = 0;
  while (i < bytes.length && bytes[i] === 0) i++;
  if (i === bytes.length) return 0;
  return (bytes.length - i - 1) * 8 + (32 - Math.clz32(bytes[i] as number));
}
