import { escapeForLog } from '../authenticator.js';
import { privateSlot } from '../request-state.js';
import type { Connection } from '../connection.js';
import type { BaseUser } from '../user.js';
import { META_KEY, type SessionEvent } from './config.js';
import { logId } from './encoding.js';
import { SessionError, isSessionError } from './errors.js';
import type { SessionPort } from './port.js';
import type { SessionData } from './store.js';

/** What Portcullis keeps in a logged-in session besides the app's data. */
export interface SessionMeta {
  /** When `login` created the session (ms). The absolute timeout counts from here. */
  readonly created: number;
  /** The last request that refreshed it (ms). The idle timeout counts from here. */
  readonly seen: number;
  /**
   * When the user actively authenticated (ms), recorded by `login`: the session's
   * `auth.authTime`. Absent in sessions written before it was recorded (their
   * authentication time is unknown: a guard with `maxAge` asks for a new login).
   */
  readonly at?: number;
  /** The authentication methods `login` was told (`methods`, RFC 8176 `amr` values). */
  readonly amr?: readonly string[];
  /** The authentication context class `login` was told (`acr`). */
  readonly acr?: string;
}

/** Options of {@link login}: how the user authenticated, for step-up guards (`requires(…, { maxAge, acr, amr })`). */
export interface LoginOptions {
  /**
   * The authentication methods used for this login, as RFC 8176 `amr` values:
   * `['pwd']` for a password form, `['pwd', 'otp']` after a one-time code, `['hwk']`
   * for a passkey. Become `auth.amr` of the session's requests. Default none.
   */
  methods?: readonly string[];
  /** The authentication context class reached (an OpenID Connect `acr` value such as `urn:example:mfa`). Becomes `auth.acr`. */
  acr?: string;
}

/** At most this many methods, of at most 64 characters each, are recorded. */
const MAX_METHODS = 16;
const METHOD = /^[\u0021\u0023-\u005b\u005d-\u007e]{1,64}$/;
const ACR = /^[\u0021\u0023-\u005b\u005d-\u007e]{1,256}$/;

function isMethods(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.length <= MAX_METHODS && value.every((m) => typeof m === 'string' && METHOD.test(m));
}

function isAcr(value: unknown): value is string {
  return typeof value === 'string' && ACR.test(value);
}

/** A loaded session: the app's data, and the metadata of a logged-in session. */
export interface SessionState {
  /** What the app stored in the session. */
  readonly data: Readonly<SessionData>;
  /** Absent for a session that only holds pre-login data. */
  readonly meta: SessionMeta | undefined;
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE']);

/** True for methods that must not change state (RFC 9110 §9.2.1). */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method);
}

/** The session port of a connection, or `session_not_configured`. */
export function portOf(connection: Connection): SessionPort {
  const port = connection?.session;
  if (port === undefined) throw new SessionError('session_not_configured');
  return port;
}

/** Runs a store operation; anything but a `SessionError` becomes `session_store_unavailable`. */
export async function guarded<T>(connection: Connection, port: SessionPort, operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw storeFailure(connection, port, error);
  }
}

/** What a failed store operation rejects with (a `SessionError`); `session_store_unavailable` is logged. */
function storeFailure(connection: Connection, port: SessionPort, error: unknown): SessionError {
  const failure = isSessionError(error) ? error : new SessionError('session_store_unavailable', { cause: error });
  if (failure.code === 'session_store_unavailable') emit(connection, port, 'session_store_unavailable', undefined);
  return failure;
}

/** Sends a session event to the configured log; ids are hashed, never logged raw. */
export function emit(
  connection: Connection,
  port: SessionPort,
  event: SessionEvent['event'],
  id: string | undefined,
  hint?: string,
): void {
  const log = port.config.log;
  if (log === undefined) return;
  const base: SessionEvent = {
    event,
    method: escapeForLog(connection.method),
    path: escapeForLog(connection.path),
    ...(hint === undefined ? {} : { hint }),
  };
  const send = (sid: string | undefined) => {
    try {
      log(sid === undefined ? base : { ...base, sid });
    } catch {
      // A failing logger must not change the answer.
    }
  };
  if (id === undefined) send(undefined);
  else logId(id).then(send, () => send(undefined));
}

