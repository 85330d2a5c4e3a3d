/** Readers of HTTP responses (supertest's, or anything with Node-style `headers`) for every package's tests. */

/** What the readers need of a response: its headers, `set-cookie` as Node gives it (a list). */
interface WithHeaders {
  readonly headers: object;
}

/**
 * Every cookie a response sets, as `name=value` (attributes left off), in order.
 *
 * @example
 * ```ts
 * expect(setCookies(await agent.post('/logout'))).toEqual(['id=']);
 * ```
 */
export function setCookies(res: WithHeaders): string[] {
  const value = (res.headers as Record<string, unknown>)['set-cookie'];
  const lines = value === undefined ? [] : Array.isArray(value) ? (value as unknown[]).map(String) : [String(value)];
  return lines.map((line) => line.split(';')[0]!);
}

/**
 * The first `name=value` a response sets for the cookie `name` (`id` unless given), or `undefined`.
 *
 * @example
 * ```ts
 * const cookie = cookieFrom(await agent.post('/login').send(form));
 * await agent.get('/me').set('Cookie', cookie!);
 * ```
 */
export function cookieFrom(res: WithHeaders, name = 'id'): string | undefined {
  return setCookies(res).find((cookie) => cookie.startsWith(`${name}=`));
}
