import { createHash, timingSafeEqual } from 'node:crypto';
import jsonwebtoken from 'jsonwebtoken';

/**
 * The credentials every configuration accepts. One user, one password, one static
 * token, one HS256 key: the bench measures middleware, not a user store.
 */
export const USER = 'alice';
export const PASSWORD = 'correct horse battery staple';
export const WRONG_PASSWORD = 'correct horse battery stapler';
/** A static API token (token68 alphabet, as `Authorization: Token …` requires). */
export const TOKEN = 'pcb_4f6c1d9e2a7b83c05e19d7a4b6f20c8e';
export const WRONG_TOKEN = 'pcb_00000000000000000000000000000000';
/** The HS256 key shared by every JWT configuration (≥ 256 bits, as RFC 7518 §3.2 asks). */
export const JWT_SECRET = 'portcullis-bench-hs256-key-0123456789abcdef-not-a-real-secret';
/** Every JWT carries and every JWT configuration checks this issuer and audience (RFC 9068 access tokens). */
export const JWT_ISSUER = 'https://bench.portcullis.test';
export const JWT_AUDIENCE = 'bench';
/** Distinct tokens in the cold pool. */
export const JWT_POOL_SIZE = 10_000;

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, 'utf8').toString('base64')}`;
}

/** SHA-256 of a UTF-8 string. */
export const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();
const passwords = new Map<string, Buffer>([[USER, sha256(PASSWORD)]]);
const UNKNOWN_USER = sha256('\u0000unknown user');

/**
 * The in-memory "user store" check used by Portcullis Basic (until the verification
 * cache lands) and by the Passport Basic strategies, so those configurations differ only
 * in their middleware: SHA-256 of the presented password compared in constant time with
 * the stored digest; an unknown user costs the same as a wrong password.
 */
export function checkPassword(username: string, password: string): boolean {
  const expected = passwords.get(username);
  const same = timingSafeEqual(sha256(password), expected ?? UNKNOWN_USER);
  return same && expected !== undefined;
}

/**
 * An HS256 access token for `sub`, valid for a day: `typ: at+jwt`, `iss`, `aud`, `iat`,
 * `exp`, `sub` — what Portcullis JWT requires, and what the peers are configured to check.
 */
export function jwtFor(sub: string, secret: string = JWT_SECRET): string {
  return jsonwebtoken.sign({ sub }, secret, {
    algorithm: 'HS256',
    expiresIn: '1d',
    issuer: JWT_ISSUER,
    audience: JWT_AUDIENCE,
    header: { alg: 'HS256', typ: 'at+jwt' },
  });
}

let hot: string | undefined;
/** The one token the hot path reuses (`sub: alice`). */
export function jwtHot(): string {
  return (hot ??= jwtFor(USER));
}

/** A token signed with another key: well-formed, rejected. */
export function jwtForged(): string {
  return jwtFor(USER, `${JWT_SECRET}-other`);
}

/** The subject of the cold pool's i-th token. */
export const poolSubject = (i: number): string => `user-${i}`;

let cold: string[] | undefined;
/** The cold pool: {@link JWT_POOL_SIZE} distinct tokens (`sub: user-<i>`), built once per process. */
export function jwtColdPool(): readonly string[] {
  if (cold === undefined) {
    cold = [];
    for (let i = 0; i < JWT_POOL_SIZE; i++) cold.push(jwtFor(poolSubject(i)));
  }
  return cold;
}

/** Pools the load generator can draw header values from, one value per request, round robin. */
export type PoolName = 'jwt-cold';

export function poolValues(name: PoolName, prefix: string): readonly string[] {
  switch (name) {
    case 'jwt-cold':
      return jwtColdPool().map((t) => `${prefix}${t}`);
  }
}
