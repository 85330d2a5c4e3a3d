/**
 * Connections and decision readers for the tests of every package: one `conn()`
 * instead of a builder per test file (a helper written twice drifts).
 *
 * Built on the core's source (`core/src`), so the core's own tests and this helper
 * share one module; a `Connection` is plain data, so other packages' tests can hand
 * it to their code built from `@portcullis/core` just the same.
 */
import { expect } from 'vitest';
import type { TrustedProxies } from '../core/src/client-address.js';
import { addressingOf, createConnection, type Connection } from '../core/src/connection.js';
import { ConfigurationError } from '../core/src/errors.js';
import type { SessionPort } from '../core/src/session/port.js';

/** The frozen clock of the tests: 2026-01-01T00:00:00Z. */
export const FIXED_NOW = Date.UTC(2026, 0, 1);

/** What {@link conn} builds a request from; every field is optional. */
export interface ConnOptions {
  /** `'GET'` unless given. */
  method?: string;
  /** Path and query, relative; `'/'` unless given. */
  target?: string;
  /** Request headers; names in any case (they are looked up lower-cased). */
  headers?: Readonly<Record<string, string>>;
  /** Every `Authorization` field line, when a test needs duplicates kept apart (Node's `rawHeaders`). */
  authorization?: readonly string[];
  /** Cookies, sent as one `Cookie` header (after a `cookie` given in `headers`). */
  cookies?: Readonly<Record<string, string>>;
  /** The clock: a fixed instant or a function; {@link FIXED_NOW} unless given. */
  now?: number | (() => number);
  /** The request's session port. */
  session?: SessionPort;
  /** `http` or `websocket`; detected from the headers unless given. */
  kind?: 'http' | 'websocket';
  /** The socket peer's address, as a runtime reports it; none unless given. */
  peerAddress?: string;
  /** The compiled `trustedProxies` (`compileTrustedProxies(...)`); none unless given. */
  trustedProxies?: TrustedProxies;
}

/**
 * A {@link Connection} as an adapter would build it, for unit tests of backends,
 * guards and the response table.
 *
 * @example
 * ```ts
 * const c = conn({ target: '/admin?x=1', headers: { Accept: 'application/json' }, authorization: ['Basic a', 'Basic b'] });
 * ```
 */
export function conn({ method = 'GET', target = '/', headers = {}, authorization, cookies, now = FIXED_NOW, session, kind, peerAddress, trustedProxies }: ConnOptions = {}): Connection {
  // A Map, not an object: `constructor` and other inherited names are absent, as on a real request.
  const map = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) map.set(name.toLowerCase(), value);
  if (cookies !== undefined) {
    const line = Object.entries(cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const before = map.get('cookie');
    map.set('cookie', before === undefined ? line : `${before}; ${line}`);
  }
  return createConnection({
    kind,
    method,
    target,
    header: (name) => map.get(name),
    authorization,
    now: typeof now === 'number' ? () => now : now,
    session,
    peerAddress,
    trustedProxies,
  });
}

/** A decision of the authenticator (`respond` or `continue`), as far as the readers below need it. */
interface Decision {
  readonly type: string;
}
type ResponseIn<D> = Extract<D, { type: 'respond' }> extends { readonly response: infer R } ? R : never;
type ProceedIn<D> = Extract<D, { type: 'continue' }>;

/**
 * The response of a `respond` decision; throws for `continue`. A promise (an async
 * answer where a sync one was expected) is refused too.
 *
 * @example
 * ```ts
 * expect(responseOf(authenticator.authenticate(conn())).status).toBe(401);
 * ```
 */
export function responseOf<D extends Decision>(decision: D | Promise<D>): ResponseIn<D> {
  if (decision instanceof Promise) throw new Error('expected a decision, got a promise');
  if (decision.type !== 'respond') throw new Error(`expected a response, got ${decision.type}`);
  return (decision as unknown as { response: ResponseIn<D> }).response;
}

