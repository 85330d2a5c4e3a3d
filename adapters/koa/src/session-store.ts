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

/** Options of {@link koaSessionStore}. */
export interface KoaSessionStoreOptions {
  /**
   * Milliseconds a session lives in the store after its last write when
   * koa-session gives no `maxAge` (a browser-session cookie). Default 30 minutes
   * (`sessions()` passes its idle timeout).
   */
  readonly ttlMs?: number;
}

/** Ids koa-session generated (`genid`) during a request: set by `sessions()`. */
export const generatedIn = new WeakMap<object, string[]>();
/** Requests whose session was destroyed while they wrote to it (SES-15). */
export const lostIn = new WeakSet<object>();
const linked = new WeakSet<KoaSessionStore>();
const lastWrite = new WeakMap<object, string>();
const destroyedIn = new WeakMap<object, Set<string>>();

/**
 * Marks a store as driven by `sessions()`, which tells it which ids are new;
 * without an explicit `ttlMs`, the store takes the sessions' TTL.
 */
export function link(store: KoaSessionStore, ttlMs: number): void {
  linked.add(store);
  store[ADOPT_TTL](ttlMs);
}

const ADOPT_TTL = Symbol('adoptTtl');

/** The third argument koa-session passes to store methods. */
interface StoreContext {
  readonly ctx?: object;
}

async function call<T>(operation: () => Promise<T>): Promise<T> {
  try {
    return await operation();
  } catch (error) {
    throw new SessionError('session_store_unavailable', { cause: error });
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

  /** koa-session's `get`: the session data stored under `key`, or `undefined`. */
  async get(key: string, _maxAge?: unknown, options?: StoreContext): Promise<SessionData | undefined> {
    if (!isSessionId(key)) return undefined;
    void options;
    const data = await call(() => this.store.get(key));
    return data === null ? undefined : data;
  }

  /** koa-session's `set`: stores the session data under `key` (a fresh id is never written over an existing one). */
  async set(key: string, sess: SessionData, maxAge?: unknown, options?: StoreContext): Promise<void> {
    if (!isSessionId(key)) throw new SessionError('session_store_unavailable');
    const ctx = options?.ctx;
    const data = JSON.parse(JSON.stringify(sess)) as SessionData;
    const json = `${key}\u0000${JSON.stringify(data)}`;
    if (ctx !== undefined && lastWrite.get(ctx) === json) return;
    const ttl = typeof maxAge === 'number' && maxAge > 0 ? Math.ceil(maxAge) : this.#ttl;
    const fresh = !linked.has(this) || ctx === undefined || (generatedIn.get(ctx)?.includes(key) ?? false);
    const written = await call(() => (fresh ? this.store.set(key, data, ttl).then(() => true) : updateStored(this.store, key, data, ttl)));
    if (ctx === undefined) return;
    if (written) lastWrite.set(ctx, json);
    else lostIn.add(ctx);
  }

  /** koa-session's `destroy`: deletes the session stored under `key`. */
  async destroy(key: string, options?: StoreContext): Promise<void> {
    if (!isSessionId(key)) return;
    const ctx = options?.ctx;
    if (ctx !== undefined) {
      const done = destroyedIn.get(ctx) ?? new Set<string>();
      if (done.has(key)) return;
      destroyedIn.set(ctx, done.add(key));
    }
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
