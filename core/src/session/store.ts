import { ConfigurationError } from '../errors.js';

/**
 * What a session holds: a JSON-serialisable object. Stores keep it as JSON, so
 * `Date`s come back as strings and `undefined` members disappear.
 */
export type SessionData = Record<string, unknown>;

/**
 * The store behind server-side sessions. Promise-based and free of framework
 * types: the same store serves Hono (directly), Express (through
 * `expressSessionStore` of `@portcullis/express`) and Koa (through
 * `koaSessionStore` of `@portcullis/koa`). Checked at construction by
 * {@link assertSessionStore}.
 *
 * Ids reach the store only after the session layer has checked their shape; a
 * store never invents ids and never adopts one it did not store.
 *
 * A method that cannot answer (the server is down, a timeout) **rejects**; the
 * request then fails closed with `503`. "Not found" is never an error.
 *
 * @example
 * ```ts
 * const store: SessionStore = new MemorySessionStore({ max: 10_000 });
 * await store.set(id, { userId: 'u1' }, 30 * 60_000);
 * await store.get(id);    // { userId: 'u1' }
 * await store.destroy(id);
 * await store.get(id);    // undefined
 * ```
 */
export interface SessionStore {
  /**
   * **Required.** The data stored under `id`. Resolves `undefined` when there is
   * none: never stored, destroyed, or expired (expired data is never returned).
   * Returns a copy: changing it does not change the store.
   */
  get(id: string): Promise<SessionData | undefined>;
  /**
   * **Required.** Stores `data` under `id`, replacing whatever was there, and
   * expires it `ttlMs` milliseconds from now. Used for new sessions (after login,
   * or when pre-login data is first written).
   */
  set(id: string, data: SessionData, ttlMs: number): Promise<void>;
  /**
   * **Required.** Deletes the session. Resolves (it does not reject) when there
   * was nothing under `id`.
   */
  destroy(id: string): Promise<void>;
  /**
   * **Recommended.** Replaces the data under `id` and resets its expiry, **only
   * if** `id` is still stored, atomically; resolves `true` when it wrote, `false`
   * when there was nothing under `id` (nothing is written then). Used to save an
   * existing session (the idle-timeout refresh, app writes), so a write racing a
   * logout cannot bring the destroyed session back (SES-15). Without it, the
   * session layer does `get` then `set`, which leaves that race open.
   */
  update?(id: string, data: SessionData, ttlMs: number): Promise<boolean>;
}

/**
 * Checks that a value implements {@link SessionStore}; throws a
 * `ConfigurationError` naming the missing method.
 *
 * @example
 * ```ts
 * assertSessionStore(new MemorySessionStore(), 'sessions');   // ok
 * assertSessionStore({ get() {} }, 'sessions');                // throws: set is missing
 * ```
 */
export function assertSessionStore(store: unknown, who: string): asserts store is SessionStore {
  if (store === null || typeof store !== 'object') throw new ConfigurationError(`${who}: store must be an object`);
  const s = store as Record<string, unknown>;
  for (const method of ['get', 'set', 'destroy'] as const) {
    if (typeof s[method] !== 'function') throw new ConfigurationError(`${who}: store.${method}(…) is required`);
  }
  if (s.update !== undefined && typeof s.update !== 'function') {
    throw new ConfigurationError(`${who}: store.update must be a function when present`);
  }
}

/**
 * A store's `update`, or `get` + `set` when it has none (not atomic). For
 * adapters saving an existing session.
 *
 * @example
 * ```ts
 * if (!(await updateStored(store, id, data, config.ttl))) treatAsLoggedOut();
 * ```
 */
export async function updateStored(store: SessionStore, id: string, data: SessionData, ttlMs: number): Promise<boolean> {
  if (store.update !== undefined) return store.update(id, data, ttlMs);
  if ((await store.get(id)) === undefined) return false;
  await store.set(id, data, ttlMs);
  return true;
}