/**
 * The `continue` decision itself (user and auth); throws for a response, naming its status.
 *
 * @example
 * ```ts
 * expect(proceedOf(await authenticator.authenticate(conn())).auth.scopes).toEqual([]);
 * ```
 */
export function proceedOf<D extends Decision>(decision: D): ProceedIn<D> {
  if (decision.type !== 'continue') {
    const { response } = decision as unknown as { response?: { status?: number } };
    throw new Error(`expected continue, got ${response?.status ?? decision.type}`);
  }
  return decision as ProceedIn<D>;
}

/**
 * The user of a `continue` decision; throws for a response, naming its status.
 *
 * @example
 * ```ts
 * expect(userOf(await authenticator.authenticate(conn())).isAuthenticated).toBe(false);
 * ```
 */
export function userOf<D extends Decision>(decision: D): ProceedIn<D> extends { readonly user: infer U } ? U : never {
  return (proceedOf(decision) as unknown as { user: ProceedIn<D> extends { readonly user: infer U } ? U : never }).user;
}

/**
 * The `error` of a JSON body (`{"error":"<code>"}`).
 *
 * @example
 * ```ts
 * expect(jsonErrorOf(responseOf(decision))).toBe('invalid_token');
 * ```
 */
export function jsonErrorOf(response: { readonly body: string }): string {
  return (JSON.parse(response.body) as { error: string }).error;
}

/**
 * What `fn` throws; fails the test when it returns.
 *
 * @example
 * ```ts
 * expect(thrown(() => basicScheme.read(c))).toBeInstanceOf(AuthenticationError);
 * ```
 */
export function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/**
 * The `code` of what `fn` throws, after checking that it is a `type` (an error class
 * with a `code`, such as the core's `AuthenticationError`).
 *
 * @example
 * ```ts
 * expect(codeThrown(() => parseBasic('!!!'), AuthenticationError)).toBe('malformed_credentials');
 * ```
 */
export function codeThrown<E extends { readonly code: string }>(fn: () => unknown, type: abstract new (...args: never[]) => E): E['code'] {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(type);
  return (error as E).code;
}

/**
 * The `ConfigurationError` that `fn` throws (checked: its class and its code,
 * `invalid_configuration`); fails the test when `fn` returns.
 *
 * @example
 * ```ts
 * configError(() => basicAuth({ realm: '', verify }));
 * ```
 */
export function configError(fn: () => unknown): ConfigurationError {
  const error = thrown(fn);
  expect(error).toBeInstanceOf(ConfigurationError);
  expect((error as ConfigurationError).code).toBe('invalid_configuration');
  return error as ConfigurationError;
}

/**
 * Asserts that two connections answer alike: every property, the cookies, the client
 * addressing and `header(name)` for each of `names` (the differential tests of the ways
 * a `Connection` is built: `createConnection`, `createConnectionFrom`, `connectionFromNode`).
 * `addressing` reads a connection's addressing: the core's source by default; a test of a
 * package built from `@portcullis/core` passes the built `addressingOf` (a connection of the
 * built core is not of the source's class, and the source's reader would see none).
 */
export function expectSameConnection(
  actual: Connection,
  expected: Connection,
  names: readonly string[],
  addressing: (connection: Connection) => unknown = addressingOf,
): void {
  expect(actual.method).toBe(expected.method);
  expect(actual.path).toBe(expected.path);
  expect(actual.query).toBe(expected.query);
  expect(actual.kind).toBe(expected.kind);
  expect(actual.authorization).toEqual(expected.authorization);
  expect(actual.now).toBe(expected.now);
  expect(actual.session).toBe(expected.session);
  expect([...actual.cookies]).toEqual([...expected.cookies]);
  expect(actual.peerAddress).toBe(expected.peerAddress);
  expect(actual.clientAddress).toBe(expected.clientAddress);
  expect(addressing(actual)).toBeDefined();
  expect(addressing(actual)).toEqual(addressing(expected));
  for (const name of names) expect(actual.header(name), name).toBe(expected.header(name));
}
