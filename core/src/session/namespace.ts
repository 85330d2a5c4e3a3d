import type { SessionData } from './store.js';

/**
 * The one key of a stored session record under which Portcullis keeps all of
 * its session data (the app's data and the login metadata), on every adapter:
 * beside express-session's `cookie`, koa-session's `_expire`/`_maxAge`/
 * `_session`, or alone in a Web session's record. The session library's own
 * fields are never overwritten, and any key the app stores (`id`, `cookie`,
 * `save`, `_maxAge`, `__proto__`…) round-trips. A record without this key
 * (written before Portcullis namespaced its data, or by another library) holds
 * no Portcullis session: it reads as no session.
 *
 * @example
 * ```ts
 * const data = namespacedData(req.session); // null: no Portcullis data in this record
 * req.session[SESSION_NAMESPACE] = { ...portData };
 * ```
 */
export const SESSION_NAMESPACE = 'portcullis:data';

/**
 * Portcullis's session data inside a stored session record (not copied), or
 * `null` when the record holds none (see {@link SESSION_NAMESPACE}).
 *
 * @example
 * ```ts
 * namespacedData({ cookie: {}, 'portcullis:data': { user_id: 'u1' } }); // { user_id: 'u1' }
 * namespacedData({ cookie: {}, user_id: 'u1' });                        // null
 * ```
 */
export function namespacedData(record: unknown): SessionData | null {
  if (record === null || typeof record !== 'object' || !Object.hasOwn(record, SESSION_NAMESPACE)) return null;
  const value: unknown = (record as Record<string, unknown>)[SESSION_NAMESPACE];
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  return value as SessionData;
}

/**
 * A copy of JSON session data, own `__proto__` keys included (JSON round trip).
 *
 * @example
 * ```ts
 * const copy = copySessionData(JSON.parse('{"__proto__":{"a":1}}')); // own key "__proto__"
 * ```
 */
export function copySessionData(data: Readonly<SessionData>): SessionData {
  return JSON.parse(JSON.stringify(data)) as SessionData;
}