/**
 * Ports whose first load was checked for an unknown id (one event per request): a
 * private field stamped on the port (a per-request object), not a `WeakSet` entry per
 * request, an ephemeron every scavenge must trace (issue #17). A port that refuses the
 * field (should a runtime refuse private fields on non-extensible objects) is kept in
 * the `WeakSet`, as before.
 */
const checkedSlot = privateSlot<true>();
const checkedSet = new WeakSet<SessionPort>();

/** Marks the port's first load as checked; `false` when it already was. */
function firstCheck(port: SessionPort): boolean {
  if (checkedSlot.get(port) === true || checkedSet.has(port)) return false;
  try {
    checkedSlot.set(port, true);
  } catch {
    checkedSet.add(port);
  }
  return true;
}

/**
 * Loads the session (`port.get()`, fail closed). The first load of a request
 * that carried the session cookie but found no session — a forged, unknown,
 * expired-from-the-store or logged-out id, which is never adopted — logs
 * `session_unknown_id` (without a `sid`: the client chose that id).
 */
export async function loadSession(connection: Connection, port: SessionPort): Promise<Readonly<SessionData> | null> {
  // `guarded` inlined: one async step less on every session request.
  let data: Readonly<SessionData> | null;
  try {
    data = await port.get();
  } catch (error) {
    throw storeFailure(connection, port, error);
  }
  checkFirstLoad(connection, port, data);
  return data;
}

/** `loadSession`'s check of the request's first load (an unknown id is logged once). */
function checkFirstLoad(connection: Connection, port: SessionPort, data: Readonly<SessionData> | null): void {
  if (firstCheck(port)) {
    if (data === null && port.hasCookie && port.storedRecord?.() !== true) emit(connection, port, 'session_unknown_id', undefined);
  }
}

/** What `session_insecure_transport` tells the operator to do. */
const INSECURE_TRANSPORT_HINT =
  'the session cookie is Secure but this request came over plain HTTP: serve the app over HTTPS; behind a TLS-terminating proxy set trustProxy: true; for local plain-HTTP development set NODE_ENV=development';

/**
 * Throws the error `login` would throw before it touches the store:
 * `session_not_configured` (no session middleware), or
 * `session_insecure_transport` (a `Secure` cookie over plain HTTP; also logged,
 * with the fix in `hint`). Call it before work that must not happen unless a
 * session can be issued, such as creating an account at signup, so a refused
 * login does not leave the account behind (and a retry answering 409). The
 * adapters expose it as `assertCanLogin(req|ctx|c)`.
 *
 * @example
 * ```ts
 * assertCanLogin(connection);             // throws SessionError before anything is created
 * const user = await users.create(name, email, password);
 * await login(connection, user, { userId: user.id });
 * ```
 */
export function assertCanLogin(connection: Connection): void {
  const port = portOf(connection);
  if (port.config.cookie.secure && !port.secure) {
    emit(connection, port, 'session_insecure_transport', undefined, INSECURE_TRANSPORT_HINT);
    throw new SessionError('session_insecure_transport');
  }
}

/**
 * The stored shape of {@link SessionMeta} (the value under `META_KEY`), written since
 * issue #17: `c` whole seconds of `created` since the epoch and `m` its milliseconds
 * (0–999), `s` = `seen − created` and `a` = `at − created` in ms. Lossless, and every
 * field an integer below 2^31 (until 2038, and for sessions shorter than 24 days):
 * `JSON.stringify` writes such numbers without the shortest-double conversion that
 * three millisecond timestamps cost each time a session library hashes the record.
 * Times that are not safe integers (a custom clock) keep the original shape
 * (`created`, `seen`, `at` in ms), which is read as well: so are records written
 * before this shape.
 */
interface StoredMeta {
  readonly c: number;
  readonly m: number;
  readonly s: number;
  readonly a?: number;
  readonly amr?: readonly string[];
  readonly acr?: string;
}

