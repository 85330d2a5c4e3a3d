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

/** Nesting deeper than this is left to the JSON round trip (which also reports a cycle). */
const MAX_DEPTH = 64;

/** Returned by `copyJson` for anything the JSON round trip would change or refuse. */
export const NOT_PLAIN: unique symbol = Symbol('not plain JSON');

/**
 * A copy of a plain JSON value, or `NOT_PLAIN`: strings, booleans, `null`, finite
 * numbers (`-0` becomes `0`, as in JSON), arrays without holes and objects whose
 * prototype is `Object.prototype` or `null`, nested at most `MAX_DEPTH` deep.
 */
export function copyJson(value: unknown, depth: number): unknown {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return value;
    case 'number':
      return Number.isFinite(value) ? value + 0 : NOT_PLAIN;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (value === null) return null;
  if (depth >= MAX_DEPTH) return NOT_PLAIN;
  const proto: unknown = Object.getPrototypeOf(value);
  if (Array.isArray(value)) {
    // An own toJSON (an extra property the loop below would not see) changes what JSON writes.
    if (proto !== Array.prototype || Object.hasOwn(value, 'toJSON')) return NOT_PLAIN;
    const length = value.length;
    const out: unknown[] = new Array<unknown>(length);
    for (let i = 0; i < length; i++) {
      if (!(i in value)) return NOT_PLAIN;
      const item = copyJson(value[i], depth + 1);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      out[i] = item;
    }
    return out;
  }
  if (proto !== Object.prototype && proto !== null) return NOT_PLAIN;
  const source = value as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(source)) {
    const item = copyJson(source[key], depth + 1);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    // A key the prototype chain has ("__proto__", "constructor", "toString", or a key someone
    // polluted Object.prototype with) is defined, as JSON.parse does: an assignment would set
    // the prototype, throw on a frozen Object.prototype, or run an inherited setter.
    if (key in out) Object.defineProperty(out, key, { value: item, writable: true, enumerable: true, configurable: true });
    else out[key] = item;
  }
  return out;
}

/** Whether an inherited `toJSON` would change what `JSON.stringify` writes for plain objects or arrays. */
function prototypesPlain(): boolean {
  return !('toJSON' in Object.prototype) && !('toJSON' in Array.prototype);
}

/**
 * A copy of JSON session data, own `__proto__` keys included, equal to a JSON
 * round trip (`JSON.parse(JSON.stringify(data))`): no reference shared with `data`,
 * nothing frozen. Plain JSON values (what a store returns) are copied structurally;
 * anything else (a `Date`, `undefined`, a class instance, a cycle…) takes the JSON
 * round trip, so it is converted or refused exactly as before.
 *
 * @example
 * ```ts
 * const copy = copySessionData(JSON.parse('{"__proto__":{"a":1}}')); // own key "__proto__"
 * ```
 */
export function copySessionData(data: Readonly<SessionData>): SessionData {
  const copy = prototypesPlain() ? copyJson(data, 0) : NOT_PLAIN;
  if (copy !== NOT_PLAIN && copy !== null && typeof copy === 'object' && !Array.isArray(copy)) return copy as SessionData;
  return JSON.parse(JSON.stringify(data)) as SessionData;
}
