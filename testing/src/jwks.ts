import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ConfigurationError, type BaseUser } from '@portcullis/core';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
import { assertNotProduction } from './guard.js';
import type { Credential, CredentialSource, LoginOptions } from './login.js';

/** The algorithms {@link testJwks} makes keys for. */
export type TestJwksAlgorithm = 'ES256' | 'RS256' | 'EdDSA';

/** Options of {@link testJwks}. */
export interface TestJwksOptions {
  /** The signing algorithm. Default `ES256`. */
  readonly alg?: TestJwksAlgorithm;
  /** The `iss` of the tokens. Default `https://issuer.test`. */
  readonly issuer?: string;
  /** The `aud` of the tokens. Default `https://api.test`. */
  readonly audience?: string;
  /** The clock `iat`/`exp` are computed from (a `testClock()`). Default `Date.now`. */
  readonly clock?: () => number;
  /** Lifetime of signed tokens, in seconds. Default 300. */
  readonly expiresIn?: number;
  /** The `typ` header. Default `at+jwt` (RFC 9068, what `jwtAuth` requires by default). */
  readonly typ?: string;
}

/** Departures from a valid token, for the refusals your app must answer. */
export interface TestSignOptions {
  /** Sign with a key that is not in the JWKS (same `kid` as the current key). */
  readonly wrongKey?: boolean;
  /**
   * Issue the token in the past so that it expired an hour ago
   * ({@link EXPIRED_FOR} seconds): refused under any `clockTolerance` that
   * `jwtAuth` accepts (at most 300 s), not only under none.
   */
  readonly expired?: boolean;
  /** Another `iss`. */
  readonly issuer?: string;
  /** Another `aud`. */
  readonly audience?: string;
  /** Another lifetime, in seconds. */
  readonly expiresIn?: number;
}

/** What `jwtAuth` needs to trust the test JWKS (spread it into its options). */
export interface TestJwksJwtOptions {
  /** The one algorithm of the test keys (pinned, as `jwtAuth` requires). */
  readonly algorithms: readonly [TestJwksAlgorithm];
  /** The JWKS URL, and no refetch cooldown (so a `rotate()` is seen by the next token with the new `kid`). */
  readonly jwks: {
    /** The test JWKS URL. */
    readonly url: string;
    /** 0: an unknown `kid` is fetched at once. */
    readonly cooldownDuration: number;
  };
  /** The `iss` the tokens carry. */
  readonly issuer: string;
  /** The `aud` the tokens carry. */
  readonly audience: string;
}

/**
 * A throwaway key pair behind a JWKS server on 127.0.0.1 (see {@link testJwks}).
 * Also a credential source: `loginAs(jwks, user, { scopes })` signs a token for
 * the user (`sub` = `user.identity`, `scope` = the scopes).
 */
export interface TestJwks extends CredentialSource {
  /** The JWKS URL (`http://127.0.0.1:<port>/.well-known/jwks.json`). */
  readonly url: string;
  /** How many requests the server answered. */
  readonly hits: number;
  /** The `kid` of the key that signs now. */
  readonly kid: string;
  /** The public keys the server publishes now. */
  readonly keys: readonly JWK[];
  /** The `iss` of the tokens it signs. */
  readonly issuer: string;
  /** The `aud` of the tokens it signs. */
  readonly audience: string;
  /** The algorithm of its keys. */
  readonly alg: TestJwksAlgorithm;
  /** The options for `jwtAuth({ ...jwks.jwtOptions(), retrieveUser })`. */
  jwtOptions(): TestJwksJwtOptions;
  /** Signs `claims` over a valid default (`sub`, `iss`, `aud`, `iat`, `exp`, `jti`), or one of the refusals of `options`. */
  sign(claims?: Record<string, unknown>, options?: TestSignOptions): Promise<string>;
  /**
   * Makes a new current key with a new `kid`. The old key stays published
   * unless `retire` is true, as identity providers rotate.
   */
  rotate(options?: {
    /** Stop publishing the old keys: tokens they signed are refused once the app refetches. */
    readonly retire?: boolean;
  }): Promise<void>;
  /**
   * Changes what the server answers, to test how the app copes with its provider:
   * `keys` is served as the set instead of the published keys (any JSON values, so
   * malformed keys too), `status` is another status (an outage), `delay` makes it
   * answer `delay` ms late (a slow provider). `serve()` goes back to normal.
   */
  serve(answer?: TestJwksAnswer): void;
  /** Stops the server (open connections are dropped). */
  close(): Promise<void>;
}

/** What {@link TestJwks.serve} makes the server answer. */
export interface TestJwksAnswer {
  /** The `keys` of the answer. Default: the published keys. */
  readonly keys?: readonly unknown[];
  /** The status. Default 200. */
  readonly status?: number;
  /** Milliseconds to wait before answering. Default 0. */
  readonly delay?: number;
}

/**
 * How long ago a `sign({}, { expired: true })` token expired, in seconds: an hour,
 * far past the largest `clockTolerance` `jwtAuth` accepts (300 s), so the token is
 * refused however much clock skew the app allows.
 *
 * @example
 * ```ts
 * const token = await jwks.sign({ sub: 'alice' }, { expired: true });
 * // exp = now - EXPIRED_FOR: refused even by jwtAuth({ clockTolerance: 300 })
 * ```
 */
export const EXPIRED_FOR = 3600;

interface Key {
  readonly kid: string;
  readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];
  readonly jwk: JWK;
}

let generation = 0;

