import {
  ConfigurationError,
  SessionError,
  type SessionData,
  type SessionStore,
} from '@portcullis/core';
import {
  assertSessionStore,
  isSessionId,
  updateStored,
} from '@portcullis/core/adapter';
import { requestSessions } from './request-sessions.js';

/** Options of {@link koaSessionStore}. */
export interface KoaSessionStoreOptions {
  /**
   * Milliseconds a session lives in the store after its last write when
   * koa-session gives no `maxAge` (a browser-session cookie). Default 30 minutes
   * (`sessions()` passes its idle timeout).
   */
  readonly ttlMs?: number;
}

/** Lets a store driven by `sessions()` take the sessions' TTL, unless `ttlMs` was given. */
export function adoptTtl(store: KoaSessionStore, ttlMs: number): void {
  store[ADOPT_TTL](ttlMs);
}

const ADOPT_TTL = Symbol('adoptTtl');

/** The third argument koa-session passes to store methods. */
interface StoreContext {
  readonly ctx?: object;
}

function unavailable(cause: unknown): SessionError {
  return new SessionError('session_store_unavailable', { cause });
}

function rejectUnavailable(cause: unknown): never {
  throw unavailable(cause);
}

/** A store's "not found" (`null` or `undefined`) as koa-session's: `undefined`. */
function found(data: SessionData | null | undefined): SessionData | undefined {
  return data === null ? undefined : data;
}

async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw unavailable(error);
  }
}

/**
 * A koa-session external store over a Portcullis {@link SessionStore}
 * (memory, `@portcullis/redis`, your own): one store interface serves Koa,
 * Express and Hono. Keys that are not Portcullis session ids are never looked
 * up; "not found" is `undefined`; a failing store rejects with a `SessionError`
 * (`session_store_unavailable`), which `sessions()` answers with 503. Under
 * `sessions()`, saves of existing sessions only update (never recreate) them,
 * so a save racing a logout cannot undo it.
 *
 * @example
 * ```ts
 * import session from 'koa-session';
 * app.use(session({ store: koaSessionStore(new MemorySessionStore()), key: 'id', sameSite: 'lax' }, app));
 * // or, with Portcullis's safe defaults and CSRF protection:
 * app.use(sessions(app, { store: koaSessionStore(redisStore), secret }));
 * ```
 */
export class KoaSessionStore {
  /** The wrapped Portcullis store. */
  readonly store: SessionStore;
  #ttl: number;
  readonly #explicitTtl: boolean;

  constructor(store: SessionStore, options: KoaSessionStoreOptions = {}) {
    assertSessionStore(store, 'koaSessionStore');
    const ttl = options.ttlMs ?? 30 * 60_000;
    if (!Number.isInteger(ttl) || ttl < 1000) throw new ConfigurationError('koaSessionStore: ttlMs must be an integer of at least 1000');
    this.store = store;
    this.#ttl = ttl;
    this.#explicitTtl = options.ttlMs !== undefined;
  }

  /** @internal */
  [ADOPT_TTL](ttlMs: number): void {
    if (!this.#explicitTtl) this.#ttl = ttlMs;
  }

  /**
   * koa-session's `get`: the session data stored under `key`, or `undefined`. Not an
   * `async` function over `call`: one `then` on the store's promise, so a store that
   * answers at once costs koa-session's `await` one microtask turn, not three (issue #17
   * item 4); a throw or a rejection of the store is the same `SessionError`.
   */
  get(key: string, _maxAge?: unknown, _options?: StoreContext): Promise<SessionData | undefined> {
    if (!isSessionId(key)) return Promise.resolve(undefined);
    let pending: Promise<SessionData | null | undefined>;
    try {
      pending = Promise.resolve(this.store.get(key));
    } catch (error) {
      return Promise.reject(unavailable(error));
    }
    return pending.then(found, rejectUnavailable);
  }

  /** koa-session's `set`: stores the session data under `key` (a fresh id is never written over an existing one). */
  async set(key: string, sess: SessionData, maxAge?: unknown, options?: StoreContext): Promise<void> {
    if (!isSessionId(key)) throw new SessionError('session_store_unavailable');
    const request = options?.ctx === undefined ? undefined : requestSessions.get(options.ctx);
    const data = JSON.parse(JSON.stringify(sess)) as SessionData;
    const json = `${key}\u0000${JSON.stringify(data)}`;
    if (request?.lastWrite === json) return;
    const ttl = typeof maxAge === 'number' && maxAge > 0 ? Math.ceil(maxAge) : this.#ttl;
    // Outside sessions() every write is a create; under it, only ids generated in this request are.
    const fresh = request === undefined || request.generated.includes(key);
    const written = await call(() => (fresh ? this.store.set(key, data, ttl).then(() => true) : updateStored(this.store, key, data, ttl)));
    if (request === undefined) return;
    if (written) request.lastWrite = json;
    else request.lost = true;
  }

  /** koa-session's `destroy`: deletes the session stored under `key`. */
  async destroy(key: string, options?: StoreContext): Promise<void> {
    if (!isSessionId(key)) return;
    const request = options?.ctx === undefined ? undefined : requestSessions.get(options.ctx);
    if (request?.destroyed.has(key)) return;
    request?.destroyed.add(key);
    await call(() => this.store.destroy(key));
  }
}

/**
 * Wraps a Portcullis {@link SessionStore} as a koa-session external store.
 *
 * @example
 * ```ts
 * app.use(sessions(app, { store: koaSessionStore(new RedisSessionStore({ client })), secret }));
 * ```
 */
export function koaSessionStore(store: SessionStore, options?: KoaSessionStoreOptions): KoaSessionStore {
  return new KoaSessionStore(store, options);
}
