import { ConfigurationError } from './errors.js';

/**
 * Compiles `exclude` patterns into one matcher. A string is an exact path
 * (`/login`) or, ending in `/*`, every path below a segment (`/public/*`); a
 * RegExp must be anchored with `^` and `$`, so a pattern can never match more
 * than its author read. Only canonical paths are excluded: `//`, dot segments,
 * encoded slashes, dots or backslashes make a path protected, whatever the router
 * would make of it.
 */
export function compileExclude(patterns: readonly (string | RegExp)[] | undefined): (path: string) => boolean {
  if (patterns === undefined) return () => false;
  if (!Array.isArray(patterns)) throw new ConfigurationError('exclude must be an array');
  if (patterns.length === 0) return () => false;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  const regexps: RegExp[] = [];
  for (const pattern of patterns) {
    if (pattern instanceof RegExp) {
      if (!pattern.source.startsWith('^') || !pattern.source.endsWith('$') || pattern.global || pattern.sticky) {
        throw new ConfigurationError(`exclude: RegExp ${String(pattern)} must be anchored with ^ and $ and have no g or y flag`);
      }
      // A top-level alternation (/^\/a|\/b$/) leaves each branch half-anchored: anchor the whole.
      regexps.push(new RegExp(`^(?:${pattern.source})$`, pattern.flags));
    } else if (typeof pattern === 'string' && pattern.startsWith('/') && isCanonical(pattern.replace(/\/\*$/, '/'))) {
      if (pattern.endsWith('/*')) prefixes.push(pattern.slice(0, -1));
      else if (pattern.includes('*')) throw new ConfigurationError(`exclude: "*" is only allowed as a final "/*" segment`);
      else exact.add(pattern);
    } else {
      throw new ConfigurationError('exclude: each pattern is an absolute path string or an anchored RegExp');
    }
  }
  return (path) => {
    if (!isCanonical(path)) return false;
    if (exact.has(path)) return true;
    for (const prefix of prefixes) if (path.startsWith(prefix)) return true;
    for (const re of regexps) if (re.test(path)) return true;
    return false;
  };
}

/** True for a path without `//`, dot segments, backslashes or encoded `/`, `.`, `\`. */
export function isCanonical(path: string): boolean {
  return (
    path.startsWith('/') &&
    !path.includes('//') &&
    !path.includes('\\') &&
    !/%(?:2f|2e|5c)/i.test(path) &&
    !/\/\.\.?(?:\/|$)/.test(path)
  );
}
