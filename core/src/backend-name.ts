import type { AuthenticationBackend } from './backend.js';
import { ConfigurationError } from './errors.js';
import type { BaseUser } from './user.js';

/** A backend name: what `auth.via` carries. No `+` (it joins the parts of an `all`), no spaces, no control characters. */
const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/;

/**
 * The `name` option of a built-in backend, checked at construction: the default
 * when absent, else a name of letters, digits, `_`, `.` and `-`.
 */
export function backendName<N extends string>(value: N | undefined, fallback: N, who: string): N {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !NAME.test(value)) {
    throw new ConfigurationError(`${who}: name must start with a letter and hold only letters, digits, "_", "." or "-" (at most 64), e.g. name: 'adminBasic'`);
  }
  return value;
}

/**
 * The combinations `multi` and `all` built, with the names of the backends inside
 * them (nested ones too): an `all` checks that every name in it is unique, and only
 * a combination of its own may be named with `+` (an `all`'s name).
 */
const COMBINED = new WeakMap<object, readonly string[]>();

/** Records a combination (`multi`/`all`) and the names of the backends inside it. @internal */
export function registerCombination(backend: object, parts: readonly AuthenticationBackend<BaseUser>[]): void {
  COMBINED.set(backend, Object.freeze(parts.flatMap((b) => namesIn(b))));
}

/** The names of a backend and of every backend inside it, when it is a `multi` or an `all`. @internal */
export function namesIn(backend: AuthenticationBackend<BaseUser>): readonly string[] {
  const inner = COMBINED.get(backend) ?? [];
  return typeof backend.name === 'string' ? [backend.name, ...inner] : inner;
}

/** The names of the backends inside a `multi` or `all` (none for any other backend). @internal */
export function innerNames(backend: AuthenticationBackend<BaseUser>): readonly string[] | undefined {
  return COMBINED.get(backend);
}

/**
 * Checks the parts of a `multi` or `all` at construction: each has `authenticate`,
 * and no two share a name (`auth.via` must tell them apart). `requireNames` (for
 * `all`) also refuses a part without a name, and a name used twice anywhere inside
 * (a nested `multi`'s parts included): `auth.part(name)` must find one part.
 */
export function checkParts(backends: readonly AuthenticationBackend<BaseUser>[], who: string, requireNames: boolean): void {
  const seen = new Set<string>();
  backends.forEach((b, i) => {
    if (typeof b?.authenticate !== 'function') throw new ConfigurationError(`${who}: every backend needs authenticate()`);
    if (b.present !== undefined && typeof b.present !== 'function') throw new ConfigurationError(`${who}: backend ${i}'s present must be a function`);
    const name = b.name;
    if (name === undefined) {
      if (requireNames) {
        throw new ConfigurationError(
          `${who}: backend ${i} has no name; name a chain with multi([...], { name }), and give a backend of your own a name (name: 'device') and the same via in its credentials`,
        );
      }
      return;
    }
    // Only an `all` is named with `+` (its parts' names joined); any other backend has a plain name.
    const valid = typeof name === 'string' && (NAME.test(name) || (COMBINED.has(b) && name.split('+').every((part) => NAME.test(part))));
    if (!valid) {
      throw new ConfigurationError(
        `${who}: backend ${i} has an invalid name${typeof name === 'string' ? ` "${name.slice(0, 64)}"` : ''}; use letters, digits, "_", "." or "-", starting with a letter (e.g. name: 'deviceAuth'), no spaces and no "+"`,
      );
    }
    for (const each of requireNames ? namesIn(b) : [name]) {
      if (seen.has(each)) {
        throw new ConfigurationError(`${who}: two backends are named "${each}"; give one a name of its own (e.g. basicAuth({ name: 'adminBasic', … }))`);
      }
      seen.add(each);
    }
  });
}
