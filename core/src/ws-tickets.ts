import type { AuthenticationFailure } from './authentication-options.js';
import { logFailure } from './authentication-failure.js';
import type { AuthenticationBackend, Principal } from './backend.js';
import { backendName } from './backend-name.js';
import type { Connection } from './connection.js';
import { AuthCredentials, type AuthCredentialsOptions } from './credentials.js';
import { AuthenticationError, ConfigurationError } from './errors.js';
import { exactOrigins } from './origins.js';
import { fixedResponse, responseFor, type ResponseDescription } from './response.js';
import { sha256 } from './sha256.js';
import { hashToken, issueToken } from './tokens.js';
import type { BaseUser, UnauthenticatedUser } from './user.js';
import type { ScopesOption } from './verify.js';
import type { MaybePromise } from './maybe-promise.js';

/**
 * What a {@link TicketStore} keeps under a ticket's hash: JSON-serialisable, holding
 * no usable secret. `origin` is the issuing request's credentials (its
 * `Authorization` values and `Cookie` header) sealed with AES-GCM under a key derived
 * from the ticket itself, which the store never sees: the store alone yields nothing.
 */
export interface TicketRecord {
  /** The `identity` of the user the ticket was issued to. */
  readonly identity: string;
  /** The `via` of the credentials that authenticated the issuing request (`'session'`, `'jwt'`…), or `null`. */
  readonly via: string | null;
  /** The sealed credentials of the issuing request (base64url), opened only with the ticket. */
  readonly origin: string;
  /**
   * The scopes of the issuing request's credentials: the socket gets at most these
   * (their intersection with the ticket backend's `scopes`), so a read-only token
   * never mints an admin socket. A record without them is refused.
   */
  readonly scopes: readonly string[];
}

/**
 * Where websocket tickets wait to be redeemed, by the SHA-256 hash (base64url) of
 * the ticket. Promise-based; a method that cannot answer **rejects** (the upgrade is
 * then refused with 503, the endpoint answers 503). Checked at construction.
 *
 * @example
 * ```ts
 * const store: TicketStore = new MemoryTicketStore({ max: 10_000 });
 * await store.issue(hash, { identity: 'alice', via: 'session', origin, scopes: ['authenticated'] }, 30_000);
 * await store.take(hash); // the record, once
 * await store.take(hash); // undefined
 * ```
 */
export interface TicketStore {
  /**
   * **Required.** Stores `record` under `hash`, expiring `ttlMs` milliseconds from
   * now, and resolves `true` (or nothing); or stores nothing and resolves `false` when
   * `record.identity` already has the store's limit of pending tickets (or the store
   * is full): the endpoint then answers 429. It never drops another user's ticket to
   * make room. Hashes are unique (32 random bytes): it never needs to replace one.
   */
  issue(hash: string, record: TicketRecord, ttlMs: number): Promise<boolean | void>;
  /**
   * **Required.** Removes the record under `hash` and resolves it, **atomically**:
   * of two concurrent calls for one hash, at most one resolves the record. Resolves
   * `undefined` when there is none: never issued, already taken, or expired
   * (an expired record is never returned).
   */
  take(hash: string): Promise<TicketRecord | undefined>;
}

/**
 * Checks that a value implements {@link TicketStore}; throws a
 * `ConfigurationError` naming the missing method.
 *
 * @example
 * ```ts
 * assertTicketStore(new MemoryTicketStore(), 'webSocketTickets'); // ok
 * ```
 */
export function assertTicketStore(store: unknown, who: string): asserts store is TicketStore {
  if (store === null || typeof store !== 'object') throw new ConfigurationError(`${who}: store must be a TicketStore (MemoryTicketStore, or RedisTicketStore of @portcullis/redis)`);
  for (const method of ['issue', 'take'] as const) {
    if (typeof (store as Record<string, unknown>)[method] !== 'function') {
      throw new ConfigurationError(`${who}: store.${method}(…) is required (see TicketStore)`);
    }
  }
}

/** Options of {@link MemoryTicketStore}. */
export interface MemoryTicketStoreOptions {
  /** At most this many tickets wait; beyond it new ones are refused (429), none dropped. Default 10,000. */
  readonly max?: number;
  /** At most this many tickets wait for one user (`identity`); beyond it theirs are refused (429). Default 10. */
  readonly perIdentity?: number;
  /** The clock for expiry, in ms since the epoch. Default `Date.now`; tests freeze it. */
  readonly clock?: () => number;
}