/**
 * An integer in int32 range as an int32 (`x | 0`), anything else as it is: the same
 * number. Arithmetic on millisecond times (doubles) gives doubles even when the result
 * is a small integer, and an object literal built from them gets a double field layout
 * that `JSON.parse` then reuses for every record of this shape: each value boxed as a
 * heap number, written by `JSON.stringify` through the double conversion at every hash
 * koa-session takes of the record (issue #17).
 */
function int32(x: number): number {
  return (x | 0) === x ? x | 0 : x;
}

function isWholeMs(value: number): boolean {
  return Number.isSafeInteger(value) && value >= 0;
}

/**
 * What `login`, `touch` and `saveSession` store under `META_KEY`: the compact shape
 * ({@link StoredMeta}) when it holds the times exactly, the millisecond shape otherwise.
 */
export function storedMeta(meta: SessionMeta): StoredMeta | SessionMeta {
  const { created, seen, at, amr, acr } = meta;
  if (!isWholeMs(created) || !isWholeMs(seen) || (at !== undefined && !isWholeMs(at))) return meta;
  const m = int32(created % 1000);
  const stored: { c: number; m: number; s: number; a?: number; amr?: readonly string[]; acr?: string } = { c: int32((created - m) / 1000), m, s: int32(seen - created) };
  if (at !== undefined) stored.a = int32(at - created);
  if (amr !== undefined) stored.amr = amr;
  if (acr !== undefined) stored.acr = acr;
  return stored;
}

/** The metadata of a stored record (either shape), or `undefined` when it is not ours. */
export function metaOf(value: unknown): SessionMeta | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  const { c, m, s, a, created: ms, seen: seenMs, at: atMs, amr, acr } = value as Record<string, unknown>;
  let created: number, seen: number, at: number | undefined;
  if (c !== undefined) {
    // The compact shape, never mixed with the millisecond one.
    if (ms !== undefined || seenMs !== undefined || atMs !== undefined) return undefined;
    if (!isWholeMs(c as number) || !Number.isSafeInteger(m) || (m as number) < 0 || (m as number) > 999 || !Number.isSafeInteger(s)) return undefined;
    if (a !== undefined && !Number.isSafeInteger(a)) return undefined;
    created = (c as number) * 1000 + (m as number);
    seen = created + (s as number);
    at = a === undefined ? undefined : created + (a as number);
    if (!isWholeMs(created) || !Number.isSafeInteger(seen) || (at !== undefined && !Number.isSafeInteger(at))) return undefined;
  } else {
    if (typeof ms !== 'number' || typeof seenMs !== 'number' || !Number.isFinite(ms) || !Number.isFinite(seenMs)) return undefined;
    if (atMs !== undefined && (typeof atMs !== 'number' || !Number.isFinite(atMs))) return undefined;
    created = ms;
    seen = seenMs;
    at = atMs as number | undefined;
  }
  if (amr !== undefined && !isMethods(amr)) return undefined;
  if (acr !== undefined && !isAcr(acr)) return undefined;
  // Built in place (no spread of temporary objects): this runs on every session request.
  const meta: { created: number; seen: number; at?: number; amr?: readonly string[]; acr?: string } = { created, seen };
  if (at !== undefined) meta.at = at;
  if (amr !== undefined) meta.amr = amr;
  if (acr !== undefined) meta.acr = acr;
  return meta;
}

/**
 * Loads the session and enforces the idle and absolute timeouts on the server
 * (SES-06, SES-07): an expired session is destroyed and reads as `null`.
 */
export async function readSessionState(connection: Connection, port: SessionPort): Promise<SessionState | null> {
  return readSessionStateNow(connection, port);
}

/**
 * {@link readSessionState} without a promise when none is needed: the port answers
 * `getNow()` (the session is already loaded) and the session is not expired (an
 * expiry destroys it in the store: then a promise). The same checks, events and
 * errors; a failing `getNow()` throws the `SessionError` that `readSessionState`
 * rejects with.
 */
export function readSessionStateNow(connection: Connection, port: SessionPort): SessionState | null | Promise<SessionState | null> {
  let now: Readonly<SessionData> | null | undefined;
  try {
    now = port.getNow?.();
  } catch (error) {
    throw storeFailure(connection, port, error);
  }
  return now === undefined ? loadThenState(connection, port) : stateOf(connection, port, now);
}

