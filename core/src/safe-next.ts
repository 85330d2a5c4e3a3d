/** Options of {@link safeNext}. */
export interface SafeNextOptions {
  /**
   * Absolute origins (`https://accounts.partner.example`) that may also be
   * targets. Scheme, host and port must match exactly.
   */
  readonly allowedOrigins?: readonly string[];
  /** Paths that are never a useful target (e.g. `/login`, `/logout`): they give the fallback. */
  readonly avoid?: readonly string[];
}

const MAX_LENGTH = 2048;
const BASE = 'http://portcullis.invalid';
// C0 controls, DEL, backslash and space anywhere are refused outright.
const FORBIDDEN = /[\u0000-\u0020\u007f\\]/;

/**
 * Validates a post-login redirect target (`?next=`). Accepts a same-origin
 * relative path and returns it re-serialised (`pathname + search + hash`);
 * anything else returns `fallback`. `Referer` is never a source for it.
 *
 * @example
 * ```ts
 * safeNext('/dashboard?a=1');        // '/dashboard?a=1'
 * safeNext('//evil.example');        // '/'
 * safeNext('https://evil.example');  // '/'
 * safeNext(undefined, '/home');      // '/home'
 * ```
 */
export function safeNext(value: unknown, fallback = '/', options: SafeNextOptions = {}): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_LENGTH) return fallback;
  if (FORBIDDEN.test(value)) return fallback;
  let result: string | undefined;
  if (value.startsWith('/')) {
    if (value.startsWith('//')) return fallback;
    result = sameOrigin(value);
  } else if (options.allowedOrigins !== undefined && options.allowedOrigins.length > 0) {
    result = allowedAbsolute(value, options.allowedOrigins);
  }
  if (result === undefined || result.length > MAX_LENGTH) return fallback;
  if (options.avoid !== undefined && result.startsWith('/')) {
    const path = result.replace(/[?#].*$/, '');
    if (options.avoid.includes(path)) return fallback;
  }
  return result;
}

function sameOrigin(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value, BASE);
  } catch {
    return undefined;
  }
  if (url.origin !== BASE || url.username !== '' || url.password !== '') return undefined;
  const out = url.pathname + url.search + url.hash;
  // Dot segments can collapse into a network-path reference ("/..//evil" → "//evil").
  if (!out.startsWith('/') || out.startsWith('//') || FORBIDDEN.test(out)) return undefined;
  return out;
}

function allowedAbsolute(value: string, origins: readonly string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '') return undefined;
  for (const origin of origins) {
    if (normaliseOrigin(origin) === url.origin) return url.href;
  }
  return undefined;
}

function normaliseOrigin(origin: string): string | undefined {
  try {
    return new URL(origin).origin;
  } catch {
    return undefined;
  }
}