/**
 * The embedded {@link TicketStore}: in memory, bounded (`max` in all, `perIdentity`
 * for one user; a ticket beyond either is refused, no waiting ticket is dropped),
 * with expiry. One process only: a ticket issued by one instance cannot
 * be redeemed on another; use `RedisTicketStore` of `@portcullis/redis` then.
 *
 * @example
 * ```ts
 * const tickets = webSocketTickets({ store: new MemoryTicketStore() });
 * ```
 */
export class MemoryTicketStore implements TicketStore {
  readonly #entries = new Map<string, { readonly json: string; readonly identity: string; readonly expiresAt: number }>();
  readonly #pending = new Map<string, number>();
  readonly #max: number;
  readonly #perIdentity: number;
  readonly #clock: () => number;

  constructor(options: MemoryTicketStoreOptions = {}) {
    const max = options.max ?? 10_000;
    if (!Number.isInteger(max) || max < 1) throw new ConfigurationError('MemoryTicketStore: max must be a positive integer');
    const perIdentity = options.perIdentity ?? DEFAULT_PER_IDENTITY;
    if (!Number.isInteger(perIdentity) || perIdentity < 1) throw new ConfigurationError('MemoryTicketStore: perIdentity must be a positive integer');
    const clock = options.clock ?? Date.now;
    if (typeof clock !== 'function') throw new ConfigurationError('MemoryTicketStore: clock must be a function');
    this.#max = max;
    this.#perIdentity = perIdentity;
    this.#clock = clock;
  }

  /** How many tickets are held (expired ones included until dropped). */
  get size(): number {
    return this.#entries.size;
  }