async function newKey(alg: TestJwksAlgorithm): Promise<Key> {
  const kid = `test-${alg.toLowerCase()}-${++generation}-${crypto.randomUUID().slice(0, 8)}`;
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { kid, privateKey, jwk: Object.freeze({ ...(await exportJWK(publicKey)), alg, use: 'sig', kid }) };
}

/**
 * Starts a JWKS server on 127.0.0.1 (an ephemeral port) with a fresh key pair,
 * for apps that verify tokens with `jwtAuth({ jwks: { url } })`. It counts its
 * hits, rotates keys, and signs valid tokens or the refusals a test needs: a
 * wrong key, an expired time, another issuer or audience. Close it in `afterAll`.
 *
 * @example
 * ```ts
 * const clock = testClock();
 * const jwks = await testJwks({ issuer: 'https://id.example', audience: 'https://api.example', clock });
 * const backend = jwtAuth({ ...jwks.jwtOptions(), clock, retrieveUser: (t) => new SimpleUser(t.sub) });
 * const token = await jwks.sign({ sub: 'alice', scope: 'orders:read' });
 * const expired = await jwks.sign({ sub: 'alice' }, { expired: true });
 * await jwks.rotate();
 * await jwks.close();
 * ```
 */
export async function testJwks(options: TestJwksOptions = {}): Promise<TestJwks> {
  assertNotProduction();
  const alg = options.alg ?? 'ES256';
  if (!['ES256', 'RS256', 'EdDSA'].includes(alg)) throw new ConfigurationError('testJwks: alg must be ES256, RS256 or EdDSA');
  const issuer = options.issuer ?? 'https://issuer.test';
  const audience = options.audience ?? 'https://api.test';
  for (const [name, value] of [['issuer', issuer], ['audience', audience]] as const) {
    if (typeof value !== 'string' || value === '') throw new ConfigurationError(`testJwks: ${name} must be a non-empty string`);
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new ConfigurationError('testJwks: clock must be a function returning ms since the epoch');
  const lifetime = options.expiresIn ?? 300;
  const checkLifetime = (s: unknown): number => {
    if (typeof s !== 'number' || !Number.isInteger(s) || s <= 0) throw new ConfigurationError('testJwks: expiresIn must be a positive whole number of seconds');
    return s;
  };
  checkLifetime(lifetime);
  const typ = options.typ ?? 'at+jwt';

  let current = await newKey(alg);
  let published: Key[] = [current];
  // Never published: signs with the current kid, so only the signature is wrong.
  const stranger = await newKey(alg);
  let hits = 0;
  let answer: TestJwksAnswer = {};

  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    hits++;
    if (req.method !== 'GET' || req.url !== '/.well-known/jwks.json') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
      return;
    }
    const { keys = published.map((k) => k.jwk), status = 200, delay = 0 } = answer;
    const send = () => {
      if (res.destroyed) return;
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify({ keys }));
    };
    if (delay > 0) setTimeout(send, delay).unref();
    else send();
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;

  async function sign(claims: Record<string, unknown> = {}, how: TestSignOptions = {}): Promise<string> {
    assertNotProduction();
    const ttl = how.expiresIn === undefined ? lifetime : checkLifetime(how.expiresIn);
    const now = Math.floor(clock() / 1000);
    const iat = how.expired === true ? now - ttl - EXPIRED_FOR : now;
    const payload = {
      iss: how.issuer ?? issuer,
      aud: how.audience ?? audience,
      iat,
      exp: iat + ttl,
      jti: crypto.randomUUID(),
      ...claims,
    };
    const key = how.wrongKey === true ? stranger.privateKey : current.privateKey;
    return new SignJWT(payload).setProtectedHeader({ alg, typ, kid: current.kid }).sign(key);
  }

  const jwks: TestJwks = {
    url,
    get hits() {
      return hits;
    },
    get kid() {
      return current.kid;
    },
    get keys() {
      return Object.freeze(published.map((k) => k.jwk));
    },
    issuer,
    audience,
    alg,
    jwtOptions: () => Object.freeze({ algorithms: [alg] as const, jwks: Object.freeze({ url, cooldownDuration: 0 }), issuer, audience }),
    sign,
    async rotate(rotation = {}) {
      assertNotProduction();
      const next = await newKey(alg);
      published = rotation.retire === true ? [next] : [next, ...published];
      current = next;
    },
    serve(next = {}) {
      assertNotProduction();
      const { keys, status, delay } = next;
      if (keys !== undefined && !Array.isArray(keys)) throw new ConfigurationError('testJwks.serve: keys must be an array');
      if (status !== undefined && (!Number.isInteger(status) || status < 200 || status > 599)) throw new ConfigurationError('testJwks.serve: status must be an HTTP status from 200 to 599');
      if (delay !== undefined && (typeof delay !== 'number' || !Number.isFinite(delay) || delay < 0)) throw new ConfigurationError('testJwks.serve: delay must be a non-negative number of ms');
      answer = Object.freeze({ ...next });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
    async credentialFor(user: BaseUser, login: LoginOptions): Promise<Credential> {
      if (login.data !== undefined) throw new ConfigurationError('testJwks: data is for sessions; put claims in the token with jwks.sign(claims)');
      const claims: Record<string, unknown> = { sub: user.identity };
      if (login.scopes !== undefined && login.scopes.length > 0) claims.scope = login.scopes.join(' ');
      const token = await sign(claims);
      return Object.freeze({ kind: 'bearer' as const, headers: Object.freeze({ authorization: `Bearer ${token}` }), value: token });
    },
  };
  return Object.freeze(jwks);
}
