import { AuthenticationError, SimpleUser, type Connection } from '@portcullis/core';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { testClock, testJwks, type TestClock } from '@portcullis/testing';
import { expect } from 'vitest';
import { isJwtError, type JwtAuthOptions, type JwtErrorCode } from '../src/index.js';
import { FIXED_NOW, conn } from '../../test-support/connection.js';

/** 2026-01-01T00:00:00Z: every test runs on this frozen clock unless it moves it. */
export const T0 = FIXED_NOW;
export const T0S = T0 / 1000;

/** A clock the test controls: the kit's `testClock`, from T0 unless told otherwise. */
export const frozenClock = (start = T0): TestClock => testClock(start);

export const ISSUER = 'https://issuer.example';
export const AUDIENCE = 'api://orders';
export const SECRET = new Uint8Array(32).map((_, i) => (i * 37 + 11) & 0xff);
export const encoder = new TextEncoder();

export const users = new Map<string, SimpleUser>([
  ['alice', new SimpleUser('alice')],
  ['bob', new SimpleUser('bob')],
  ['u', new SimpleUser('u')],
]);
export const retrieveUser = (token: { sub: string }): SimpleUser | undefined => users.get(token.sub);

/** `jwtAuth` options of the unit tests: HS256 with {@link SECRET}, the frozen clock, no cache; `extra` wins. */
export function hsOptions(extra: Partial<JwtAuthOptions<SimpleUser>> = {}): JwtAuthOptions<SimpleUser> {
  return { algorithms: ['HS256'], secret: SECRET, issuer: ISSUER, audience: AUDIENCE, retrieveUser, clock: () => T0, cache: false, ...extra };
}

/** A connection for unit tests: `Authorization: Bearer <token>` unless headers say otherwise. */
export function connection(options: { token?: string; headers?: Record<string, string>; method?: string; target?: string; now?: number } = {}): Connection {
  const headers: Record<string, string> = { ...(options.headers ?? {}) };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  return conn({ method: options.method, target: options.target ?? '/me', headers, now: options.now ?? T0 });
}

/** Signs claims with jose (defaults: a valid token for ISSUER/AUDIENCE, exp = now + 300 s, typ at+jwt). */
export async function sign(
  claims: Record<string, unknown>,
  options: { key?: CryptoKey | Uint8Array; alg?: string; header?: Record<string, unknown>; omit?: readonly string[] } = {},
): Promise<string> {
  const payload: Record<string, unknown> = {
    sub: 'alice',
    iss: ISSUER,
    aud: AUDIENCE,
    iat: T0S,
    exp: T0S + 300,
    jti: crypto.randomUUID(),
    ...claims,
  };
  for (const name of options.omit ?? []) delete payload[name];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: options.alg ?? 'HS256', typ: 'at+jwt', ...(options.header ?? {}) })
    .sign(options.key ?? SECRET);
}

export function b64url(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return Buffer.from(bytes).toString('base64url');
}

/** JSON text that {@link handmade} uses verbatim: numbers `JSON.stringify` cannot write (`1e400`), duplicate keys… */
export class RawJson {
  constructor(readonly text: string) {}
}

/** A JWS built by hand: any header, any payload, HMAC-SHA256 with the given secret (or a given signature). */
export async function handmade(header: unknown, payload: unknown, secret: Uint8Array | null = SECRET, signature?: string): Promise<string> {
  const json = (value: unknown) => (value instanceof RawJson ? value.text : JSON.stringify(value));
  const input = `${b64url(json(header))}.${b64url(json(payload))}`;
  if (signature !== undefined || secret === null) return `${input}.${signature ?? ''}`;
  const key = await crypto.subtle.importKey('raw', new Uint8Array(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const mac = new Uint8Array(await crypto.subtle.sign('HMAC', key, encoder.encode(input)));
  return `${input}.${b64url(mac)}`;
}

/** The JwtError code of a refusal (the cause of the core AuthenticationError). */
export async function refusal(promise: Promise<unknown> | unknown): Promise<{ status: string; code: JwtErrorCode | undefined; challenge: string | undefined }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(AuthenticationError);
    const e = error as AuthenticationError;
    return { status: e.code, code: isJwtError(e.cause) ? e.cause.code : undefined, challenge: e.challenge };
  }
  throw new Error('expected a refusal, got a principal');
}

export const REALM = 'Bearer realm="api"';
export const INVALID_TOKEN = `${REALM}, error="invalid_token"`;

/** An ES256 or RS256 key pair with its public JWK. */
export async function keyPair(alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA', kid?: string, options: { modulusLength?: number } = {}) {
  // jose refuses to generate RSA keys under 2048 bits; Web Crypto makes the weak ones the tests need.
  const pair =
    options.modulusLength !== undefined
      ? ((await crypto.subtle.generateKey(
          { name: 'RSASSA-PKCS1-v1_5', modulusLength: options.modulusLength, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
          true,
          ['sign', 'verify'],
        )) as CryptoKeyPair)
      : await generateKeyPair(alg, { extractable: true });
  const jwk: JWK = { ...(await exportJWK(pair.publicKey)), alg, use: 'sig', ...(kid ? { kid } : {}) };
  return { ...pair, jwk };
}

/** A JWKS server on 127.0.0.1 that counts its hits; its answer can be changed, delayed or broken. */
export interface JwksServer {
  readonly url: string;
  readonly hits: number;
  keys: JWK[];
  /** ms to wait before answering (DOS-06). */
  delay: number;
  /** A status other than 200 to answer with. */
  status: number;
  close(): Promise<void>;
}

/** The kit's JWKS server (`@portcullis/testing`), serving these tests' own keys. */
export async function jwksServer(keys: JWK[] = []): Promise<JwksServer> {
  const kit = await testJwks();
  const answer = { keys, delay: 0, status: 200 };
  const serve = <K extends keyof typeof answer>(name: K, value: (typeof answer)[K]): void => {
    answer[name] = value;
    kit.serve(answer);
  };
  kit.serve(answer);
  return {
    url: kit.url,
    get hits() {
      return kit.hits;
    },
    get keys() {
      return answer.keys;
    },
    set keys(k: JWK[]) {
      serve('keys', k);
    },
    get delay() {
      return answer.delay;
    },
    set delay(d: number) {
      serve('delay', d);
    },
    get status() {
      return answer.status;
    },
    set status(s: number) {
      serve('status', s);
    },
    close: () => kit.close(),
  };
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