async function loadThenState(connection: Connection, port: SessionPort): Promise<SessionState | null> {
  // `loadSession` inlined: one async function (a promise and a microtask turn) less per request.
  let raw: Readonly<SessionData> | null;
  try {
    raw = await port.get();
  } catch (error) {
    throw storeFailure(connection, port, error);
  }
  return stateOf(connection, port, raw);
}

/** The state of a loaded session (after the first-load check); a promise only when it expires. */
function stateOf(connection: Connection, port: SessionPort, raw: Readonly<SessionData> | null): SessionState | null | Promise<null> {
  checkFirstLoad(connection, port, raw);
  if (raw === null) return null;
  const { [META_KEY]: rawMeta, ...data } = raw;
  const meta = metaOf(rawMeta);
  if (rawMeta !== undefined && meta === undefined) {
    // Metadata that is not ours (tampered store content): the session is not trusted.
    return expire(connection, port).then(() => null);
  }
  if (meta !== undefined) {
    const { idleTimeout, absoluteTimeout, clock } = port.config;
    const now = clock();
    if (now - meta.created > absoluteTimeout || now - meta.seen > idleTimeout) {
      return expire(connection, port).then(() => null);
    }
  }
  return { data, meta };
}

async function expire(connection: Connection, port: SessionPort): Promise<void> {
  const id = port.id();
  await guarded(connection, port, () => port.destroy());
  emit(connection, port, 'session_expired', id);
}

/**
 * Refreshes `seen` when it is older than the touch interval. Resolves `false`
 * when the session was destroyed meanwhile (a concurrent logout): the request
 * must not be authenticated with it (SES-15). `true` without a promise when
 * nothing is written (every request but one a minute).
 */
export function touch(connection: Connection, port: SessionPort, state: SessionState): true | Promise<boolean> {
  const meta = state.meta;
  if (meta === undefined) return true;
  const now = port.config.clock();
  if (now - meta.seen < port.config.touchInterval) return true;
  return guarded(connection, port, () => port.set({ ...state.data, [META_KEY]: storedMeta({ ...meta, seen: now }) }));
}

function checkData(data: unknown, who: string): SessionData {
  // Plain objects only: a class instance would store whatever fields it carries (a
  // password hash among them), and a Map or a Date would store as `{}`.
  if (data === null || typeof data !== 'object') throw new TypeError(`${who}: data must be a plain object`);
  const proto: unknown = Object.getPrototypeOf(data);
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`${who}: data must be a plain object`);
  if (Object.hasOwn(data, META_KEY)) throw new TypeError(`${who}: "${META_KEY}" is reserved`);
  return data as SessionData;
}

/**
 * Logs a user in: **always** moves the request to a new session id and destroys
 * the old session server-side (SES-01: no fixation, whatever id the client
 * sent). Keys listed in `keepOnLogin` (e.g. `next`) are carried over from the
 * pre-login session; everything else is dropped with it. `data` is what
 * `sessionAuth`'s `retrieveUser` receives on later requests (default
 * `{ identity: user.identity }`): a plain object, typed `D` so the same type can
 * annotate `retrieveUser` (`sessionAuth<AppUser, D>`). Works for any login path (form, Basic, OAuth
 * callback, step-up); calling it again after a privilege change rotates the id
 * again (SES-13). The adapters expose it as `login(req|ctx|c, user, data, options)`.
 *
 * It records the time of this authentication and, with `options`, how it was done
 * (`methods`, `acr`): the session's `auth.authTime`, `auth.amr` and `auth.acr`, what
 * step-up guards (`requires(…, { maxAge, acr, amr })`) check. Call it again after a
 * second factor or a fresh password prompt to step up.
 *
 * Rejects with a `SessionError`: `session_not_configured` (no session
 * middleware), `session_insecure_transport` (a `Secure` cookie over plain HTTP;
 * logged with a hint, see {@link assertCanLogin}), `session_store_unavailable`.
 *
 * @example
 * ```ts
 * const user = await backend.verifyCredentials(email, password);
 * if (user === null) return unauthorized();
 * await login(connection, user, { userId: user.id });
 * ```
 */
