const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * A string with the same characters as `text` (well-formed: a JWT's segments are ASCII) that
 * shares no storage with it. A `slice` of a long string keeps its parent alive: a slice of an
 * `Authorization` value kept in a cache would keep the whole bearer token, signature
 * included, in memory as long as the entry lives. Runs off the hot path (on a cache insert,
 * when a new header is remembered).
 */
export function flatCopy(text: string): string {
  return decoder.decode(encoder.encode(text));
}