  async issue(hash: string, record: TicketRecord, ttlMs: number): Promise<boolean> {
    const now = this.#clock();
    const mine = this.#pending.get(record.identity) ?? 0;
    if (this.#entries.size >= this.#max || mine >= this.#perIdentity) {
      for (const [key, entry] of this.#entries) if (entry.expiresAt <= now) this.#delete(key);
    }
    if (this.#entries.size >= this.#max || (this.#pending.get(record.identity) ?? 0) >= this.#perIdentity) return false;
    this.#entries.set(hash, { json: JSON.stringify(record), identity: record.identity, expiresAt: now + ttlMs });
    this.#pending.set(record.identity, (this.#pending.get(record.identity) ?? 0) + 1);
    return true;
  }

  async take(hash: string): Promise<TicketRecord | undefined> {
    const entry = this.#entries.get(hash);
    if (entry === undefined) return undefined;
    this.#delete(hash); // synchronously, before any await: single use
    return entry.expiresAt <= this.#clock() ? undefined : (JSON.parse(entry.json) as TicketRecord);
  }

  #delete(hash: string): void {
    const entry = this.#entries.get(hash);
    if (entry === undefined) return;
    this.#entries.delete(hash);
    const left = (this.#pending.get(entry.identity) ?? 1) - 1;
    if (left <= 0) this.#pending.delete(entry.identity);
    else this.#pending.set(entry.identity, left);
  }
}

/**
 * The credentials of the request that asked for a ticket, replayed by the re-check
 * of a socket opened with it: only what the backend that authenticated it reads.
 */
export interface TicketOrigin {
  /** The issuing request's `Authorization` field values, when its backend reads `authorization`; else none. */
  readonly authorization: readonly string[];
  /**
   * The issuing request's cookies its backend reads: the named ones (`cookie:<name>`),
   * or, for a backend reading `session` (whose cookie the session middleware names),
   * the whole `Cookie` header; `undefined` for none.
   */
  readonly cookie: string | undefined;
  /** Other headers its backend reads (`header:<name>`), by lower-case name. */
  readonly headers: Readonly<Record<string, string>>;
}

/** Options of {@link webSocketTickets}. */
export interface WebSocketTicketsOptions {
  /** Where tickets wait: a {@link MemoryTicketStore}, or `RedisTicketStore` of `@portcullis/redis`. */
  store: TicketStore;
  /** How long a ticket may wait to be redeemed, in ms: 1 s to 5 min. Default 30 s. */
  ttl?: number;
  /** The clock, in ms since the epoch. Default `Date.now`; tests freeze it. */
  clock?: () => number;
  /**
   * Exact origins (`https://app.example`) of other sites' pages that may ask for a
   * ticket. Default none: only same-origin pages (`Sec-FetchSite: same-origin`, or an
   * `Origin` of the request's own host) and non-browser clients (neither header).
   */
  origins?: readonly string[];
  /**
   * The app's backends that may authenticate a request asking for a ticket (the
   * parts of its `multi([...])`, each with its `name`): a ticket seals only what the
   * one that authenticated the request (`auth.via`) declares in its `reads`
   * (`authorization`, `cookie:<name>`, `header:<name>`, `session`). A backend reading
   * `query:<name>` cannot be replayed by the re-check: a ConfigurationError. A request
   * authenticated by a backend not listed gets 403. Default: by `via`, `Authorization`
   * alone for `basic`/`token`/`bearer`/`jwt`, the `Cookie` header alone for `session`,
   * both otherwise.
   */
  backends?: readonly {
    /** The backend's name (`auth.via` of the requests it authenticates). */
    readonly name?: string | undefined;
    /** What it reads (`AuthenticationBackend.reads`): only these are sealed into the ticket. */
    readonly reads?: readonly string[] | undefined;
  }[];
  /** The failure log (as `authentication({ log })`): refused cross-site requests (`websocket_ticket_cross_site`) and tickets refused by the store's limits (`websocket_ticket_limit`). */
  log?: (event: AuthenticationFailure) => void;
}

/** Options of {@link WebSocketTickets.backend}. */
export interface TicketBackendOptions<U extends BaseUser, N extends string = 'ticket'> {
  /** The user of a redeemed ticket, by the `identity` it was issued to; `null` when gone (401). */
  retrieveUser(identity: string, connection: Connection): MaybePromise<U | null | undefined>;
  /** Scopes granted: a list, or a function of the user. Default `['authenticated']`. */
  scopes?: ScopesOption<U>;
  /** The backend's name (`auth.via`). Default `'ticket'`. */
  name?: N;
}

/** The state of the request asking for a ticket: what authentication gave it. */
export interface TicketRequestState {
  /** The request's user (anonymous: 401). */
  readonly user: BaseUser | UnauthenticatedUser;
  /** The request's credentials (their `via` is kept with the ticket). */
  readonly auth: AuthCredentials;
}

/** What {@link webSocketTickets} returns. */
export interface WebSocketTickets {
  /** The configured time to live, in ms. */
  readonly ttl: number;
  /**
   * The ticket endpoint's answer (an adapter sends it as is): 405 unless `POST`,
   * 403 for a cross-site page, 401 (with `challenges`) for an anonymous request,
   * 429 with `Retry-After` when the user already has the store's limit of pending
   * tickets (logged as `websocket_ticket_limit`), 431 when the credentials to seal are
   * too large, else 200 `{ ticket, expires_in }` with `Cache-Control: no-store`. The ticket is
   * bound to the user and to the request's credentials (WS-12).
   */
  respond(connection: Connection, state: TicketRequestState, challenges?: readonly string[]): Promise<ResponseDescription>;
  /**
   * Issues a ticket for an authenticated request, without the endpoint's checks (for
   * flows of your own). Throws an `AuthenticationError`: `too_many_requests` (reason
   * `websocket_ticket_limit`) when the store refuses it, `oversized_authorization`
   * when the credentials to seal exceed the record's cap.
   */
  issue(connection: Connection, state: TicketRequestState): Promise<IssuedTicket>;
  /**
   * The backend that redeems `?ticket=` on websocket connections (never on HTTP
   * requests): once, before it expires; otherwise 401 (`invalid_credentials`,
   * logged as `websocket_ticket_refused`). Combine it with the app's backend in
   * `multi([...])`.
   */
  backend<U extends BaseUser, const N extends string = 'ticket'>(options: TicketBackendOptions<U, N>): AuthenticationBackend<U, N> & {
    /** The backend's name, the `via` of its credentials: the `name` option or `'ticket'`. */
    readonly name: N;
  };
}

/** A ticket just issued: show it to the page once. */
export interface IssuedTicket {
  /** The ticket (32 random bytes, base64url): never stored, never logged. */
  readonly ticket: string;
  /** Seconds until it expires (`expires_in`). */
  readonly expiresIn: number;
}

const DEFAULT_TTL = 30_000;
const DEFAULT_PER_IDENTITY = 10;
/** The largest sealed record (base64url characters): the issuing request's credentials are header-sized, never more. */
const MAX_SEALED = 12_288;
const MAX_TTL = 300_000;
const TICKET = /^[A-Za-z0-9_-]{43}$/;
const origins = new WeakMap<AuthCredentials, TicketOrigin>();

/**
 * One-time, short-lived websocket tickets for browsers (which cannot set headers on
 * a websocket): an authenticated `POST` gets a ticket (32 CSPRNG bytes, base64url;
 * stored only as its SHA-256 hash), and the page opens
 * `new WebSocket('/ws?ticket=' + ticket)`. The ticket is redeemed once, within
 * `ttl`, by {@link WebSocketTickets.backend}; the socket's re-check replays the
 * credentials of the request that asked for it ({@link ticketOrigin}), so a logout
 * closes it (4401).
 *
 * @example
 * ```ts
 * const tickets = webSocketTickets({ store: new MemoryTicketStore() });
 * const backend = multi([tickets.backend({ retrieveUser: (id) => users.byId(id) }), session]);
 * ```
 */
export function webSocketTickets(options: WebSocketTicketsOptions): WebSocketTickets {
  if (options === null || typeof options !== 'object') throw new ConfigurationError('webSocketTickets: options are required');
  assertTicketStore(options.store, 'webSocketTickets');
  const store = options.store;
  const ttl = options.ttl ?? DEFAULT_TTL;
  if (typeof ttl !== 'number' || !Number.isInteger(ttl) || ttl < 1000 || ttl > MAX_TTL) {
    throw new ConfigurationError('webSocketTickets: ttl must be an integer number of ms from 1000 (1 s) to 300000 (5 min)');
  }
  const clock = options.clock ?? Date.now;
  if (typeof clock !== 'function') throw new ConfigurationError('webSocketTickets: clock must be a function');
  const allowed = exactOrigins(options.origins ?? [], 'webSocketTickets: origins');
  const log = options.log;
  if (log !== undefined && typeof log !== 'function') throw new ConfigurationError('webSocketTickets: log must be a function');
  const expiresIn = Math.floor(ttl / 1000);
  const readsOf = replayReads(options.backends);

  const issue = async (connection: Connection, state: TicketRequestState): Promise<IssuedTicket> => {
    if (!state.user.isAuthenticated) throw new ConfigurationError('webSocketTickets: issue() needs an authenticated request');
    const ticket = issueToken(32);
    const reads = readsOf(state.auth.via);
    if (reads === undefined) throw new AuthenticationError('cross_site_request', { reason: 'websocket_ticket_unreplayable' });
    const origin = originOf(connection, reads);
    const sealed = await seal(ticket, origin);
    if (sealed.length > MAX_SEALED) throw new AuthenticationError('oversized_authorization');
    const record: TicketRecord = { identity: state.user.identity, via: state.auth.via ?? null, origin: sealed, scopes: [...state.auth.scopes] };
    if ((await store.issue(await hashToken(ticket), record, ttl)) === false) {
      throw new AuthenticationError('too_many_requests', { reason: 'websocket_ticket_limit', retryAfter: expiresIn });
    }
    return { ticket, expiresIn };
  };

  return Object.freeze({
    ttl,
    issue,
    async respond(connection: Connection, state: TicketRequestState, challenges: readonly string[] = []): Promise<ResponseDescription> {
      if (connection.method !== 'POST') return responseFor({ kind: 'method_not_allowed', allow: 'POST' }, connection, challenges);
      if (!sameOrigin(connection, allowed)) {
        if (log !== undefined) logFailure(log, new AuthenticationError('cross_site_request', { reason: 'websocket_ticket_cross_site' }), connection);
        return responseFor({ kind: 'error', code: 'cross_site_request' }, connection, challenges);
      }
      if (!state.user.isAuthenticated) return responseFor({ kind: 'unauthenticated' }, connection, challenges);
      let issued: IssuedTicket;
      try {
        issued = await issue(connection, state);
      } catch (error) {
        if (!(error instanceof AuthenticationError)) throw error;
        if (log !== undefined && error.reason !== undefined) logFailure(log, error, connection);
        return responseFor({ kind: 'error', code: error.code, retryAfter: error.retryAfter }, connection, challenges);
      }
      return fixedResponse({ kind: 'websocket_ticket', ticket: issued.ticket, expiresIn: issued.expiresIn });
    },
    backend<U extends BaseUser, const N extends string = 'ticket'>(backendOptions: TicketBackendOptions<U, N>) {
      if (typeof backendOptions?.retrieveUser !== 'function') throw new ConfigurationError('webSocketTickets.backend: retrieveUser must be a function');
      const retrieveUser = backendOptions.retrieveUser;
      const name = backendName(backendOptions.name, 'ticket' as N, 'webSocketTickets.backend');
      const scopes = scopesOf(backendOptions.scopes);
      const refused = (): AuthenticationError => new AuthenticationError('invalid_credentials', { reason: 'websocket_ticket_refused' });
      return Object.freeze({
        name,
        challenges: Object.freeze([]) as readonly string[],
        reads: Object.freeze(['query:ticket']) as readonly string[],
        present: (connection: Connection): boolean => ticketParameters(connection).length > 0,
        async authenticate(connection: Connection): Promise<Principal<U, N> | null> {
          const found = ticketParameters(connection);
          if (found.length === 0) return null;
          const ticket = found[0] as string;
          if (found.length > 1 || !TICKET.test(ticket)) throw new AuthenticationError('malformed_credentials');
          const record = await store.take(await hashToken(ticket));
          if (record === undefined || !Array.isArray(record.scopes)) throw refused();
          const origin = await unseal(ticket, record.origin);
          if (origin === undefined) throw refused();
          const user = await retrieveUser(record.identity, connection);
          if (user === null || user === undefined || user.identity !== record.identity) throw refused();
          const options: AuthCredentialsOptions<N> = { via: name };
          // Never more than the issuing request held: a read-only token mints a read-only socket.
          const issued = new Set(record.scopes);
          const auth = new AuthCredentials([...scopes(user)].filter((s) => issued.has(s)), options);
          origins.set(auth, origin);
          return { user, auth };
        },
      });
    },
  });
}

/**
 * The credentials of the request that asked for the ticket a websocket was opened
 * with, or `undefined` when `auth` is not a redeemed ticket's. A socket's re-check
 * authenticates these instead of the handshake's (the ticket is spent). For adapters.
 *
 * @example
 * ```ts
 * const origin = ticketOrigin(principal.auth); // { authorization: [], cookie: 'id=…', headers: {} }
 * ```
 */
export function ticketOrigin(auth: AuthCredentials): TicketOrigin | undefined {
  return origins.get(auth);
}

const BY_VIA: Readonly<Record<string, readonly string[]>> = { basic: ['authorization'], token: ['authorization'], bearer: ['authorization'], jwt: ['authorization'], session: ['session'] };
const REPLAYABLE = /^(authorization|session|cookie:.+|header:.+)$/;

/** What the backend named `via` reads, as the `backends` option says (or the defaults by name); `undefined` when it is not listed. */
function replayReads(backends: WebSocketTicketsOptions['backends']): (via: string | undefined) => readonly string[] | undefined {
  if (backends === undefined) return (via) => (via !== undefined && Object.hasOwn(BY_VIA, via) ? BY_VIA[via] : ['authorization', 'session']);
  if (!Array.isArray(backends)) throw new ConfigurationError('webSocketTickets: backends must be an array of the app\'s backends');
  const map = new Map<string, readonly string[]>();
  for (const backend of backends) {
    const name = backend?.name;
    const reads: readonly string[] = backend?.reads ?? [];
    if (typeof name !== 'string' || name === '') throw new ConfigurationError('webSocketTickets: every one of backends needs its name (the via of its credentials)');
    const bad = reads.find((r) => !REPLAYABLE.test(r));
    if (bad !== undefined) {
      throw new ConfigurationError(`webSocketTickets: backend ${name} reads ${bad.replace(/:.*/, ':…')}, which a ticket's re-check cannot replay; leave it out of backends (its requests then get no ticket)`);
    }
    map.set(name, Object.freeze([...reads]));
  }
  return (via) => (via === undefined ? undefined : map.get(via));
}

/** The credentials of `connection` that `reads` names: nothing else is sealed. */
function originOf(connection: Connection, reads: readonly string[]): TicketOrigin {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const read of reads) {
    if (read.startsWith('header:')) {
      const name = read.slice(7).toLowerCase();
      const value = connection.header(name);
      if (value !== undefined && name !== 'cookie' && name !== 'authorization') headers[name] = value;
    } else if (read.startsWith('cookie:')) {
      const name = read.slice(7);
      const value = connection.cookies.get(name);
      if (value !== undefined) cookies.push(`${name}=${value}`);
    }
  }
  const cookie = reads.includes('session') ? connection.header('cookie') : cookies.length > 0 ? cookies.join('; ') : undefined;
  return { authorization: reads.includes('authorization') ? [...connection.authorization] : [], cookie, headers };
}

/** The `ticket` query parameters of a websocket connection; none on HTTP requests. */
function ticketParameters(connection: Connection): string[] {
  if (connection.kind !== 'websocket' || !connection.query.includes('ticket=')) return [];
  return new URLSearchParams(connection.query).getAll('ticket');
}

function scopesOf<U>(scopes: ScopesOption<U> | undefined): (user: U) => Iterable<string> {
  if (typeof scopes === 'function') return scopes;
  const list = scopes ?? ['authenticated'];
  if (!Array.isArray(list) || list.some((s) => typeof s !== 'string' || s === '')) {
    throw new ConfigurationError('webSocketTickets.backend: scopes must be an array of non-empty strings or a function');
  }
  return () => list;
}

/**
 * True when the request comes from a same-origin page, a configured origin, or a
 * non-browser client: `Sec-Fetch-Site` `same-origin`/`none` (or `same-site`/`cross-site`
 * from a configured `Origin`); without it, an `Origin` that is configured or the
 * request's own host; neither header: not a browser.
 */
function sameOrigin(connection: Connection, allowed: readonly string[]): boolean {
  const origin = connection.header('origin')?.trim();
  if (origin !== undefined && allowed.includes(origin)) return true;
  const site = connection.header('sec-fetch-site')?.trim().toLowerCase();
  if (site !== undefined) return site === 'same-origin' || site === 'none';
  if (origin === undefined) return true;
  const host = connection.header('host')?.trim().toLowerCase();
  try {
    const url = new URL(origin);
    return (url.protocol === 'https:' || url.protocol === 'http:') && host !== undefined && url.host.toLowerCase() === host;
  } catch {
    return false;
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });
const SEAL_CONTEXT = 'portcullis websocket ticket seal\u0000';

/** The AES-256-GCM key of a ticket's record: SHA-256 of a fixed context and the ticket (the store's key is SHA-256 of the ticket alone). */
function sealKey(ticket: string, usage: 'encrypt' | 'decrypt'): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new Uint8Array(sha256(SEAL_CONTEXT + ticket)), { name: 'AES-GCM' }, false, [usage]);
}

