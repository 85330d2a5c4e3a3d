import session from 'express-session';
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

/** Options of {@link expressSessionStore}. */
export interface ExpressSessionStoreOptions {
  /**
   * Milliseconds a session lives in the store after its last write, when the
   * session cookie has no `maxAge`. Default 30 minutes (`sessions()` passes its
   * idle timeout).
   */
  readonly ttlMs?: number;
}

/** Lets a store driven by `sessions()` take the sessions' TTL, unless `ttlMs` was given. */
export function adoptTtl(store: ExpressSessionStore, ttlMs: number): void {
  store[ADOPT_TTL](ttlMs);
}

const ADOPT_TTL = Symbol('adoptTtl');

type Callback = (err?: unknown) => void;

/**
 * An express-session `Store` over a Portcullis {@link SessionStore} (memory,
 * `@portcullis/redis`, your own): one store interface serves Express, Koa and
 * Hono. Ids that are not Portcullis session ids are never looked up; "not found"
 * is `null` for express-session; a failing store is an error (which `sessions()`
 * turns into a 503). Under `sessions()`, saves of existing sessions only update
 * (never recreate) them, so a save racing a logout cannot undo it.
 *
 * @example
 * ```ts
 * import session from 'express-session';
 * app.use(session({ store: expressSessionStore(new MemorySessionStore()), secret, resave: false, saveUninitialized: false }));
 * // or, with Portcullis's safe defaults and CSRF protection:
 * app.use(sessions({ store: expressSessionStore(redisStore), secret }));
 * ```
 */
export class ExpressSessionStore extends session.Store {
  /** The wrapped Portcullis store. */
  readonly store: SessionStore;
  #ttl: number;
  readonly #explicitTtl: boolean;

  constructor(store: SessionStore, options: ExpressSessionStoreOptions = {}) {
    super();
    assertSessionStore(store, 'expressSessionStore');
    const ttl = options.ttlMs ?? 30 * 60_000;
    if (!Number.isInteger(ttl) || ttl < 1000) throw new ConfigurationError('expressSessionStore: ttlMs must be an integer of at least 1000');
    this.store = store;
    this.#ttl = ttl;
    this.#explicitTtl = options.ttlMs !== undefined;
  }

  /** @internal */
  [ADOPT_TTL](ttlMs: number): void {
    if (!this.#explicitTtl) this.#ttl = ttlMs;
  }

  override get(sid: string, callback: (err: unknown, session?: session.SessionData | null) => void): void {
    if (!isSessionId(sid)) return callback(null, null);
    this.store.get(sid).then(
      (data) => callback(null, data === undefined || data === null ? null : withCookie(data)),
      // Wrapped: express-session reads an error whose `code` is 'ENOENT' as "no session",
      // which would turn a failing store into anonymous access (SES-14).
      (error: unknown) => callback(new SessionError('session_store_unavailable', { cause: error })),
    );
  }

  override set(sid: string, sess: session.SessionData, callback?: Callback): void {
    const done = callback ?? (() => {});
    let data: SessionData;
    try {
      data = JSON.parse(JSON.stringify(sess)) as SessionData;
    } catch (error) {
      return done(error);
    }
    // express-session's Session keeps its request in a non-enumerable `req` (see the README).
    const req = (sess as { req?: object }).req;
    const request = req === undefined ? undefined : requestSessions.get(req);
    const json = `${sid}\u0000${JSON.stringify(data)}`;
    if (request?.lastWrite === json) return done();
    const ttl = ttlOf(sess, this.#ttl);
    // Outside sessions() every write is a create; under it, only ids generated in this request are.
    const write = request === undefined || request.generated.has(sid)
      ? this.store.set(sid, data, ttl).then(() => true)
      : updateStored(this.store, sid, data, ttl);
    write.then(
      (written) => {
        if (request !== undefined) {
          if (written) request.lastWrite = json;
          else request.lost = true;
        }
        done();
      },
      (error: unknown) => done(error),
    );
  }

  override destroy(sid: string, callback?: Callback): void {
    const done = callback ?? (() => {});
    if (!isSessionId(sid)) return done();
    this.store.destroy(sid).then(() => done(), (error: unknown) => done(error));
  }

  override touch(_sid: string, _sess: session.SessionData, callback?: () => void): void {
    // Expiry is refreshed by the writes `sessionAuth` makes; an unmodified session writes nothing.
    callback?.();
  }
}

/**
 * Wraps a Portcullis {@link SessionStore} as an express-session store.
 *
 * @example
 * ```ts
 * app.use(sessions({ store: expressSessionStore(new RedisSessionStore({ client })), secret }));
 * ```
 */
export function expressSessionStore(store: SessionStore, options?: ExpressSessionStoreOptions): ExpressSessionStore {
  return new ExpressSessionStore(store, options);
}

function withCookie(data: SessionData): session.SessionData {
  // Written by another framework: express-session needs a cookie record to inflate it.
  const cookie = data.cookie !== null && typeof data.cookie === 'object' ? data.cookie : { originalMaxAge: null, httpOnly: true, path: '/' };
  return { ...data, cookie } as unknown as session.SessionData;
}

function ttlOf(sess: session.SessionData, fallback: number): number {
  const maxAge = (sess.cookie as { maxAge?: unknown } | undefined)?.maxAge;
  return typeof maxAge === 'number' && maxAge > 0 ? Math.ceil(maxAge) : fallback;
}
