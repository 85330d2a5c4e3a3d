/**
 * Every value of the field `name` in an `application/x-www-form-urlencoded` text
 * (a body or a query string), decoded exactly as `URLSearchParams` decodes it, in
 * one pass and without building the whole list of pairs: a body of 10,000 fields
 * costs a scan, not 10,000 live entries. `[]` when the field is absent.
 *
 * @example
 * ```ts
 * formValues('grant_type=password&scope=a+b', 'scope'); // ['a b']
 * formValues('x=1&x=2', 'x');                           // ['1', '2']
 * ```
 */
export function formValues(text: string, name: string): string[] {
  const found: string[] = [];
  let start = 0;
  while (start <= text.length) {
    let end = text.indexOf('&', start);
    if (end === -1) end = text.length;
    if (end > start) {
      // Bounded to this pair: indexOf('=', start) would scan the rest of the text for every pair.
      let eq = start;
      while (eq < end && text.charCodeAt(eq) !== 0x3d) eq++;
      if (needsDecoding(text, start, eq)) {
        // The pair alone, through URLSearchParams itself: the same decoding, nothing else kept.
        // A leading "&" keeps a "?" at the start of a later pair literal, as in the whole text.
        const pair = text.slice(start, end);
        new URLSearchParams(start === 0 ? pair : `&${pair}`).forEach((value, key) => {
          if (key === name) found.push(value);
        });
      } else if (eq - start === name.length && text.startsWith(name, start)) {
        const value = eq < end ? text.slice(eq + 1, end) : '';
        found.push(needsDecoding(value, 0, value.length) ? (new URLSearchParams(`a=${value}`).get('a') ?? '') : value);
      }
    }
    start = end + 1;
  }
  return found;
}

/** True when the raw name in `text[from, to)` holds `%` or `+`, or is a leading `?` (stripped). */
function needsDecoding(text: string, from: number, to: number): boolean {
  if (from === 0 && text.charCodeAt(0) === 0x3f) return true;
  for (let i = from; i < to; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 || c === 0x2b) return true;
  }
  return false;
}
