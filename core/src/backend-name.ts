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
 * Checks the parts of a `multi` or `all` at construction: each has `authenticate`,
 * and no two share a name (`auth.via` must tell them apart). `requireNames` (for
 * `all`) also refuses a part without a name.
 */
export function checkParts(backends: readonly AuthenticationBackend<BaseUser>[], who: string, requireNames: boolean): void {
  const seen = new Set<string>();
  backends.forEach((b, i) => {
    if (typeof b?.authenticate !== 'function') throw new ConfigurationError(`${who}: every backend needs authenticate()`);
    const name = b.name;
    if (name === undefined) {
      if (requireNames) {
        throw new ConfigurationError(
          `${who}: backend ${i} has no name; name a chain with multi([...], { name }), and give a backend of your own a name (name: 'device') and the same via in its credentials`,
        );
      }
      return;
    }
    // An `all`'s name is its parts' names joined with `+`.
    if (typeof name !== 'string' || !name.split('+').every((part) => NAME.test(part))) {
      throw new ConfigurationError(`${who}: backend ${i} has an invalid name; use letters, digits, "_", "." or "-", starting with a letter`);
    }
    if (seen.has(name)) {
      throw new ConfigurationError(`${who}: two backends are named "${name}"; give one a name of its own (e.g. basicAuth({ name: 'adminBasic', … }))`);
    }
    seen.add(name);
  });
}
