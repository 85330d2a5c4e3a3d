import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { base64url as b64url } from '../../base64.js';
import type { Client } from '../../scenario.js';
import type { Control, HandlerResult, HandlerView } from '../../spec.js';

/** 2026-01-01T00:00:00Z: the JWT scenarios run on a clock they control. */
export const T0 = Date.UTC(2026, 0, 1);
export const T0S = T0 / 1000;

/** A clock a scenario controls: its backend's `clock` option reads it. */
export interface Clock {
  readonly now: () => number;
  set(ms: number): void;
  reset(): void;
}

export function frozenClock(start = T0): Clock {
  let t = start;
  return {
    now: () => t,
    set(ms: number) {
      t = ms;
    },
    reset() {
      t = start;
    },
  };
}

/**
 * The `clock` control of an app: sets `clock` to the milliseconds it is given, in
 * the process that runs the app (the test process for Node adapters, the runtime
 * for workerd, Bun and Deno), so a scenario moves time without sharing memory with the app.
 */
export function clockControl(clock: Clock): Control {
  return (now) => {
    clock.set(now as number);
  };
}

/** Moves the app's clock (its `clock` control: {@link clockControl}). */
export async function setClock(t: Client, now: number): Promise<void> {
  await t.control('clock', now);
}

export const ISSUER = 'https://app.example';
export const AUDIENCE = 'https://app.example/api';
/** The scenarios' HS256 secret: 32 fixed bytes (tests only). */
export const SECRET = new Uint8Array(32).map((_, i) => (i * 53 + 7) & 0xff);

/** The HS256 options the token-endpoint scenarios share: algorithm, secret, issuer, audience. */
export const HS256_OPTIONS = { algorithms: ['HS256' as const], secret: SECRET, issuer: ISSUER, audience: AUDIENCE };

export const REALM = 'Bearer realm="api"';
export const INVALID_TOKEN = `${REALM}, error="invalid_token"`;
export const INVALID_REQUEST = `${REALM}, error="invalid_request"`;
export const EXPIRED = `${REALM}, error="invalid_token", error_description="expired"`;
export const REVOKED = `${REALM}, error="invalid_token", error_description="revoked"`;

const encoder = new TextEncoder();

/** Base64url, unpadded; strings as UTF-8 (on btoa: the worker bundle has no `Buffer`). */
export { b64url };

/**
 * A compact JWS made with Web Crypto, for tokens `login()` would never issue
 * (no `exp`, `alg: none`, prototype keys…). `payload` may be a raw JSON string.
 */
export async function signJws(header: Record<string, unknown>, payload: Record<string, unknown> | string, key: Uint8Array | CryptoKey = SECRET): Promise<string> {
  const input = `${b64url(JSON.stringify(header))}.${b64url(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
  const data = encoder.encode(input);
  let signature: ArrayBuffer;
  if (key instanceof Uint8Array) {
    const hmac = await crypto.subtle.importKey('raw', new Uint8Array(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    signature = await crypto.subtle.sign('HMAC', hmac, data);
  } else if (key.algorithm.name === 'ECDSA') {
    signature = await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, data);
  } else {
    signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, data);
  }
  return `${input}.${b64url(new Uint8Array(signature))}`;
}

/** The claims of a valid token for the scenarios' issuer and audience. */
export function claims(extra: Record<string, unknown> = {}, now = T0): Record<string, unknown> {
  const iat = Math.floor(now / 1000);
  return { sub: 'alice', iss: ISSUER, aud: AUDIENCE, iat, exp: iat + 300, jti: crypto.randomUUID(), ...extra };
}

/**
 * Payloads (JSON text) of otherwise valid tokens whose date claims are refused as
 * invalid (401 `invalid_token`, never "expired"): an `iat` two minutes in the future
 * (no `maxTokenAge`, no leeway), and `exp`/`nbf`/`iat` that are not whole seconds from
 * 0 to 253402300799 (`1e400` is how JSON spells a number that parses to `Infinity`).
 */
export function badDatePayloads(extra: Record<string, unknown> = {}): string[] {
  const json = (dates: Record<string, unknown>) => JSON.stringify(claims({ ...extra, ...dates }));
  const { exp: _exp, ...noExp } = claims(extra);
  return [
    json({ iat: T0S + 120 }),
    json({ exp: 1e308 }),
    json({ exp: T0S + 300.5 }),
    json({ nbf: -1 }),
    json({ iat: String(T0S) }),
    `${JSON.stringify(noExp).slice(0, -1)},"exp":1e400}`,
  ];
}

/** Who the request is, its scopes and its token's subject. */
export function me(view: HandlerView): HandlerResult {
  return { json: { user: view.user.displayName, authenticated: view.user.isAuthenticated, scopes: view.auth.scopes } };
}

/** A JWKS server on 127.0.0.1 that counts its hits; it can be made slow. */
export interface JwksServer {
  readonly url: string;
  readonly hits: number;
  keys: JsonWebKey[];
  delay: number;
  close(): Promise<void>;
}

export async function startJwksServer(keys: JsonWebKey[] = []): Promise<JwksServer> {
  let hits = 0;
  let current = keys;
  let delay = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((_req, res) => {
    hits++;
    const answer = () => {
      if (res.destroyed) return;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: current }));
    };
    if (delay > 0) setTimeout(answer, delay).unref();
    else answer();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    get hits() {
      return hits;
    },
    get keys() {
      return current;
    },
    set keys(k: JsonWebKey[]) {
      current = k;
    },
    get delay() {
      return delay;
    },
    set delay(d: number) {
      delay = d;
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** An ES256 key pair and its public JWK (with `kid`, `alg`, `use`). */
export async function es256(kid: string): Promise<{ privateKey: CryptoKey; publicKey: CryptoKey; jwk: JsonWebKey }> {
  const pair = (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify'])) as CryptoKeyPair;
  const jwk = { ...(await crypto.subtle.exportKey('jwk', pair.publicKey)), kid, alg: 'ES256', use: 'sig' } as JsonWebKey;
  delete (jwk as { key_ops?: unknown }).key_ops;
  delete (jwk as { ext?: unknown }).ext;
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, jwk };
}