export async function login<D extends object = SessionData>(connection: Connection, user: BaseUser, data?: D, options?: LoginOptions): Promise<void> {
  const port = portOf(connection);
  if (user === null || typeof user !== 'object' || user.isAuthenticated !== true) {
    throw new TypeError('login: user must be an authenticated user');
  }
  const how = authenticationOf(options);
  const payload = data === undefined ? { identity: user.identity } : checkData(data, 'login');
  const { config } = port;
  assertCanLogin(connection);
  const current = await loadSession(connection, port);
  // Own data properties (an assignment to `kept.__proto__` would set the prototype).
  const kept: SessionData =
    current === null ? {} : Object.fromEntries(config.keepOnLogin.filter((key) => Object.hasOwn(current, key)).map((key) => [key, current[key]]));
  const now = config.clock();
  await guarded(connection, port, () => port.regenerate({ ...kept, ...payload, [META_KEY]: storedMeta({ created: now, seen: now, at: now, ...how }) }));
  emit(connection, port, 'session_login', port.id());
}

/** `login`'s options checked (a `TypeError` for a programming mistake), as the metadata they record. */
function authenticationOf(options: LoginOptions | undefined): Pick<SessionMeta, 'amr' | 'acr'> {
  if (options === undefined) return {};
  if (options === null || typeof options !== 'object') throw new TypeError('login: options must be an object ({ methods, acr })');
  const { methods, acr } = options;
  if (methods !== undefined && (!isMethods(methods) || methods.length === 0)) {
    throw new TypeError(`login: methods must be a non-empty array of at most ${MAX_METHODS} amr values such as "pwd" or "otp"`);
  }
  if (acr !== undefined && !isAcr(acr)) throw new TypeError('login: acr must be a non-empty printable ASCII string without spaces or quotes');
  return { ...(methods === undefined ? {} : { amr: Object.freeze([...methods]) }), ...(acr === undefined ? {} : { acr }) };
}

/**
 * Logs out: destroys the session **server-side** (a replayed cookie is then
 * anonymous, SES-02) and expires the cookie with matching attributes (CK-08).
 * Refuses safe methods (`GET /logout` → `SessionError` `method_not_allowed`,
 * CSRF-09). The adapters expose it as `logout(req|ctx|c)`.
 *
 * @example
 * ```ts
 * app.post('/logout', async (req, res) => {
 *   await logout(req);
 *   res.redirect(303, '/');
 * });
 * ```
 */
export async function logout(connection: Connection): Promise<void> {
  const port = portOf(connection);
  if (isSafeMethod(connection.method)) throw new SessionError('method_not_allowed');
  await loadSession(connection, port);
  const id = port.id();
  await guarded(connection, port, () => port.destroy());
  emit(connection, port, 'session_logout', id);
}

/**
 * The app's data in the request's session (without Portcullis's metadata), or
 * `null` when there is no live session. Expired sessions are destroyed first.
 *
 * @example
 * ```ts
 * const data = await sessionData(connection);
 * const next = typeof data?.next === 'string' ? data.next : '/';
 * ```
 */
export async function sessionData(connection: Connection): Promise<Readonly<SessionData> | null> {
  const state = await readSessionState(connection, portOf(connection));
  return state === null ? null : state.data;
}

/**
 * Replaces the app's data in the request's session, keeping the id and the
 * login metadata. Without a session, starts an anonymous one (pre-login data such
 * as `next`); that is a store write, so do it only when there is something to keep.
 *
 * @example
 * ```ts
 * await saveSession(connection, { ...(await sessionData(connection)), next: '/checkout' });
 * ```
 */
export async function saveSession(connection: Connection, data: SessionData): Promise<void> {
  const port = portOf(connection);
  const payload = checkData(data, 'saveSession');
  const state = await readSessionState(connection, port);
  const next = state?.meta === undefined ? { ...payload } : { ...payload, [META_KEY]: storedMeta(state.meta) };
  await guarded(connection, port, () => port.set(next));
}