async function seal(ticket: string, origin: TicketOrigin): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = encoder.encode(JSON.stringify({ a: origin.authorization, c: origin.cookie ?? null, h: origin.headers }));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv }, await sealKey(ticket, 'encrypt'), data));
  const out = new Uint8Array(iv.length + sealed.length);
  out.set(iv);
  out.set(sealed, iv.length);
  return toBase64url(out);
}

async function unseal(ticket: string, sealed: string): Promise<TicketOrigin | undefined> {
  try {
    const bytes = fromBase64url(sealed);
    const plain = await crypto.subtle.decrypt({ name: 'AES-GCM', iv: bytes.subarray(0, 12) }, await sealKey(ticket, 'decrypt'), bytes.subarray(12));
    const parsed = JSON.parse(decoder.decode(plain)) as { a?: unknown; c?: unknown; h?: unknown };
    if (!Array.isArray(parsed.a) || parsed.a.some((v) => typeof v !== 'string')) return undefined;
    if (parsed.c !== null && typeof parsed.c !== 'string') return undefined;
    const h = parsed.h ?? {};
    if (h === null || typeof h !== 'object' || Array.isArray(h) || Object.values(h).some((v) => typeof v !== 'string')) return undefined;
    const headers = Object.freeze(Object.assign(Object.create(null) as Record<string, string>, h as Record<string, string>));
    return Object.freeze({ authorization: Object.freeze(parsed.a as string[]), cookie: parsed.c ?? undefined, headers });
  } catch {
    return undefined;
  }
}

function toBase64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  const out = new Uint8Array(new ArrayBuffer(binary.length));
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
